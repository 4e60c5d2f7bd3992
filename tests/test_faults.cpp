// The faults a server meets (issue 13), each reproduced on a small index: requests built
// to hurt --serve, prefixes that expand without end, writers racing a rebuild's swap,
// searches during back-to-back commits, odd --db spellings, a full disk (through
// tests/fault_shim.cpp, LD_PRELOAD'ed), damaged and unreadable indexes, symbolic links.
#include "test_support.hpp"

#include "searcher/request_limits.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <thread>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kShim = DEPECHE_FAULT_SHIM;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// The shim comes before the sanitizer runtime in the sanitizer build: ASan must not
// insist on being first.
std::string with_shim(const std::string& env) {
    return "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:verify_asan_link_order=0\" LD_PRELOAD=" + shell_quote(kShim) + " " + env +
           " ";
}

std::string index_cmd(const std::string& db, const std::string& args) {
    return kIndex + " --quiet --db " + shell_quote(db) + " " + args;
}

// Response lines of depeche-search --serve for the request lines in `input`.
std::vector<json> serve(const std::string& db, const std::string& input) {
    TempDir tmp;
    write_file(tmp.path / "requests", input);
    RunResult r =
        run(kSearch + " --serve --db " + shell_quote(db) + " < " + shell_quote((tmp.path / "requests").string()));
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
}

}  // namespace

// ---- Hostile requests -------------------------------------------------------------------

TEST_CASE("faults: a request nested 60,000 levels is refused and serving goes on", "[faults][serve]") {
    namespace rl = depeche::request_limits;
    const std::size_t deep = 60000;
    std::string hostile = "{\"id\": " + std::string(deep, '[') + std::string(deep, ']') + ", \"query\": \"marché\"}\n";
    // At the limit: the object and 63 arrays.
    std::string limit = "{\"id\": " + std::string(rl::kMaxRequestDepth - 1, '[') +
                        std::string(rl::kMaxRequestDepth - 1, ']') + ", \"query\": \"marché\"}\n";
    std::string over = "{\"id\": " + std::string(rl::kMaxRequestDepth, '[') + std::string(rl::kMaxRequestDepth, ']') +
                       ", \"query\": \"marché\"}\n";
    // Brackets inside strings are text, not nesting.
    std::string quoted = "{\"id\": \"" + std::string(deep, '[') + "\\\"{{\", \"query\": \"marché\"}\n";
    std::vector<json> out = serve(data_db(), hostile + "{\"id\": 2, \"query\": \"marché\"}\n" + limit + over + quoted);
    REQUIRE(out.size() == 5);
    CHECK(out[0]["error"]["code"] == 2);
    CHECK(out[0]["error"]["message"] == "request nested too deeply (the limit is 64 levels of arrays and objects)");
    CHECK(out[1]["id"] == 2);
    CHECK(out[1].contains("hits"));
    CHECK(out[2].contains("hits"));
    CHECK(out[3]["error"]["code"] == 2);
    CHECK(out[4].contains("hits"));
    CHECK(out[4]["id"].get<std::string>().size() == deep + 3);

    CHECK(rl::json_depth("{\"a\": [1, {\"b\": [[]]}]}") == 5);
    CHECK(rl::json_depth("\"[[[\"") == 0);
    CHECK(rl::json_depth("]]]][") == 1);
    CHECK(rl::json_depth(std::string(1000, '{'), 10) == 11);
}

TEST_CASE("faults: a request line over the length limit is an error, skipped without keeping it", "[faults][serve]") {
    namespace rl = depeche::request_limits;
    // 3 MiB of one JSON string: read to its end, answered with an error, then the next
    // line is answered.
    std::string huge = "{\"id\": 1, \"query\": \"" + std::string(3 * rl::kMaxRequestBytes, 'a') + "\"}\n";
    std::string at_limit = "{\"id\": 3, \"query\": \"marché\", \"x\": \"";
    at_limit += std::string(rl::kMaxRequestBytes - at_limit.size() - 2, 'b') + "\"}\r\n";  // the limit, plus \r\n
    std::vector<json> out = serve(data_db(), huge + "{\"id\": 2, \"query\": \"marché\"}\n" + at_limit + huge);
    REQUIRE(out.size() == 4);
    CHECK(out[0]["error"]["code"] == 2);
    CHECK(out[0]["error"]["message"] == "request line longer than 1048576 bytes");
    CHECK_FALSE(out[0].contains("id"));  // the line was not parsed
    CHECK(out[1]["id"] == 2);
    CHECK(out[1].contains("hits"));
    CHECK(out[2]["id"] == 3);  // exactly at the limit: parsed (an unknown field here)
    CHECK(out[2]["error"]["message"].get<std::string>().rfind("unknown field \"x\"", 0) == 0);
    CHECK(out[3]["error"]["message"] == "request line longer than 1048576 bytes");

    // The reader itself: bounded, line ends, a last line without '\n'.
    std::stringbuf in("abc\r\n" + std::string(10, 'x') + "\nlast");
    std::string line;
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::Line);
    CHECK(line == "abc");
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::TooLong);
    CHECK(line.size() == 5);
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::Line);
    CHECK(line == "last");
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::End);
}

TEST_CASE("faults: prefixes are capped in total, a repeated prefix is merged", "[faults][query]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    {
        // Words p<a..l><aa..zz>: 676 words for each of 12 two-letter prefixes.
        Writer w(db);
        for (char second = 'a'; second <= 'l'; ++second) {
            std::string body;
            for (char x = 'a'; x <= 'z'; ++x)
                for (char y = 'a'; y <= 'z'; ++y) body += std::string("p") + second + x + y + " ";
            w.add(Article{.id = std::string("words-") + second, .body = body});
        }
        w.commit();
    }
    Searcher s(db);
    auto search = [&](const std::string& q) {
        SearchRequest r;
        r.query = q;
        r.limit = 1;
        r.exact_total = true;
        r.facets = true;
        return s.search(r);
    };
    // 10 prefixes of 500 words each: 5000, the limit.
    CHECK(search("pa* OR pb* OR pc* OR pd* OR pe* OR pf* OR pg* OR ph* OR pi* OR pj*").total == 10);
    // An 11th: refused at its position.
    const std::string eleven = "pa* OR pb* OR pc* OR pd* OR pe* OR pf* OR pg* OR ph* OR pi* OR pj* OR pk*";
    try {
        search(eleven);
        FAIL("no error");
    } catch (const QueryError& e) {
        CHECK(std::string(e.what()) == "the prefixes match too many words (the limit is 5000 in all) at position 71");
        CHECK(e.position() == 70);
    }
    // The same prefix 999 times, in AND and OR groups, counts once.
    std::string repeated, alternatives;
    for (int i = 0; i < 999; ++i) {
        repeated += "pa* ";
        alternatives += i ? " OR pb*" : "pb*";
    }
    CHECK(search(repeated).total == 1);
    CHECK(search(alternatives).total == 1);
    CHECK(search(repeated + "pb* -pc* -pc*").total == 0);
    // In different groups, copies do count.
    std::string groups;
    for (int i = 0; i < 11; ++i) groups += "(pa* OR x" + std::to_string(i) + ") ";
    CHECK_THROWS_AS(search(groups), QueryError);
}

// ---- Races --------------------------------------------------------------------------------

namespace {

// A JSONL file of n articles with ids prefix-0..n-1, each holding `word`.
void write_articles(const fs::path& p, const std::string& prefix, std::size_t n, const std::string& word) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += json{{"id", prefix + "-" + std::to_string(i)},
                    {"title", "Dépêche " + std::to_string(i)},
                    {"body", "Le " + word + " de l'énergie évolue, selon l'Autorité numéro " + std::to_string(i) + "."}}
                   .dump() +
               "\n";
    write_file(p, out);
}

std::size_t count_articles(const std::string& db) { return Searcher(db).stats().articles; }

std::size_t matches(const std::string& db, const std::string& query) {
    Searcher s(db);
    SearchRequest r;
    r.query = query;
    r.limit = 0;
    r.exact_total = true;
    return s.search(r).total;
}

// Waits (at most 60 s) until `done` holds.
bool wait_until(const std::function<bool()>& done) {
    for (int i = 0; i < 3000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

}  // namespace

TEST_CASE("faults: a second writer during a rebuild's swap is locked out, never discarded", "[faults][race]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    write_articles(tmp.path / "a" / "a.jsonl", "a", 20, "marché");
    write_articles(tmp.path / "b" / "b.jsonl", "b", 5, "barrage");
    REQUIRE(run(index_cmd(db, shell_quote((tmp.path / "a").string()))).status == 0);
    // The rebuild waits 2 s just before its swap (renameat2): the window in which a
    // second writer used to get in, update the old index, exit 0 and be thrown away.
    RunResult full;
    std::thread rebuild([&] {
        full = run(with_shim("DEPECHE_SHIM_RENAME_DELAY_MS=2000") +
                   index_cmd(db, "--full " + shell_quote((tmp.path / "a").string())));
    });
    const bool in_window = wait_until([&] {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(tmp.path, ec))
            if (e.path().filename().string().rfind(".db.build-", 0) == 0 &&
                fs::exists(e.path() / "merged" / "iamglass", ec))
                return true;
        return false;
    });
    RunResult second = run(index_cmd(db, shell_quote((tmp.path / "b").string())));
    rebuild.join();
    REQUIRE(in_window);
    INFO(full.err);
    CHECK(full.status == 0);
    CHECK(second.status == 3);
    CHECK(second.err == "depeche-index: index " + db + " is being written by another process\n");
    CHECK(matches(db, "marché") == 20);
    // Once the rebuild is done, the second writer gets in.
    CHECK(run(index_cmd(db, shell_quote((tmp.path / "b").string()))).status == 0);
    CHECK(matches(db, "barrage") == 5);
}

TEST_CASE("faults: searches during commits of one article each never fail", "[faults][race]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    write_articles(tmp.path / "a.jsonl", "a", 20, "marché");
    write_articles(tmp.path / "b.jsonl", "b", 400, "marché");
    REQUIRE(run(index_cmd(db, shell_quote((tmp.path / "a.jsonl").string()))).status == 0);
    std::atomic<bool> done{false};
    RunResult update;
    std::thread writer([&] {
        update = run(index_cmd(db, "--batch-size 1 " + shell_quote((tmp.path / "b.jsonl").string())));
        done = true;
    });
    std::size_t searches = 0, opened = 0;
    std::vector<std::string> failures;
    while (!done) {
        // The programs (open, stored-text dictionaries, search)...
        RunResult r = run(kSearch + " --db " + shell_quote(db) + " -n 5 marché");
        ++searches;
        if (r.status != 0) failures.push_back(std::to_string(r.status) + ": " + r.err);
        // ... and the library, opening afresh each time.
        for (int i = 0; i < 5 && !done; ++i) {
            try {
                Searcher s(db);
                SearchRequest q;
                q.query = "marché";
                q.limit = 5;
                s.search(q);
                ++opened;
            } catch (const Error& e) { failures.push_back(e.what()); }
        }
    }
    writer.join();
    INFO(update.err);
    REQUIRE(update.status == 0);
    CHECK(searches > 0);
    CHECK(opened > 0);
    CHECK(failures.empty());
    for (const std::string& f : failures) WARN(f);
    CHECK(matches(db, "marché") == 420);
}

// ---- Paths and ids ---------------------------------------------------------------------------

TEST_CASE("faults: --db with a trailing slash, '.' and relative paths builds and rebuilds", "[faults][paths]") {
    TempDir tmp;
    const std::string in = (tmp.path / "in").string();
    write_articles(tmp.path / "in" / "a.jsonl", "a", 3, "marché");
    const std::string cd = "cd " + shell_quote(tmp.path.string()) + " && ";
    for (const std::string& spelling : {"news.db/", "./rel/news2.db", "rel/../news3.db//"}) {
        INFO(spelling);
        RunResult first = run(cd + index_cmd(spelling, shell_quote(in)));
        INFO(first.err);
        CHECK(first.status == 0);
        RunResult full = run(cd + index_cmd(spelling, "--full " + shell_quote(in)));
        INFO(full.err);
        CHECK(full.status == 0);
        CHECK(matches((tmp.path / spelling).lexically_normal().string(), "marché") == 3);
    }
    // "." as the index: the current folder, empty at first.
    fs::create_directories(tmp.path / "here");
    const std::string here = "cd " + shell_quote((tmp.path / "here").string()) + " && ";
    RunResult first = run(here + index_cmd(".", shell_quote(in)));
    INFO(first.err);
    CHECK(first.status == 0);
    RunResult full = run(here + index_cmd(".", "--full " + shell_quote(in)));
    INFO(full.err);
    CHECK(full.status == 0);
    CHECK(matches((tmp.path / "here").string(), "marché") == 3);
    // The rebuild swapped the folder a shell was in: its next run says so.
    RunResult stale =
        run(here + index_cmd(".", "--full " + shell_quote(in)) + " && " + index_cmd(".", shell_quote(in)));
    CHECK(stale.status == 3);
    CHECK(stale.err.find("depeche-index: index .: the current folder is gone (") == 0);
    CHECK(stale.err.find("cd to it again\n") != std::string::npos);
    // No build folder is left behind.
    for (const auto& e : fs::directory_iterator(tmp.path))
        CHECK(e.path().filename().string().find(".build-") == std::string::npos);
}

TEST_CASE("faults: stale build folders are removed by any writer, updates included", "[faults][paths]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    write_articles(tmp.path / "in" / "a.jsonl", "a", 3, "marché");
    REQUIRE(run(index_cmd(db, shell_quote((tmp.path / "in").string()))).status == 0);
    // Left by a killed rebuild: a process id that is not running (above the kernel's
    // largest), and one of a running process (this one), which is kept.
    const fs::path stale = tmp.path / ".db.build-99999999",
                   alive = tmp.path / (".db.build-" + std::to_string(getpid()));
    write_file(stale / "shard-0" / "postlist.glass", std::string(4096, 'x'));
    write_file(alive / "shard-0" / "postlist.glass", std::string(4096, 'x'));
    write_articles(tmp.path / "in" / "b.jsonl", "b", 2, "barrage");
    RunResult update = run(index_cmd(db, shell_quote((tmp.path / "in").string())));
    INFO(update.err);
    CHECK(update.status == 0);
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(alive));
}

// ---- A full disk ------------------------------------------------------------------------------

namespace {

// n articles of 150 distinct words each: tables that grow fast.
void write_wordy(const fs::path& p, const std::string& prefix, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string body;
        for (std::size_t w = 0; w < 150; ++w) body += prefix + "mot" + std::to_string(i * 150 + w) + " ";
        out +=
            json{{"id", prefix + std::to_string(i)}, {"title", "Titre " + std::to_string(i)}, {"body", body}}.dump() +
            "\n";
    }
    write_file(p, out);
}

void check_full_disk_message(const RunResult& r, const std::string& db) {
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind("depeche-index: No space left on device: ", 0) == 0);
    CHECK(r.err.find(db) != std::string::npos);
    CHECK(r.err.find("damaged") == std::string::npos);
}

}  // namespace

TEST_CASE("faults: a disk full during an update: one line naming it, exit 3, the last commit kept",
          "[faults][disk][xapian-check]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string(), copy = (tmp.path / "copy").string();
    write_articles(tmp.path / "a.jsonl", "a", 20, "marché");
    write_wordy(tmp.path / "in" / "big.jsonl", "b", 600);
    REQUIRE(run(index_cmd(db, shell_quote((tmp.path / "a.jsonl").string()))).status == 0);
    for (const char* batch : {"50", "150", "300"}) {
        for (const char* budget : {"100000", "1000000", "2000000", "4000000"}) {
            INFO("--batch-size " << batch << ", writes fail after " << budget << " bytes");
            fs::remove_all(copy);
            fs::copy(db, copy);
            RunResult r = run(
                with_shim(std::string("DEPECHE_SHIM_ENOSPC_AFTER=") + budget) +
                index_cmd(copy, std::string("--batch-size ") + batch + " " + shell_quote((tmp.path / "in").string())));
            check_full_disk_message(r, copy);
            CHECK(r.err.find("keeps its last commit") != std::string::npos);
            CHECK(r.out.empty());
            // Sound, with what was committed: whole batches only.
            CHECK(check_index(copy).ok());
            const std::size_t n = count_articles(copy);
            CHECK(n >= 20);
            CHECK((n - 20) % std::stoul(batch) == 0);
            CHECK(matches(copy, "marché") == 20);
        }
    }
    // With room again, the same command completes the job.
    RunResult again = run(index_cmd(copy, shell_quote((tmp.path / "in").string())));
    INFO(again.err);
    CHECK(again.status == 0);
    CHECK(count_articles(copy) == 620);
}

TEST_CASE("faults: a disk full during a first build or a rebuild; not enough room is refused up front",
          "[faults][disk][xapian-check]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string(), fresh = (tmp.path / "fresh").string();
    write_articles(tmp.path / "a.jsonl", "a", 20, "marché");
    write_wordy(tmp.path / "in" / "big.jsonl", "b", 600);
    const std::string big = shell_quote((tmp.path / "in").string());
    REQUIRE(run(index_cmd(db, shell_quote((tmp.path / "a.jsonl").string()))).status == 0);

    RunResult first = run(with_shim("DEPECHE_SHIM_ENOSPC_AFTER=1000000") + index_cmd(fresh, big));
    check_full_disk_message(first, fresh);
    RunResult full = run(with_shim("DEPECHE_SHIM_ENOSPC_AFTER=1000000") + index_cmd(db, "--full " + big));
    check_full_disk_message(full, db);
    CHECK(count_articles(db) == 20);  // the old index, untouched
    CHECK(check_index(db).ok());

    // The input is about 1.4 MB: a build needs 9 times that free.
    const std::uintmax_t input = fs::file_size(tmp.path / "in" / "big.jsonl");
    RunResult refused =
        run(with_shim("DEPECHE_SHIM_FREE_BYTES=" + std::to_string(8 * input)) + index_cmd(db, "--full " + big));
    check_full_disk_message(refused, db);
    CHECK(refused.err.find("building index " + db + " needs about ") != std::string::npos);
    CHECK(refused.err.find("(9 times the ") != std::string::npos);
    CHECK(count_articles(db) == 20);
    RunResult enough =
        run(with_shim("DEPECHE_SHIM_FREE_BYTES=" + std::to_string(10 * input)) + index_cmd(db, "--full " + big));
    INFO(enough.err);
    CHECK(enough.status == 0);
    CHECK(count_articles(db) == 600);
    for (const auto& e : fs::directory_iterator(tmp.path))
        CHECK(e.path().filename().string().find(".build-") == std::string::npos);
}

// ---- Damaged files, read-only indexes --------------------------------------------------------

TEST_CASE("faults: flipped bytes in termlist.glass never crash --check, they are damage",
          "[faults][damage][xapian-check]") {
    TempDir tmp;
    const fs::path db = tmp.path / "db", copy = tmp.path / "copy";
    REQUIRE(run(index_cmd(db.string(), shell_quote(kData))).status == 0);
    const std::uintmax_t size = fs::file_size(db / "termlist.glass");
    std::size_t damaged = 0, crashed = 0;
    for (std::uintmax_t offset = 0; offset + 4 <= size; offset += 512) {
        INFO("4 bytes flipped at offset " << offset);
        fs::remove_all(copy);
        fs::copy(db, copy);
        {
            std::fstream f(copy / "termlist.glass", std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(offset));
            f.write("\xff\xff\xff\xff", 4);
        }
        // (Some of these corruptions make Xapian's check read out of bounds inside
        // libxapian; in the sanitizer build those reports are suppressed for the
        // [xapian-check] tests only: tests/asan-libxapian.supp.)
        RunResult r = run(kIndex + " --check --db " + shell_quote(copy.string()));
        INFO(r.out << r.err);
        REQUIRE((r.status == 0 || r.status == 3));  // never a signal (it used to be 139)
        if (r.status == 3) {
            ++damaged;
            CHECK(r.out == "index " + copy.string() +
                               ": DAMAGED (problems reported above); rebuild it with depeche-index --full\n");
        }
        if (r.err.find("Xapian's check crashed (signal") != std::string::npos) {
            ++crashed;
            CHECK(r.err.find("termlist table (termlist.glass): Xapian's check crashed") != std::string::npos);
        }
    }
    CHECK(damaged > 0);
    WARN(crashed << " of the corruptions crashed Xapian's check, in its child process");
}

TEST_CASE("faults: a missing synonym or position table is damage for --check and the searcher",
          "[faults][damage][xapian-check]") {
    TempDir tmp;
    const fs::path db = tmp.path / "db", copy = tmp.path / "copy";
    REQUIRE(run(index_cmd(db.string(), shell_quote(kData))).status == 0);
    CHECK(check_index(db.string()).ok());
    for (const std::string table : {"synonym", "position"}) {
        INFO(table);
        fs::remove_all(copy);
        fs::copy(db, copy);
        fs::remove(copy / (table + ".glass"));
        RunResult search = run(kSearch + " --db " + shell_quote(copy.string()) + " electricite");
        CHECK(search.status == 3);
        CHECK(search.out.empty());
        CHECK(search.err == "depeche-search: index " + copy.string() + " is damaged: " + table + " table missing (" +
                                table + ".glass); rebuild it with depeche-index --full\n");
        std::vector<json> served = serve(copy.string(), "{\"query\": \"electricite\"}\n");
        REQUIRE(served.size() == 1);
        CHECK(served[0]["error"]["code"] == 3);
        RunResult check = run(kIndex + " --check --db " + shell_quote(copy.string()));
        CHECK(check.status == 3);
        CHECK(check.err == "depeche-index: index " + copy.string() + ": " + table + " table (" + table +
                               ".glass) missing: " +
                               (table == "position" ? "phrase and NEAR searches cannot match\n"
                                                    : "unaccented and variant spellings lose hits\n"));
    }
    // An index that never had accented words has no synonym table, and is sound.
    const fs::path plain = tmp.path / "plain";
    write_file(tmp.path / "plain.jsonl", json{{"id", "p"}, {"body", "Le vote du budget a lieu mardi"}}.dump() + "\n");
    REQUIRE(run(index_cmd(plain.string(), shell_quote((tmp.path / "plain.jsonl").string()))).status == 0);
    CHECK_FALSE(fs::exists(plain / "synonym.glass"));
    CHECK(check_index(plain.string()).ok());
    CHECK(matches(plain.string(), "budget") == 1);
    // An update that brings the first accented word records the table then.
    write_file(tmp.path / "more.jsonl", json{{"id", "q"}, {"body", "L'électricité coûte plus cher"}}.dump() + "\n");
    REQUIRE(run(index_cmd(plain.string(), shell_quote((tmp.path / "more.jsonl").string()))).status == 0);
    REQUIRE(fs::exists(plain / "synonym.glass"));
    fs::remove(plain / "synonym.glass");
    CHECK(run(kSearch + " --db " + shell_quote(plain.string()) + " budget").status == 3);
}

namespace {

// Runs a shell command as the unprivileged user 65534 (nobody), when this test runs as
// root and setpriv(1) is there; nullopt otherwise.
std::optional<RunResult> run_as_nobody(const std::string& command) {
    if (::geteuid() != 0 || run("command -v setpriv").status != 0) return std::nullopt;
    return run("setpriv --reuid=65534 --regid=65534 --clear-groups sh -c " + shell_quote(command));
}

}  // namespace

// ---- Killed midway ------------------------------------------------------------------------

namespace {

std::string article_line(const std::string& id, const std::string& date, const std::string& body) {
    return json{{"id", id}, {"title", "Zorglub " + id}, {"date", date}, {"body", body}}.dump() + "\n";
}

// The ids and total of a search, as JSON gives them.
std::pair<std::size_t, std::vector<std::string>> ids_of(const std::string& db, const std::string& query) {
    const RunResult r = run(kSearch + " --db " + shell_quote(db) + " --format json --limit 100 " + shell_quote(query));
    INFO(query << "\n" << r.err);
    REQUIRE(r.status == 0);
    const json j = json::parse(r.out);
    std::vector<std::string> ids;
    for (const json& h : j["hits"]) ids.push_back(h["id"].get<std::string>());
    return {j["total"].get<std::size_t>(), ids};
}

}  // namespace

// Adding a year's shard to a partitioned index is a sequence of steps (a commit, the new
// shard, the stub, the lexicon's record; then the articles' commits). depeche-index is
// killed with SIGKILL just before each rename it makes, Xapian's commits included (each
// ends with one), that is at every point where something becomes visible. Each time, the
// index must check sound, keep every article it had, and the same update run again must
// give exactly what one uninterrupted run gives.
TEST_CASE("faults: depeche-index killed before each rename while adding a year's shard loses nothing",
          "[faults][shards][kill][xapian-check]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in";
    // Six articles of 2023 and 2024 in two files: stable.jsonl, which the update leaves as
    // it is, and moved.jsonl, whose article the update moves to 2019.
    std::string stable_lines;
    std::vector<std::string> stable_ids;
    for (int i = 0; i < 5; ++i) {
        stable_ids.push_back("base-" + std::to_string(i));
        stable_lines += article_line(stable_ids.back(),
                                     i % 2 ? "2023-05-0" + std::to_string(i + 1) : "2024-02-1" + std::to_string(i),
                                     "Le zorglub numéro " + std::to_string(i) + " est livré à Quimper. Fin.");
    }
    write_file(in / "stable.jsonl", stable_lines);
    write_file(in / "moved.jsonl", article_line("moved", "2023-07-08", "Le zorglub déplacé. Fin."));
    const fs::path base = tmp.path / "base.db";
    REQUIRE(run(index_cmd(base.string(), "--partition year " + shell_quote(in.string()))).status == 0);
    REQUIRE(ids_of(base.string(), "zorglub").first == 6);

    // The update: two articles of a new year (2019: a new shard), one more of 2024, and
    // the article of moved.jsonl moved to 2019.
    write_file(in / "more.jsonl", article_line("new-2019-a", "2019-03-04", "Un zorglub de 2019 arrive à Brest. Fin.") +
                                      article_line("new-2019-b", "2019-11-12", "Encore un zorglub de 2019. Fin.") +
                                      article_line("new-2024", "2024-06-07", "Le zorglub de juin. Fin."));
    write_file(in / "moved.jsonl", article_line("moved", "2019-07-08", "Le zorglub déplacé, en 2019. Fin."));
    const fs::path reference = tmp.path / "reference.db";
    fs::copy(base, reference, fs::copy_options::recursive);
    REQUIRE(run(index_cmd(reference.string(), shell_quote(in.string()))).status == 0);
    const std::vector<std::string> queries = {"zorglub",   "date:2019", "date:2023",
                                              "date:2024", "Brest",     "\"zorglub numéro 1\""};
    std::vector<std::pair<std::size_t, std::vector<std::string>>> expected;
    for (const std::string& q : queries) expected.push_back(ids_of(reference.string(), q));
    REQUIRE(expected[0].first == 9);
    REQUIRE(expected[1].first == 3);

    const fs::path work = tmp.path / "work.db";
    int killed = 0, twice = 0;
    bool finished = false;
    for (int n = 1; n <= 400 && !finished; ++n) {
        INFO("killed before rename " << n);
        fs::remove_all(work);
        fs::copy(base, work, fs::copy_options::recursive);
        const RunResult r = run(with_shim("DEPECHE_SHIM_KILL_AT_RENAME=" + std::to_string(n)) +
                                index_cmd(work.string(), shell_quote(in.string())));
        // Killed: the signal itself, or 128 + 9 from the shell that ran it.
        if (r.status != -1 && r.status != 128 + SIGKILL) {  // it ran to its end before an nth rename
            INFO(r.err);
            CHECK(r.status == 0);
            finished = true;
        } else {
            ++killed;
        }
        const RunResult check = run(kIndex + " --check --db " + shell_quote(work.string()));
        INFO(check.out << check.err);
        CHECK(check.status == 0);
        // Every article of the base is there, in its old or its new version: those of
        // the file the update leaves alone, and that of the changed file, which moves to
        // the new year's shard. Its old copy is deleted only once that shard is
        // committed: a kill in between leaves it twice, which --check notes (not
        // damage), never missing.
        const std::vector<std::string> ids = ids_of(work.string(), "zorglub").second;
        for (const std::string& id : stable_ids) CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
        const std::size_t moved = ids_of(work.string(), "id:moved").first;
        CHECK(moved >= 1);
        if (moved == 2) {
            ++twice;
            CHECK(check.out.find("article moved is in 2 shards (shard-01, shard-03): a move to another shard was "
                                 "interrupted") != std::string::npos);
            // The new shard recorded the move: the next writer to open the index deletes
            // the old copy, whatever it then does.
            { depeche::Writer heal(work.string()); }
            CHECK(ids_of(work.string(), "id:moved").first == 1);
            const RunResult healed = run(kIndex + " --check --db " + shell_quote(work.string()));
            CHECK(healed.status == 0);
            CHECK(healed.out.find("is in 2 shards") == std::string::npos);
        } else {
            CHECK(moved == 1);
        }
        // The same update again ends where one run ends.
        const RunResult again = run(index_cmd(work.string(), shell_quote(in.string())));
        INFO(again.err);
        REQUIRE(again.status == 0);
        for (std::size_t q = 0; q < queries.size(); ++q) {
            INFO(queries[q]);
            CHECK(ids_of(work.string(), queries[q]) == expected[q]);
        }
    }
    CHECK(finished);
    CHECK(killed >= 4);  // the commit, the new shard, the stub, the lexicon at least
    CHECK(twice >= 1);   // a kill between the new shard's commit and the old one's
}

TEST_CASE("faults: a read-only index is checked and searched, and the indexer says it is read-only",
          "[faults][readonly][xapian-check]") {
    TempDir tmp;
    fs::permissions(tmp.path, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    const fs::path db = tmp.path / "db";
    REQUIRE(run(index_cmd(db.string(), shell_quote(kData))).status == 0);
    for (const auto& e : fs::directory_iterator(db))
        fs::permissions(e.path(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(db, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
    const std::string q = shell_quote(db.string());
    auto check = run_as_nobody(kIndex + " --check --db " + q);
    if (!check) {
        WARN("skipped: needs root and setpriv(1) to run as another user");
        return;
    }
    INFO(check->err);
    CHECK(check->status == 0);
    CHECK(check->out == "index " + db.string() + ": OK (11 articles checked)\n");
    auto search = run_as_nobody(kSearch + " --db " + q + " -n 0 --exact marché");
    CHECK(search->status == 0);
    auto index = run_as_nobody(kIndex + " --quiet --db " + q + " " + shell_quote(kData));
    CHECK(index->status == 3);
    CHECK(index->err ==
          "depeche-index: index " + db.string() + " is read-only (Permission denied): it cannot be updated\n");

    // A folder the user may not read: said so, not "not a Dépêche index".
    fs::permissions(db, fs::perms::owner_all);
    auto denied = run_as_nobody(kSearch + " --db " + q + " marché");
    CHECK(denied->status == 4);
    CHECK(denied->err == "depeche-search: cannot read index " + db.string() + ": Permission denied\n");
    auto denied_check = run_as_nobody(kIndex + " --check --db " + q);
    CHECK(denied_check->status == 3);
    CHECK(denied_check->err == "depeche-index: cannot read index " + db.string() + ": Permission denied\n");
    auto denied_index = run_as_nobody(kIndex + " --quiet --db " + q + " " + shell_quote(kData));
    CHECK(denied_index->status == 3);
    CHECK(denied_index->err == "depeche-index: cannot read index " + db.string() + ": Permission denied\n");
}

// ---- Security by default, memory per article -------------------------------------------------

TEST_CASE("faults: symbolic links leading outside the folders given are not followed by default", "[faults][files]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in", outside = tmp.path / "outside";
    write_file(in / "a.txt", "Titre: Dedans\n\nLe hibou du dossier.\n");
    write_file(in / "sub" / "b.txt", "Titre: Sous\n\nLa chouette du sous-dossier.\n");
    write_file(outside / "secret.txt", "Titre: Secret\n\nLe mot de passe pangolin.\n");
    fs::create_symlink(outside / "secret.txt", in / "secret.txt");
    fs::create_symlink("sub/b.txt", in / "inside.txt");  // inside: read
    const std::string db = (tmp.path / "db").string();
    // A warning: listed with --verbose, exit status 0.
    RunResult r = run(index_cmd(db, "--verbose " + shell_quote(in.string())));
    CHECK(r.status == 0);
    CHECK(r.err ==
          "depeche-index: " + (in / "secret.txt").string() +
              ": warning: symbolic link leading outside the folders given, not read (--follow-symlinks reads it)\n");
    CHECK(matches(db, "pangolin") == 0);
    CHECK(matches(db, "chouette") == 2);  // b.txt, and through inside.txt
    // Said so, the link is read.
    const std::string db2 = (tmp.path / "db2").string();
    RunResult followed = run(index_cmd(db2, "--follow-symlinks " + shell_quote(in.string())));
    INFO(followed.err);
    CHECK(followed.status == 0);
    CHECK(matches(db2, "pangolin") == 1);
    // Named on the command line, a link is always read.
    const std::string db3 = (tmp.path / "db3").string();
    CHECK(run(index_cmd(db3, shell_quote((in / "secret.txt").string()))).status == 0);
    CHECK(matches(db3, "pangolin") == 1);
}

TEST_CASE("faults: index folders are created without access for others; a rebuild keeps the mode", "[faults][files]") {
    TempDir tmp;
    const fs::path db = tmp.path / "db";
    REQUIRE(run(index_cmd(db.string(), shell_quote(kData))).status == 0);
    CHECK((fs::status(db).permissions() & fs::perms::others_all) == fs::perms::none);
    CHECK((fs::status(db).permissions() & fs::perms::owner_all) == fs::perms::owner_all);
    fs::permissions(db, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    REQUIRE(run(index_cmd(db.string(), "--full " + shell_quote(kData))).status == 0);
    CHECK(fs::status(db).permissions() == (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec));
    // An existing folder keeps its mode.
    fs::create_directories(tmp.path / "open");
    fs::permissions(tmp.path / "open", fs::perms::all);
    REQUIRE(run(index_cmd((tmp.path / "open").string(), shell_quote(kData))).status == 0);
    CHECK(fs::status(tmp.path / "open").permissions() == fs::perms::all);
}

TEST_CASE("faults: a very long body is indexed up to the limit, the rest reported", "[faults][memory]") {
    TempDir tmp;
    // 5 MiB of words, then a word found nowhere else.
    std::string body;
    while (body.size() < 5 * 1024 * 1024) body += "marmotte électricité ";
    body += "ornithorynque";
    write_file(tmp.path / "long.jsonl", json{{"id", "long"}, {"title", "Long"}, {"body", body}}.dump() + "\n" +
                                            json{{"id", "short"}, {"body", "Un ornithorynque"}}.dump() + "\n");
    const std::string db = (tmp.path / "db").string();
    RunResult r = run(index_cmd(db, "--verbose " + shell_quote((tmp.path / "long.jsonl").string())));
    CHECK(r.status == 0);  // a warning
    CHECK(r.err == "depeche-index: " + (tmp.path / "long.jsonl").string() +
                       ":1: warning: article long: body too long, only its first 4.2 MB of 5.2 MB indexed (the limit "
                       "is 4194304 bytes)\n");
    // Without --verbose, counted by kind.
    RunResult counted = run(index_cmd((tmp.path / "db2").string(), shell_quote((tmp.path / "long.jsonl").string())));
    CHECK(counted.status == 0);
    CHECK(counted.err == "depeche-index: 1 warning (--verbose lists them): body too long (1)\n");
    CHECK(matches(db, "marmotte") == 1);
    CHECK(matches(db, "ornithorynque") == 1);  // the short article only
}

TEST_CASE("faults: an indexed file that can no longer be read keeps its articles until it can", "[faults][paths]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in";
    const std::string db = (tmp.path / "db").string();
    write_file(in / "feed.jsonl", json{{"id", "un"}, {"body", "Le castor du lac."}}.dump() + "\n" +
                                      json{{"id", "deux"}, {"body", "Le lynx du bois."}}.dump() + "\n");
    REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
    REQUIRE(count_articles(db) == 2);
    // The file replaced by something that cannot be read as one (a FIFO): an error that
    // names it, and its two articles stay.
    fs::remove(in / "feed.jsonl");
    REQUIRE(::mkfifo((in / "feed.jsonl").c_str(), 0644) == 0);
    const RunResult failed = run(index_cmd(db, shell_quote((in / "feed.jsonl").string())));
    INFO(failed.out << failed.err);
    CHECK(failed.status != 0);
    CHECK(failed.err.find((in / "feed.jsonl").string()) != std::string::npos);
    CHECK(count_articles(db) == 2);
    CHECK(matches(db, "castor") == 1);
    // Readable again, with one article changed and one dropped: read, as a changed file.
    fs::remove(in / "feed.jsonl");
    write_file(in / "feed.jsonl", json{{"id", "un"}, {"body", "Le castor du fleuve."}}.dump() + "\n");
    const RunResult again = run(index_cmd(db, shell_quote(in.string())));
    INFO(again.out << again.err);
    CHECK(again.status == 0);
    CHECK(count_articles(db) == 1);
    CHECK(matches(db, "fleuve") == 1);
    CHECK(matches(db, "lynx") == 0);
}

TEST_CASE("faults: the same id in two files, one deleted or changed: the other's article stays", "[faults][paths]") {
    TempDir tmp;
    const fs::path in = tmp.path / "in";
    auto article = [](const std::string& word) {
        return json{{"id", "shared"}, {"title", "Partagé"}, {"body", "Le " + word + " du jour."}}.dump() + "\n";
    };
    for (bool first_build : {true, false}) {
        INFO((first_build ? "both files read by a first build" : "both files read by updates"));
        fs::remove_all(tmp.path / "db");
        fs::remove_all(in);
        const std::string db = (tmp.path / "db").string();
        write_file(in / "a.jsonl", article("castor") + json{{"id", "own-a"}, {"body", "Le lynx."}}.dump() + "\n");
        if (!first_build) REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
        write_file(in / "b.jsonl", article("blaireau"));
        REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
        CHECK(matches(db, "blaireau") == 1);  // the later file wins
        CHECK(count_articles(db) == 2);
        // The later file deleted: the article comes back from the other one.
        fs::remove(in / "b.jsonl");
        RunResult update = run(index_cmd(db, shell_quote(in.string())));
        INFO(update.err);
        CHECK(update.status == 0);
        CHECK(matches(db, "castor") == 1);
        CHECK(matches(db, "blaireau") == 0);
        CHECK(count_articles(db) == 2);
        // The same for a file changed so that it no longer holds it.
        write_file(in / "c.jsonl", article("putois"));
        REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
        CHECK(matches(db, "putois") == 1);
        // Changed but still holding it: it keeps the mark that a.jsonl holds it too.
        write_file(in / "c.jsonl", article("putois") + json{{"id", "own-c2"}, {"body", "La belette."}}.dump() + "\n");
        REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
        CHECK(matches(db, "putois") == 1);
        CHECK(matches(db, "belette") == 1);
        write_file(in / "c.jsonl", json{{"id", "own-c"}, {"body", "La martre."}}.dump() + "\n");
        REQUIRE(run(index_cmd(db, shell_quote(in.string()))).status == 0);
        CHECK(matches(db, "castor") == 1);
        CHECK(matches(db, "martre") == 1);
        CHECK(count_articles(db) == 3);
        // As a rebuild gives.
        REQUIRE(run(index_cmd(db, "--full " + shell_quote(in.string()))).status == 0);
        CHECK(matches(db, "castor") == 1);
        CHECK(count_articles(db) == 3);
    }
}
