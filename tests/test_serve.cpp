// depeche-search --serve (docs/serve.md): one JSON request per line in, one JSON
// response per line out, the index kept open. Checked against the library in-process
// and against separate `depeche-search --format json` runs.
#include "searcher/json_output.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

using namespace depeche::test;
using nlohmann::json;
namespace jo = depeche::json_output;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// A running `depeche-search --serve`, talked to line by line through pipes.
class ServeProcess {
public:
    explicit ServeProcess(const std::vector<std::string>& args) {
        int in[2], out[2];
        REQUIRE(pipe2(in, O_CLOEXEC) == 0);
        REQUIRE(pipe2(out, O_CLOEXEC) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(in[0], 0);
            dup2(out[1], 1);
            std::vector<char*> argv;
            std::vector<std::string> all{kSearch, "--serve"};
            all.insert(all.end(), args.begin(), args.end());
            for (auto& a : all) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(in[0]);
        close(out[1]);
        to_ = in[1];
        from_ = out[0];
        signal(SIGPIPE, SIG_IGN);
    }
    ~ServeProcess() {
        if (to_ >= 0) close(to_);
        if (from_ >= 0) close(from_);
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    void send(const std::string& line) {
        std::string s = line + "\n";
        REQUIRE(write(to_, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }
    // The next response line; fails after 30 s without one (the process must flush
    // after every response, or this waits forever).
    std::string receive() {
        for (;;) {
            if (std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            pollfd p{from_, POLLIN, 0};
            int ready = poll(&p, 1, 30000);
            REQUIRE(ready == 1);
            char buf[4096];
            ssize_t n = read(from_, buf, sizeof buf);
            REQUIRE(n > 0);
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }
    json ask(const std::string& line) {
        send(line);
        std::string answer = receive();
        INFO(line << "\n-> " << answer);
        return json::parse(answer);
    }
    // Closes stdin and waits: the exit status.
    int finish() {
        close(to_);
        to_ = -1;
        int st = 0;
        waitpid(pid_, &st, 0);
        reaped_ = true;
        char buf[256];
        rest_ = buffer_;
        for (ssize_t n; (n = read(from_, buf, sizeof buf)) > 0;) rest_.append(buf, static_cast<std::size_t>(n));
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    const std::string& rest() const { return rest_; }

private:
    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    bool reaped_ = false;
    std::string buffer_, rest_;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// One generated request: its JSON line, and what the library should be asked.
struct Case {
    std::string line;
    enum class Kind { Search, Stats, BadRequest } kind = Kind::Search;
    depeche::SearchRequest request;
    std::optional<json> id;
    std::string cli_options;  // the same search as depeche-search options
};

Case make_case(std::mt19937& rng, int n) {
    static const std::vector<std::string> queries = {
        "Ukraine",
        "Macron",
        "\"Emmanuel Macron\"",
        "électricité",
        "electricite",
        "élections",
        "guerre OR tempête",
        "Bruxelles gaz",
        "\"état d'urgence\"",
        "\"la Maison Blanche\"",
        "Zelensky -Trump",
        "élect*",
        "Poutine NEAR Trump",
        "titre:élections",
        "oeuvre",
        "charpente Notre-Dame",
        "festival",
        "satellite algues",
        "date:2025-08..2025-10",
        "personne:Macron",
        "Ukraine OU Finistère",
        "tête-à-tête",
        "l'Élysée",
        "zzzxqj",
        "(Ukraine OR gaz) SAUF Bruxelles",
        "européenne",
        "président",
        "source:Dépêche",
    };
    static const std::vector<std::string> bad_queries = {"\"unterminated", "a AND", "(a b", "titre:", "foo)"};
    static const std::vector<std::string> bad_lines = {"{not json",
                                                       "[1,2]",
                                                       "{\"query\": 5}",
                                                       "{\"query\": \"x\", \"limit\": -1}",
                                                       "{\"query\": \"x\", \"limit\": 1.5}",
                                                       "{\"query\": \"x\", \"sort\": \"up\"}",
                                                       "{\"query\": \"x\", \"facets\": \"yes\"}",
                                                       "{\"limit\": 3}",
                                                       "{\"query\": \"x\", \"colour\": true}"};
    Case c;
    std::uniform_int_distribution<int> pct(0, 99);
    int roll = pct(rng);
    if (roll < 3) {
        c.kind = Case::Kind::Stats;
        c.line = json{{"stats", true}, {"id", n}}.dump();
        c.id = n;
        return c;
    }
    if (roll < 7) {
        c.kind = Case::Kind::BadRequest;
        c.line = bad_lines[static_cast<std::size_t>(n) % bad_lines.size()];
        return c;
    }
    json j;
    bool bad = roll < 11;
    c.request.query = bad ? bad_queries[static_cast<std::size_t>(n) % bad_queries.size()]
                          : queries[std::uniform_int_distribution<std::size_t>(0, queries.size() - 1)(rng)];
    j["query"] = c.request.query;
    if (pct(rng) < 60) {
        c.request.limit = std::uniform_int_distribution<std::size_t>(0, 12)(rng);
        j["limit"] = c.request.limit;
        c.cli_options += " --limit " + std::to_string(c.request.limit);
    }
    if (pct(rng) < 30) {
        c.request.offset = std::uniform_int_distribution<std::size_t>(0, 4)(rng);
        j["offset"] = c.request.offset;
        c.cli_options += " --offset " + std::to_string(c.request.offset);
    }
    if (pct(rng) < 40) {
        static const char* sorts[] = {"relevance", "date", "-date"};
        static const depeche::Sort values[] = {depeche::Sort::Relevance, depeche::Sort::DateAscending,
                                               depeche::Sort::DateDescending};
        int s = std::uniform_int_distribution<int>(0, 2)(rng);
        c.request.sort = values[s];
        c.request.sort_given = true;
        j["sort"] = sorts[s];
        c.cli_options += std::string(" --sort ") + sorts[s];
    }
    if (pct(rng) < 30) {
        c.request.facets = true;
        j["facets"] = true;
        c.cli_options += " --facets";
    }
    if (pct(rng) < 30) {
        c.request.exact_total = true;
        j["exact"] = true;
        c.cli_options += " --exact";
    }
    if (pct(rng) < 40) {
        c.request.snippet.length = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
        j["snippet_length"] = c.request.snippet.length;
        c.cli_options += " --snippet-length " + std::to_string(c.request.snippet.length);
    }
    if (pct(rng) < 50) {
        c.id = pct(rng) < 50 ? json(n) : json("r" + std::to_string(n));
        j["id"] = *c.id;
    }
    c.line = j.dump();
    return c;
}

// What serve must answer to a search case, built from the library directly.
std::string expected_answer(depeche::Searcher& s, const Case& c) {
    json j;
    try {
        j = jo::result_json(c.request.query, s.search(c.request));
        if (c.id) j["id"] = *c.id;
    } catch (const depeche::QueryError& e) { j = jo::error_json({e.what(), e.position(), jo::kCodeRequest}, c.id); }
    return jo::dump_line(j);
}

}  // namespace

TEST_CASE("serve: a session of good and bad requests", "[serve]") {
    ServeProcess p({"--db", data_db()});

    json r = p.ask(R"({"id": 1, "query": "Ukraine", "limit": 2})");
    CHECK(r["id"] == 1);
    CHECK(r["format_version"] == 1);
    CHECK(r["query"] == "Ukraine");
    CHECK(r["total"] == 3);
    CHECK(r["hits"].size() == 2);
    CHECK(r["hits"][0]["snippet"].get<std::string>().find("**Ukraine**") != std::string::npos);

    r = p.ask("this is not JSON");
    REQUIRE(r.contains("error"));
    CHECK(r["error"]["code"] == 2);
    CHECK(r["error"]["message"].get<std::string>().rfind("malformed JSON request", 0) == 0);
    CHECK_FALSE(r["error"].contains("position"));
    CHECK_FALSE(r.contains("id"));

    r = p.ask(R"({"id": "q", "query": "\"unterminated"})");
    CHECK(r["id"] == "q");
    CHECK(r["error"]["code"] == 2);
    CHECK(r["error"]["position"] == 0);
    CHECK(r["error"]["message"] == "unterminated quote at position 1");

    r = p.ask(R"({"query": "Macron AND"})");
    CHECK(r["error"]["position"] == 7);

    r = p.ask(R"({"query": 42})");
    CHECK(r["error"]["message"] == "\"query\" must be a string");

    r = p.ask(R"({"id": [1, 2], "query": "x", "limit": "ten"})");
    CHECK(r["id"] == json::array({1, 2}));
    CHECK(r["error"]["code"] == 2);
    CHECK(r["error"]["message"].get<std::string>().find("limit") != std::string::npos);

    r = p.ask(R"({"query": "Ukraine", "bogus": true})");
    CHECK(r["error"]["message"].get<std::string>().rfind("unknown field \"bogus\"", 0) == 0);

    r = p.ask("[1, 2]");
    CHECK(r["error"]["message"] == "a request must be a JSON object");

    r = p.ask(R"({"query": "Ukraine", "sort": "sideways"})");
    CHECK(r["error"]["code"] == 2);

    r = p.ask(R"({"id": null})");
    CHECK(r.contains("id"));
    CHECK(r["id"].is_null());
    CHECK(r["error"]["message"] == "missing \"query\" (or \"like\", or \"stats\": true)");

    p.send("");  // blank lines get no answer
    p.send("   ");
    r = p.ask(R"({"stats": true, "id": 7})");
    CHECK(r["id"] == 7);
    CHECK(r["articles"] == 11);
    CHECK(r["format_version"] == 1);
    CHECK(r["path"] == data_db());

    // Counts are exact by default, with "limit": 0 too; "estimate": true asks for an
    // estimate, with its bounds.
    r = p.ask(R"({"query": "\"Emmanuel Macron\"", "limit": 0})");
    CHECK(r["total"] == 3);
    CHECK(r["total_exact"] == true);
    CHECK(r["total_lower"] == 3);
    CHECK(r["total_upper"] == 3);
    r = p.ask(R"({"query": "\"Emmanuel Macron\"", "limit": 0, "estimate": true})");
    CHECK(r["total_lower"].get<std::size_t>() <= 3);
    CHECK(r["total_upper"].get<std::size_t>() >= 3);
    r = p.ask(R"({"query": "Ukraine", "estimate": "yes"})");
    CHECK(r["error"]["message"] == "\"estimate\" must be true or false");
    r = p.ask(R"({"query": "Ukraine", "facets": true, "date_interval": "year"})");
    CHECK(r["facets"]["date_interval"] == "year");
    r = p.ask(R"({"query": "Ukraine", "date_interval": "hourly"})");
    CHECK(r["error"]["code"] == 2);
    r = p.ask(R"({"query": "Ukrayne"})");
    CHECK(r["suggestion"] == "Ukraine");

    r = p.ask(
        R"({"query": "Macron", "sort": "-date", "facets": true, "exact": true, "snippet_length": 0, "offset": 1})");
    REQUIRE(r["hits"].size() == 3);
    CHECK(r["total"] == 4);
    CHECK(r["hits"][0]["rank"] == 2);
    for (const auto& h : r["hits"]) CHECK(h["snippet"] == "");
    CHECK(r["hits"][0]["date"].get<std::string>() >= r["hits"][1]["date"].get<std::string>());
    REQUIRE(r.contains("facets"));
    CHECK(r["facets"]["exact"] == true);
    CHECK_FALSE(r["facets"]["people"].empty());

    // Windows line ends are accepted.
    r = p.ask("{\"query\": \"Ukraine\", \"limit\": 0}\r");
    CHECK(r["total"] == 3);
    CHECK(r["hits"].empty());

    CHECK(p.finish() == 0);
    CHECK(p.rest().empty());
}

TEST_CASE("serve: a missing index is an error per request, not the end", "[serve]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    ServeProcess p({"--db", db});
    json r = p.ask(R"({"id": 1, "query": "Ukraine"})");
    CHECK(r["id"] == 1);
    CHECK(r["error"]["code"] == 3);
    CHECK(r["error"]["message"].get<std::string>().find("no index at") != std::string::npos);
    // Once the index exists, the same process answers.
    RunResult ix = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
    REQUIRE(ix.status == 0);
    r = p.ask(R"({"id": 2, "query": "Ukraine"})");
    CHECK(r["total"] == 3);
    CHECK(p.finish() == 0);
}

TEST_CASE("serve: usage errors", "[serve]") {
    CHECK(run(kSearch + " --db " + shell_quote(data_db()) + " --serve Ukraine </dev/null").status == 2);
    CHECK(run(kSearch + " --db " + shell_quote(data_db()) + " --serve --stats </dev/null").status == 2);
    RunResult empty = run(kSearch + " --db " + shell_quote(data_db()) + " --serve </dev/null");
    CHECK(empty.status == 0);
    CHECK(empty.out.empty());
}

TEST_CASE("serve: 1,000 requests in one process answer like the library and like separate runs", "[serve]") {
    const std::string& db = data_db();
    std::mt19937 rng(20250815);
    std::vector<Case> cases;
    std::string input;
    for (int n = 0; n < 1000; ++n) {
        cases.push_back(make_case(rng, n));
        input += cases.back().line + "\n";
    }
    TempDir dir;
    write_file(dir.path / "requests", input);
    RunResult r =
        run(kSearch + " --db " + shell_quote(db) + " --serve < " + shell_quote((dir.path / "requests").string()));
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::vector<std::string> answers = lines_of(r.out);
    REQUIRE(answers.size() == cases.size());

    // All of them against the library, in this process.
    depeche::Searcher searcher(db);
    std::size_t searches = 0, errors = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        INFO("request " << i << ": " << c.line);
        switch (c.kind) {
            case Case::Kind::Search:
                CHECK(answers[i] == expected_answer(searcher, c));
                ++searches;
                break;
            case Case::Kind::Stats:
                CHECK(answers[i] == jo::dump_line([&] {
                          json j = jo::live_stats_json(searcher.stats(), db);  // the same requests before it
                          j["id"] = *c.id;
                          return j;
                      }()));
                break;
            case Case::Kind::BadRequest: {
                json a = json::parse(answers[i]);
                CHECK(a["error"]["code"] == 2);
                break;
            }
        }
        if (answers[i].find("\"error\"") != std::string::npos) ++errors;
    }
    CHECK(searches > 800);
    CHECK(errors > 40);

    // About twenty against separate depeche-search --format json runs, byte for byte
    // (less the echoed id).
    int compared = 0;
    for (std::size_t i = 0; i < cases.size() && compared < 20; i += 37) {
        const Case& c = cases[i];
        if (c.kind != Case::Kind::Search) continue;
        json a = json::parse(answers[i]);
        if (a.contains("error")) continue;
        a.erase("id");
        RunResult one = run(kSearch + " --db " + shell_quote(db) + " --format json" + c.cli_options + " -- " +
                            shell_quote(c.request.query));
        INFO("request " << i << ": " << c.line << "\n" << one.err);
        REQUIRE(one.status == 0);
        CHECK(one.out == jo::dump_line(a) + "\n");
        ++compared;
    }
    CHECK(compared == 20);
    RunResult stats = run(kSearch + " --db " + shell_quote(db) + " --stats --format json");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (cases[i].kind != Case::Kind::Stats) continue;
        json a = json::parse(answers[i]);
        a.erase("id");
        CHECK(a.contains("facets_ready"));
        a.erase("facets_ready");  // what --serve adds to --stats
        CHECK(stats.out == a.dump() + "\n");
        break;
    }
}

TEST_CASE("serve: a request after another process commits sees the new article", "[serve]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    RunResult ix = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
    REQUIRE(ix.status == 0);
    ServeProcess p({"--db", db});
    json r = p.ask(R"({"id": "before", "query": "zorglub"})");
    CHECK(r["id"] == "before");
    CHECK(r["total"] == 0);
    CHECK(p.ask(R"({"stats": true})")["articles"] == 11);

    write_file(dir.path / "new" / "zorglub.txt",
               "Titre: Un zorglub à Quimper\nDate: 2025-09-01\n\nUn zorglub a été aperçu à Quimper ce lundi.\n");
    ix = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote((dir.path / "new").string()));
    INFO(ix.err);
    REQUIRE(ix.status == 0);

    r = p.ask(R"({"id": "after", "query": "zorglub"})");
    CHECK(r["id"] == "after");
    CHECK(r["total"] == 1);
    REQUIRE(r["hits"].size() == 1);
    CHECK(r["hits"][0]["title"] == "Un zorglub à Quimper");
    CHECK(p.ask(R"({"stats": true})")["articles"] == 12);
    // The rest of the index is still there.
    CHECK(p.ask(R"({"query": "Ukraine"})")["total"] == 3);
    CHECK(p.finish() == 0);
}

// Warming up (docs/serve.md): left idle, --serve reads the people and facet values of the
// index, and of each commit, before a request asks; with --warm 0, only a request that
// needs them does.
TEST_CASE("serve: left idle, it reads each commit's people and facet values before a query needs them", "[serve]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    REQUIRE(run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData)).status == 0);
    // Asks for the statistics until they show `articles` and a warm searcher, leaving the
    // process idle 1.5 s between two asks (its --warm is 1 s); at most 30 s.
    auto wait_warm = [](ServeProcess& p, int articles) {
        json s;
        for (int i = 0; i < 20; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            s = p.ask(R"({"stats": true})");
            if (s["articles"] == articles && s["facets_ready"] == true) return true;
        }
        INFO(s.dump());
        return false;
    };
    {
        ServeProcess cold({"--db", db, "--warm", "0"});
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        CHECK(cold.ask(R"({"stats": true})")["facets_ready"] == false);
        CHECK(cold.ask(R"({"query": "la", "facets": true})")["total"] > 0);  // most articles: columns built
        CHECK(cold.ask(R"({"stats": true})")["facets_ready"] == true);
        CHECK(cold.finish() == 0);
    }
    ServeProcess p({"--db", db});
    CHECK(wait_warm(p, 11));
    commit_zorglub(db);
    CHECK(wait_warm(p, 12));
    const json r = p.ask(R"({"query": "zorglub", "facets": true})");
    CHECK(r["facets"]["people"].dump().find("Zoé Zorglubienne") != std::string::npos);
    RunResult cli = run(kSearch + " --db " + shell_quote(db) + " --format json --facets zorglub");
    CHECK(cli.out == jo::dump_line(r) + "\n");
    CHECK(p.finish() == 0);
}

TEST_CASE("serve: a damaged index is error code 3, as depeche-search's exit status", "[serve]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    RunResult ix = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
    REQUIRE(ix.status == 0);
    std::filesystem::resize_file(dir.path / "db" / "postlist.glass", 0);
    RunResult cli = run(kSearch + " --db " + shell_quote(db) + " Ukraine");
    CHECK(cli.status == 3);

    ServeProcess p({"--db", db});
    json r = p.ask(R"({"id": 1, "query": "Ukraine"})");
    CHECK(r["id"] == 1);
    CHECK(r["error"]["code"] == 3);
    CHECK(r["error"]["message"].get<std::string>() + "\n" == cli.err.substr(std::string("depeche-search: ").size()));
    CHECK(r["error"]["message"].get<std::string>().find("is damaged") != std::string::npos);
    CHECK_FALSE(r["error"].contains("position"));
    r = p.ask(R"({"id": 2, "stats": true})");
    CHECK(r["error"]["code"] == 3);
    // Rebuilt by another process: the next request opens it again and answers.
    std::filesystem::remove_all(db);
    ix = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
    REQUIRE(ix.status == 0);
    r = p.ask(R"({"id": 3, "query": "Ukraine"})");
    CHECK(r["total"] == 3);
    CHECK(p.finish() == 0);
}
