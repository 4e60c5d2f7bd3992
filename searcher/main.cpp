// depeche-search: ranked boolean and phrase search over a Dépêche index.
#include <depeche/depeche.hpp>

#include "searcher/http_server.hpp"
#include "searcher/json_output.hpp"
#include "searcher/request_limits.hpp"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <poll.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace po = boost::program_options;
namespace jo = depeche::json_output;
using nlohmann::json;

namespace {

constexpr int kExitOk = 0, kExitUsage = 2, kExitIndex = 3, kExitIo = 4;

const char* kUsage =
    "Usage: depeche-search [OPTIONS] QUERY...\n"
    "       depeche-search --stats\n"
    "       depeche-search --serve   (JSON requests on stdin, one per line: docs/serve.md)\n"
    "       depeche-search --http [ADDR:]PORT   (HTTP API and web page: docs/http.md)\n"
    "Searches a Dépêche index. Query language: words (AND by default), OR/OU, NOT/SAUF, -word,\n"
    "+word, (groups), \"exact phrase\", a NEAR b, prefix*, fields titre:/title:, auteur:/author:,\n"
    "source:, id:, url:, personne:/person:, date:, mentionne:/mentioned: (docs/query-language.md).\n"
    "Operators are written in capitals: a lower-case \"ou\" or \"or\" is searched as a word.\n"
    "Any argument that is not one of the options below is part of the query (-date:2018 too);\n"
    "after --, every argument is.\n\n"
    "Examples:\n"
    "  depeche-search '\"Union européenne\" sanctions'\n"
    "  depeche-search 'Macron OU Hollande' -date:2018\n"
    "  depeche-search 'personne:Merkel date:2015..2017' --facets\n"
    "  depeche-search 'titre:retraites -grève' --sort -date -n 20\n\n"
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
    unsigned long long n =
        s.empty() || s.find_first_not_of("0123456789") != std::string::npos ? 0 : std::strtoull(s.c_str(), &end, 10);
    if (!end || *end || errno == ERANGE) throw po::invalid_option_value(s);
    v = Count{static_cast<std::size_t>(n)};
}

// Splits the command line into options (for Boost) and query words. An argument is an
// option when it is one of `opts` (a long name, or a short one alone: "-n", or with
// digits attached: "-n5") and then takes its value from the next argument if it needs
// one; every other argument is a query word, so that "-date:2018" or "-grève" are
// query words (excluded terms), not unknown options. After "--" every argument is a
// query word. A long option that is not known ("--foo") is left to Boost, which
// reports it.
void split_arguments(int argc, char** argv, const po::options_description& opts, std::vector<std::string>& options,
                     std::vector<std::string>& words) {
    auto takes_value = [](const po::option_description& od) { return od.semantic()->max_tokens() > 0; };
    auto short_option = [&](char c) -> const po::option_description* {
        for (const auto& od : opts.options()) {
            const std::string name = od->canonical_display_name(po::command_line_style::allow_dash_for_short);
            if (name.size() == 2 && name[0] == '-' && name[1] == c) return od.get();
        }
        return nullptr;
    };
    bool only_words = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (only_words) {
            words.push_back(a);
            continue;
        }
        if (a == "--") {
            only_words = true;
            continue;
        }
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            options.push_back(a);
            const po::option_description* od = opts.find_nothrow(a.substr(2, a.find('=') - 2), false);
            if (od && a.find('=') == std::string::npos && takes_value(*od) && i + 1 < argc)
                options.push_back(argv[++i]);
            continue;
        }
        const po::option_description* od = a.size() >= 2 && a[0] == '-' ? short_option(a[1]) : nullptr;
        if (od && a.size() == 2) {
            options.push_back(a);
            if (takes_value(*od) && i + 1 < argc) options.push_back(argv[++i]);
        } else if (od && takes_value(*od) && a.find_first_not_of("0123456789", 2) == std::string::npos) {
            options.push_back(a);  // "-n5"
        } else {
            words.push_back(a);
        }
    }
}

// The bearer token of --http-token: the file's first line, without surrounding spaces;
// at least 16 characters.
bool read_token(const std::string& path, std::string& token) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "depeche-search: cannot read the token file " << path << "\n";
        return false;
    }
    std::getline(in, token);
    token.erase(0, token.find_first_not_of(" \t\r"));
    token.erase(token.find_last_not_of(" \t\r") + 1);
    if (token.size() < 16 || token.find_first_of(" ;,\"") != std::string::npos) {
        std::cerr << "depeche-search: " << path << ": the token must be one word of at least 16 characters "
                  << "(for example: head -c 24 /dev/urandom | base64 > " << path << ")\n";
        return false;
    }
    return true;
}

// The exit status for a library error, also the "code" of a --serve error response:
// 2 for a query, 3 for a missing, incompatible or damaged index, 4 for the rest.
int status_of(const depeche::Error& e) {
    if (dynamic_cast<const depeche::QueryError*>(&e)) return kExitUsage;
    if (dynamic_cast<const depeche::IndexMissingError*>(&e) ||
        dynamic_cast<const depeche::IndexIncompatibleError*>(&e) || dynamic_cast<const depeche::IndexCorruptError*>(&e))
        return kExitIndex;
    return kExitIo;
}

std::string default_db() {
    const char* env = std::getenv("DEPECHE_DB");
    return env && *env ? env : "depeche.db";
}

// The facet values most counted (at most `limit`), shown in date order, and how many
// were left out.
std::vector<depeche::FacetCount> top_in_order(const std::vector<depeche::FacetCount>& v, std::size_t limit,
                                              std::size_t& left_out) {
    std::vector<depeche::FacetCount> top = v;
    left_out = 0;
    if (top.size() > limit) {
        std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
        left_out = top.size() - limit;
        top.resize(limit);
        std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
    }
    return top;
}

void print_text(const depeche::SearchResult& r, const depeche::SearchRequest& req, bool color) {
    const char* bold = color ? "\033[1m" : "";
    const char* dim = color ? "\033[2m" : "";
    const char* reset = color ? "\033[0m" : "";
    const char* noun = req.collapse ? (r.total == 1 ? "story" : "stories") : r.total == 1 ? "article" : "articles";
    std::string shown;
    if (!r.hits.empty())
        shown = ", " + std::to_string(r.hits.front().rank) + "-" + std::to_string(r.hits.back().rank) + ":";
    else if (r.total > 0 && req.limit > 0)
        shown = " (none shown from " + std::to_string(req.offset + 1) + ")";
    if (r.total_exact)
        std::printf("%zu %s%s\n", r.total, noun, shown.c_str());
    else
        std::printf("about %zu %s (estimated: between %zu and %zu)%s\n", r.total, noun, r.total_lower, r.total_upper,
                    shown.c_str());
    for (const std::string& shard : r.missing_shards)
        std::printf("%spartial results: %s is unavailable%s\n", bold, shard.c_str(), reset);
    for (const std::string& note : r.notes) std::printf("%snote: %s%s\n", dim, note.c_str(), reset);
    if (!r.suggestion.empty()) std::printf("Vouliez-vous dire : %s%s%s ?\n", bold, r.suggestion.c_str(), reset);
    for (const auto& h : r.hits) {
        std::printf("\n%2zu. %s%s%s", h.rank, bold, h.title.empty() ? "(untitled)" : h.title.c_str(), reset);
        if (!h.date.empty()) std::printf("  %s", h.date.substr(0, 10).c_str());
        if (h.other_versions > 0) std::printf("  (+%zu version%s)", h.other_versions, h.other_versions == 1 ? "" : "s");
        std::printf("  %s[%.3f]%s\n", dim, h.score, reset);
        std::printf("    %s%s%s", dim, h.id.c_str(), reset);
        const std::string& where = !h.url.empty() ? h.url : h.path;
        if (!where.empty() && where != h.id) std::printf("  %s", where.c_str());
        std::printf("\n");
        if (!h.snippet.empty()) std::printf("    %s\n", h.snippet.c_str());
    }
    if (r.facets) {
        auto line = [](const std::string& label, const std::vector<depeche::FacetCount>& v, std::size_t left_out) {
            if (v.empty()) return;
            std::printf("%s:", label.c_str());
            for (std::size_t i = 0; i < v.size(); ++i)
                std::printf("%s %s (%zu%s)", i ? "," : "", v[i].value.c_str(), v[i].count,
                            v[i].ambiguous ? ", ambigu" : "");
            if (left_out) std::printf(" (+%zu more)", left_out);
            std::printf("\n");
        };
        std::printf("\n");
        line("people", r.facets->people, 0);
        line(r.facets->date_interval.empty() ? "dates" : "dates (" + r.facets->date_interval + ")", r.facets->dates, 0);
        std::size_t left_out = 0;
        std::vector<depeche::FacetCount> mentioned = top_in_order(r.facets->mentioned, req.facet_limit, left_out);
        line("mentioned", mentioned, left_out);
        if (!r.facets->exact) std::printf("(facet counts are estimates)\n");
    }
}

// --serve: one JSON request per line on stdin, one JSON response per line on stdout
// (docs/serve.md). The index stays open between requests and is reopened before each
// one, so every answer reflects the latest commit. Ends with status 0 at end of input.
// For a process that answers many searches (--serve, --http): freed memory is kept for
// the next search instead of going back to the system. A search over remote shards
// receives the ids of every match of each shard (for facets), which libxapian allocates
// and frees in large blocks; with glibc's defaults those blocks are handed back after
// each search and their pages fault in again on the next one. Fetching 9,000 ids from
// one xapian-tcpsrv took 8.1 ms of the searcher's CPU that way and 0.5 ms with the
// memory kept (bench/README.md). So blocks up to 32 MiB come from the heap, which is
// trimmed only beyond 64 MiB free (glibc's mallopt; elsewhere, nothing is changed).
// Each of glibc's malloc arenas keeps that much, and glibc gives a process's threads up
// to 8 arenas per core (the 16 workers of --http, 16 arenas): the arenas are limited to
// one per core, at least 2, unless MALLOC_ARENA_MAX or GLIBC_TUNABLES is set. At 1M
// articles behind 4 xapian-tcpsrv, --http held 961 MiB after three rounds of 16 facet
// queries with 16 arenas, 597 MiB with 2, in the same time (bench/README.md).
void keep_freed_memory() {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    if (!std::getenv("MALLOC_ARENA_MAX") && !std::getenv("GLIBC_TUNABLES"))
        mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
#endif
}

// Standard input read with read(2) into a buffer of our own, so that --serve knows when
// no request is waiting (std::cin's buffer, synchronised with C's stdin, does not say).
class InputBuffer : public std::streambuf {
public:
    // True once input (or its end) is there to read, false after `ms` milliseconds without.
    bool wait(int ms) {
        if (gptr() < egptr()) return true;
        pollfd p{0, POLLIN, 0};
        int n;
        while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR) {}
        return n != 0;  // an error is left to read(), which reports it as the end
    }

protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        for (;;) {
            const ssize_t n = ::read(0, buffer_, sizeof buffer_);
            if (n > 0) {
                setg(buffer_, buffer_, buffer_ + n);
                return traits_type::to_int_type(*gptr());
            }
            if (n == 0 || errno != EINTR) return traits_type::eof();
        }
    }

private:
    char buffer_[1 << 16];
};

int serve(const std::string& db, const depeche::SearchRequest& defaults, std::size_t warm_seconds) {
    std::optional<depeche::Searcher> searcher;
    std::string line;
    namespace rl = depeche::request_limits;
    InputBuffer in;
    // While no request comes for `warm_seconds`, the searcher is reopened and warmed
    // (docs/serve.md): a commit's people and facet values are read before a query needs them.
    auto idle = [&] {
        if (warm_seconds == 0) return;
        const int ms = static_cast<int>(std::min<std::size_t>(warm_seconds, 86400) * 1000);
        while (!in.wait(ms)) {
            try {
                if (searcher)
                    searcher->reopen();
                else
                    searcher.emplace(db);
                searcher->warm();
            } catch (const std::exception&) {
                searcher.reset();  // the next request opens the index again, and answers its error
            }
        }
    };
    for (;;) {
        idle();
        const rl::LineStatus status = rl::read_line(in, line);
        if (status == rl::LineStatus::End) break;
        if (status == rl::LineStatus::TooLong) {  // skipped, not kept in memory
            std::cout << jo::dump_line(jo::error_json(
                             {"request line longer than " + std::to_string(rl::kMaxRequestBytes) + " bytes",
                              std::nullopt, jo::kCodeRequest},
                             std::nullopt))
                      << '\n'
                      << std::flush;
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
            if (searcher)
                searcher->reopen();
            else
                searcher.emplace(db);
            if (r.stats)
                response = jo::live_stats_json(searcher->stats(), db);
            else
                response = jo::result_json(r.search.query, searcher->search(r.search));
            if (id) response["id"] = *id;
        } catch (const jo::RequestError& e) { response = jo::error_json(e, id); } catch (const depeche::QueryError& e) {
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
    std::string db, format, sort, color, interval, http_address, token_file, like;
    Count limit{10}, offset{0}, snippet{240}, facet_limit{10}, http_threads{0}, http_searchers{0}, warm{1};
    opts.add_options()("help,h", "show this help")("version", "show the version")(
        "db,d", po::value<std::string>(&db)->default_value(default_db()),
        "index folder (default: $DEPECHE_DB, else ./depeche.db)")(
        "limit,n", po::value<Count>(&limit)->default_value(limit, "10"), "number of hits to show")(
        "offset", po::value<Count>(&offset)->default_value(offset, "0"), "hits to skip (paging)")(
        "format,f", po::value<std::string>(&format)->default_value("text"), "text or json")(
        "sort", po::value<std::string>(&sort), "relevance (default), date (oldest first) or -date (newest first)")(
        "facets", "count people and dates over all matches")(
        "facet-limit", po::value<Count>(&facet_limit)->default_value(facet_limit, "10"),
        "people listed in the facets (and, in text output, mentioned dates)")(
        "date-interval", po::value<std::string>(&interval)->default_value("auto"),
        "publication-date histogram buckets: auto, year, month, week or day")(
        "estimate", "estimate the number of matches instead of counting them all (faster on huge result sets)")(
        "exact", "count all matches exactly (the default; kept for scripts)")(
        "snippet-length", po::value<Count>(&snippet)->default_value(snippet, "240"), "snippet size in bytes (0: none)")(
        "color", po::value<std::string>(&color)->default_value("auto"),
        "highlight with colours: auto, always or never")("collapse",
                                                         "one hit per story (reposts and updated versions of one "
                                                         "article): the best one, with the number of other versions")(
        "like", po::value<std::string>(&like),
        "articles like the one with this id (its own versions left out); QUERY, if given, narrows them")(
        "allow-partial",
        "a sharded index (docs/scale-out.md): when a shard cannot be reached, answer from the others and say "
        "which is missing, instead of failing")("stats", "print index statistics instead of searching")(
        "serve",
        "answer JSON requests read line by line from stdin (docs/serve.md); the "
        "options above are the defaults of every request")("http", po::value<std::string>(&http_address),
                                                           "serve the HTTP API and the web page on [ADDR:]PORT "
                                                           "(ADDR 127.0.0.1 by default; docs/http.md)")(
        "http-token", po::value<std::string>(&token_file),
        "file holding the bearer token that every HTTP request "
        "must carry (required to listen on an address other than loopback)")(
        "http-threads", po::value<Count>(&http_threads)->default_value(http_threads, "0"),
        "HTTP worker threads (0: 8 per core, at least 16)")(
        "http-searchers", po::value<Count>(&http_searchers)->default_value(http_searchers, "0"),
        "searchers that the HTTP workers share (0: 2 per core, at least 4)")(
        "warm", po::value<Count>(&warm)->default_value(warm, "1"),
        "--serve and --http: seconds between two looks for a new commit while idle, after which the index's people "
        "and facet values are read before a query needs them (0: never)");
    std::vector<std::string> option_args, words;
    split_arguments(argc, argv, opts, option_args, words);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(option_args)
                      .options(opts)
                      .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "depeche-search: " << e.what() << " (see --help)\n";
        return kExitUsage;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return kExitOk;
    }
    if (vm.count("exact") && vm.count("estimate")) {
        std::cerr << "depeche-search: --exact and --estimate exclude each other\n";
        return kExitUsage;
    }
    if (vm.count("version")) {
        std::cout << "depeche-search " << depeche::version() << "\n";
        return kExitOk;
    }
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
        if (sort == "relevance")
            req.sort = depeche::Sort::Relevance;
        else if (sort == "date")
            req.sort = depeche::Sort::DateAscending;
        else if (sort == "-date")
            req.sort = depeche::Sort::DateDescending;
        else {
            std::cerr << "depeche-search: --sort must be relevance, date or -date, not '" << sort << "'\n";
            return kExitUsage;
        }
    }
    if (auto d = jo::date_interval_named(interval))
        req.date_interval = *d;
    else {
        std::cerr << "depeche-search: --date-interval must be auto, year, month, week or day, not '" << interval
                  << "'\n";
        return kExitUsage;
    }
    bool stats = vm.count("stats") > 0;
    bool serving = vm.count("serve") > 0;
    const bool http = vm.count("http") > 0;
    if (http && (serving || stats || !words.empty())) {
        std::cerr << "depeche-search: --http takes its queries from HTTP requests: give no QUERY, --stats or --serve\n";
        return kExitUsage;
    }
    if (serving && (stats || !words.empty())) {
        std::cerr << "depeche-search: --serve reads its queries from stdin: give no QUERY and no --stats\n";
        return kExitUsage;
    }
    if (!like.empty() && (stats || serving || http)) {
        std::cerr << "depeche-search: --like searches once: it goes with neither --stats, --serve nor --http "
                     "(their requests take a \"like\" field)\n";
        return kExitUsage;
    }
    if (!stats && !serving && !http && words.empty() && like.empty()) {
        std::cerr << "depeche-search: no QUERY given (see --help)\n";
        return kExitUsage;
    }
    std::string query;
    for (const auto& part : words) query += (query.empty() ? "" : " ") + part;

    // Colour is for text output only: JSON never holds escape codes (nor does --serve).
    bool use_color = format == "text" &&
                     (color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR")));
    req.query = query;
    req.limit = limit.n;
    req.offset = offset.n;
    req.facets = vm.count("facets") > 0;
    req.facet_limit = facet_limit.n;
    req.exact_total = vm.count("estimate") == 0;
    req.collapse = vm.count("collapse") > 0;
    req.allow_partial = vm.count("allow-partial") > 0;
    req.like = like;
    req.snippet.length = snippet.n;
    if (serving || http) keep_freed_memory();
    if (serving) return serve(db, req, warm.n);
    if (http) {
        depeche::http::Options o;
        if (!depeche::http::parse_address(http_address, o.host, o.port)) {
            std::cerr << "depeche-search: --http takes [ADDR:]PORT (8080, 127.0.0.1:8080, [::1]:8080), not '"
                      << http_address << "'\n";
            return kExitUsage;
        }
        if (!token_file.empty() && !read_token(token_file, o.token)) return kExitUsage;
        if (!depeche::http::is_loopback(o.host) && o.token.empty()) {
            std::cerr << "depeche-search: listening on " << o.host
                      << " (not loopback) needs --http-token FILE: every request must then carry that token\n";
            return kExitUsage;
        }
        o.db = db;
        o.threads = http_threads.n;
        o.searchers = http_searchers.n;
        o.warm_seconds = warm.n;
        o.defaults = req;
        return depeche::http::serve_http(o);
    }
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
                std::printf(
                    "index: %s\narticles: %zu\nsize on disk: %.1f MB\nschema version: %d\nanalyzer: %s\nlast update: "
                    "%s\n",
                    db.c_str(), s.articles, static_cast<double>(s.size_bytes) / 1e6, s.schema_version,
                    s.analyzer.c_str(), s.last_update.empty() ? "unknown" : s.last_update.c_str());
                if (s.shards) std::printf("shards: %zu\n", s.shards);
                if (!s.partition.empty()) std::printf("partition: one shard per %s\n", s.partition.c_str());
                for (const depeche::ShardStats& sh : s.shard_list) {
                    const std::string name = sh.period.empty() ? sh.name : sh.name + " [" + sh.period + "]";
                    std::printf("  %s: %zu %s (%s)\n", name.c_str(), sh.articles,
                                sh.articles == 1 ? "article" : "articles", sh.location.c_str());
                }
            }
            return kExitOk;
        }
        depeche::SearchResult r = searcher.search(req);
        if (format == "json")
            std::cout << jo::dump_line(jo::result_json(query, r)) << "\n";
        else
            print_text(r, req, use_color);
        return kExitOk;
    } catch (const std::bad_alloc&) {
        std::cerr << "depeche-search: out of memory\n";
        return kExitIo;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-search: " << e.what() << "\n";
        return status_of(e);
    }
}
