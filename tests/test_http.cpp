// depeche-search --http (docs/http.md), end to end on loopback: every endpoint against
// the CLI's answers, bad and hostile requests, the bearer token, the index reopened
// after another process commits, and concurrent clients.
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// A running `depeche-search --http 127.0.0.1:0 ARGS...`; the port is read from the
// line it prints on standard error once listening.
class HttpProcess {
public:
    explicit HttpProcess(const std::vector<std::string>& args) {
        err_ = (dir_.path / "stderr").string();
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            std::freopen(err_.c_str(), "w", stderr);
            std::vector<std::string> all{kSearch, "--http", "127.0.0.1:0"};
            all.insert(all.end(), args.begin(), args.end());
            std::vector<char*> argv;
            for (auto& a : all) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        for (int i = 0; i < 200 && port_ == 0; ++i) {  // up to 20 s (a sanitizer build starts slowly)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const std::string text = read_file(err_);
            const std::size_t at = text.find("http://127.0.0.1:");
            if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 17);
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
        }
        INFO(read_file(err_));
        REQUIRE(port_ > 0);
    }
    ~HttpProcess() { stop(); }
    // SIGTERM, then the exit status.
    int stop() {
        if (pid_ <= 0) return status_;
        kill(pid_, SIGTERM);
        int st = 0;
        waitpid(pid_, &st, 0);
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(60, 0);
        return c;
    }
    int port() const { return port_; }
    std::string log() const { return read_file(err_); }

private:
    TempDir dir_;
    std::string err_;
    pid_t pid_ = -1;
    int port_ = 0;
    int status_ = -1;
};

json cli_json(const std::string& db, const std::string& query, const std::string& options) {
    RunResult r = run(kSearch + " --db " + shell_quote(db) + " --format json " + options + " " + shell_quote(query));
    INFO(query << "\n" << r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
}

json get_json(httplib::Client& c, const std::string& path, int expected_status) {
    auto res = c.Get(path.c_str());
    INFO(path);
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == expected_status);
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    return json::parse(res->body);
}

std::string enc(const std::string& s) { return httplib::detail::encode_query_param(s); }

const std::vector<std::string> kQueries = {
    "Ukraine",         "\"Emmanuel Macron\"", "président",
    "Macron OR Trump", "élections -Drian",    "personne:\"Emmanuel Macron\"",
    "date:2025",       "titre:élections",     "guerre NEAR Ukraine",
    "zzzxqj",
};

}  // namespace

TEST_CASE("http: /api/search, /api/stats and /api/article answer what the CLI answers", "[http]") {
    HttpProcess server({"--db", data_db()});
    httplib::Client c = server.client();
    for (const std::string& q : kQueries) {
        INFO(q);
        json expected = cli_json(data_db(), q, "--limit 100 --facets --facet-limit 20");
        json got = get_json(c, "/api/search?q=" + enc(q) + "&limit=100&facets=1&facet_limit=20", 200);
        CHECK(got == expected);
        // Paging and sort go through too.
        json page = get_json(c, "/api/search?q=" + enc(q) + "&limit=2&offset=1&sort=-date", 200);
        CHECK(page == cli_json(data_db(), q, "--limit 2 --offset 1 --sort -date"));
        // Every hit can be read whole, with the same fields.
        for (const auto& h : got["hits"]) {
            json a = get_json(c, "/api/article/" + enc(h["id"]) + "?q=" + enc(q), 200);
            CHECK(a["id"] == h["id"]);
            CHECK(a["title"] == h["title"]);
            CHECK(a["date"] == h["date"]);
            CHECK(a["people"] == h["people"]);
            CHECK(a["text"].get<std::string>().size() >= h["snippet"].get<std::string>().size() / 2);
        }
    }
    json stats = get_json(c, "/api/stats", 200);
    CHECK(stats["facets_ready"] == true);  // facet queries were answered (and it was warmed)
    stats.erase("facets_ready");           // the one field of /api/stats that --stats has not
    RunResult cli_stats = run(kSearch + " --db " + shell_quote(data_db()) + " --stats --format json");
    CHECK(stats == json::parse(cli_stats.out));
    // The article view marks the query's words in the whole text, paragraphs kept.
    json a = get_json(c, "/api/article/" + enc("https://depeche.test/t01") + "?q=Ukraine", 200);
    const std::string hl = a["highlighted"];
    CHECK(hl.find("**Ukraine**") != std::string::npos);
    std::string unmarked = hl;
    for (std::size_t p; (p = unmarked.find("**")) != std::string::npos;) unmarked.erase(p, 2);
    CHECK(unmarked == a["text"].get<std::string>());
    json page_markers = get_json(c, "/api/article/" + enc("https://depeche.test/t01") + "?q=Ukraine&markers=page", 200);
    CHECK(page_markers["highlighted"].get<std::string>().find("\xEE\x80\x80Ukraine\xEE\x80\x81") != std::string::npos);
    CHECK(get_json(c, "/api/article/" + enc("https://depeche.test/t01"), 200)["highlighted"] == "");
    CHECK(server.stop() == 0);  // SIGTERM ends it cleanly
}

TEST_CASE("http: /api/export.csv streams every match", "[http]") {
    HttpProcess server({"--db", data_db()});
    httplib::Client c = server.client();
    for (const std::string& q : {std::string("président"), std::string("Ukraine OR Macron OR élections")}) {
        json expected = cli_json(data_db(), q, "--limit 1000 --snippet-length 0");
        auto res = c.Get(("/api/export.csv?q=" + enc(q)).c_str());
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
        std::istringstream lines(res->body);
        std::string line;
        std::getline(lines, line);
        CHECK(line == "id,date,title,url,author,source,people\r");
        std::vector<std::string> ids;
        while (std::getline(lines, line))
            if (!line.empty()) ids.push_back(line.substr(0, line.find(',')));
        std::vector<std::string> want;
        for (const auto& h : expected["hits"]) want.push_back(h["id"]);
        CHECK(ids == want);  // same order: the query's own ranking
    }
    // A field holding a comma is quoted; errors come before the file starts.
    auto bad = c.Get("/api/export.csv?q=%22open");
    REQUIRE(bad);
    CHECK(bad->status == 400);
    CHECK(c.Get("/api/export.csv?q=x&limit=5")->status == 400);  // every match, no paging
}

TEST_CASE("http: bad and hostile requests get a JSON error and the server goes on", "[http]") {
    HttpProcess server({"--db", data_db()});
    httplib::Client c = server.client();
    json e = get_json(c, "/api/search?q=" + enc("Macron AND"), 400);
    CHECK(e["error"]["position"] == 7);
    CHECK(e["error"]["code"] == 2);
    CHECK(get_json(c, "/api/search?q=x&bogus=1", 400)["error"]["message"].get<std::string>().find("bogus") !=
          std::string::npos);
    CHECK(get_json(c, "/api/search", 400)["error"]["message"] == "missing parameter \"q\" (the query) or \"like\"");
    CHECK(get_json(c, "/api/search?q=x&limit=-1", 400)["error"]["message"] ==
          "\"limit\" must be a non-negative integer");
    CHECK(get_json(c, "/api/search?q=x&limit=5000", 400)["error"]["message"].get<std::string>().find("at most 1000") !=
          std::string::npos);
    CHECK(get_json(c, "/api/search?q=x&q=y", 400)["error"]["message"] == "parameter \"q\" given twice");
    CHECK(get_json(c, "/api/search?q=%FF%FE", 400)["error"]["message"] == "parameter \"q\" is not valid UTF-8");
    CHECK(get_json(c, "/api/search?q=x&sort=sideways", 400)["error"]["code"] == 2);
    CHECK(get_json(c, "/api/search?q=x&date_interval=hourly", 400)["error"]["code"] == 2);
    // Path tricks never reach the file system: an id is looked up in the index, nothing else.
    for (const char* path :
         {"/api/article/..%2F..%2Fetc%2Fpasswd", "/api/article/../../etc/passwd", "/api/article/%2Fetc%2Fpasswd",
          "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/index.html/../../../etc/passwd", "/api/article/"}) {
        INFO(path);
        auto res = c.Get(path);
        if (!res) continue;  // refused by the library itself
        CHECK(res->status >= 400);
        CHECK(res->body.find("root:") == std::string::npos);
    }
    // A query longer than a URI may be: refused before it reaches the engine.
    auto huge = c.Get(("/api/search?q=" + std::string(70000, 'a')).c_str());
    if (huge) CHECK(huge->status >= 400);
    // Read-only.
    auto post = c.Post("/api/search", "{}", "application/json");
    REQUIRE(post);
    CHECK(post->status == 405);
    // Every answer carries the security headers.
    auto page = c.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
    CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(page->body.find("<script src=\"/app.js\"></script>") != std::string::npos);
    // Still answering.
    CHECK(get_json(c, "/api/search?q=Ukraine", 200)["total"] == 3);
    // A missing index is a 503 until it appears.
    TempDir none;
    HttpProcess missing({"--db", (none.path / "db").string()});
    httplib::Client m = missing.client();
    CHECK(get_json(m, "/api/search?q=x", 503)["error"]["code"] == 3);
}

TEST_CASE("http: a bearer token, when given, is needed by every request", "[http]") {
    TempDir dir;
    const std::string token_file = (dir.path / "token").string();
    std::ofstream(token_file) << "s3cr3t-t0ken-for-tests\n";
    HttpProcess server({"--db", data_db(), "--http-token", token_file});
    CHECK(server.log().find("bearer token is required") != std::string::npos);
    httplib::Client c = server.client();
    CHECK(get_json(c, "/api/search?q=Ukraine", 401)["error"]["code"] == 2);
    CHECK(c.Get("/")->status == 401);
    httplib::Headers wrong = {{"Authorization", "Bearer s3cr3t-t0ken-for-testX"}};
    CHECK(c.Get("/api/stats", wrong)->status == 401);
    httplib::Headers right = {{"Authorization", "Bearer s3cr3t-t0ken-for-tests"}};
    auto ok = c.Get("/api/search?q=Ukraine", right);
    REQUIRE(ok);
    CHECK(ok->status == 200);
    // The page logs in once: /?token= sets a cookie, which then opens every request.
    auto login = c.Get("/?token=s3cr3t-t0ken-for-tests");
    REQUIRE(login);
    CHECK(login->status == 302);
    const std::string cookie = login->get_header_value("Set-Cookie");
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    httplib::Headers with_cookie = {{"Cookie", cookie.substr(0, cookie.find(';'))}};
    CHECK(c.Get("/api/stats", with_cookie)->status == 200);
    // Listening beyond loopback without a token is refused before anything is bound;
    // a short token too.
    RunResult open = run(kSearch + " --db " + shell_quote(data_db()) + " --http 0.0.0.0:0");
    CHECK(open.status == 2);
    CHECK(open.err.find("needs --http-token") != std::string::npos);
    std::ofstream((dir.path / "short").string()) << "abc\n";
    CHECK(
        run(kSearch + " --db x --http 127.0.0.1:0 --http-token " + shell_quote((dir.path / "short").string())).status ==
        2);
    CHECK(run(kSearch + " --db x --http nonsense").status == 2);
}

TEST_CASE("http: a commit by another process is seen by the next request", "[http]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    REQUIRE(run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData)).status == 0);
    HttpProcess server({"--db", db});
    httplib::Client c = server.client();
    CHECK(get_json(c, "/api/search?q=zorglub", 200)["total"] == 0);
    {
        depeche::Writer w(db);
        depeche::Article a;
        a.id = "zorglub-1";
        a.title = "Le zorglub est arrivé";
        a.body = "Un zorglub.";
        w.add(a);
        w.commit();
    }
    CHECK(get_json(c, "/api/search?q=zorglub", 200)["total"] == 1);
    CHECK(get_json(c, "/api/article/zorglub-1", 200)["title"] == "Le zorglub est arrivé");
}

// Warming up (docs/http.md): an idle server reads the people and facet values of the
// index, and of each commit, with no request asking for them; with --warm 0, only a
// query that needs them does.
TEST_CASE("http: an idle server reads each commit's people and facet values before a query needs them", "[http]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    REQUIRE(run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData)).status == 0);
    const json cli = json::parse(run(kSearch + " --db " + shell_quote(db) + " --stats --format json").out);
    const std::size_t articles = cli["articles"];
    {
        HttpProcess server({"--db", db, "--http-searchers", "1", "--warm", "0"});
        httplib::Client c = server.client();
        CHECK(get_json(c, "/api/stats", 200)["facets_ready"] == false);
        CHECK(get_json(c, "/api/search?q=Ukraine", 200)["total"] > 0);  // no facets: nothing read
        CHECK(get_json(c, "/api/stats", 200)["facets_ready"] == false);
        get_json(c, "/api/search?facets=1&q=la", 200);  // most articles: the columns are built
        CHECK(get_json(c, "/api/stats", 200)["facets_ready"] == true);
    }
    HttpProcess server({"--db", db, "--http-searchers", "1"});
    httplib::Client c = server.client();
    // /api/stats asks the one searcher, which the warmer borrows when it is idle; at most 60 s.
    auto wait_warm = [&](std::size_t n) {
        json s;
        for (int i = 0; i < 600; ++i) {
            s = get_json(c, "/api/stats", 200);
            if (s["articles"] == n && s["facets_ready"] == true) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        INFO(s.dump());
        return false;
    };
    CHECK(wait_warm(articles));
    commit_zorglub(db);
    CHECK(wait_warm(articles + 1));
    const json got = get_json(c, "/api/search?facets=1&q=zorglub", 200);
    CHECK(got == cli_json(db, "zorglub", "--facets"));
    CHECK(got["facets"]["people"].dump().find("Zoé Zorglubienne") != std::string::npos);
    CHECK(server.stop() == 0);
}

TEST_CASE("http: 20 concurrent clients get the CLI's answers", "[http][load]") {
    HttpProcess server({"--db", data_db()});
    std::vector<json> expected;
    for (const std::string& q : kQueries) expected.push_back(cli_json(data_db(), q, "--facets"));
    constexpr int kClients = 20, kPerClient = 250;  // 5,000 requests
    std::atomic<int> errors{0}, mismatches{0};
    std::vector<std::vector<double>> latencies(kClients);
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t)
        clients.emplace_back([&, t] {
            httplib::Client c = server.client();
            c.set_keep_alive(true);
            for (int i = 0; i < kPerClient; ++i) {
                const std::size_t k = static_cast<std::size_t>(t + i) % kQueries.size();
                const auto start = std::chrono::steady_clock::now();
                auto res = c.Get(("/api/search?facets=1&q=" + enc(kQueries[k])).c_str());
                latencies[t].push_back(
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
                if (!res || res->status != 200)
                    ++errors;
                else if (json::parse(res->body) != expected[k])
                    ++mismatches;
            }
        });
    for (auto& t : clients) t.join();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    REQUIRE(all.size() == kClients * kPerClient);
    WARN("http load: " << all.size() << " requests from " << kClients << " clients, p50 " << all[all.size() / 2]
                       << " ms, p95 " << all[all.size() * 95 / 100] << " ms, max " << all.back() << " ms");
    CHECK(errors == 0);
    CHECK(mismatches == 0);
}

// Workers borrow searchers from a pool (--http-searchers): with one searcher, eight
// concurrent clients wait for it in turn and all get the CLI's answers; an index rebuilt
// in place is answered from at the next request; an index error closes the searcher
// and a later request opens the index again.
TEST_CASE("http: the workers share --http-searchers searchers, which follow the index", "[http]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    REQUIRE(run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData)).status == 0);
    HttpProcess server({"--db", db, "--http-searchers", "1", "--http-threads", "8"});
    std::vector<json> expected;
    for (const std::string& q : kQueries) expected.push_back(cli_json(db, q, "--facets"));
    std::atomic<int> errors{0}, mismatches{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t)
        clients.emplace_back([&, t] {
            httplib::Client c = server.client();
            for (int i = 0; i < 40; ++i) {
                const std::size_t k = static_cast<std::size_t>(t + i) % kQueries.size();
                auto res = c.Get(("/api/search?facets=1&q=" + enc(kQueries[k])).c_str());
                if (!res || res->status != 200)
                    ++errors;
                else if (json::parse(res->body) != expected[k])
                    ++mismatches;
            }
        });
    for (auto& t : clients) t.join();
    CHECK(errors == 0);
    CHECK(mismatches == 0);

    httplib::Client c = server.client();
    const std::string json_folder = std::string(DEPECHE_SOURCE_DIR) + "/corpus/json";
    REQUIRE(run(kIndex + " --quiet --full --db " + shell_quote(db) + " " + shell_quote(json_folder)).status == 0);
    CHECK(get_json(c, "/api/search?facets=1&q=la", 200) == cli_json(db, "la", "--facets"));
    CHECK(get_json(c, "/api/stats", 200)["articles"] == 3);

    std::filesystem::remove_all(db);
    CHECK(get_json(c, "/api/search?q=la", 503)["error"]["code"] == 3);
    REQUIRE(run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData)).status == 0);
    CHECK(get_json(c, "/api/search?facets=1&q=Ukraine", 200) == expected[0]);
}

TEST_CASE("http: collapse and like answer what --collapse and --like answer", "[http][story]") {
    HttpProcess server({"--db", data_db()});
    httplib::Client c = server.client();
    for (const std::string& q : {std::string("date:2025"), std::string("Ukraine")}) {
        INFO(q);
        json got = get_json(c, "/api/search?q=" + enc(q) + "&limit=50&collapse=1", 200);
        CHECK(got == cli_json(data_db(), q, "--limit 50 --collapse"));
        for (const auto& h : got["hits"]) CHECK(h["story"].get<std::string>().size() == 16);
    }
    const std::string id = "https://depeche.test/t01";
    json like = get_json(c, "/api/search?like=" + enc(id) + "&limit=5", 200);
    CHECK(like == cli_json(data_db(), "", "--limit 5 --like " + shell_quote(id)));
    REQUIRE_FALSE(like["hits"].empty());
    for (const auto& h : like["hits"]) CHECK(h["id"] != id);
    json narrowed = get_json(c, "/api/search?like=" + enc(id) + "&q=" + enc("date:2025") + "&limit=5", 200);
    CHECK(narrowed == cli_json(data_db(), "date:2025", "--limit 5 --like " + shell_quote(id)));
    CHECK(get_json(c, "/api/search?like=nope", 404)["error"]["message"].get<std::string>().find("nope") !=
          std::string::npos);
    get_json(c, "/api/search?q=x&collapse=maybe", 400);
    CHECK(server.stop() == 0);
}
