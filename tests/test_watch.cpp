// depeche-index --watch (docs/cli.md "Watching folders"): files added, changed, renamed
// and removed while it watches, a file written slowly, a new sub-folder; a searcher sees
// each change within the stated delay; SIGTERM commits and stops.
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace depeche::test;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

void write_article(const fs::path& file, const std::string& id, const std::string& title) {
    std::ofstream(file) << "{\"id\": \"" << id << "\", \"title\": \"" << title
                        << "\", \"body\": \"Un article sur le zorglub.\"}\n";
}

// Seconds until `pred` holds on a fresh searcher of `db` (polled), or -1 after `limit` s.
template <class Pred>
double seconds_until(const std::string& db, Pred pred, double limit = 15) {
    const auto start = Clock::now();
    for (;;) {
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        try {
            depeche::Searcher searcher(db);
            if (pred(searcher)) return s;
        } catch (const depeche::Error&) {}
        if (s > limit) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::size_t count(depeche::Searcher& s, const std::string& q) {
    depeche::SearchRequest r;
    r.query = q;
    r.limit = 0;
    return s.search(r).total;
}

}  // namespace

TEST_CASE("watch: added, changed, renamed, removed and slowly written files are indexed", "[watch]") {
    TempDir dir;
    const fs::path in = dir.path / "in";
    fs::create_directories(in);
    const std::string db = (dir.path / "db").string();
    write_article(in / "a.json", "a", "Premier zorglub");
    const std::string out = (dir.path / "out").string();
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen(out.c_str(), "w", stdout);
        execl(DEPECHE_INDEX_BIN, DEPECHE_INDEX_BIN, "--db", db.c_str(), "--watch", "--watch-quiet", "300", in.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    // The stated delay: the quiet period (0.3 s) and a round of indexing; 5 s is plenty,
    // also for a sanitizer build.
    constexpr double kDelay = 5;
    REQUIRE(seconds_until(db, [](depeche::Searcher& s) { return count(s, "zorglub") == 1; }) >= 0);
    for (int i = 0; i < 100 && read_file(out).find("watching") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

    // Added.
    write_article(in / "b.json", "b", "Deuxième zorglub");
    double t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "zorglub") == 2; });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // In a new sub-folder.
    fs::create_directories(in / "sub");
    write_article(in / "sub" / "c.json", "c", "Troisième zorglub");
    t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "zorglub") == 3; });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // Changed.
    write_article(in / "a.json", "a", "Premier zorglub modifié");
    t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "titre:modifié") == 1; });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // Renamed: the article stays, now from its new file.
    fs::rename(in / "b.json", in / "b2.json");
    t = seconds_until(db, [&](depeche::Searcher& s) {
        depeche::SearchRequest r;
        r.query = "id:b";
        auto res = s.search(r);
        return res.total == 1 && res.hits[0].path == (in / "b2.json").string();
    });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // Removed.
    fs::remove(in / "sub" / "c.json");
    t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "zorglub") == 2; });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // Written slowly: half an article, a pause longer than the quiet period, the rest.
    {
        std::ofstream slow(in / "slow.json");
        slow << "{\"id\": \"slow\", \"title\": \"Zorglub lent\", " << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        depeche::Searcher s(db);
        CHECK(count(s, "id:slow") == 0);  // not read half-way
        slow << "\"body\": \"Écrit en deux fois.\"}\n";
    }
    t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "id:slow") == 1; });
    CHECK(t >= 0);
    CHECK(t < kDelay);
    // A file renamed into place from a hidden temporary name.
    write_article(in / ".tmp-d.json", "d", "Zorglub déplacé");
    fs::rename(in / ".tmp-d.json", in / "d.json");
    t = seconds_until(db, [](depeche::Searcher& s) { return count(s, "id:d") == 1; });
    CHECK(t >= 0);
    CHECK(t < kDelay);

    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const std::string log = read_file(out);
    INFO(log);
    CHECK(log.find("watching") != std::string::npos);
    CHECK(log.find("failed)") != std::string::npos);
    CHECK(log.find("1 failed") == std::string::npos);  // the half-written file was never read as broken JSON
    depeche::Searcher s(db);
    CHECK(count(s, "zorglub") == 4);  // a, b (renamed), slow, d
}
