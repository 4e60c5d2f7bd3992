// depeche-search: ranked boolean and phrase search over a Dépêche index.
#include <depeche/depeche.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr int kExitOk = 0, kExitUsage = 2, kExitIndex = 3, kExitIo = 4;

const char* kUsage =
    "Usage: depeche-search [OPTIONS] QUERY...\n"
    "       depeche-search --stats\n"
    "Searches a Dépêche index. Query language: words (AND by default), OR, NOT, -word, +word,\n"
    "(groups), \"exact phrase\", a NEAR b, prefix*, fields titre:/title:, auteur:/author:,\n"
    "source:, id:, url:, personne:/person:, date:, mentionne:/mentioned: (see docs/query-language.md).\n\n"
    "Exit status: 0 success (also with no hits); 2 malformed query or bad usage;\n"
    "3 missing or incompatible index; 4 the index could not be read.\n\n"
    "Options";

std::string default_db() {
    const char* env = std::getenv("DEPECHE_DB");
    return env && *env ? env : "depeche.db";
}

json hit_json(const depeche::Hit& h) {
    return json{{"rank", h.rank}, {"id", h.id}, {"score", h.score}, {"title", h.title},
                {"date", h.date}, {"url", h.url}, {"path", h.path}, {"author", h.author},
                {"source", h.source}, {"snippet", h.snippet}, {"people", h.people}};
}

json counts_json(const std::vector<depeche::FacetCount>& v, const char* key) {
    json a = json::array();
    for (const auto& c : v) a.push_back({{key, c.value}, {"count", c.count}});
    return a;
}

json result_json(const std::string& query, const depeche::SearchResult& r) {
    json j{{"format_version", 1}, {"query", query}, {"total", r.total}, {"total_exact", r.total_exact}};
    json hits = json::array();
    for (const auto& h : r.hits) hits.push_back(hit_json(h));
    j["hits"] = std::move(hits);
    if (r.facets) {
        j["facets"] = {{"people", counts_json(r.facets->people, "name")},
                       {"dates", counts_json(r.facets->dates, "value")},
                       {"mentioned", counts_json(r.facets->mentioned, "value")},
                       {"exact", r.facets->exact}};
    }
    return j;
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

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts(kUsage);
    std::string db, format, sort, color;
    std::size_t limit = 10, offset = 0, snippet = 240, facet_limit = 10;
    opts.add_options()
        ("help,h", "show this help")
        ("version", "show the version")
        ("db,d", po::value<std::string>(&db)->default_value(default_db()), "index folder (default: $DEPECHE_DB, else ./depeche.db)")
        ("limit,n", po::value<std::size_t>(&limit)->default_value(10), "number of hits to show")
        ("offset", po::value<std::size_t>(&offset)->default_value(0), "hits to skip (paging)")
        ("format,f", po::value<std::string>(&format)->default_value("text"), "text or json")
        ("sort", po::value<std::string>(&sort), "relevance (default), date (oldest first) or -date (newest first)")
        ("facets", "count people and dates over all matches")
        ("facet-limit", po::value<std::size_t>(&facet_limit)->default_value(10), "people listed in the facets")
        ("exact", "count all matches exactly")
        ("snippet-length", po::value<std::size_t>(&snippet)->default_value(240), "snippet size in bytes (0: none)")
        ("color", po::value<std::string>(&color)->default_value("auto"), "highlight with colours: auto, always or never")
        ("stats", "print index statistics instead of searching");
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
    if (!stats && !vm.count("query")) {
        std::cerr << "depeche-search: no QUERY given (see --help)\n";
        return kExitUsage;
    }
    std::string query;
    if (vm.count("query"))
        for (const auto& part : vm["query"].as<std::vector<std::string>>()) query += (query.empty() ? "" : " ") + part;

    bool use_color = color == "always" || (color == "auto" && format == "text" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
    req.query = query;
    req.limit = limit;
    req.offset = offset;
    req.facets = vm.count("facets") > 0;
    req.facet_limit = facet_limit;
    req.exact_total = vm.count("exact") > 0;
    req.snippet.length = snippet;
    if (use_color) {
        req.snippet.highlight_open = "\033[1;33m";
        req.snippet.highlight_close = "\033[0m";
    }
    try {
        depeche::Searcher searcher(db);
        if (stats) {
            depeche::IndexStats s = searcher.stats();
            if (format == "json") {
                std::cout << json{{"format_version", 1}, {"articles", s.articles}, {"size_bytes", s.size_bytes},
                                  {"schema_version", s.schema_version}, {"analyzer", s.analyzer},
                                  {"last_update", s.last_update}, {"path", db}}.dump() << "\n";
            } else {
                std::printf("index: %s\narticles: %zu\nsize on disk: %.1f MB\nschema version: %d\nanalyzer: %s\nlast update: %s\n",
                            db.c_str(), s.articles, static_cast<double>(s.size_bytes) / 1e6, s.schema_version,
                            s.analyzer.c_str(), s.last_update.empty() ? "unknown" : s.last_update.c_str());
            }
            return kExitOk;
        }
        depeche::SearchResult r = searcher.search(req);
        if (format == "json") std::cout << result_json(query, r).dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        else print_text(r, use_color);
        return kExitOk;
    } catch (const depeche::QueryError& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return kExitUsage;
    } catch (const depeche::IndexMissingError& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return kExitIndex;
    } catch (const depeche::IndexIncompatibleError& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return kExitIndex;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return kExitIo;
    }
}
