// Incremental indexing, several folders feeding one index, rebuilds, and SIGKILL at
// arbitrary moments: the index always opens, and re-running completes the job.
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <future>
#include <regex>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;

namespace {

std::string article_json(const std::string& id, const std::string& title, const std::string& body) {
    return nlohmann::json{{"id", id}, {"title", title}, {"date", "2024-05-01"}, {"body", body}}.dump();
}

// A JSONL file of n articles with ids prefix-0..n-1.
void write_jsonl(const fs::path& p, const std::string& prefix, std::size_t n, const std::string& word = "marché") {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += article_json(prefix + "-" + std::to_string(i), "Dépêche " + std::to_string(i),
                            "Le " + word + " de l'énergie évolue, selon l'Autorité numéro " + std::to_string(i) + ".") +
               "\n";
    write_file(p, out);
}

std::size_t count(const std::string& db, const std::string& query = "") {
    Searcher s(db);
    if (query.empty()) return s.stats().articles;
    SearchRequest r;
    r.query = query;
    r.limit = 0;
    r.exact_total = true;
    return s.search(r).total;
}

IndexSummary index(const std::string& db, const std::vector<std::string>& paths, bool full = false) {
    WriterOptions o;
    o.overwrite = full;
    Writer w(db, o);
    return w.index_paths(paths);
}

// After an indexer was killed: Xapian's lock is held by a helper process that exits
// just after the indexer dies. Waits (at most 10 s) until the index can be written.
void wait_for_lock_release(const std::string& db) {
    for (int i = 0; i < 100; ++i) {
        try {
            Writer probe(db);
            return;
        } catch (const IndexLockedError&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } catch (const Error&) { return; }
    }
}

}  // namespace

TEST_CASE("incremental: unchanged files are skipped, changed ones re-read, vanished ones removed", "[incremental]") {
    TempDir tmp;
    std::string db = (tmp.path / "db").string();
    fs::path a = tmp.path / "a", b = tmp.path / "b";
    write_jsonl(a / "feed.jsonl", "a", 10);
    write_file(a / "note.txt", "Titre: Une note\nDate: 2024-05-02\n\nLe marché de l'énergie reste calme.\n");
    write_jsonl(b / "other.jsonl", "b", 5);

    IndexSummary first = index(db, {a.string(), b.string()});
    CHECK(first.files_added == 3);
    CHECK(first.articles == 16);
    CHECK(count(db) == 16);

    IndexSummary second = index(db, {a.string(), b.string()});
    CHECK(second.files_unchanged == 3);
    CHECK(second.articles == 0);
    CHECK(count(db) == 16);

    // A JSONL file loses lines and changes one: the lost articles disappear.
    write_jsonl(a / "feed.jsonl", "a", 6, "prix");
    IndexSummary third = index(db, {a.string()});
    CHECK(third.files_updated == 1);
    CHECK(third.files_unchanged == 1);
    CHECK(third.articles == 6);
    CHECK(third.articles_removed == 4);
    CHECK(count(db) == 12);
    CHECK(count(db, "prix") == 6);

    // Same content, new modification time: the hash says unchanged.
    auto t = fs::last_write_time(a / "note.txt");
    fs::last_write_time(a / "note.txt", t + std::chrono::seconds(5));
    IndexSummary touched = index(db, {a.string()});
    CHECK(touched.files_unchanged == 2);
    CHECK(touched.articles == 0);

    // A file removed from folder a: its article goes; folder b's articles stay.
    fs::remove(a / "note.txt");
    IndexSummary fourth = index(db, {a.string()});
    CHECK(fourth.files_removed == 1);
    CHECK(fourth.articles_removed == 1);
    CHECK(count(db) == 11);
    CHECK(count(db, "id:b-4") == 1);

    // Indexing only folder b does not remove folder a's articles.
    IndexSummary fifth = index(db, {b.string()});
    CHECK(fifth.files_removed == 0);
    CHECK(count(db) == 11);

    // --full rebuilds from what is given now.
    IndexSummary full = index(db, {b.string()}, true);
    CHECK(full.articles == 5);
    CHECK(count(db) == 5);
}

TEST_CASE("incremental: the same article twice keeps one copy, the last one read", "[incremental]") {
    TempDir tmp;
    std::string db = (tmp.path / "db").string();
    write_file(tmp.path / "in/1.jsonl", article_json("x", "Première version", "ancien texte") + "\n" +
                                            article_json("x", "Seconde version", "nouveau texte") + "\n");
    index(db, {(tmp.path / "in").string()});
    CHECK(count(db) == 1);
    CHECK(count(db, "nouveau") == 1);
    CHECK(count(db, "ancien") == 0);
    // The same through the update path (the index is not empty now).
    write_file(tmp.path / "in/2.jsonl", article_json("y", "Autre", "encore un ancien texte") + "\n" +
                                            article_json("y", "Autre", "un texte récent") + "\n");
    index(db, {(tmp.path / "in").string()});
    CHECK(count(db) == 2);
    CHECK(count(db, "récent") == 1);
    CHECK(count(db, "ancien") == 0);
}

TEST_CASE("incremental: a second writer gets a clear locked error", "[incremental]") {
    TempDir tmp;
    std::string db = (tmp.path / "db").string();
    Writer first(db);
    try {
        Writer second(db);
        FAIL("a second writer opened the index");
    } catch (const IndexLockedError& e) {
        CHECK(std::string(e.what()).find("being written by another process") != std::string::npos);
    }
    RunResult r = run(std::string(DEPECHE_INDEX_BIN) + " --db " + shell_quote(db) + " " +
                      shell_quote(std::string(DEPECHE_SOURCE_DIR) + "/tests/data"));
    CHECK(r.status == 3);
    CHECK(r.err.find("is being written by another process") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

// Kills depeche-index with SIGKILL after various delays, on a first build and on an
// update; the index must open (with what the last commit held) and a re-run must end
// with exactly the right number of articles.
TEST_CASE("incremental: SIGKILL at any moment loses nothing committed", "[incremental][kill]") {
    TempDir tmp;
    fs::path in = tmp.path / "in";
    for (int f = 0; f < 12; ++f) write_jsonl(in / ("f" + std::to_string(f) + ".jsonl"), "f" + std::to_string(f), 400);
    const std::size_t total = 12 * 400;
    const std::string index_cmd = std::string(DEPECHE_INDEX_BIN) + " --quiet --batch-size 200 --db ";

    for (int delay_ms : {20, 150, 400, 900}) {
        INFO("kill after " << delay_ms << " ms");
        std::string db = (tmp.path / ("db" + std::to_string(delay_ms))).string();
        for (bool update : {false, true}) {
            if (update) {
                // Second round: the index holds the first half; kill while adding the rest.
                for (int f = 12; f < 18; ++f)
                    write_jsonl(in / ("f" + std::to_string(f) + ".jsonl"), "f" + std::to_string(f), 400);
            }
            pid_t pid = fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                int devnull = ::open("/dev/null", O_WRONLY);
                ::dup2(devnull, 1);
                ::dup2(devnull, 2);
                execl(DEPECHE_INDEX_BIN, DEPECHE_INDEX_BIN, "--quiet", "--batch-size", "200", "--db", db.c_str(),
                      in.c_str(), static_cast<char*>(nullptr));
                _exit(127);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
            ::kill(pid, SIGKILL);
            int st = 0;
            waitpid(pid, &st, 0);
            wait_for_lock_release(db);
            // Whatever the moment, the index (if there is one yet) opens and answers.
            if (fs::exists(fs::path(db) / "iamglass")) {
                Searcher s(db);
                SearchRequest r;
                r.query = "marché";
                r.limit = 5;
                CHECK_NOTHROW(s.search(r));
            }
            RunResult again = run(index_cmd + shell_quote(db) + " " + shell_quote(in.string()));
            INFO(again.err);
            CHECK(again.status == 0);
            CHECK(count(db) == (update ? total + 6 * 400 : total));
        }
        for (int f = 12; f < 18; ++f) fs::remove(in / ("f" + std::to_string(f) + ".jsonl"));
    }
}

// A changed file is read again while searchers read the index: each commit made
// meanwhile (every --batch-size articles) shows every article, old or new version.
TEST_CASE("incremental: searchers never see a changed file's articles missing while it is read again",
          "[incremental]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    const fs::path feed = tmp.path / "in" / "feed.jsonl";
    write_jsonl(feed, "a", 2000);
    index(db, {(tmp.path / "in").string()});
    REQUIRE(count(db) == 2000);
    // Every article changed ("prix" for "marché"), the last 100 dropped.
    write_jsonl(feed, "a", 1900, "prix");
    auto update = std::async(std::launch::async, [&] {
        WriterOptions o;
        o.batch_size = 50;
        Writer w(db, o);
        return w.index_paths({(tmp.path / "in").string()});
    });
    Searcher s(db);
    std::size_t least = 2000, most = 0, mixed = 0;
    for (;;) {
        const bool last = update.wait_for(std::chrono::milliseconds(5)) == std::future_status::ready;
        s.reopen();
        SearchRequest changed;
        changed.limit = 0;
        changed.exact_total = true;
        changed.query = "prix";
        const std::size_t n = s.stats().articles, now_changed = s.search(changed).total;
        // 2000 until the last commit, which deletes the 100 dropped articles.
        least = std::min(least, n);
        most = std::max(most, n);
        if (now_changed > 0 && now_changed < 1900) ++mixed;
        if (last) break;
    }
    const IndexSummary summary = update.get();
    CHECK(summary.articles == 1900);
    CHECK(summary.articles_removed == 100);
    CHECK(least >= 1900);
    CHECK(most == 2000);
    CHECK(mixed > 0);  // commits made while the file was read were seen
    CHECK(count(db) == 1900);
    CHECK(count(db, "prix") == 1900);
    CHECK(count(db, "marché") == 0);
}

TEST_CASE("incremental: a half-created index is recovered, a foreign folder is refused", "[incremental]") {
    TempDir tmp;
    fs::path in = tmp.path / "in";
    write_jsonl(in / "a.jsonl", "a", 3);
    // Killed before Xapian wrote its version file: only Xapian's files are there.
    fs::path half = tmp.path / "half";
    write_file(half / "flintlock", "");
    write_file(half / "postlist.glass", std::string(8192, '\0'));
    CHECK(index(half.string(), {in.string()}).articles == 3);
    CHECK(count(half.string()) == 3);
    // A folder with other files is never used (a rebuild would swap it away).
    fs::path foreign = tmp.path / "foreign";
    write_file(foreign / "notes.txt", "mes notes");
    CHECK_THROWS_AS(index(foreign.string(), {in.string()}), IoError);
    CHECK(fs::exists(foreign / "notes.txt"));
    CHECK(!fs::exists(foreign / "iamglass"));
}

namespace {

// Files done in the last progress line on the terminal ("\r12/40 files, ..."), 0 if none.
std::size_t files_done(const std::string& screen) {
    static const std::regex line("\r([0-9]+)/[0-9]+ files?, ");
    std::size_t done = 0;
    for (std::sregex_iterator it(screen.begin(), screen.end(), line), end; it != end; ++it)
        done = std::stoul((*it)[1].str());
    return done;
}

// N in "[interrupted: ]indexed N articles from ..." (the summary line), or -1.
long summary_articles(const std::string& out) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("^(interrupted: )?indexed ([0-9]+) articles? from "))) return -1;
    return std::stol(m[2].str());
}

// Index folders being built next to `dir`'s indexes (.NAME.build-PID).
std::size_t build_folders(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".build-") != std::string::npos) ++n;
    return n;
}

}  // namespace

// Ctrl-C typed on the terminal depeche-index runs on (a pseudo-terminal), part-way
// through a first build and through an update: the first one stops after the current
// article and commits what was done (exit status 130), a second one quits at once
// (130, the index as last committed). The index always opens, and running the same
// command again completes it with exactly the right number of articles.
TEST_CASE("incremental: Ctrl-C commits what was done, a second Ctrl-C aborts without harm",
          "[incremental][interrupt]") {
    TempDir tmp;
    fs::path in = tmp.path / "in";
    constexpr std::size_t kFiles = 40, kPerFile = 250, kTotal = kFiles * kPerFile;
    auto add_files = [&](const std::string& prefix) {
        for (std::size_t f = 0; f < kFiles; ++f) {
            std::string name = prefix + (f < 10 ? "0" : "") + std::to_string(f);
            write_jsonl(in / (name + ".jsonl"), name, kPerFile);
        }
    };
    add_files("a");
    const fs::path out_file = tmp.path / "stdout";
    // depeche-index on the terminal (its summary line goes to out_file), until it shows
    // `after` files done; then Ctrl-C, and another one once it says it is stopping if
    // `twice`. Returns its exit status.
    auto interrupt = [&](const std::string& db, std::size_t after, bool twice, std::string& screen) {
        PtyProcess p({DEPECHE_INDEX_BIN, "--batch-size", "200", "--db", db, in.string()}, {{1, out_file.string()}});
        REQUIRE(p.started());
        bool reached = p.read_until([&](const std::string& s) { return files_done(s) >= after; }, 120);
        INFO(p.output());
        REQUIRE(reached);
        p.type("\x03");
        if (twice) {
            REQUIRE(p.read_until([](const std::string& s) { return s.find("Ctrl-C again") != std::string::npos; }, 30));
            p.type("\x03");
        }
        int status = p.wait();
        screen = p.output();
        wait_for_lock_release(db);
        return status;
    };
    auto rerun = [&](const std::string& db, std::size_t expected) {
        RunResult r =
            run(std::string(DEPECHE_INDEX_BIN) + " --quiet --db " + shell_quote(db) + " " + shell_quote(in.string()));
        INFO(r.out << r.err);
        CHECK(r.status == 0);
        CHECK(count(db) == expected);
        return r;
    };

    // One Ctrl-C once 3 more files are shown as done, `before` articles being indexed
    // already: what was read until then (at least those 3 files) is committed, not all.
    auto interrupt_once = [&](const std::string& db, std::size_t before) {
        std::string screen;
        CHECK(interrupt(db, before / kPerFile + 3, false, screen) == 130);
        INFO(screen);
        CHECK(screen.find("depeche-index: interrupted, committing what was done (Ctrl-C again to quit at once)") !=
              std::string::npos);
        std::string out = read_file(out_file);
        CHECK(out.rfind("interrupted: indexed ", 0) == 0);
        std::size_t n = count(db);
        CHECK(n >= before + 3 * kPerFile);
        CHECK(n < before + kTotal);
        CHECK(summary_articles(out) == static_cast<long>(n - before));
    };

    SECTION("once during a first build, then once during an update") {
        std::string db = (tmp.path / "db").string();
        interrupt_once(db, 0);
        // Files read to the end are not read again; the one cut short is.
        RunResult again = rerun(db, kTotal);
        std::smatch m;
        REQUIRE(std::regex_search(
            again.out, m, std::regex(R"(\(([0-9]+) added, 0 updated, ([0-9]+) unchanged, 0 removed, 0 failed\))")));
        CHECK(std::stoul(m[1].str()) + std::stoul(m[2].str()) == kFiles);
        CHECK(std::stoul(m[2].str()) >= 3);

        // An update: 40 new files.
        add_files("b");
        interrupt_once(db, kTotal);
        rerun(db, 2 * kTotal);
        CHECK(build_folders(tmp.path) == 0);
    }

    SECTION("twice during a first build") {
        std::string db = (tmp.path / "db2").string();
        std::string screen;
        CHECK(interrupt(db, 3, true, screen) == 130);
        INFO(screen);
        CHECK(screen.find("depeche-index: aborted; the index keeps its last commit") != std::string::npos);
        CHECK(read_file(out_file).empty());  // quit before the summary: the second Ctrl-C did it
        // The new index was never swapped in: the index opens, as it was created, empty.
        CHECK(count(db) == 0);
        rerun(db, kTotal);
        CHECK(build_folders(tmp.path) == 0);  // the aborted build's folder is cleaned up
    }
}

// A write that fails part-way (a full disk, here a file size limit: RLIMIT_FSIZE, which
// works as root too) is reported as such, exit status 3, not as damage; the index keeps
// its last commit, and a run without the limit completes the job.
TEST_CASE("incremental: a failed write is reported, the index keeps its last commit", "[incremental][xapian-check]") {
    TempDir tmp;
    std::string db = (tmp.path / "db").string();
    RunResult first = run(std::string(DEPECHE_INDEX_BIN) + " --quiet --db " + shell_quote(db) + " " +
                          shell_quote(std::string(DEPECHE_SOURCE_DIR) + "/tests/data"));
    REQUIRE(first.status == 0);
    std::uintmax_t largest = 0;
    for (const auto& e : fs::directory_iterator(db)) largest = std::max(largest, e.file_size());
    // 1,000 articles of 200 distinct words each: the tables must grow well past the limit.
    std::string lines;
    for (int i = 0; i < 1000; ++i) {
        std::string body;
        for (int w = 0; w < 200; ++w) body += "mot" + std::to_string(i * 200 + w) + " ";
        lines += article_json("big-" + std::to_string(i), "Titre " + std::to_string(i), body) + "\n";
    }
    write_file(tmp.path / "in" / "big.jsonl", lines);
    const std::string in = (tmp.path / "in").string(), out = (tmp.path / "out").string(),
                      err = (tmp.path / "err").string();

    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        rlimit limit{largest + 200000, largest + 200000};
        setrlimit(RLIMIT_FSIZE, &limit);
        signal(SIGXFSZ, SIG_IGN);  // write(2) then fails with EFBIG instead of killing
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
            e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        execl(DEPECHE_INDEX_BIN, DEPECHE_INDEX_BIN, "--quiet", "--batch-size", "100", "--db", db.c_str(), in.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    std::string message = read_file(err);
    INFO(message);
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 3);
    CHECK(std::count(message.begin(), message.end(), '\n') == 1);
    // The cause first, then what failed.
    CHECK(message.rfind(
              "depeche-index: File too large: cannot write index " + db + " (DatabaseError: Error writing block", 0) ==
          0);
    CHECK(message.find("it keeps its last commit") != std::string::npos);
    CHECK(message.find("damaged") == std::string::npos);
    CHECK(read_file(out).empty());
    wait_for_lock_release(db);
    // The index is sound and holds its last commit: the 11 first articles, maybe some
    // batches of the new ones, never part of a batch.
    CHECK(check_index(db).ok());
    std::size_t n = count(db);
    CHECK(n >= 11);
    CHECK((n - 11) % 100 == 0);
    RunResult again = run(std::string(DEPECHE_INDEX_BIN) + " --quiet --db " + shell_quote(db) + " " + shell_quote(in));
    INFO(again.err);
    CHECK(again.status == 0);
    CHECK(count(db) == 11 + 1000);
}

TEST_CASE("incremental: a first build keeps the last copy of a repeated id, within a batch or across batches",
          "[incremental][xapian-check]") {
    TempDir tmp;
    const fs::path in = tmp.path / "a.jsonl";
    std::string lines;
    // 120 articles; "dup" comes back at lines 3 (same batch of 7 as line 1), 50 and 119
    // (later, committed batches), "twice" at lines 10 and 90.
    for (int k = 1; k <= 120; ++k) {
        std::string id = "a" + std::to_string(k);
        if (k == 1 || k == 3 || k == 50 || k == 119) id = "dup";
        if (k == 10 || k == 90) id = "twice";
        lines += "{\"id\": \"" + id + "\", \"title\": \"copie " + std::to_string(k) + "\", \"body\": \"texte numéro " +
                 std::to_string(k) + "\"}\n";
    }
    write_file(in, lines);
    for (std::size_t threads : {1, 2}) {
        INFO("threads " << threads);
        const fs::path db = tmp.path / ("db" + std::to_string(threads));
        WriterOptions o;
        o.batch_size = 7;
        o.threads = threads;
        {
            Writer w(db.string(), o);
            CHECK(w.index_paths({in.string()}).articles == 120);
        }
        Searcher s(db.string());
        SearchRequest req;
        req.exact_total = true;
        req.limit = 200;
        req.query = "texte";
        CHECK(s.search(req).total == 120 - 3 - 1);
        for (const auto& [id, title] :
             {std::pair<std::string, std::string>{"dup", "copie 119"}, {"twice", "copie 90"}}) {
            req.query = "id:" + id;
            SearchResult r = s.search(req);
            REQUIRE(r.total == 1);
            CHECK(r.hits[0].title == title);
        }
        CHECK(check_index(db.string()).ok());
    }
}
