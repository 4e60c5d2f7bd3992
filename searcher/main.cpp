// depeche-search: ranked boolean and phrase search over a Dépêche index.
#include <depeche/depeche.hpp>

#include "searcher/json_output.hpp"
#include "searcher/request_limits.hpp"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace po = boost::program_options;
namespace jo = depeche::json_output;
using nlohmann::json;

namespace {

constexpr int kExitOk = 0, kExitUsage = 2, kExitIndex = 3, kExitIo = 4;

const char* kUsage =
    "Usage: depeche-search [OPTIONS] QUERY...\n"
    "       depeche-search --stats\n"
    "       depeche-search --serve   (JSON requests on stdin, one per line: docs/serve.md)\n"
    "Searches a Dépêche index. Query language: words (AND by default), OR, NOT, -word, +word,\n"
    "(groups), \"exact phrase\", a NEAR b, prefix*, fields titre:/title:, auteur:/author:,\n"
    "source:, id:, url:, personne:/person:, date:, mentionne:/mentioned: (see docs/query-language.md).\n\n"
    "Exit status: 0 success (also with no hits); 2 malformed query or bad usage;\n"
    "3 missing, incompatible or damaged index; 4 the index could not be read.\n\n"
    "Options";

// A count option: digits only. (Boost reads "-1" into a std::size_t as its largest value.)
struct Count {
    std::size_t n = 0;
};
void validate(boost::any& v, const std::vector<std::string>& values, Count*, int) {
    po::validators::check_first_occurrence(v);
    const std::string& s = po::validators::get_single_string(values);
    errno = 0;
    char* end = nullptr;
    unsigned long long n = s.empty() || s.find_first_not_of("0123456789") != std::string::npos ? 0 : std::strtoull(s.c_str(), &end, 10);
    if (!end || *end || errno == ERANGE) throw po::invalid_option_value(s);
    v = Count{static_cast<std::size_t>(n)};
}

// The exit status for a library error, also the "code" of a --serve error response:
// 2 for a query, 3 for a missing, incompatible or damaged index, 4 for the rest.
int status_of(const depeche::Error& e) {
    if (dynamic_cast<const depeche::QueryError*>(&e)) return kExitUsage;
    if (dynamic_cast<const depeche::IndexMissingError*>(&e) || dynamic_cast<const depeche::IndexIncompatibleError*>(&e) ||
        dynamic_cast<const depeche::IndexCorruptError*>(&e))
        return kExitIndex;
    return kExitIo;
}

std::string default_db() {
    const char* env = std::getenv("DEPECHE_DB");
    return env && *env ? env : "depeche.db";
}

void print_text(const depeche::SearchResult& r, bool color) {
    const char* bold = color ? "\033[1m" : "";
    const char* dim = color ? "\033[2m" : "";
    const char* reset = color ? "\033[0m" : "";
    std::printf("%s%zu %s%s\n", r.total_exact ? "" : "about ", r.total,
                r.total == 1 ? "article" : "articles", r.total_exact ? "" : " (estimated)");
    for (const auto& h : r.hits) {
        std::printf("\n%2zu. %s%s%s", h.rank, bold, h.title.empty() ? "(untitled)" : h.title.c_str(), reset);
        if (!h.date.empty()) std::printf("  %s", h.date.substr(0, 10).c_str());
        std::printf("  %s[%.3f]%s\n", dim, h.score, reset);
        std::printf("    %s%s%s", dim, h.id.c_str(), reset);
        const std::string& where = !h.url.empty() ? h.url : h.path;
        if (!where.empty() && where != h.id) std::printf("  %s", where.c_str());
        std::printf("\n");
        if (!h.snippet.empty()) std::printf("    %s\n", h.snippet.c_str());
    }
    if (r.facets) {
        auto line = [](const char* label, const std::vector<depeche::FacetCount>& v) {
            if (v.empty()) return;
            std::printf("%s:", label);
            for (std::size_t i = 0; i < v.size(); ++i)
                std::printf("%s %s (%zu)", i ? "," : "", v[i].value.c_str(), v[i].count);
            std::printf("\n");
        };
        std::printf("\n");
        line("people", r.facets->people);
        line("dates", r.facets->dates);
        line("mentioned", r.facets->mentioned);
        if (!r.facets->exact) std::printf("(facet counts are estimates)\n");
    }
}

// --serve: one JSON request per line on stdin, one JSON response per line on stdout
// (docs/serve.md). The index stays open between requests and is reopened before each
// one, so every answer reflects the latest commit. Ends with status 0 at end of input.
int serve(const std::string& db, const depeche::SearchRequest& defaults) {
    std::optional<depeche::Searcher> searcher;
    std::string line;
    namespace rl = depeche::request_limits;
    for (rl::LineStatus status; (status = rl::read_line(*std::cin.rdbuf(), line)) != rl::LineStatus::End;) {
        if (status == rl::LineStatus::TooLong) {  // skipped, not kept in memory
            std::cout << jo::dump_line(jo::error_json({"request line longer than " + std::to_string(rl::kMaxRequestBytes) +
                                                       " bytes", std::nullopt, jo::kCodeRequest}, std::nullopt))
                      << '\n' << std::flush;
            continue;
        }
        if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank: no answer
        std::optional<json> id;
        json response;
        auto fail = [&](const std::string& message, std::optional<std::size_t> position, int code) {
            response = jo::error_json({message, position, code}, id);
        };
        try {
            jo::ServeRequest r = jo::parse_request(line, defaults, id);
            if (searcher) searcher->reopen();
            else searcher.emplace(db);
            if (r.stats) response = jo::stats_json(searcher->stats(), db);
            else response = jo::result_json(r.search.query, searcher->search(r.search));
            if (id) response["id"] = *id;
        } catch (const jo::RequestError& e) {
            response = jo::error_json(e, id);
        } catch (const depeche::QueryError& e) {
            fail(e.what(), e.position(), jo::kCodeRequest);
        } catch (const depeche::Error& e) {
            fail(e.what(), std::nullopt, status_of(e));
            searcher.reset();  // open it again on the next request (it may have been (re)built)
        } catch (const std::bad_alloc&) {
            fail("out of memory", std::nullopt, jo::kCodeIo);
            searcher.reset();
        } catch (const std::exception& e) {
            fail(std::string("internal error: ") + e.what(), std::nullopt, jo::kCodeIo);
            searcher.reset();
        }
        std::cout << jo::dump_line(response) << '\n' << std::flush;
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts(kUsage);
    std::string db, format, sort, color;
    Count limit{10}, offset{0}, snippet{240}, facet_limit{10};
    opts.add_options()
        ("help,h", "show this help")
        ("version", "show the version")
        ("db,d", po::value<std::string>(&db)->default_value(default_db()), "index folder (default: $DEPECHE_DB, else ./depeche.db)")
        ("limit,n", po::value<Count>(&limit)->default_value(limit, "10"), "number of hits to show")
        ("offset", po::value<Count>(&offset)->default_value(offset, "0"), "hits to skip (paging)")
        ("format,f", po::value<std::string>(&format)->default_value("text"), "text or json")
        ("sort", po::value<std::string>(&sort), "relevance (default), date (oldest first) or -date (newest first)")
        ("facets", "count people and dates over all matches")
        ("facet-limit", po::value<Count>(&facet_limit)->default_value(facet_limit, "10"), "people listed in the facets")
        ("exact", "count all matches exactly")
        ("snippet-length", po::value<Count>(&snippet)->default_value(snippet, "240"), "snippet size in bytes (0: none)")
        ("color", po::value<std::string>(&color)->default_value("auto"), "highlight with colours: auto, always or never")
        ("stats", "print index statistics instead of searching")
        ("serve", "answer JSON requests read line by line from stdin (docs/serve.md); the "
                  "options above are the defaults of every request");
    po::options_description hidden;
    hidden.add_options()("query", po::value<std::vector<std::string>>(), "query");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("query", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos)
                      .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                      .run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "depeche-search: " << e.what() << " (see --help)\n";
        return kExitUsage;
    }
    if (vm.count("help")) { std::cout << opts << "\n"; return kExitOk; }
    if (vm.count("version")) { std::cout << "depeche-search " << depeche::version() << "\n"; return kExitOk; }
    if (format != "text" && format != "json") {
        std::cerr << "depeche-search: --format must be text or json, not '" << format << "'\n";
        return kExitUsage;
    }
    if (color != "auto" && color != "always" && color != "never") {
        std::cerr << "depeche-search: --color must be auto, always or never\n";
        return kExitUsage;
    }
    depeche::SearchRequest req;
    if (vm.count("sort")) {
        req.sort_given = true;
        if (sort == "relevance") req.sort = depeche::Sort::Relevance;
        else if (sort == "date") req.sort = depeche::Sort::DateAscending;
        else if (sort == "-date") req.sort = depeche::Sort::DateDescending;
        else {
            std::cerr << "depeche-search: --sort must be relevance, date or -date, not '" << sort << "'\n";
            return kExitUsage;
        }
    }
    bool stats = vm.count("stats") > 0;
    bool serving = vm.count("serve") > 0;
    if (serving && (stats || vm.count("query"))) {
        std::cerr << "depeche-search: --serve reads its queries from stdin: give no QUERY and no --stats\n";
        return kExitUsage;
    }
    if (!stats && !serving && !vm.count("query")) {
        std::cerr << "depeche-search: no QUERY given (see --help)\n";
        return kExitUsage;
    }
    std::string query;
    if (vm.count("query"))
        for (const auto& part : vm["query"].as<std::vector<std::string>>()) query += (query.empty() ? "" : " ") + part;

    // Colour is for text output only: JSON never holds escape codes (nor does --serve).
    bool use_color = format == "text" &&
                     (color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR")));
    req.query = query;
    req.limit = limit.n;
    req.offset = offset.n;
    req.facets = vm.count("facets") > 0;
    req.facet_limit = facet_limit.n;
    req.exact_total = vm.count("exact") > 0;
    req.snippet.length = snippet.n;
    if (serving) return serve(db, req);
    if (use_color) {
        req.snippet.highlight_open = "\033[1;33m";
        req.snippet.highlight_close = "\033[0m";
    }
    try {
        depeche::Searcher searcher(db);
        if (stats) {
            depeche::IndexStats s = searcher.stats();
            if (format == "json") {
                std::cout << jo::stats_json(s, db).dump() << "\n";
            } else {
                std::printf("index: %s\narticles: %zu\nsize on disk: %.1f MB\nschema version: %d\nanalyzer: %s\nlast update: %s\n",
                            db.c_str(), s.articles, static_cast<double>(s.size_bytes) / 1e6, s.schema_version,
                            s.analyzer.c_str(), s.last_update.empty() ? "unknown" : s.last_update.c_str());
            }
            return kExitOk;
        }
        depeche::SearchResult r = searcher.search(req);
        if (format == "json") std::cout << jo::dump_line(jo::result_json(query, r)) << "\n";
        else print_text(r, use_color);
        return kExitOk;
    } catch (const std::bad_alloc&) {
        std::cerr << "depeche-search: out of memory\n";
        return kExitIo;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return status_of(e);
    }
}
