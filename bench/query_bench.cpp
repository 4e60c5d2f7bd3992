// query_bench: query latency of a Dépêche index, measured through the public API only.
//
// Reads a query file (one query a line, "class<TAB>query"; '#' lines and blank lines are
// skipped; a line without a TAB gets the class "other"), then for each mode runs
// WARMUP untimed passes and PASSES timed passes over the whole file in one Searcher:
//
//   ids       exact_total, no snippet, no facets   (what the peer engines are timed on)
//   snippets  exact_total, 240-byte snippets       (the query target)
//   facets    exact_total, snippets and facets     (people + date facets)
//   estimate  estimated total, snippets            (the command line's default)
//
// Latency is the wall time of one Searcher::search() call (parse, match, count, fetch the
// top 10 with their stored fields, snippets, facets), measured with steady_clock. The
// process CPU time of the same call (CLOCK_PROCESS_CPUTIME_ID, all threads) is recorded
// too: on a shared, overloaded machine it is the steadier of the two.
//
// Output: a table per mode and query class on stdout (p50/p95/p99/max in ms, hits);
// --tsv FILE: one line per run (mode, class, qno, pass, hits, exact, latency_us, query);
// --peer-results MODE=FILE: the run of MODE in the results.tsv format of
// ../shared/bench-peers (pass qno query hits latency_us top10 query), pass 0 = warm-up.
#include <depeche/depeche.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

struct Query {
    std::size_t qno = 0;  // 1-based, in file order (the peers number queries the same way)
    std::string cls, text;
};

struct Mode {
    std::string name;
    bool exact = true;
    std::size_t snippet = 240;
    bool facets = false;
};

struct Run {
    std::size_t qno = 0;
    int pass = 0;         // 0 = warm-up
    long long hits = -1;  // -1 = the query failed
    bool exact = false;
    double us = 0;
    double cpu_us = 0;  // process CPU time (user + system, all threads)
    std::vector<std::string> top;
};

const std::vector<Mode> kModes = {
    {"ids", true, 0, false},
    {"snippets", true, 240, false},
    {"facets", true, 240, true},
    {"estimate", false, 240, false},
};

void usage(std::FILE* to) {
    std::fputs(
        "Usage: query_bench --db DIR --queries FILE [options]\n"
        "  --warmup N           untimed passes over the query file per mode (default 3)\n"
        "  --passes N           timed passes per mode (default 5)\n"
        "  --modes LIST         comma-separated: ids,snippets,facets,estimate (default ids,snippets,facets)\n"
        "  --limit N            hits fetched per query (default 10)\n"
        "  --tsv FILE           every run, one line each (mode class qno pass hits exact latency_us query)\n"
        "  --peer-results M=F   write mode M's runs to F in the bench-peers results.tsv format\n"
        "  --per-query          also print each query's median latency and hits per mode\n"
        "  --malloc-defaults    leave glibc's allocator as it is (by default freed memory is kept for\n"
        "                       the next search, as depeche-search --serve and --http keep it)\n",
        to);
}

// Linear interpolation between closest ranks (same as bench-peers/common/summarize.py).
double percentile(std::vector<double> xs, double p) {
    if (xs.empty()) return NAN;
    std::sort(xs.begin(), xs.end());
    double k = (static_cast<double>(xs.size()) - 1) * p / 100.0;
    auto lo = static_cast<std::size_t>(k);
    std::size_t hi = std::min(lo + 1, xs.size() - 1);
    return xs[lo] + (xs[hi] - xs[lo]) * (k - static_cast<double>(lo));
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::vector<Query> read_queries(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<Query> qs;
    std::string line;
    while (std::getline(in, line)) {
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        Query q;
        auto tab = t.find('\t');
        if (tab == std::string::npos) {
            q.cls = "other";
            q.text = t;
        } else {
            q.cls = trim(t.substr(0, tab));
            q.text = trim(t.substr(tab + 1));
        }
        if (q.text.empty()) continue;
        q.qno = qs.size() + 1;
        qs.push_back(q);
    }
    return qs;
}

double cpu_now_us() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

std::string ms(double us) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", us / 1000.0);
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db, qfile, tsv, modes_arg = "ids,snippets,facets";
    int warmup = 3, passes = 5;
    std::size_t limit = 10;
    bool per_query = false, malloc_defaults = false;
    std::map<std::string, std::string> peer_out;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "query_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--db")
            db = need();
        else if (a == "--queries")
            qfile = need();
        else if (a == "--warmup")
            warmup = std::atoi(need().c_str());
        else if (a == "--passes")
            passes = std::atoi(need().c_str());
        else if (a == "--modes")
            modes_arg = need();
        else if (a == "--limit")
            limit = static_cast<std::size_t>(std::atol(need().c_str()));
        else if (a == "--tsv")
            tsv = need();
        else if (a == "--per-query")
            per_query = true;
        else if (a == "--malloc-defaults")
            malloc_defaults = true;
        else if (a == "--peer-results") {
            std::string v = need();
            auto eq = v.find('=');
            if (eq == std::string::npos) {
                usage(stderr);
                return 2;
            }
            peer_out[v.substr(0, eq)] = v.substr(eq + 1);
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "query_bench: unknown argument %s\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    if (db.empty() || qfile.empty() || passes < 1 || warmup < 0) {
        usage(stderr);
        return 2;
    }

    // A long-running searcher's allocator settings (searcher/main.cpp, keep_freed_memory()):
    // the ids of remote matches are then not paid for in page faults at every search.
#ifdef __GLIBC__
    if (!malloc_defaults) {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
    }
#endif

    std::vector<Mode> modes;
    for (const auto& name : split(modes_arg, ',')) {
        auto it = std::find_if(kModes.begin(), kModes.end(), [&](const Mode& m) { return m.name == name; });
        if (it == kModes.end()) {
            std::fprintf(stderr, "query_bench: unknown mode %s\n", name.c_str());
            return 2;
        }
        modes.push_back(*it);
    }
    for (const auto& [m, f] : peer_out)
        if (std::none_of(modes.begin(), modes.end(), [&](const Mode& x) { return x.name == m; })) {
            std::fprintf(stderr, "query_bench: --peer-results names mode %s, which is not run\n", m.c_str());
            return 2;
        }

    std::vector<Query> queries;
    try {
        queries = read_queries(qfile);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "query_bench: %s\n", e.what());
        return 2;
    }
    if (queries.empty()) {
        std::fprintf(stderr, "query_bench: no queries in %s\n", qfile.c_str());
        return 2;
    }

    using clock = std::chrono::steady_clock;
    auto t_open = clock::now();
    std::unique_ptr<depeche::Searcher> searcher;
    try {
        searcher = std::make_unique<depeche::Searcher>(db);
    } catch (const depeche::Error& e) {
        std::fprintf(stderr, "query_bench: cannot open %s: %s\n", db.c_str(), e.what());
        return 3;
    }
    double open_us = std::chrono::duration<double, std::micro>(clock::now() - t_open).count();
    depeche::IndexStats st = searcher->stats();
    std::printf("index %s: %zu articles, %.1f MB, opened in %s ms\n", db.c_str(), st.articles,
                static_cast<double>(st.size_bytes) / 1e6, ms(open_us).c_str());
    std::printf("%zu queries, %d warm-up + %d timed passes per mode, limit %zu\n", queries.size(), warmup, passes,
                limit);
    std::printf("latency = wall time of Searcher::search(); cpu = process CPU time of the same call\n");

    std::ofstream tsv_out;
    if (!tsv.empty()) {
        tsv_out.open(tsv);
        if (!tsv_out) {
            std::fprintf(stderr, "query_bench: cannot write %s\n", tsv.c_str());
            return 2;
        }
        tsv_out << "mode\tclass\tqno\tpass\thits\texact\tlatency_us\tquery\tcpu_us\n";
    }

    std::vector<std::string> classes;  // in order of first appearance
    for (const auto& q : queries)
        if (std::find(classes.begin(), classes.end(), q.cls) == classes.end()) classes.push_back(q.cls);

    std::map<std::string, std::vector<Run>> all_runs;
    int failures = 0;
    for (const auto& mode : modes) {
        depeche::SearchRequest base;
        base.limit = limit;
        base.exact_total = mode.exact;
        base.facets = mode.facets;
        base.snippet.length = mode.snippet;
        std::vector<Run>& runs = all_runs[mode.name];
        for (int pass = 0; pass <= passes; ++pass) {
            int repeats = pass == 0 ? warmup : 1;
            for (int r = 0; r < repeats; ++r) {
                for (const auto& q : queries) {
                    depeche::SearchRequest req = base;
                    req.query = q.text;
                    Run run;
                    run.qno = q.qno;
                    run.pass = pass;
                    double c0 = cpu_now_us();
                    auto t0 = clock::now();
                    try {
                        depeche::SearchResult res = searcher->search(req);
                        run.us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
                        run.cpu_us = cpu_now_us() - c0;
                        run.hits = static_cast<long long>(res.total);
                        run.exact = res.total_exact;
                        for (const auto& h : res.hits) run.top.push_back(h.id);
                    } catch (const depeche::Error& e) {
                        run.us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
                        run.cpu_us = cpu_now_us() - c0;
                        if (pass == 1) {
                            std::fprintf(stderr, "query %zu %s failed: %s\n", q.qno, q.text.c_str(), e.what());
                            ++failures;
                        }
                    }
                    runs.push_back(std::move(run));
                }
            }
        }
        if (tsv_out)
            for (const auto& r : runs)
                tsv_out << mode.name << '\t' << queries[r.qno - 1].cls << '\t' << r.qno << '\t' << r.pass << '\t'
                        << r.hits << '\t' << (r.exact ? 1 : 0) << '\t' << r.us << '\t' << queries[r.qno - 1].text
                        << '\t' << r.cpu_us << '\n';
        if (auto it = peer_out.find(mode.name); it != peer_out.end()) {
            std::ofstream po(it->second);
            if (!po) {
                std::fprintf(stderr, "query_bench: cannot write %s\n", it->second.c_str());
                return 2;
            }
            po << "#engine\tDépêche " << depeche::version() << " (query_bench mode " << mode.name
               << ": exact_total=" << mode.exact << " snippet=" << mode.snippet << " facets=" << mode.facets << ")\n";
            for (const auto& r : runs) {
                char lat[32];
                std::snprintf(lat, sizeof lat, "%.1f", r.us);
                po << r.pass << '\t' << r.qno << '\t' << queries[r.qno - 1].text << '\t' << r.hits << '\t' << lat
                   << '\t';
                for (std::size_t i = 0; i < r.top.size(); ++i) po << (i ? "," : "") << r.top[i];
                po << '\t' << queries[r.qno - 1].text << '\n';
            }
        }
    }

    // ---- Tables ----
    for (const auto& mode : modes) {
        const auto& runs = all_runs[mode.name];
        std::printf("\nmode %s (exact_total=%s, snippet=%zu, facets=%s): ms over timed runs\n", mode.name.c_str(),
                    mode.exact ? "yes" : "no", mode.snippet, mode.facets ? "yes" : "no");
        std::printf("%-10s %7s %6s %9s %9s %9s %9s %9s %9s %9s %12s\n", "class", "queries", "runs", "p50", "p95", "p99",
                    "max", "mean", "cpu p50", "cpu p95", "hits(median)");
        auto row = [&](const std::string& cls) {
            std::vector<double> lat, cpu;
            std::vector<long long> hits;
            std::size_t nq = 0;
            for (const auto& q : queries) {
                if (cls != "ALL" && q.cls != cls) continue;
                ++nq;
                bool first = true;
                for (const auto& r : runs) {
                    if (r.qno != q.qno || r.pass == 0) continue;
                    lat.push_back(r.us);
                    cpu.push_back(r.cpu_us);
                    if (first) {
                        hits.push_back(r.hits);
                        first = false;
                    }
                }
            }
            if (lat.empty()) return;
            std::sort(hits.begin(), hits.end());
            double mean =
                lat.empty() ? NAN : std::accumulate(lat.begin(), lat.end(), 0.0) / static_cast<double>(lat.size());
            std::printf("%-10s %7zu %6zu %9s %9s %9s %9s %9s %9s %9s %12lld\n", cls.c_str(), nq, lat.size(),
                        ms(percentile(lat, 50)).c_str(), ms(percentile(lat, 95)).c_str(),
                        ms(percentile(lat, 99)).c_str(), ms(*std::max_element(lat.begin(), lat.end())).c_str(),
                        ms(mean).c_str(), ms(percentile(cpu, 50)).c_str(), ms(percentile(cpu, 95)).c_str(),
                        hits.empty() ? -1LL : hits[hits.size() / 2]);
        };
        for (const auto& c : classes) row(c);
        row("ALL");
    }

    if (per_query) {
        std::printf("\nper query: median latency in ms (hits)\n%-4s %-9s %-40s", "qno", "class", "query");
        for (const auto& m : modes) std::printf(" %20s", m.name.c_str());
        std::printf("\n");
        for (const auto& q : queries) {
            std::printf("%-4zu %-9s %-40s", q.qno, q.cls.c_str(), q.text.c_str());
            for (const auto& m : modes) {
                std::vector<double> lat;
                long long hits = -1;
                for (const auto& r : all_runs[m.name])
                    if (r.qno == q.qno && r.pass > 0) {
                        lat.push_back(r.us);
                        hits = r.hits;
                    }
                char cell[64];
                std::snprintf(cell, sizeof cell, "%s (%lld)", ms(percentile(lat, 50)).c_str(), hits);
                std::printf(" %20s", cell);
            }
            std::printf("\n");
        }
    }

    // Same query, same index: the hit count must not change between modes that count exactly.
    for (const auto& q : queries) {
        long long ref = -2;
        for (const auto& m : modes) {
            if (!m.exact) continue;
            for (const auto& r : all_runs[m.name]) {
                if (r.qno != q.qno || r.pass == 0) continue;
                if (ref == -2)
                    ref = r.hits;
                else if (r.hits != ref)
                    std::fprintf(stderr, "warning: query %zu %s: %lld hits in one run, %lld in another\n", q.qno,
                                 q.text.c_str(), r.hits, ref);
            }
        }
    }
    if (failures) std::fprintf(stderr, "%d queries failed\n", failures);
    return failures ? 1 : 0;
}
