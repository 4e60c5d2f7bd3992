// Small helpers shared by the tests: temporary folders and running the programs.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <poll.h>
#include <pty.h>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace depeche::test {

// A fresh folder under the system temp dir, removed with its contents at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() /
               ("depeche-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

inline void write_file(const std::filesystem::path& p, const std::string& content) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

struct RunResult {
    int status = -1;  // exit status
    std::string out;  // standard output
    std::string err;  // standard error
};

// Single-quotes a string for /bin/sh.
inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Runs a shell command line, capturing stdout and stderr.
inline RunResult run(const std::string& command) {
    TempDir tmp;
    std::string errfile = (tmp.path / "stderr").string();
    RunResult r;
    FILE* p = popen((command + " 2>" + shell_quote(errfile)).c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream e(errfile, std::ios::binary);
    r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
    return r;
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A program running on a pseudo-terminal, as from an interactive shell: its standard
// input, output and error are the terminal (isatty() is true) unless redirected to
// files, and typing Ctrl-C ("\x03") on the terminal sends it SIGINT.
class PtyProcess {
public:
    // argv[0] is the program's path; `redirect` maps 1 or 2 to a file that receives
    // that stream instead of the terminal.
    explicit PtyProcess(const std::vector<std::string>& argv, const std::map<int, std::string>& redirect = {}) {
        pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
        if (pid_ == 0) {
            for (const auto& [fd, file] : redirect) {
                int f = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (f < 0 || ::dup2(f, fd) < 0) _exit(126);
                ::close(f);
            }
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            _exit(127);
        }
    }
    ~PtyProcess() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (master_ >= 0) ::close(master_);
    }
    PtyProcess(const PtyProcess&) = delete;
    PtyProcess& operator=(const PtyProcess&) = delete;

    bool started() const { return pid_ > 0 && master_ >= 0; }

    // Reads what the terminal shows until done(output so far) is true (returns true),
    // or the program closes the terminal, or `seconds` pass (returns false).
    bool read_until(const std::function<bool(const std::string&)>& done, double seconds) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (!done(output_)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return done(output_);
        }
        return true;
    }
    // Writes to the terminal, as typed on the keyboard ("\x03" is Ctrl-C).
    void type(const std::string& keys) {
        ssize_t n = ::write(master_, keys.data(), keys.size());
        (void)n;
    }
    // Reads the rest of the output (at most `seconds`), then waits for the program: its
    // exit status, 128 + N if it was killed by signal N, -1 if it did not end in time
    // (it is killed then).
    int wait(double seconds = 120) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        read_until([](const std::string&) { return false; }, seconds);
        int st = 0;
        while (::waitpid(pid_, &st, WNOHANG) != pid_) {
            if (std::chrono::steady_clock::now() > end) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &st, 0);
                reaped_ = true;
                return -1;
            }
            ::usleep(10000);
        }
        reaped_ = true;
        read_until([](const std::string&) { return false; }, 1);  // anything left
        return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
    }
    // Everything the terminal showed so far ("\n" comes as "\r\n" from a terminal).
    const std::string& output() const { return output_; }

private:
    // false once the terminal is closed on the program's side (or the time is up).
    bool read_some(int timeout_ms) {
        if (closed_) return false;
        pollfd p{master_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return false;
        char buf[4096];
        ssize_t n = ::read(master_, buf, sizeof buf);
        if (n <= 0) {  // EIO: every copy of the terminal's other side is closed
            closed_ = true;
            return false;
        }
        output_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    pid_t pid_ = -1;
    int master_ = -1;
    bool reaped_ = false, closed_ = false;
    std::string output_;
};

#if defined(DEPECHE_INDEX_BIN) && defined(DEPECHE_SOURCE_DIR)
}  // namespace depeche::test
#include <catch2/catch.hpp>
namespace depeche::test {
// An index of tests/data built once per test program by depeche-index.
inline const std::string& data_db() {
    static TempDir dir;
    static std::string db = (dir.path / "db").string();
    static bool built = false;
    if (!built) {
        RunResult r = run(std::string(DEPECHE_INDEX_BIN) + " --quiet --db " + shell_quote(db) + " " +
                          shell_quote(std::string(DEPECHE_SOURCE_DIR) + "/tests/data"));
        INFO(r.err);
        REQUIRE(r.status == 0);
        built = true;
    }
    return db;
}
#endif

#ifdef DEPECHE_SHARED_DIR
// A file of the shared third-party data (../shared), by its path inside it.
inline std::string shared_path(const std::string& rel) { return std::string(DEPECHE_SHARED_DIR) + "/" + rel; }
#endif

}  // namespace depeche::test

// ---------------------------------------------------------------------------------------
// Writing through the library
#include <depeche/depeche.hpp>
namespace depeche::test {
// Commits, through the Writer API, one article naming someone no test corpus names
// ("Zoé Zorglubienne", who saw a "zorglub"), and returns its id.
inline std::string commit_zorglub(const std::string& db) {
    Writer w(db);
    Article a;
    a.id = "zorglub-1";
    a.title = "Le zorglub est arrivé";
    a.date = "2024-03-05";
    a.body = "Zoé Zorglubienne a vu un zorglub à Lyon.";
    a.people = {"Zoé Zorglubienne"};
    w.add(a);
    w.commit();
    return a.id;
}
}  // namespace depeche::test

#if defined(DEPECHE_SHARED_DIR) && defined(DEPECHE_TEST_WIKINEWS)
// The Wikinews corpus of the shared data, read and indexed (by Writer::index_paths, as
// depeche-index does) once per test program; nullptr when ../shared is missing. Tests
// that use it start with NEED_WIKINEWS(), which names the variable `wn` or skips with
// the reason.
#include "indexer/readers.hpp"

#include <depeche/depeche.hpp>
#include <memory>
namespace depeche::test {
struct IndexedCorpus {
    std::vector<Article> articles;  // as the reader gives them (same ids as the index)
    TempDir dir;
    std::string db;
};

inline IndexedCorpus* wikinews() {
    static std::unique_ptr<IndexedCorpus> corpus;
    static bool tried = false;
    if (tried) return corpus.get();
    tried = true;
    const std::filesystem::path file = shared_path("corpus/wikinews-fr/articles.jsonl");
    if (!std::filesystem::exists(file)) return nullptr;
    corpus = std::make_unique<IndexedCorpus>();
    std::vector<ReadIssue> issues;
    read_file(
        file, [&](Article&& a) { corpus->articles.push_back(std::move(a)); }, issues);
    corpus->db = (corpus->dir.path / "db").string();
    Writer(corpus->db).index_paths({file.string()});
    return corpus.get();
}
}  // namespace depeche::test

#define NEED_WIKINEWS()                                                                                       \
    depeche::test::IndexedCorpus* wn = depeche::test::wikinews();                                             \
    if (!wn) {                                                                                                \
        WARN("skipped: " << depeche::test::shared_path("corpus/wikinews-fr/articles.jsonl") << " not found"); \
        return;                                                                                               \
    }
#endif
