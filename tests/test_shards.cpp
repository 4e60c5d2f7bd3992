// Sharded indexes (depeche-index --shards N): searched through their folder, their
// shards.stub or a stub whose shards are served by xapian-tcpsrv, they answer every query
// of docs/query-language.md exactly as ONE index of the same articles does (every JSON
// field); an unreachable shard (exit 4, or --allow-partial), a remote handle closed by the
// server's idle timeout, incremental updates, --check and foreign shards (exit 3).
// Servers listen on 127.0.0.1 only; the remote parts are skipped, with the reason
// printed, when /usr/bin/xapian-tcpsrv is missing.
#define DEPECHE_TEST_WIKINEWS
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "schema/hash.hpp"
#include "schema/schema.hpp"
#include "searcher/facets.hpp"
#include "searcher/people_resolver.hpp"
#include "searcher/shared_by_key.hpp"
#include <depeche/depeche.hpp>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <tuple>

namespace fs = std::filesystem;
using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kCorpus = std::string(DEPECHE_SOURCE_DIR) + "/corpus";
const char* const kTcpSrv = "/usr/bin/xapian-tcpsrv";

bool have_tcpsrv() { return ::access(kTcpSrv, X_OK) == 0; }

#define NEED_TCPSRV()                                                               \
    if (!have_tcpsrv()) {                                                           \
        WARN("skipped: " << kTcpSrv << " not found (Debian package xapian-tools)"); \
        return;                                                                     \
    }

// ---------------------------------------------------------------------------------------
// xapian-tcpsrv on a loopback port

// A port no one listens on now: bound to 127.0.0.1:0 and released (-1 on failure).
int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    int port = -1;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

bool accepts_connections(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// Stock xapian-tcpsrv serving one database on 127.0.0.1 at a free port, started (with
// retries when the port was taken meanwhile) and waited for until it accepts
// connections; stopped with SIGTERM (and reaped) by stop() or the destructor.
class ShardServer {
public:
    explicit ShardServer(const std::string& db, const std::vector<std::string>& extra = {}) {
        for (int attempt = 0; attempt < 20 && pid_ <= 0; ++attempt) try_start(db, extra);
    }
    ~ShardServer() { stop(); }
    ShardServer(const ShardServer&) = delete;
    ShardServer& operator=(const ShardServer&) = delete;

    bool running() const { return pid_ > 0; }
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    void stop() {
        if (pid_ <= 0) return;
        end_group(pid_);
        pid_ = -1;
    }

    // Ends a server started in its own process group: SIGTERM, then, once it has exited
    // (not yet reaped, so that its id, its group's, cannot be taken meanwhile) or after
    // 5 s, SIGKILL to whatever is left of the group. xapian-tcpsrv passes SIGTERM on to
    // its connection children, and a child already in exit() then deadlocks there (its
    // handler calls exit() again: seen once in CI); left alone, it would keep this test
    // process's stderr open, and ctest waiting for it.
    static void end_group(pid_t pid) {
        ::kill(pid, SIGTERM);
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < end) {
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }

private:
    void try_start(const std::string& db, const std::vector<std::string>& extra) {
        const int port = free_loopback_port();
        if (port <= 0) return;
        std::vector<std::string> argv{kTcpSrv, "--interface", "127.0.0.1", "--port", std::to_string(port)};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(db);
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) return;
        if (pid == 0) {
            // Its own process group: on SIGTERM, xapian-tcpsrv ends its whole group (its
            // connection children), which must not include the tests.
            ::setpgid(0, 0);
            int null = ::open("/dev/null", O_RDWR);
            if (null >= 0) {
                ::dup2(null, 0);
                ::dup2(null, 1);  // "Listening..." and one line per connection
            }
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::setpgid(pid, pid);  // (either side may run first)
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < end) {
            int st = 0;
            if (::waitpid(pid, &st, WNOHANG) == pid) return;  // ended (port taken?): try another
            if (accepts_connections(port)) {
                if (::waitpid(pid, &st, WNOHANG) == pid) return;  // someone else's listener
                pid_ = pid;
                port_ = port;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        end_group(pid);
    }

    pid_t pid_ = -1;
    int port_ = -1;
};

// ---------------------------------------------------------------------------------------
// Indexes

// The counts of depeche-index's summary line: "indexed 30 articles from 23 files (23
// added, 0 updated, 0 unchanged, 0 removed, 0 failed)", and what follows up to the time.
std::string summary_counts(const std::string& out) {
    std::smatch m;
    static const std::regex counts(R"(indexed [0-9]+ articles? from [0-9]+ files? \([^)]*\)[^\n]*? in [0-9.]+ s)");
    if (!std::regex_search(out, m, counts)) return "(no summary in: " + out + ")";
    return std::regex_replace(m.str(), std::regex(" in [0-9.]+ s$"), "");
}

RunResult index_paths(const std::string& db, const std::vector<std::string>& paths, const std::string& options = "") {
    std::string cmd = kIndex + " --quiet --db " + shell_quote(db) + (options.empty() ? "" : " " + options);
    for (const std::string& p : paths) cmd += " " + shell_quote(p);
    RunResult r = run(cmd);
    INFO(cmd << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    return r;
}

// The shard folders of a sharded index, shard-00 first, checked against the layout.
std::vector<fs::path> shard_dirs(const fs::path& sharded, std::size_t n) {
    std::vector<fs::path> out;
    for (std::size_t k = 0; k < n; ++k) {
        char name[16];
        std::snprintf(name, sizeof name, "shard-%02zu", k);
        out.push_back(sharded / name);
    }
    return out;
}

void require_layout(const fs::path& sharded, std::size_t n) {
    INFO(sharded);
    REQUIRE(fs::is_directory(sharded / "lexicon"));
    REQUIRE(fs::is_regular_file(sharded / "shards.stub"));
    for (const fs::path& s : shard_dirs(sharded, n)) {
        INFO(s);
        REQUIRE(fs::is_directory(s));
    }
    char extra[16];
    std::snprintf(extra, sizeof extra, "shard-%02zu", n);
    CHECK_FALSE(fs::exists(sharded / extra));
    // The lexicon holds no documents; the shards hold them all.
    CHECK(Xapian::Database((sharded / "lexicon").string()).get_doccount() == 0);
}

// The article ids a plain Xapian database holds (its `Q` terms, one per document).
std::set<std::string> ids_in(const fs::path& db) {
    Xapian::Database x(db.string());
    std::set<std::string> out;
    for (auto t = x.allterms_begin("Q"); t != x.allterms_end("Q"); ++t) out.insert((*t).substr(1));
    CHECK(out.size() == x.get_doccount());
    return out;
}

// Which shard each article of a sharded index lives on; checks that each lives on
// exactly one, and on the shard the spec routes it to: FNV-1a of its id term, modulo N.
std::map<std::string, std::size_t> shard_of_ids(const fs::path& sharded, std::size_t n) {
    std::map<std::string, std::size_t> out;
    const auto dirs = shard_dirs(sharded, n);
    for (std::size_t k = 0; k < n; ++k)
        for (const std::string& id : ids_in(dirs[k])) {
            INFO("article " << id << " in shard " << k);
            CHECK(out.emplace(id, k).second);  // in one shard only
            CHECK(depeche::schema::fnv1a64("Q" + id) % n == k);
        }
    return out;
}

// A copy of DIR/shards.stub in which each `auto shard-NN` line reads `remote ADDRESS` of
// servers[NN], and the lexicon line names the lexicon by its absolute path.
void write_remote_stub(const fs::path& sharded, const std::vector<std::unique_ptr<ShardServer>>& servers,
                       const fs::path& out) {
    const std::string stub = read_file(sharded / "shards.stub");
    INFO(stub);
    std::istringstream in(stub);
    std::string line, text;
    std::size_t shards = 0, lexicons = 0;
    static const std::regex auto_line(R"(^\s*auto\s+(\S+)\s*$)"), shard_name(R"((^|/)shard-([0-9]{2})$)");
    while (std::getline(in, line)) {
        std::smatch m, s;
        if (std::regex_match(line, m, auto_line)) {
            const std::string path = m[1];
            if (std::regex_search(path, s, shard_name)) {
                const std::size_t k = std::stoul(s[2]);
                REQUIRE(k < servers.size());
                REQUIRE(servers[k]->running());
                line = "remote " + servers[k]->address();
                ++shards;
            } else {
                fs::path p(path);
                if (p.is_relative()) p = fs::absolute(sharded / p);
                line = "auto " + p.string();
                ++lexicons;
            }
        }
        text += line + "\n";
    }
    REQUIRE(shards == servers.size());
    REQUIRE(lexicons == 1);
    write_file(out, text);
}

// One sharded index and, when xapian-tcpsrv is there, one server per shard and the
// remote stub that names them.
struct Sharded {
    fs::path dir;
    std::size_t n = 0;
    std::vector<std::unique_ptr<ShardServer>> servers;
    fs::path remote_stub;  // empty without servers

    Sharded(fs::path d, std::size_t shards) : dir(std::move(d)), n(shards) {}
    void serve(const std::vector<std::string>& extra = {}) {
        if (!have_tcpsrv()) return;
        for (const fs::path& s : shard_dirs(dir, n)) {
            servers.push_back(std::make_unique<ShardServer>(s.string(), extra));
            REQUIRE(servers.back()->running());
        }
        remote_stub = dir.parent_path() / (dir.filename().string() + "-remote.stub");
        write_remote_stub(dir, servers, remote_stub);
    }
    // The ways to search it: the folder, its stub, and the remote stub.
    std::vector<std::pair<std::string, std::string>> targets() const {
        std::vector<std::pair<std::string, std::string>> out{
            {std::to_string(n) + " shards, folder", dir.string()},
            {std::to_string(n) + " shards, shards.stub", (dir / "shards.stub").string()}};
        if (!remote_stub.empty()) out.emplace_back(std::to_string(n) + " shards, remote stub", remote_stub.string());
        return out;
    }
};

// ---------------------------------------------------------------------------------------
// Searching and comparing

struct Outcome {
    int status = -1;
    std::string out, err;
    json j;
};

Outcome search(const std::string& db, const std::string& options, const std::string& query) {
    std::string cmd = kSearch + " --db " + shell_quote(db) + " --format json";
    if (!options.empty()) cmd += " " + options;
    if (!query.empty()) cmd += " -- " + shell_quote(query);
    RunResult r = run(cmd);
    Outcome o{r.status, r.out, r.err, json()};
    if (r.status == 0) o.j = json::parse(r.out, nullptr, false);
    return o;
}

// Fields that may differ between two runs of one query: timings, if any are ever added.
bool timing_field(const std::string& key) { return key == "took" || key == "seconds" || key == "elapsed"; }

std::string brief(const json& v) {
    std::string s = v.dump();
    return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

// Every difference between two JSON values (at most 30), scores compared within 1e-9
// relative; at the top level of a sharded result, `partial` and `missing_shards` are left
// to the caller.
void diff_json(const json& a, const json& b, const std::string& where, std::vector<std::string>& out) {
    if (out.size() >= 30) return;
    if (a.is_number() && b.is_number()) {
        if (a.is_number_float() || b.is_number_float()) {
            const double x = a.get<double>(), y = b.get<double>();
            if (!(std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y))))
                out.push_back(where + ": " + a.dump() + " (one index) != " + b.dump());
        } else if (a != b) {
            out.push_back(where + ": " + a.dump() + " (one index) != " + b.dump());
        }
        return;
    }
    if (a.type() != b.type()) {
        out.push_back(where + ": " + brief(a) + " (one index) != " + brief(b));
        return;
    }
    if (a.is_object()) {
        for (const auto& [k, v] : a.items()) {
            if (timing_field(k) || (where.empty() && (k == "partial" || k == "missing_shards"))) continue;
            if (!b.contains(k))
                out.push_back(where + "." + k + ": missing (one index: " + brief(v) + ")");
            else
                diff_json(v, b[k], where + "." + k, out);
        }
        for (const auto& [k, v] : b.items())
            if (!timing_field(k) && !(where.empty() && (k == "partial" || k == "missing_shards")) && !a.contains(k))
                out.push_back(where + "." + k + ": not in the one index's result (" + brief(v) + ")");
    } else if (a.is_array()) {
        if (a.size() != b.size())
            out.push_back(where + ": " + std::to_string(a.size()) +
                          " items (one index) != " + std::to_string(b.size()));
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
            diff_json(a[i], b[i], where + "[" + std::to_string(i) + "]", out);
    } else if (a != b) {
        out.push_back(where + ": " + brief(a) + " (one index) != " + brief(b));
    }
}

std::string join_lines(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += x + "\n";
    return s;
}

std::vector<std::string> hit_ids(const json& j) {
    std::vector<std::string> out;
    for (const auto& h : j["hits"]) out.push_back(h["id"]);
    return out;
}

struct Case {
    std::string options, query;
};

// Runs each case on the one index and on every target, and checks that the outcomes are
// the same: exit status, the whole JSON (or the error message), and, on the sharded
// index, `"partial": false` with no missing shard. Returns how many cases ran.
// A sharded folder is searched through its own shards.stub, which is also a target: the
// folder is compared on one case in eight (the first included), which shows it opened
// the same way without a full second run of every case.
std::size_t compare_all(const std::string& one, const std::vector<std::pair<std::string, std::string>>& targets,
                        const std::vector<Case>& cases) {
    std::size_t with_hits = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const Outcome expected = search(one, c.options, c.query);
        INFO("query: " << c.query << "\noptions: " << c.options);
        if (expected.status == 0) {
            REQUIRE(!expected.j.is_discarded());
            if (!expected.j["hits"].empty()) ++with_hits;
        }
        for (const auto& [name, db] : targets) {
            if (i % 8 != 0 && fs::is_directory(db) && fs::exists(fs::path(db) / "shards.stub")) continue;
            INFO("searched: " << name << " (" << db << ")");
            const Outcome got = search(db, c.options, c.query);
            INFO("stderr: " << got.err);
            CHECK(got.status == expected.status);
            if (got.status != expected.status) continue;
            if (expected.status != 0) {  // the same error, said the same way
                CHECK(got.err == expected.err);
                continue;
            }
            REQUIRE(!got.j.is_discarded());
            std::vector<std::string> diffs;
            diff_json(expected.j, got.j, "", diffs);
            INFO("differences:\n" << join_lines(diffs));
            CHECK(diffs.empty());
            CHECK(got.j.value("partial", true) == false);
            CHECK(got.j.value("missing_shards", json::array({"?"})) == json::array());
        }
    }
    return with_hits;
}

// The same options for each query, and the queries again with each of `variants`.
std::vector<Case> cases_of(const std::vector<std::string>& queries, const std::vector<std::string>& variants) {
    std::vector<Case> out;
    for (const std::string& v : variants)
        for (const std::string& q : queries) out.push_back({v, q});
    return out;
}

// ---------------------------------------------------------------------------------------
// The sample corpus, with reposts and an update of three of its articles (stories that
// span shards).

std::string reposts_jsonl() {
    std::ifstream in(kCorpus + "/feeds/depeches-2016-2025.jsonl");
    std::string line, out;
    for (int n = 0; std::getline(in, line) && n < 3; ++n) {
        json a = json::parse(line);
        json repost = a;
        repost["id"] = "repost-" + std::to_string(n);
        repost["title"] = "Repris : " + a["title"].get<std::string>();
        repost.erase("url");
        out += repost.dump() + "\n";
        json update = a;
        update["id"] = "update-" + std::to_string(n);
        update["body"] = a["body"].get<std::string>() +
                         "\n\nMise à jour : cette dépêche a été complétée dans la soirée par notre rédaction.";
        update.erase("url");
        out += update.dump() + "\n";
    }
    return out;
}

// The queries of docs/query-language.md on the sample corpus: every operator, field and
// facet, accents, elisions, stopwords, and errors.
std::vector<std::string> corpus_queries() {
    const std::string feed = kCorpus + "/feeds/depeches-2016-2025.jsonl";
    return {
        // words, stems, accents, ligatures, elisions, numbers, hyphens
        "retraites", "présidente", "president", "retraites borne", "électricité", "electricite", "oeuvre", "œuvre",
        "coeur", "Edouard", "édouard", "depression", "l'Ukraine", "l’Ukraine", "Ukraine", "aujourd'hui", "aujourd’hui",
        "aujourdhui", "49.3", "\"2 000\"", "tête-à-tête", "tete-a-tete", "Etats-Unis", "États-Unis", "Covid-19",
        "Gudni", "Walesa", "Ukraine ou Macron",
        // stopwords
        "la guerre", "la", "+la guerre", "retraites et borne",
        // phrases
        "\"état d'urgence\"", "«état d’urgence»", "“Etat d’Urgence”", "\"etat urgence\"", "\"ETAT D URGENCE\"",
        "\"mettre fin à la guerre\"", "\"mettre fin guerre\"", "\"Trump et Poutine\"", "\"Élections\"",
        "\"Emmanuel Macron\"", "\"George W. Bush\"", "\"la Maison Blanche\"",
        // operators and precedence
        "Macron OR Philippe retraites", "Macron OR (Philippe retraites)", "Macron OU Philippe ET retraites",
        "retraites NOT borne", "retraites SAUF borne", "retraites NOT borne OR philippe", "retraites -borne -philippe",
        "retraites -borne OR philippe", "Trump NEAR Poutine OR Zelensky", "NOT borne", "-borne", "+la",
        "guerre -\"fin de la guerre\"", "Ukraine -personne:Trump", "Ukraine -(Trump Poutine)",
        "((Macron OR Hollande) (retraites OR urgence)) -borne",
        // NEAR
        "Trump NEAR/1 Poutine", "Trump NEAR/2 Poutine", "Trump NEAR/3 Poutine", "Trump NEAR Poutine", "Trump NEAR la",
        "Trump NEAR Poutine NEAR/3 Alaska", "titre:(Trump NEAR Poutine)",
        // prefixes
        "réfor*", "refor*", "l’Ukr*", "titre:(réfor*)", "élect* -électricité",
        // text fields
        "titre:retraites", "title:\"réforme des retraites\"", "titre:(retraites OR électricité)", "auteur:Chevalier",
        "author:\"Léa Chevalier\"", "source:\"Agence Dépêche\"", "source:Dépêche",
        "source:\"Le Courrier du Matin\" Macron",
        // exact fields
        "id:depeche-2024-08-04-jo-paris", "url:https://depeche.example/politique/2023/03/16/retraites-49-3-assemblee",
        "fichier:" + feed, "file:" + feed + " Macron",
        // people
        "personne:Macron", "personne:\"Élisabeth Borne\"", "personne:\"M. Macron\"", "personne:macron", "person:Putin",
        "personne:Poutine", "personne:\"Le Pen\"", "personne:Macron date:2024..", "personne:Trump OR personne:Poutine",
        "personne:elisabeth-borne",
        // publication dates
        "date:2023", "date:2023-03", "date:2023-03-16", "date:2023-01..2023-04", "date:2019-06-01..2020", "date:..2017",
        "date:2024..", "date:2025-W33", "date:\"2023-01 .. 2023-04\"", "date:(2023)", "NOT date:2023",
        "-date:2020..2030 Macron", "date:2018-01-01 OR date:2017",
        // mentioned dates
        "mentionne:2025", "mentionné:2024", "mentioned:2023-03", "mentionne:2024-05-01..2024-05-31",
        "mentionne:2025-02-01..2025-02-15", "mentionne:2024-04", "retraites mentionne:2023",
        // the repost stories
        "Repris", "\"mise à jour\" dépêche", "Portugal",
        // typos: suggestions
        "Makron", "Ukrayne Macron", "retraittes", "Ollande", "Melanchon", "Putin",
        // errors (the same message and status)
        "\"état d", "(retraites", "retraites)", "AND retraites", "a NEAR/0 b", "a NEAR \"b c\"", "*", "Jean-Y*",
        "foo:bar", "titre:", "personne:(a OR b)", "date:2023-13", "date:2024..2023", "story:xyz", "l'", "()"};
}

}  // namespace

TEST_CASE("shards: a sharded index of the sample corpus answers every query like one index", "[shards]") {
    TempDir tmp;
    write_file(tmp.path / "extra" / "reposts.jsonl", reposts_jsonl());
    const std::vector<std::string> inputs{kCorpus, (tmp.path / "extra").string()};
    const std::string one = (tmp.path / "one").string();
    RunResult one_summary = index_paths(one, inputs);

    std::vector<std::unique_ptr<Sharded>> sharded;
    for (std::size_t n : {2, 3}) {
        auto s = std::make_unique<Sharded>(tmp.path / ("sharded" + std::to_string(n)), n);
        RunResult r = index_paths(s->dir.string(), inputs, "--shards " + std::to_string(n));
        // The same summary as the one index's (files, articles), the time left out.
        CHECK(summary_counts(r.out) == summary_counts(one_summary.out));
        require_layout(s->dir, n);
        sharded.push_back(std::move(s));
    }
    if (!have_tcpsrv()) WARN("remote shards not tested: " << kTcpSrv << " not found (Debian package xapian-tools)");
    for (auto& s : sharded) s->serve();

    // The articles are dealt to the shards by FNV-1a of their id term: together, the
    // shards hold the one index's articles, each once.
    const std::set<std::string> all_ids = ids_in(one);
    REQUIRE(all_ids.size() == 36);  // 30 in corpus/, 6 reposts and updates
    std::vector<std::map<std::string, std::size_t>> placement;
    for (auto& s : sharded) {
        placement.push_back(shard_of_ids(s->dir, s->n));
        std::set<std::string> ids;
        for (const auto& [id, k] : placement.back()) ids.insert(id);
        CHECK(ids == all_ids);
        for (const fs::path& d : shard_dirs(s->dir, s->n)) CHECK(Xapian::Database(d.string()).get_doccount() > 0);
    }

    std::vector<std::pair<std::string, std::string>> targets;
    for (auto& s : sharded)
        for (auto& t : s->targets()) targets.push_back(t);

    // Statistics: the same articles, schema and analyzer; the number of shards.
    {
        const RunResult stats = run(kSearch + " --db " + shell_quote(one) + " --stats --format json");
        REQUIRE(stats.status == 0);
        const json expected = json::parse(stats.out);
        CHECK(expected["shards"] == 0);
        for (const auto& s : sharded)
            for (const auto& [name, db] : s->targets()) {
                INFO(name);
                const RunResult r = run(kSearch + " --db " + shell_quote(db) + " --stats --format json");
                INFO(r.err);
                REQUIRE(r.status == 0);
                const json got = json::parse(r.out);
                CHECK(got["articles"] == expected["articles"]);
                CHECK(got["schema_version"] == expected["schema_version"]);
                CHECK(got["analyzer"] == expected["analyzer"]);
                CHECK(got["shards"] == s->n);
            }
    }

    // Stories span shards: each repost and update is a version of its original, and at
    // least one story has versions on two shards of each sharded index.
    std::map<std::string, std::string> story_of;
    std::vector<std::vector<std::string>> versions;  // original, repost, update
    {
        std::ifstream in(kCorpus + "/feeds/depeches-2016-2025.jsonl");
        std::string line;
        for (int k = 0; k < 3 && std::getline(in, line); ++k) {
            const json a = json::parse(line);
            versions.push_back(
                {a.value("id", a.value("url", "")), "repost-" + std::to_string(k), "update-" + std::to_string(k)});
            for (const std::string& id : versions.back()) {
                const Outcome o = search(one, "--snippet-length 0", "id:" + id);
                INFO(id << "\n" << o.err);
                REQUIRE(o.status == 0);
                REQUIRE(o.j["hits"].size() == 1);
                story_of[id] = o.j["hits"][0]["story"];
            }
            CHECK(story_of[versions.back()[1]] == story_of[versions.back()[0]]);
            CHECK(story_of[versions.back()[2]] == story_of[versions.back()[0]]);
        }
    }
    for (const auto& p : placement) {
        bool spans = false;
        for (const auto& v : versions) spans = spans || p.at(v[1]) != p.at(v[0]) || p.at(v[2]) != p.at(v[0]);
        CHECK(spans);
    }
    const std::string story_key = story_of["repost-0"];
    REQUIRE(story_key.size() == 16);

    std::vector<std::string> queries = corpus_queries();
    queries.push_back("story:" + story_key);
    std::string upper = story_key;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    queries.push_back("story:" + upper + " date:2016");

    // Every query with the facets and every hit; then pages, sorts, collapsing, snippet
    // lengths; then --like.
    std::vector<Case> cases = cases_of(queries, {"--limit 100 --facets", "--offset 2 --limit 3 --snippet-length 60"});
    const std::vector<std::string> some{"retraites",
                                        "Macron OR Philippe",
                                        "\"état d'urgence\"",
                                        "personne:Macron",
                                        "date:2016..2025",
                                        "-borne",
                                        "Portugal",
                                        "Repris OR Portugal OR dépêche",
                                        "réfor*",
                                        "titre:(retraites OR électricité)",
                                        "mentionne:2023",
                                        "story:" + story_key,
                                        "la"};
    for (const Case& c :
         cases_of(some, {"--collapse --limit 100", "--collapse --limit 2 --offset 1",
                         "--collapse --facets --sort -date --limit 100", "--sort date --limit 100",
                         "--sort -date --limit 100", "--sort relevance --limit 100", "--sort date --offset 4 --limit 5",
                         "--limit 0 --facets", "--snippet-length 0 --limit 100", "--snippet-length 1000 --limit 100",
                         "--facets --facet-limit 3 --date-interval month --limit 100",
                         "--facets --date-interval week --limit 5", "--facets --date-interval day --limit 5",
                         "--facets --date-interval year --limit 5"}))
        cases.push_back(c);
    for (const char* like : {"depeche-2025-08-15-alaska", "repost-0",
                             "https://depeche.example/politique/2023/03/16/retraites-49-3-assemblee"}) {
        cases.push_back({"--like " + shell_quote(like) + " --limit 100", ""});
        cases.push_back({"--like " + shell_quote(like) + " --limit 100 --collapse --facets", ""});
        cases.push_back({"--like " + shell_quote(like) + " --limit 100", "date:2016..2023"});
        cases.push_back({"--like " + shell_quote(like) + " --limit 100", "Macron"});
    }
    cases.push_back({"--like nope --limit 10", ""});  // an error: exit 2 naming the id
    const std::size_t with_hits = compare_all(one, targets, cases);
    CHECK(with_hits > cases.size() / 2);  // most cases compare hits, not empty lists

    // Text output too: the same lines (no "partial results" line), nothing on stderr.
    for (const char* q : {"retraites", "\"Emmanuel Macron\"", "Makron", "Ukraine ou Macron", "-borne"}) {
        const std::string args = " --facets --color never -n 5 --collapse -- " + shell_quote(q);
        const RunResult expected = run(kSearch + " --db " + shell_quote(one) + args);
        REQUIRE(expected.status == 0);
        for (const auto& [name, db] : targets) {
            INFO(q << "\nsearched: " << name);
            const RunResult got = run(kSearch + " --db " + shell_quote(db) + args);
            CHECK(got.status == 0);
            CHECK(got.out == expected.out);
            CHECK(got.err == expected.err);
        }
    }
}

TEST_CASE("shards: the Wikinews corpus, sharded, answers like one index", "[shards][wikinews]") {
    NEED_WIKINEWS();
    TempDir tmp;
    const std::string file = shared_path("corpus/wikinews-fr/articles.jsonl");
    std::vector<std::unique_ptr<Sharded>> sharded;
    for (std::size_t n : {2, 3}) {
        auto s = std::make_unique<Sharded>(tmp.path / ("wikinews" + std::to_string(n)), n);
        index_paths(s->dir.string(), {file}, "--shards " + std::to_string(n));
        require_layout(s->dir, n);
        s->serve();
        sharded.push_back(std::move(s));
    }
    if (!have_tcpsrv()) WARN("remote shards not tested: " << kTcpSrv << " not found (Debian package xapian-tools)");
    std::vector<std::pair<std::string, std::string>> targets;
    for (auto& s : sharded)
        for (auto& t : s->targets()) targets.push_back(t);
    {
        const std::set<std::string> all_ids = ids_in(wn->db);
        CHECK(all_ids.size() == wn->articles.size());
        for (auto& s : sharded) {
            std::set<std::string> ids;
            for (const auto& [id, k] : shard_of_ids(s->dir, s->n)) ids.insert(id);
            CHECK(ids == all_ids);
        }
    }

    std::vector<std::string> queries{"France",
                                     "président",
                                     "president",
                                     "associée",
                                     "associee",
                                     "associé",
                                     "élection",
                                     "election",
                                     "l'élection",
                                     "d'Europe",
                                     "aujourd'hui",
                                     "Etats-Unis",
                                     "États-Unis",
                                     "\"Donald Trump\"",
                                     "\"donald trump\"",
                                     "\"état d'urgence\"",
                                     "\"Union européenne\"",
                                     "\"premier ministre\" France",
                                     "Trump OR Poutine",
                                     "Trump Poutine",
                                     "Trump -Poutine",
                                     "Trump NOT (Poutine OR Clinton)",
                                     "Trump NEAR/3 Clinton",
                                     "Trump NEAR Clinton OR Sanders",
                                     "élect*",
                                     "gouvern* -France",
                                     "titre:France",
                                     "titre:\"Coupe du monde\"",
                                     "titre:(Syrie OR Irak)",
                                     "source:wikinews",
                                     "source:\"fr wikinews org\"",
                                     "auteur:None",
                                     "personne:Trump",
                                     "personne:\"Donald Trump\"",
                                     "personne:Hollande",
                                     "personne:\"François Hollande\" date:2016",
                                     "personne:Putin",
                                     "personne:Macron",
                                     "date:2016",
                                     "date:2017-05",
                                     "date:2016-11-01..2016-11-30",
                                     "date:..2016-06",
                                     "date:2018..",
                                     "date:2017-W19",
                                     "mentionne:2016",
                                     "mentionne:2017-05",
                                     "mentionne:2015-11-13",
                                     "mentionne:2018 élection",
                                     "NOT date:2016",
                                     "-date:2017 Trump",
                                     "la",
                                     "+la France",
                                     "Tromp",
                                     "Hollandd",
                                     "Macrn",
                                     "présidentielle",
                                     "attentat*",
                                     "url:https://fr.wikinews.org/wiki/France_:_attaque_à_Valence_(Drôme)",
                                     "id:winer-2016_01_01-001",
                                     "(Syrie OR Irak) (attaque OR attentat) -Trump",
                                     "Syrie ou Irak"};
    // Words, phrases and prefixes drawn from the titles, for a broad sample of terms.
    auto clean = [](const std::string& w) {
        if (w.size() < 6) return false;
        for (unsigned char c : w)
            if (!(std::isalpha(c) || c >= 0x80)) return false;
        return true;
    };
    for (std::size_t i = 0; i < wn->articles.size(); i += 29) {
        std::istringstream in(wn->articles[i].title);
        std::vector<std::string> words{std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
        for (std::size_t k = 0; k < words.size(); ++k) {
            if (!clean(words[k])) continue;
            queries.push_back(words[k]);
            if (k + 1 < words.size() && clean(words[k + 1]))
                queries.push_back("\"" + words[k] + " " + words[k + 1] + "\"");
            if (std::isalpha(static_cast<unsigned char>(words[k][0])) &&
                std::isalpha(static_cast<unsigned char>(words[k][1])) &&
                std::isalpha(static_cast<unsigned char>(words[k][2])) &&
                std::isalpha(static_cast<unsigned char>(words[k][3])))
                queries.push_back(words[k].substr(0, 4) + "*");
            break;
        }
    }
    std::vector<Case> cases = cases_of(queries, {"--limit 100 --facets", "--offset 5 --limit 5 --sort -date"});
    for (const Case& c :
         cases_of({"France", "Trump", "date:2016", "\"Donald Trump\"", "élect*", "personne:Trump"},
                  {"--collapse --limit 50", "--collapse --facets --limit 5 --offset 5", "--sort date --limit 50",
                   "--facets --date-interval month --limit 0",
                   "--facets --date-interval day --facet-limit 25 --limit 0", "--snippet-length 0 --limit 200"}))
        cases.push_back(c);
    for (std::size_t i : {std::size_t(0), wn->articles.size() / 2, wn->articles.size() - 1}) {
        cases.push_back({"--like " + shell_quote(wn->articles[i].id) + " --limit 50", ""});
        cases.push_back({"--like " + shell_quote(wn->articles[i].id) + " --limit 50 --collapse --facets", "date:2017"});
    }
    const std::size_t with_hits = compare_all(wn->db, targets, cases);
    CHECK(with_hits > cases.size() / 2);
}

// The sample corpus as one index and as `n` shards, served when xapian-tcpsrv is there.
struct SampleAndShards {
    TempDir tmp;
    std::string one;
    Sharded s;
    explicit SampleAndShards(std::size_t n) : one((tmp.path / "one").string()), s(tmp.path / "sharded", n) {
        index_paths(one, {kCorpus});
        index_paths(s.dir.string(), {kCorpus}, "--shards " + std::to_string(n));
        s.serve();
    }
};

TEST_CASE("shards: an unreachable remote shard is exit 4, or left out with --allow-partial", "[shards]") {
    NEED_TCPSRV();
    SampleAndShards both(3);
    const std::string& one = both.one;
    Sharded& s = both.s;
    const std::string stub = s.remote_stub.string();
    const auto placement = shard_of_ids(s.dir, 3);

    const std::vector<std::string> queries{"date:2016..2030", "Macron", "retraites OR Ukraine OR électricité"};
    std::map<std::string, json> full;
    for (const std::string& q : queries) {
        const Outcome o = search(one, "--limit 100", q);
        REQUIRE(o.status == 0);
        full[q] = o.j;
        const Outcome all = search(stub, "--limit 100", q);  // every server up: complete
        INFO(q << "\n" << all.err);
        REQUIRE(all.status == 0);
        CHECK(hit_ids(all.j) == hit_ids(o.j));
        CHECK(all.j["partial"] == false);
        CHECK(all.j["missing_shards"] == json::array());
    }

    // A library Searcher opened while every shard is up, and searched once.
    depeche::Searcher opened_before(stub);
    depeche::SearchRequest req;
    req.query = "date:2016..2030";
    req.limit = 100;
    REQUIRE(opened_before.search(req).hits.size() == full[req.query]["hits"].size());

    s.servers[1]->stop();  // its connections go with it
    const std::string missing = "shard-01 (remote " + s.servers[1]->address() + ")";

    // Without --allow-partial: exit 4 and one line that names the shard.
    for (const char* format : {"json", "text"}) {
        const RunResult r = run(kSearch + " --db " + shell_quote(stub) + " --format " + format + " Macron");
        INFO(format << "\n" << r.err);
        CHECK(r.status == 4);
        CHECK(r.out.empty());
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.err.rfind("depeche-search: " + missing + " is unavailable", 0) == 0);
    }

    // With it: the hits of the other shards, exactly, and the shard named.
    for (const std::string& q : queries) {
        INFO(q);
        const Outcome o = search(stub, "--limit 100 --allow-partial", q);
        INFO(o.err);
        REQUIRE(o.status == 0);
        CHECK(o.j["partial"] == true);
        CHECK(o.j["missing_shards"] == json::array({missing}));
        std::vector<std::string> expected;
        for (const std::string& id : hit_ids(full[q]))
            if (placement.at(id) != 1) expected.push_back(id);
        REQUIRE(expected.size() < full[q]["hits"].size());  // shard-01 holds some of them
        const std::vector<std::string> got = hit_ids(o.j);
        CHECK(std::set<std::string>(got.begin(), got.end()) == std::set<std::string>(expected.begin(), expected.end()));
        CHECK(o.j["total"] == expected.size());
        CHECK(o.j["total"].get<std::size_t>() < full[q]["total"].get<std::size_t>());
        if (q == queries[0]) CHECK(got == expected);  // filters only: newest first, as in the one index
    }
    const RunResult text = run(kSearch + " --db " + shell_quote(stub) + " --allow-partial Macron");
    INFO(text.out << text.err);
    CHECK(text.status == 0);
    CHECK(text.out.find("partial results: " + missing + " is unavailable\n") != std::string::npos);

    // The library: SearchRequest::allow_partial, SearchResult::partial and missing_shards,
    // in the Searcher opened before and in one opened now.
    std::vector<std::string> expected;
    for (const std::string& id : hit_ids(full[req.query]))
        if (placement.at(id) != 1) expected.push_back(id);
    req.allow_partial = false;
    CHECK_THROWS_WITH(opened_before.search(req), Catch::Contains("shard-01"));
    depeche::Searcher opened_after(stub);
    CHECK_THROWS_WITH(opened_after.search(req), Catch::Contains("shard-01"));
    req.allow_partial = true;
    for (depeche::Searcher* searcher : {&opened_before, &opened_after}) {
        depeche::SearchResult r;
        REQUIRE_NOTHROW(r = searcher->search(req));
        CHECK(r.partial);
        CHECK(r.missing_shards == std::vector<std::string>{missing});
        std::vector<std::string> ids;
        for (const depeche::Hit& h : r.hits) ids.push_back(h.id);
        CHECK(ids == expected);
        CHECK(r.total == expected.size());
    }

    // The local sharded index, every shard there: complete, not partial.
    const Outcome local = search(s.dir.string(), "--limit 100 --allow-partial", "Macron");
    REQUIRE(local.status == 0);
    CHECK(local.j["partial"] == false);
    CHECK(local.j["missing_shards"] == json::array());
    CHECK(hit_ids(local.j) == hit_ids(full["Macron"]));
}

// A port that accepts connections (the kernel's backlog) and never answers: Xapian's
// greeting never comes, and opening the shard waits for the greeting timeout (5 s).
struct SilentPort {
    int fd = -1;
    int port = 0;
    SilentPort() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 16) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port = ntohs(a.sin_port);
    }
    ~SilentPort() {
        if (fd >= 0) ::close(fd);
    }
};

TEST_CASE("shards: two servers that never answer cost one timeout, and --allow-partial answers without them",
          "[shards]") {
    NEED_TCPSRV();
    SampleAndShards both(3);
    Sharded& s = both.s;
    const SilentPort silent1, silent2;
    const fs::path stub = both.tmp.path / "silent.stub";
    write_file(stub, "auto " + (s.dir / "lexicon").string() + "\nremote " + s.servers[0]->address() +
                         "\nremote 127.0.0.1:" + std::to_string(silent1.port) +
                         "\nremote 127.0.0.1:" + std::to_string(silent2.port) + "\n");
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = search(stub.string(), "--allow-partial --limit 100", "date:2016..2030");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(o.err);
    REQUIRE(o.status == 0);
    CHECK(o.j["partial"] == true);
    CHECK(o.j["missing_shards"] == json::array({"shard-01 (remote 127.0.0.1:" + std::to_string(silent1.port) + ")",
                                                "shard-02 (remote 127.0.0.1:" + std::to_string(silent2.port) + ")"}));
    const auto placement = shard_of_ids(s.dir, 3);
    for (const std::string& id : hit_ids(o.j)) CHECK(placement.at(id) == 0);
    CHECK(o.j["total"] == hit_ids(o.j).size());
    // The two shards are opened at the same time, waiting 5 s for the server's greeting,
    // and not tried again by the same request: one 5-second wait, where waiting for the
    // remote timeout took 30 s, and one after the other and tried again at once took 180
    // s (and then lost the answering server's connection to its idle timeout).
    CHECK(seconds < 20);
}

TEST_CASE("shards: a remote handle closed by the server's idle timeout is reopened", "[shards]") {
    NEED_TCPSRV();
    TempDir tmp;
    const std::string one = (tmp.path / "one").string();
    index_paths(one, {kCorpus});
    Sharded s(tmp.path / "sharded", 2);
    index_paths(s.dir.string(), {kCorpus}, "--shards 2");
    s.serve({"--idle-timeout", "500"});

    depeche::SearchRequest req;
    req.query = "Macron OR retraites";
    req.limit = 100;
    req.facets = true;
    auto summary = [](const depeche::SearchResult& r) {
        std::vector<std::pair<std::string, double>> out;
        for (const depeche::Hit& h : r.hits) out.emplace_back(h.id, h.score);
        return out;
    };
    const depeche::SearchResult expected = depeche::Searcher(one).search(req);
    REQUIRE(expected.total > 0);

    depeche::Searcher searcher(s.remote_stub.string());
    depeche::SearchResult first, second, third;
    REQUIRE_NOTHROW(first = searcher.search(req));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    REQUIRE_NOTHROW(second = searcher.search(req));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    REQUIRE_NOTHROW(third = searcher.search(req));
    for (const depeche::SearchResult* r : {&first, &second, &third}) {
        CHECK(r->total == expected.total);
        CHECK_FALSE(r->partial);
        CHECK(r->missing_shards.empty());
        const auto got = summary(*r), want = summary(expected);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            INFO("hit " << i);
            CHECK(got[i].first == want[i].first);
            CHECK(got[i].second == Approx(want[i].second).epsilon(1e-9));
        }
    }
    std::optional<depeche::ArticleView> a;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    REQUIRE_NOTHROW(a = searcher.article("depeche-2024-08-04-jo-paris"));
    REQUIRE(a);
    CHECK(a->id == "depeche-2024-08-04-jo-paris");
}

// A copy of the sample corpus for a test to edit, indexed as one index and as 3 shards.
struct EditedCorpus {
    TempDir tmp;
    fs::path in = tmp.path / "in";
    std::string one = (tmp.path / "one").string();
    Sharded s{tmp.path / "sharded", 3};
    EditedCorpus() {
        fs::copy(kCorpus, in, fs::copy_options::recursive);
        index_paths(one, {in.string()});
        index_paths(s.dir.string(), {in.string()}, "--shards 3");
    }
    // Rewrites the corpus's JSON Lines feed: edit(article, line number) changes an
    // article, or returns false to drop it.
    void edit_feed(const std::function<bool(json&, int)>& edit) const {
        const fs::path feed = in / "feeds" / "depeches-2016-2025.jsonl";
        std::ifstream f(feed);
        std::string line, out;
        for (int n = 0; std::getline(f, line); ++n) {
            json a = json::parse(line);
            if (edit(a, n)) out += a.dump() + "\n";
        }
        f.close();
        write_file(feed, out);
    }
};

TEST_CASE("shards: incremental updates of a sharded index match one index updated the same way",
          "[shards][xapian-check]") {
    EditedCorpus c;
    const fs::path& in = c.in;
    const std::string& one = c.one;
    Sharded& s = c.s;
    const auto before = shard_of_ids(s.dir, 3);

    // Added, changed (a text file; a JSON Lines file losing one article and changing
    // another) and deleted files.
    write_file(in / "text" / "nouvelle-breve.txt",
               "Titre: Le zorglubisme gagne la Manche\nDate: 2025-09-01\nAuteur: Léa Chevalier\n\n"
               "Selon Emmanuel Macron, le zorglubisme est une « affaire sérieuse » depuis le 15 août 2025. "
               "Les retraites n'en sont pas épargnées.\n");
    {
        std::ofstream(in / "text" / "2023-01-10-retraites-borne-64-ans.txt", std::ios::app)
            << "\nMise à jour : le texte quintessenciel a été amendé en commission, selon Élisabeth Borne.\n";
    }
    std::string removed_id, changed_id;
    c.edit_feed([&](json& a, int n) {
        if (n == 1) {
            removed_id = a.value("id", "");
            return false;
        }
        if (n == 3) {
            changed_id = a.value("id", "");
            a["title"] = "Titre refait : " + a["title"].get<std::string>();
        }
        return true;
    });
    REQUIRE(!removed_id.empty());
    REQUIRE(!changed_id.empty());
    fs::remove(in / "json" / "2022-09-14-bouclier-tarifaire.json");

    const RunResult u1 = index_paths(one, {in.string()});
    const RunResult u2 = index_paths(s.dir.string(), {in.string()});
    CHECK(summary_counts(u2.out) == summary_counts(u1.out));
    CHECK(u1.out.find("1 added, 2 updated") != std::string::npos);

    // The shards hold the one index's articles; those kept stay on their shard.
    const auto after = shard_of_ids(s.dir, 3);
    std::set<std::string> ids;
    for (const auto& [id, k] : after) {
        ids.insert(id);
        if (before.count(id)) CHECK(before.at(id) == k);
    }
    CHECK(ids == ids_in(one));
    CHECK(after.count(removed_id) == 0);
    CHECK(after.count("depeche-2022-09-14-bouclier-tarifaire") == 0);
    CHECK(after.size() == before.size() - 1);  // one added, two removed

    if (!have_tcpsrv()) WARN("remote shards not tested: " << kTcpSrv << " not found (Debian package xapian-tools)");
    s.serve();
    std::vector<std::string> queries{"zorglubisme",
                                     "quintessenciel",
                                     "\"Titre refait\"",
                                     "titre:refait",
                                     "id:" + removed_id,
                                     "id:" + changed_id,
                                     "id:depeche-2022-09-14-bouclier-tarifaire",
                                     "retraites",
                                     "personne:Macron",
                                     "personne:\"Élisabeth Borne\"",
                                     "auteur:Chevalier",
                                     "date:2025",
                                     "mentionne:2025-08-15",
                                     "-borne",
                                     "zorglub*",
                                     "zorglubismes",
                                     "\"mise à jour\""};
    compare_all(one, s.targets(), cases_of(queries, {"--limit 100 --facets", "--collapse --limit 100 --sort date"}));
    CHECK(search(s.dir.string(), "", "zorglubisme").j["total"] == 1);
    CHECK(search(s.dir.string(), "", "id:depeche-2022-09-14-bouclier-tarifaire").j["total"] == 0);

    // An update with nothing changed is a no-op on both.
    const RunResult again1 = index_paths(one, {in.string()});
    const RunResult again2 = index_paths(s.dir.string(), {in.string()});
    CHECK(summary_counts(again2.out) == summary_counts(again1.out));
    CHECK(again2.out.find("(0 added, 0 updated") != std::string::npos);

    RunResult check = run(kIndex + " --check --db " + shell_quote(s.dir.string()));
    INFO(check.out << check.err);
    CHECK(check.status == 0);
}

TEST_CASE("shards: --check passes a sound sharded index, and a foreign shard is refused with exit 3",
          "[shards][xapian-check]") {
    TempDir tmp;
    const fs::path good = tmp.path / "good";
    index_paths(good.string(), {kCorpus}, "--shards 2");
    const RunResult ok = run(kIndex + " --check --db " + shell_quote(good.string()));
    INFO(ok.out << ok.err);
    CHECK(ok.status == 0);
    CHECK(ok.err.empty());
    REQUIRE(run(kSearch + " --db " + shell_quote(good.string()) + " Macron").status == 0);

    // Another index's shard-01 (other articles; the same articles dealt to 3 shards)
    // swapped in for this one's.
    const fs::path other_articles = tmp.path / "other-articles", three = tmp.path / "three";
    index_paths(other_articles.string(), {std::string(DEPECHE_SOURCE_DIR) + "/tests/data"}, "--shards 2");
    index_paths(three.string(), {kCorpus}, "--shards 3");
    for (const fs::path& from : {other_articles, three}) {
        INFO("shard-01 from " << from);
        const fs::path bad = tmp.path / ("bad-" + from.filename().string());
        fs::copy(good, bad, fs::copy_options::recursive);
        fs::remove_all(bad / "shard-01");
        fs::copy(from / "shard-01", bad / "shard-01", fs::copy_options::recursive);
        for (const fs::path& db : {bad, bad / "shards.stub"}) {
            const RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " --format json Macron");
            INFO(db << "\n" << r.err);
            CHECK(r.status == 3);
            CHECK(r.out.empty());
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK(r.err.find("shard-01") != std::string::npos);
        }
        const RunResult check = run(kIndex + " --check --db " + shell_quote(bad.string()));
        INFO(check.out << check.err);
        CHECK(check.status == 3);
        CHECK(check.err.find("shard-01") != std::string::npos);
        // Served by xapian-tcpsrv, the same shard is refused the same way.
        if (have_tcpsrv()) {
            Sharded remote(bad, 2);
            remote.serve();
            const RunResult r =
                run(kSearch + " --db " + shell_quote(remote.remote_stub.string()) + " --format json Macron");
            INFO(r.err);
            CHECK(r.status == 3);
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK(r.err.find("shard-01") != std::string::npos);
        }
    }
}

// A shard whose position table is gone would silently lose its phrase hits (the shards are
// read as one database, which has positions as long as one shard has): each shard records
// its tables, and the searcher and --check name the shard that lost one. A shard damaged
// under a searcher that has it open is named too.
TEST_CASE("shards: a shard that lost a table, or is damaged after opening, is named by the searcher and --check",
          "[shards][xapian-check]") {
    TempDir tmp;
    const fs::path good = tmp.path / "good";
    index_paths(good.string(), {kCorpus}, "--shards 3");
    const std::string phrase = shell_quote("\"réforme des retraites\"");
    const RunResult before = run(kSearch + " --db " + shell_quote(good.string()) + " --format json " + phrase);
    REQUIRE(before.status == 0);
    REQUIRE(json::parse(before.out)["total"].get<std::size_t>() > 0);

    const fs::path bad = tmp.path / "bad";
    fs::copy(good, bad, fs::copy_options::recursive);
    REQUIRE(fs::remove(bad / "shard-01" / "position.glass"));
    const RunResult r = run(kSearch + " --db " + shell_quote(bad.string()) + " --format json " + phrase);
    INFO(r.out << r.err);
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "depeche-search: index " + bad.string() + ": shard-01 (" + (bad / "shard-01").string() +
                       ") is damaged: position table missing (position.glass); rebuild it with depeche-index --full\n");
    const RunResult check = run(kIndex + " --check --db " + shell_quote(bad.string()));
    INFO(check.out << check.err);
    CHECK(check.status == 3);
    CHECK(check.err.find("shard-01: position table (position.glass) missing") != std::string::npos);

    // An incremental update keeps the shards' records (a compaction copies them, a commit
    // adds a table that appears).
    const fs::path more = tmp.path / "more.jsonl";
    write_file(more, json{{"id", "plus-1"},
                          {"title", "Réforme des retraites : encore"},
                          {"body", "La réforme des retraites revient devant le Parlement."}}
                             .dump() +
                         "\n");
    index_paths(good.string(), {more.string()}, "");
    const fs::path bad2 = tmp.path / "bad2";
    fs::copy(good, bad2, fs::copy_options::recursive);
    for (const char* shard : {"shard-00", "shard-02"}) fs::remove(bad2 / shard / "position.glass");
    const RunResult r2 = run(kSearch + " --db " + shell_quote(bad2.string()) + " " + phrase);
    INFO(r2.err);
    CHECK(r2.status == 3);
    CHECK(r2.err.find("shard-00") != std::string::npos);

    // Damage under an open searcher: its next search names the shard.
    const fs::path live = tmp.path / "live";
    fs::copy(good, live, fs::copy_options::recursive);
    depeche::Searcher s(live.string());
    depeche::SearchRequest req;
    req.query = "retraites";
    REQUIRE(s.search(req).total > 0);
    fs::resize_file(live / "shard-02" / "postlist.glass", 8192);
    fs::resize_file(live / "shard-02" / "termlist.glass", 8192);
    CHECK_THROWS_WITH(s.search(req), Catch::Contains("shard-02") && Catch::Contains("damaged"));
}

// ---------------------------------------------------------------------------------------
// Facets through the library, one Searcher answering many queries: from the second facet
// query on, one index counts from facet columns in memory, and so do local shards (one
// part of the columns per shard, counted one shard at a time). Each query is asked twice
// so that both the first count (from values) and the column count are compared.

namespace {

void check_same_counts(const std::vector<depeche::FacetCount>& got, const std::vector<depeche::FacetCount>& want,
                       const char* what) {
    INFO(what);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO(i << ": " << want[i].value << " " << want[i].count);
        CHECK(got[i].value == want[i].value);
        CHECK(got[i].count == want[i].count);
        CHECK(got[i].ambiguous == want[i].ambiguous);
    }
}

// The same total and people, dates and mentioned facets as one index.
void check_same_facets(const depeche::SearchResult& got, const depeche::SearchResult& want) {
    CHECK(got.total == want.total);
    REQUIRE(want.facets);
    REQUIRE(got.facets);
    check_same_counts(got.facets->people, want.facets->people, "people");
    check_same_counts(got.facets->dates, want.facets->dates, "dates");
    check_same_counts(got.facets->mentioned, want.facets->mentioned, "mentioned");
}

// Every query with facets, twice, through one Searcher per target: the same totals and
// facets as one index. Returns the number of comparisons made.
std::size_t compare_library_facets(const std::string& one,
                                   const std::vector<std::pair<std::string, std::string>>& targets,
                                   const std::vector<std::string>& queries) {
    std::size_t compared = 0;
    depeche::Searcher reference(one);
    std::vector<std::unique_ptr<depeche::Searcher>> searchers;
    for (const auto& t : targets) searchers.push_back(std::make_unique<depeche::Searcher>(t.second));
    for (int pass = 0; pass < 2; ++pass)
        for (const std::string& q : queries)
            for (const depeche::DateInterval interval : {depeche::DateInterval::Auto, depeche::DateInterval::Month}) {
                depeche::SearchRequest req;
                req.query = q;
                req.limit = 5;
                req.facets = true;
                req.facet_limit = 50;
                req.date_interval = interval;
                depeche::SearchResult want;
                std::string refused;  // a query the index refuses: refused the same way
                try {
                    want = reference.search(req);
                } catch (const depeche::Error& e) { refused = e.what(); }
                for (std::size_t k = 0; k < targets.size(); ++k) {
                    INFO(targets[k].first << ", pass " << pass << ": " << q);
                    if (!refused.empty()) {
                        CHECK_THROWS_WITH(searchers[k]->search(req), refused);
                        ++compared;
                        continue;
                    }
                    const depeche::SearchResult got = searchers[k]->search(req);
                    check_same_facets(got, want);
                    CHECK(got.total_exact == want.total_exact);
                    CHECK(got.facets->exact == want.facets->exact);
                    CHECK(got.facets->date_interval == want.facets->date_interval);
                    ++compared;
                }
            }
    return compared;
}

}  // namespace

TEST_CASE("shards: facets counted by one Searcher over many queries match one index's", "[shards]") {
    SampleAndShards both(3);
    const Sharded& s = both.s;
    std::vector<std::string> queries = corpus_queries();
    queries.insert(queries.end(), {"date:2016..2025", "-Macron", "personne:Macron"});
    const std::size_t compared = compare_library_facets(both.one, s.targets(), queries);
    CHECK(compared == 2 * 2 * queries.size() * s.targets().size());
}

TEST_CASE("shards: facets of the Wikinews corpus by one Searcher match one index's", "[shards][wikinews]") {
    NEED_WIKINEWS();
    TempDir tmp;
    Sharded s(tmp.path / "wikinews4", 4);
    index_paths(s.dir.string(), {shared_path("corpus/wikinews-fr/articles.jsonl")}, "--shards 4");
    // The people, the most frequent words and years of the corpus: large and small result sets.
    const std::vector<std::string> queries{"France",
                                           "président",
                                           "Nicolas Sarkozy",
                                           "Barack Obama",
                                           "élection",
                                           "guerre",
                                           "football",
                                           "date:2008..2012",
                                           "date:2015",
                                           "-France",
                                           "\"Union européenne\"",
                                           "personne:Sarkozy",
                                           "mentionne:2008",
                                           "Paris OR Londres",
                                           "économie crise"};
    // Remote: facets counted by Xapian's ValueCountMatchSpy on the first queries, then
    // from columns fetched from the servers (the ids of each server's matches counted).
    s.serve();
    std::vector<std::pair<std::string, std::string>> targets{{"4 shards, folder", s.dir.string()}};
    if (!s.remote_stub.empty()) targets.emplace_back("4 shards, remote stub", s.remote_stub.string());
    const std::size_t compared = compare_library_facets(wn->db, targets, queries);
    CHECK(compared == 2 * 2 * queries.size() * targets.size());
}

TEST_CASE("shards: a Searcher kept open over remote shards counts an article changed in place once reopened",
          "[shards]") {
    NEED_TCPSRV();
    EditedCorpus c;
    const std::string& one = c.one;
    Sharded& s = c.s;
    s.serve();
    depeche::Searcher remote(s.remote_stub.string());
    const std::vector<std::string> queries{"date:2016..2030", "Borne", "Darmanin OR Attal", "mentionne:2025"};
    auto compare = [&](const char* when) {
        depeche::Searcher reference(one);
        for (const std::string& q : queries) {
            INFO(when << ": " << q);
            depeche::SearchRequest req;
            req.query = q;
            req.limit = 5;
            req.facets = true;
            req.facet_limit = 50;
            const depeche::SearchResult want = reference.search(req), got = remote.search(req);
            check_same_facets(got, want);
        }
    };
    compare("before");
    compare("before, counted from the facet columns");  // built by the second facet query

    // One article's people and mentioned dates change; it keeps its document id.
    auto shape = [&] {
        std::vector<std::pair<Xapian::doccount, Xapian::docid>> out;
        for (const fs::path& d : shard_dirs(s.dir, 3)) {
            Xapian::Database db(d.string());
            out.emplace_back(db.get_doccount(), db.get_lastdocid());
        }
        return out;
    };
    const auto shape_before = shape();
    bool changed = false;
    c.edit_feed([&](json& a, int) {
        if (a.value("id", "") == "depeche-2024-05-15-nouvelle-caledonie") {
            a["people"] = json::array({"Emmanuel Macron", "Gabriel Attal", "Élisabeth Borne"});
            a["body"] = a["body"].get<std::string>() + " Élisabeth Borne se rendra sur place le 15 août 2025.";
            changed = true;
        }
        return true;
    });
    REQUIRE(changed);
    const RunResult u1 = index_paths(one, {c.in.string()});
    const RunResult u2 = index_paths(s.dir.string(), {c.in.string()});
    CHECK(u1.out.find("0 added, 1 updated") != std::string::npos);
    CHECK(summary_counts(u2.out) == summary_counts(u1.out));
    // Every shard keeps its number of articles and its highest document id: the facet
    // columns read before must be read again all the same.
    CHECK(shape() == shape_before);

    remote.reopen();
    compare("after the update");
}

// A sharded index rebuilt in place (depeche-index --full) while its shards are served:
// each server's connection still reads the old shard (its reopen() keeps the tables it
// has open when the revision number is the same), so a Searcher kept open must connect
// again to answer from the new one.
TEST_CASE("shards: a Searcher kept open over remote shards answers from an index rebuilt in place", "[shards]") {
    NEED_TCPSRV();
    TempDir tmp;
    const std::string corpus = kCorpus;
    Sharded s(tmp.path / "sharded", 2);
    index_paths(s.dir.string(), {corpus + "/json"}, "--shards 2");
    const std::string one = (tmp.path / "one").string();
    index_paths(one, {corpus + "/markdown"});
    s.serve();
    auto revisions = [&] {
        std::vector<Xapian::rev> out;
        for (const fs::path& d : shard_dirs(s.dir, 2)) out.push_back(Xapian::Database(d.string()).get_revision());
        return out;
    };
    depeche::Searcher remote(s.remote_stub.string());
    depeche::SearchRequest req;
    req.limit = 10;
    req.facets = true;
    req.snippet.length = 0;
    req.query = "la";
    const std::size_t before = remote.search(req).total;
    CHECK(remote.search(req).total == before);  // the second builds the facet columns
    const std::vector<Xapian::rev> revisions_before = revisions();
    index_paths(s.dir.string(), {corpus + "/markdown"}, "--full --shards 2");
    // The case this test is about: other databases at the same revision numbers.
    REQUIRE(revisions() == revisions_before);
    remote.reopen();
    depeche::Searcher reference(one);
    for (const char* q : {"la", "Macron", "personne:Macron", "Trump", "\"Notre-Dame\""}) {
        INFO(q);
        req.query = q;
        const depeche::SearchResult want = reference.search(req), got = remote.search(req);
        std::vector<std::string> got_ids, want_ids;
        for (const auto& h : got.hits) got_ids.push_back(h.id);
        for (const auto& h : want.hits) want_ids.push_back(h.id);
        CHECK(got_ids == want_ids);
        check_same_facets(got, want);
    }
}

// Searchers of one process over the same remote shards (the workers of --http): Xapian
// 1.4 tells no remote revision, so each reads its own facet columns and people, and keeps
// another's equal copy instead; once the shards differ, each keeps what it read.
TEST_CASE("shards: searchers over remote shards share equal facet columns and people, not different ones", "[shards]") {
    NEED_TCPSRV();
    TempDir tmp;
    const std::string corpus = kCorpus;
    const std::string one = (tmp.path / "one").string();
    index_paths(one, {corpus + "/json"});
    Sharded s(tmp.path / "sharded", 3);
    index_paths(s.dir.string(), {corpus + "/json"}, "--shards 3");
    s.serve();
    depeche::SearchRequest req;
    req.limit = 10;
    req.facets = true;
    req.snippet.length = 0;
    auto check_like = [&](depeche::Searcher& got_from, const std::string& reference_db) {
        depeche::Searcher reference(reference_db);
        for (const char* q : {"la", "personne:Macron", "Trump"}) {
            INFO(q);
            req.query = q;
            const depeche::SearchResult want = reference.search(req), got = got_from.search(req);
            check_same_facets(got, want);
        }
    };
    using depeche::FacetColumns;
    using depeche::PeopleResolver;
    using depeche::SharedByKey;
    REQUIRE(SharedByKey<FacetColumns>::live() == 0);
    REQUIRE(SharedByKey<PeopleResolver>::live() == 0);
    depeche::Searcher a(s.remote_stub.string()), b(s.remote_stub.string());
    for (depeche::Searcher* searcher : {&a, &b}) {
        check_like(*searcher, one);
        check_like(*searcher, one);  // from the columns read by the first round's second query
    }
    CHECK(SharedByKey<FacetColumns>::live() == 1);
    CHECK(SharedByKey<PeopleResolver>::live() == 1);
    // New articles: `a` reads the new shards, `b` still answers from the old ones.
    index_paths(s.dir.string(), {corpus + "/markdown"});
    index_paths(one, {corpus + "/markdown"});
    a.reopen();
    check_like(a, one);
    CHECK(SharedByKey<FacetColumns>::live() == 2);
    CHECK(SharedByKey<PeopleResolver>::live() == 2);
    b.reopen();
    check_like(b, one);
    CHECK(SharedByKey<FacetColumns>::live() == 1);
    CHECK(SharedByKey<PeopleResolver>::live() == 1);
}

// ---------------------------------------------------------------------------------------
// Year partitions (depeche-index --partition year): one shard per publication year, and
// shard-00 for the articles without a date.

namespace {

// The periods a year-partitioned index records, shard by shard (its lexicon's record:
// "N INDEX-ID year P0,P1,...").
std::vector<std::string> periods_of(const fs::path& partitioned) {
    const std::string record = Xapian::Database((partitioned / "lexicon").string()).get_metadata("depeche.shards");
    INFO(record);
    std::istringstream in(record);
    std::string n, id, kind, list;
    in >> n >> id >> kind >> list;
    REQUIRE(kind == "year");
    std::vector<std::string> out;
    std::stringstream items(list);
    for (std::string p; std::getline(items, p, ',');) out.push_back(p);
    REQUIRE(out.size() == std::stoul(n));
    return out;
}

// Checks that every article of a year-partitioned index is in the shard of its
// publication year (the year of its date slot), the undated ones in shard-00, each
// once; returns the shard of each article.
std::map<std::string, std::size_t> year_shard_of_ids(const fs::path& partitioned) {
    const std::vector<std::string> periods = periods_of(partitioned);
    REQUIRE(periods[0] == "undated");
    std::map<std::string, std::size_t> out;
    const auto dirs = shard_dirs(partitioned, periods.size());
    for (std::size_t k = 0; k < periods.size(); ++k) {
        Xapian::Database x(dirs[k].string());
        for (auto t = x.allterms_begin("Q"); t != x.allterms_end("Q"); ++t) {
            const std::string id = (*t).substr(1);
            INFO("article " << id << " in shard " << k << " [" << periods[k] << "]");
            CHECK(out.emplace(id, k).second);  // in one shard only
            const std::string date = x.get_document(*x.postlist_begin(*t)).get_value(depeche::schema::kSlotDate);
            CHECK((date.empty() ? std::string("undated") : date.substr(0, 4)) == periods[k]);
        }
    }
    return out;
}

json stats_of(const std::string& db) {
    const RunResult r = run(kSearch + " --db " + shell_quote(db) + " --stats --format json");
    INFO(r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
}

// Articles of several years, one undated, in one JSON Lines file.
std::string years_jsonl() {
    std::string out;
    const std::vector<std::pair<std::string, std::string>> articles{{"an-2003", "2003-02-11"},
                                                                    {"an-2003-bis", "2003-12-31T23:30:00+01:00"},
                                                                    {"an-2011", "2011-07-04"},
                                                                    {"an-2030", "2030-01-01"},
                                                                    {"sans-date", ""}};
    for (const auto& [id, date] : articles) {
        json a{{"id", id},
               {"title", "Chronique de l'année " + (date.empty() ? std::string("inconnue") : date.substr(0, 4))},
               {"body",
                "Le Parlement européen a voté la réforme des retraites, selon Emmanuel Macron. Numéro " + id + "."}};
        if (!date.empty()) a["date"] = date;
        out += a.dump() + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("shards: a year-partitioned index answers every query like one index, locally and remotely",
          "[shards][xapian-check]") {
    TempDir tmp;
    write_file(tmp.path / "extra" / "reposts.jsonl", reposts_jsonl());
    write_file(tmp.path / "extra" / "years.jsonl", years_jsonl());
    const std::vector<std::string> inputs{kCorpus, (tmp.path / "extra").string()};
    const std::string one = (tmp.path / "one").string();
    const RunResult one_summary = index_paths(one, inputs);
    const fs::path dir = tmp.path / "years";
    const RunResult r = index_paths(dir.string(), inputs, "--partition year");
    CHECK(summary_counts(r.out) == summary_counts(one_summary.out));

    // shard-00 undated, then the years in order; every article in its year's shard.
    const std::vector<std::string> periods = periods_of(dir);
    const std::vector<std::string> expected_periods{"undated", "2003", "2011", "2016", "2017", "2018", "2019",
                                                    "2020",    "2021", "2022", "2023", "2024", "2025", "2030"};
    CHECK(periods == expected_periods);
    require_layout(dir, periods.size());
    const auto placement = year_shard_of_ids(dir);
    std::set<std::string> ids;
    for (const auto& [id, k] : placement) ids.insert(id);
    CHECK(ids == ids_in(one));
    CHECK(placement.at("sans-date") == 0);
    CHECK(placement.at("an-2003") == placement.at("an-2003-bis"));  // 23:30 local time, 31 December
    CHECK(periods[placement.at("an-2030")] == "2030");

    // --stats says which shard holds which period, in text and JSON.
    const json st = stats_of(dir.string());
    CHECK(st["partition"] == "year");
    CHECK(st["shards"] == periods.size());
    CHECK(st["articles"] == ids.size());
    REQUIRE(st["shard_list"].size() == periods.size());
    std::size_t sum = 0;
    for (std::size_t k = 0; k < periods.size(); ++k) {
        CHECK(st["shard_list"][k]["period"] == periods[k]);
        CHECK(st["shard_list"][k]["name"] == shard_dirs(dir, periods.size())[k].filename().string());
        sum += st["shard_list"][k]["articles"].get<std::size_t>();
    }
    CHECK(sum == ids.size());
    const json one_stats = stats_of(one);
    CHECK(one_stats["partition"] == "");
    CHECK(one_stats["shard_list"] == json::array());
    const RunResult text = run(kSearch + " --db " + shell_quote(dir.string()) + " --stats");
    CHECK(text.out.find("partition: one shard per year\n") != std::string::npos);
    CHECK(text.out.find("  shard-00 [undated]: " + std::to_string(st["shard_list"][0]["articles"].get<std::size_t>()) +
                        " articles (") != std::string::npos);
    CHECK(text.out.find("  shard-01 [2003]: 2 articles (") != std::string::npos);
    const RunResult check = run(kIndex + " --check --db " + shell_quote(dir.string()));
    INFO(check.out << check.err);
    CHECK(check.status == 0);
    CHECK(check.out.find("  shard-13 [2030]: 1 article\n") != std::string::npos);

    // Every query of the harness, on the folder, its stub and through xapian-tcpsrv.
    Sharded s(dir, periods.size());
    if (!have_tcpsrv()) WARN("remote shards not tested: " << kTcpSrv << " not found (Debian package xapian-tools)");
    s.serve();
    std::vector<std::string> queries = corpus_queries();
    for (const char* q : {"date:2003", "date:2030", "date:..2012", "Chronique", "\"Parlement européen\" -date:2016..",
                          "id:sans-date", "date:2003-12-31"})
        queries.push_back(q);
    std::vector<Case> cases = cases_of(queries, {"--limit 100 --facets"});
    for (const Case& c : cases_of({"Macron", "date:2003..2030", "retraites OR Chronique", "Repris"},
                                  {"--collapse --limit 50", "--sort date --limit 50",
                                   "--offset 3 --limit 5 --sort -date", "--facets --date-interval year --limit 0"}))
        cases.push_back(c);
    const std::size_t with_hits = compare_all(one, s.targets(), cases);
    CHECK(with_hits > cases.size() / 2);
    // Facets by one Searcher per target (the facet columns of shards of very different
    // sizes, counted from their match ids when remote).
    CHECK(compare_library_facets(one, s.targets(), queries) == 2 * 2 * queries.size() * s.targets().size());
    if (!s.remote_stub.empty()) {
        const json remote = stats_of(s.remote_stub.string());
        CHECK(remote["shard_list"][1]["period"] == "2003");
        CHECK(remote["shard_list"][1]["location"] == "remote " + s.servers[1]->address());
    }
}

// Over remote year shards, a commit usually changes one shard: a Searcher kept open reads
// the other shards' facet values again from the columns it has, and their person keys
// from those it read, and fetches that one's.
// The sample corpus as one index and as year shards behind `xapian-tcpsrv`, a Searcher
// kept open over the remote shards, and one more article of 2019 (written to that year's
// shard alone) to add to both.
struct RemoteYears {
    TempDir tmp;
    std::string one = (tmp.path / "one").string();
    fs::path dir = tmp.path / "years";
    std::size_t shards = 0;
    std::unique_ptr<Sharded> sharded;
    std::unique_ptr<depeche::Searcher> remote;
    depeche::SearchRequest req;

    RemoteYears() {
        index_paths(one, {kCorpus});
        index_paths(dir.string(), {kCorpus}, "--partition year");
        shards = periods_of(dir).size();
        REQUIRE(shards > 3);
        sharded = std::make_unique<Sharded>(dir, shards);
        sharded->serve();
        remote = std::make_unique<depeche::Searcher>(sharded->remote_stub.string());
        req.limit = 10;
        req.facets = true;
        req.snippet.length = 0;
    }
    // The remote searcher's facets equal one index's.
    void compare(const char* when) {
        INFO(when);
        depeche::Searcher reference(one);
        for (const char* q : {"la", "personne:Macron", "retraites", "date:2019"}) {
            INFO(q);
            req.query = q;
            check_same_facets(remote->search(req), reference.search(req));
        }
    }
    void add_article() {
        json a{{"id", "ajout-2019"},
               {"date", "2019-06-02"},
               {"title", "Un ajout"},
               {"body", "La réforme des retraites, selon Emmanuel Macron et Angela Merkel."}};
        write_file(tmp.path / "more" / "ajout.jsonl", a.dump() + "\n");
        index_paths(one, {(tmp.path / "more").string()});
        index_paths(dir.string(), {(tmp.path / "more").string()});
    }
};

TEST_CASE("shards: a Searcher over remote year shards fetches again only the facet values of the shards changed",
          "[shards]") {
    NEED_TCPSRV();
    RemoteYears y;
    using depeche::FacetColumns;
    using depeche::PeopleResolver;
    const std::size_t before = FacetColumns::fetches(), keys_before = PeopleResolver::key_reads();
    y.compare("first");
    y.compare("from the columns");
    CHECK(FacetColumns::fetches() - before == y.shards);
    // Person keys: every shard's, the local lexicon's (read each time, as local shards
    // are), and one index's for each comparison's reference searcher.
    CHECK(PeopleResolver::key_reads() - keys_before == y.shards + 1 + 2);
    y.add_article();
    y.remote->reopen();
    const std::size_t after_update = FacetColumns::fetches(), keys_after_update = PeopleResolver::key_reads();
    y.compare("after the update");
    CHECK(FacetColumns::fetches() - after_update == 1);
    CHECK(PeopleResolver::key_reads() - keys_after_update == 1 + 1 + 1);
}

// Searcher::warm() over remote shards: the facet values and person keys fetched ahead
// of the first facet query, which then fetches nothing; after a commit, only the
// changed shard's.
TEST_CASE("shards: Searcher::warm() fetches the facet values and people of remote shards before a query needs them",
          "[shards]") {
    NEED_TCPSRV();
    RemoteYears y;
    using depeche::FacetColumns;
    using depeche::PeopleResolver;
    CHECK_FALSE(y.remote->stats().facets_ready);
    const std::size_t before = FacetColumns::fetches(), keys_before = PeopleResolver::key_reads();
    y.remote->warm();
    CHECK(FacetColumns::fetches() - before == y.shards);
    CHECK(PeopleResolver::key_reads() - keys_before == y.shards + 1);  // and the local lexicon's
    CHECK(y.remote->stats().facets_ready);
    y.compare("warmed");
    CHECK(FacetColumns::fetches() - before == y.shards);
    CHECK(PeopleResolver::key_reads() - keys_before == y.shards + 1 + 1);  // + the reference's
    y.add_article();
    y.remote->reopen();
    CHECK_FALSE(y.remote->stats().facets_ready);
    const std::size_t after_update = FacetColumns::fetches(), keys_after_update = PeopleResolver::key_reads();
    y.remote->warm();
    CHECK(FacetColumns::fetches() - after_update == 1);
    CHECK(PeopleResolver::key_reads() - keys_after_update == 1 + 1);
    CHECK(y.remote->stats().facets_ready);
    y.compare("warmed after the update");
    CHECK(FacetColumns::fetches() - after_update == 1);
    CHECK(PeopleResolver::key_reads() - keys_after_update == 1 + 1 + 1);
}

TEST_CASE("shards: a year-partitioned index updated (new year, moved article, deletion) matches one index",
          "[shards][xapian-check]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in";
    fs::copy(kCorpus, in, fs::copy_options::recursive);
    write_file(in / "extra" / "years.jsonl", years_jsonl());
    const std::string one = (tmp.path / "one").string();
    const fs::path dir = tmp.path / "years";
    index_paths(one, {in.string()});
    index_paths(dir.string(), {in.string()}, "--partition year");
    const std::vector<std::string> before = periods_of(dir);
    REQUIRE(std::find(before.begin(), before.end(), "2031") == before.end());

    // Searchers opened before the updates: a library Searcher on the folder.
    depeche::Searcher opened_before(dir.string());
    depeche::SearchRequest req;
    req.query = "zorglubisme";
    REQUIRE(opened_before.search(req).total == 0);

    // 1. An article of a year without a shard: its shard is added (shard-NN, the stub, the
    // lexicon's record), the other shards keep their numbers.
    write_file(in / "text" / "zorglub.txt",
               "Titre: Le zorglubisme gagne la Manche\nDate: 2031-06-01\nAuteur: Léa Chevalier\n\n"
               "Selon Emmanuel Macron, le zorglubisme est une affaire sérieuse depuis le 15 août 2031.\n");
    const RunResult u1 = index_paths(one, {in.string()});
    const RunResult u2 = index_paths(dir.string(), {in.string()}, "--partition year");  // the same layout: accepted
    CHECK(summary_counts(u2.out) == summary_counts(u1.out));
    std::vector<std::string> after = periods_of(dir);
    REQUIRE(after.size() == before.size() + 1);
    CHECK(std::equal(before.begin(), before.end(), after.begin()));
    CHECK(after.back() == "2031");
    require_layout(dir, after.size());
    const std::string stub = read_file(dir / "shards.stub");
    CHECK(stub.find("auto " + shard_dirs(dir, after.size()).back().filename().string() + "\n") != std::string::npos);
    auto placement = year_shard_of_ids(dir);
    CHECK(stats_of(dir.string())["shard_list"][after.size() - 1]["articles"] == 1);
    {
        std::set<std::string> ids;
        for (const auto& [id, k] : placement) ids.insert(id);
        CHECK(ids == ids_in(one));
    }
    // The Searcher opened before sees the new shard once it reopens.
    opened_before.reopen();
    depeche::SearchResult found = opened_before.search(req);
    REQUIRE(found.total == 1);
    CHECK(found.hits[0].date == "2031-06-01");
    CHECK(opened_before.stats().shard_list.back().period == "2031");

    const std::vector<std::string> queries{"zorglubisme", "date:2031",         "date:2003..2031", "Macron",
                                           "retraites",   "id:an-2011",        "personne:Macron", "auteur:Chevalier",
                                           "zorglub*",    "mentionne:2031-08", "-borne",          "Chronique"};
    Sharded s(dir, after.size());
    s.serve();
    compare_all(one, s.targets(), cases_of(queries, {"--limit 100 --facets", "--collapse --limit 100 --sort date"}));

    // 2. An article whose date moves it to another year: in the new year's shard only.
    {
        std::string jsonl = read_file(in / "extra" / "years.jsonl");
        const std::string from = "\"2011-07-04\"", to = "\"2003-05-05\"";
        REQUIRE(jsonl.find(from) != std::string::npos);
        jsonl.replace(jsonl.find(from), from.size(), to);
        write_file(in / "extra" / "years.jsonl", jsonl);
    }
    // 3. A deletion, and an article moved to a year without a shard by the Writer API.
    fs::remove(in / "json" / "2022-09-14-bouclier-tarifaire.json");
    s.servers.clear();
    index_paths(one, {in.string()});
    index_paths(dir.string(), {in.string()});
    depeche::Article moved;
    moved.id = "sans-date";
    moved.title = "Chronique de l'année 1999";
    moved.date = "1999-03-03";
    moved.body = "Le Parlement européen a voté la réforme des retraites, selon Emmanuel Macron. Daté enfin.";
    for (const std::string& db : {one, dir.string()}) {
        depeche::Writer w(db);
        CHECK(w.add(moved).empty());
        w.commit();
    }
    after = periods_of(dir);
    CHECK(after.back() == "1999");
    placement = year_shard_of_ids(dir);
    CHECK(after[placement.at("an-2011")] == "2003");
    CHECK(after[placement.at("sans-date")] == "1999");
    CHECK(placement.count("depeche-2022-09-14-bouclier-tarifaire") == 0);
    {
        std::set<std::string> ids;
        for (const auto& [id, k] : placement) ids.insert(id);
        CHECK(ids == ids_in(one));
    }
    const json st = stats_of(dir.string());
    const std::size_t k2011 = std::find(after.begin(), after.end(), "2011") - after.begin();
    REQUIRE(k2011 < after.size());
    CHECK(st["shard_list"][k2011]["articles"] == 0);  // its only article moved to 2003
    Sharded s2(dir, after.size());
    s2.serve();
    std::vector<std::string> more = queries;
    for (const char* q : {"date:2011", "date:2003", "date:1999", "id:sans-date", "\"Daté enfin\"",
                          "id:depeche-2022-09-14-bouclier-tarifaire", "bouclier"})
        more.push_back(q);
    compare_all(one, s2.targets(), cases_of(more, {"--limit 100 --facets"}));

    RunResult check = run(kIndex + " --check --db " + shell_quote(dir.string()));
    INFO(check.out << check.err);
    CHECK(check.status == 0);
    CHECK(check.out.find("[1999]: 1 article") != std::string::npos);

    // 4. --compact-cold: the past years written since their compaction (2003, 2011, 2016
    // lost no article... only those changed), one at a time; the results stay the same,
    // and a second run has nothing to do.
    depeche::Searcher before_compaction(dir.string());
    req.query = "Chronique OR zorglubisme";
    req.limit = 100;
    const depeche::SearchResult expected = before_compaction.search(req);
    const RunResult c1 = run(kIndex + " --compact-cold --db " + shell_quote(dir.string()));
    INFO(c1.out << c1.err);
    REQUIRE(c1.status == 0);
    for (const std::string y : {"[2003]", "[2011]", "[2022]", "[1999]"}) {
        INFO(y);
        CHECK(std::regex_search(c1.out, std::regex("(^|\n)compacted shard-[0-9]{2} \\" + y.substr(0, 5) + "\\]\n")));
    }
    CHECK(c1.out.find("[2016]") == std::string::npos);  // not written since the build
    CHECK(c1.out.find("[undated]") == std::string::npos);
    CHECK(c1.out.find("[2031]") == std::string::npos);  // not a past year
    const RunResult c2 = run(kIndex + " --compact-cold --db " + shell_quote(dir.string()));
    INFO(c2.out << c2.err);
    CHECK(c2.status == 0);
    CHECK(c2.out.find("0 shards compacted") != std::string::npos);
    before_compaction.reopen();
    const depeche::SearchResult again = before_compaction.search(req);
    REQUIRE(again.hits.size() == expected.hits.size());
    for (std::size_t i = 0; i < again.hits.size(); ++i) CHECK(again.hits[i].id == expected.hits[i].id);
    Sharded s3(dir, after.size());
    s3.serve();
    compare_all(one, s3.targets(), cases_of(more, {"--limit 100 --facets"}));
    check = run(kIndex + " --check --db " + shell_quote(dir.string()));
    CHECK(check.status == 0);
    // Written again, a compacted year is compacted again by the next run.
    fs::remove(in / "extra" / "years.jsonl");
    index_paths(dir.string(), {in.string()});
    const RunResult c3 = run(kIndex + " --compact-cold --db " + shell_quote(dir.string()));
    INFO(c3.out);
    CHECK(c3.out.find("[2003]") != std::string::npos);
    CHECK(year_shard_of_ids(dir).count("an-2003") == 0);
}

TEST_CASE(
    "shards: a remote stub without a new year's line is exit 3, or answers without that year with "
    "--allow-partial",
    "[shards]") {
    NEED_TCPSRV();
    TempDir tmp;
    const fs::path in = tmp.path / "in", dir = tmp.path / "years";
    auto line = [](const std::string& id, const std::string& date, const std::string& town) {
        return json{{"id", id}, {"date", date}, {"title", "Zorglub à " + town}, {"body", "Le zorglub de " + town + "."}}
                   .dump() +
               "\n";
    };
    write_file(in / "a.jsonl", line("a-2023", "2023-01-02", "Quimper") + line("a-2024", "2024-03-04", "Brest"));
    index_paths(dir.string(), {in.string()}, "--partition year");
    const std::size_t before = periods_of(dir).size();
    Sharded s(dir, before);
    s.serve();
    const std::string stub = s.remote_stub.string();
    depeche::Searcher opened_before(stub);
    depeche::SearchRequest req;
    req.query = "zorglub";
    REQUIRE(opened_before.search(req).total == 2);

    // A year without a shard: the index gets one; the remote stub does not list it yet.
    write_file(in / "b.jsonl", line("b-2019", "2019-05-06", "Lorient"));
    index_paths(dir.string(), {in.string()});
    REQUIRE(periods_of(dir).size() == before + 1);
    const std::string unlisted =
        "shard-" + std::string(before < 10 ? "0" : "") + std::to_string(before) + " [2019] (not in " + stub + ")";

    // Without --allow-partial: exit 3 and the stub named, as before.
    const RunResult refused = run(kSearch + " --db " + shell_quote(stub) + " zorglub");
    INFO(refused.err);
    CHECK(refused.status == 3);
    CHECK(refused.err == "depeche-search: " + stub + " lists " + std::to_string(before) + " shards, the index of " +
                             (dir / "lexicon").string() + " has " + std::to_string(before + 1) +
                             " (one per year: a year's shard was added, give the stub its line)\n");
    // With it: the listed years answer, and the new one is named as missing.
    const Outcome partial = search(stub, "--allow-partial --limit 10", "zorglub");
    INFO(partial.err);
    REQUIRE(partial.status == 0);
    CHECK(partial.j["partial"] == true);
    CHECK(partial.j["missing_shards"] == json::array({unlisted}));
    CHECK(hit_ids(partial.j) == std::vector<std::string>{"a-2024", "a-2023"});
    CHECK(partial.j["total"] == 2);
    // The complete answer through the index's own stub.
    const Outcome complete = search((dir / "shards.stub").string(), "--limit 10", "zorglub");
    REQUIRE(complete.status == 0);
    CHECK(hit_ids(complete.j) == std::vector<std::string>{"a-2024", "a-2023", "b-2019"});

    // A Searcher opened before the new year: the same once it reopens.
    opened_before.reopen();
    req.allow_partial = false;
    CHECK_THROWS_AS(opened_before.search(req), depeche::IndexIncompatibleError);
    req.allow_partial = true;
    depeche::SearchResult r;
    REQUIRE_NOTHROW(r = opened_before.search(req));
    CHECK(r.partial);
    CHECK(r.missing_shards == std::vector<std::string>{unlisted});
    CHECK(r.total == 2);

    // The stub given its line: complete again.
    write_file(stub, read_file(stub) + "auto " + shard_dirs(dir, before + 1).back().string() + "\n");
    const Outcome fixed = search(stub, "--limit 10", "zorglub");
    INFO(fixed.err);
    REQUIRE(fixed.status == 0);
    CHECK(fixed.j["partial"] == false);
    CHECK(hit_ids(fixed.j) == std::vector<std::string>{"a-2024", "a-2023", "b-2019"});
    // The Searcher opened before reads the stub again (at most every 2 s) and opens the
    // index again from it.
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    req.allow_partial = false;
    REQUIRE_NOTHROW(r = opened_before.search(req));
    CHECK_FALSE(r.partial);
    CHECK(r.missing_shards.empty());
    CHECK(r.total == 3);
}

TEST_CASE("shards: --check names a damaged or foreign year shard, and an interrupted shard addition still opens",
          "[shards][xapian-check]") {
    TempDir tmp;
    const fs::path good = tmp.path / "good";
    index_paths(good.string(), {kCorpus}, "--partition year");
    const std::vector<std::string> periods = periods_of(good);
    REQUIRE(periods.size() >= 4);
    const std::string label2 = "shard-02 [" + periods[2] + "]", label3 = "shard-03 [" + periods[3] + "]";

    // Two year shards exchanged: each records another period than the lexicon gives it.
    {
        const fs::path bad = tmp.path / "swapped";
        fs::copy(good, bad, fs::copy_options::recursive);
        fs::rename(bad / "shard-02", bad / "tmp");
        fs::rename(bad / "shard-03", bad / "shard-02");
        fs::rename(bad / "tmp", bad / "shard-03");
        const RunResult r = run(kSearch + " --db " + shell_quote(bad.string()) + " --format json Macron");
        INFO(r.err);
        CHECK(r.status == 3);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.err.find(label2) != std::string::npos);
        const RunResult check = run(kIndex + " --check --db " + shell_quote(bad.string()));
        INFO(check.out << check.err);
        CHECK(check.status == 3);
        CHECK(check.err.find(label2 + ": not shard 2 of this index") != std::string::npos);
        CHECK(check.err.find(label3 + ": not shard 3 of this index") != std::string::npos);
        const RunResult w = run(kIndex + " --quiet --db " + shell_quote(bad.string()) + " " + shell_quote(kCorpus));
        CHECK(w.status == 3);
        CHECK(w.err.find(label2) != std::string::npos);
    }
    // A damaged year shard: its postlist table cut short.
    {
        const fs::path bad = tmp.path / "damaged";
        fs::copy(good, bad, fs::copy_options::recursive);
        const fs::path table = bad / "shard-03" / "postlist.glass";
        REQUIRE(fs::file_size(table) >= 8192);
        fs::resize_file(table, fs::file_size(table) / 2);
        const RunResult check = run(kIndex + " --check --db " + shell_quote(bad.string()));
        INFO(check.out << check.err);
        CHECK(check.status == 3);
        CHECK(check.err.find("depeche-index: index " + bad.string() + ": " + label3 + ": ") != std::string::npos);
        CHECK(check.out.find("DAMAGED") != std::string::npos);
    }
    // A year's shard being added when depeche-index stopped after the stub: the stub
    // lists one more shard than the lexicon. Searches answer from the recorded shards,
    // --check says so without calling it damage, the next run rewrites the stub.
    {
        const fs::path cut = tmp.path / "cut";
        fs::copy(good, cut, fs::copy_options::recursive);
        char extra[16];
        std::snprintf(extra, sizeof extra, "shard-%02zu", periods.size());
        fs::create_directories(cut / extra);
        Xapian::WritableDatabase((cut / extra).string(), Xapian::DB_CREATE).commit();
        write_file(cut / "shards.stub", read_file(cut / "shards.stub") + "auto " + extra + "\n");
        const Outcome o = search(cut.string(), "--limit 100", "Macron");
        INFO(o.err);
        REQUIRE(o.status == 0);
        CHECK(hit_ids(o.j) == hit_ids(search(good.string(), "--limit 100", "Macron").j));
        const RunResult check = run(kIndex + " --check --db " + shell_quote(cut.string()));
        INFO(check.out << check.err);
        CHECK(check.status == 0);
        CHECK(check.out.find("shards.stub lists 1 shard(s) more than the index records") != std::string::npos);
        write_file(tmp.path / "new" / "a.txt", "Titre: Neuf\nDate: 2024-02-02\n\nUn article de plus sur Macron.\n");
        index_paths(cut.string(), {(tmp.path / "new").string()});
        CHECK(read_file(cut / "shards.stub").find(std::string("auto ") + extra) == std::string::npos);
        const RunResult again = run(kIndex + " --check --db " + shell_quote(cut.string()));
        CHECK(again.status == 0);
        CHECK(again.out.find("more than the index records") == std::string::npos);
    }
}

TEST_CASE("shards: --partition is refused with --shards, with another period, and as a layout change without --full",
          "[shards]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    RunResult r =
        run(kIndex + " --quiet --db " + shell_quote(db) + " --shards 2 --partition year " + shell_quote(kCorpus));
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("--shards and --partition cannot be combined") != std::string::npos);
    CHECK_FALSE(fs::exists(db));
    r = run(kIndex + " --quiet --db " + shell_quote(db) + " --partition month " + shell_quote(kCorpus));
    CHECK(r.status == 2);
    CHECK(r.err.find("--partition must be 'year'") != std::string::npos);
    depeche::WriterOptions both;
    both.shards = 2;
    both.partition = "year";
    CHECK_THROWS_WITH(depeche::Writer(db, both), Catch::Contains("cannot be combined"));

    // Hash shards to years, years to hash shards, one database to years: --full needed.
    const std::string hashed = (tmp.path / "hashed").string(), years = (tmp.path / "years").string(),
                      single = (tmp.path / "single").string();
    index_paths(hashed, {kCorpus}, "--shards 2");
    index_paths(years, {kCorpus}, "--partition year");
    index_paths(single, {kCorpus});
    for (const auto& [dbdir, option, wanted] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {hashed, "--partition year", "--full --partition year"},
             {years, "--shards 3", "--full --shards 3"},
             {single, "--partition year", "--full --partition year"}}) {
        r = run(kIndex + " --quiet --db " + shell_quote(dbdir) + " " + option + " " + shell_quote(kCorpus));
        INFO(dbdir << " " << option << "\n" << r.err);
        CHECK(r.status == 3);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.err.find("needs a rebuild: depeche-index " + wanted + " --db " + dbdir) != std::string::npos);
    }
    // Later runs keep the layout; --full without --partition rebuilds it by year again.
    index_paths(years, {kCorpus});
    index_paths(years, {kCorpus}, "--full");
    CHECK(periods_of(years).size() == stats_of(years)["shards"].get<std::size_t>());
    CHECK(stats_of(years)["partition"] == "year");
    // --full --shards turns it into hash shards; --compact-cold refuses those.
    index_paths(years, {kCorpus}, "--full --shards 2");
    CHECK(stats_of(years)["partition"] == "");
    r = run(kIndex + " --compact-cold --db " + shell_quote(years));
    CHECK(r.status == 3);
    CHECK(r.err.find("not one per year") != std::string::npos);
    r = run(kIndex + " --compact-cold --db " + shell_quote(years) + " " + shell_quote(kCorpus));
    CHECK(r.status == 2);
}
