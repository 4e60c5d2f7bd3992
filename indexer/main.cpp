// depeche-index: index files and folders of French news articles.
#include <depeche/depeche.hpp>

#include "indexer/watch.hpp"

#ifdef DEPECHE_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include <boost/program_options.hpp>
#include <xapian.h>

#include <cerrno>
#include <cstdarg>
#include <fcntl.h>
#include <sys/syscall.h>
#include <csignal>
#include <ctime>
#include <cstring>
#include <exception>
#include <new>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0, kExitInputFailed = 1, kExitUsage = 2, kExitIndex = 3;

const char* kUsage =
    "Usage: depeche-index [OPTIONS] PATH...\n"
    "Indexes articles from files and folders (recursively): .txt, .md, .json, .jsonl, .html, .htm,\n"
    ".rss, .atom, .xml (feeds), each also compressed (.gz, .zst, .xz).\n"
    "An article with the same id as one already indexed replaces it.\n\n"
    "Incremental: on an existing index only new and changed files are read (size and\n"
    "modification time, then a content hash); a changed file's old articles are replaced\n"
    "by what it holds now; files that disappeared from the given folders have their\n"
    "articles removed. Other folders' articles are never touched. --full rebuilds.\n"
    "Ctrl-C stops and commits what is done; a second Ctrl-C aborts (the index keeps its\n"
    "last commit).\n\n"
    "Exit status: 0 all input indexed without remark; 1 problems were reported (files or\n"
    "lines that could not be read, or warnings such as a date that could not be parsed;\n"
    "everything else was indexed); 130 interrupted by Ctrl-C (what was done is committed);\n"
    "2 bad usage; 3 the index cannot be opened (missing, incompatible, locked or corrupt).\n\n"
    "depeche-index --watch PATH... indexes, then keeps watching the folders and indexes new,\n"
    "changed, removed and renamed files once they are quiet (--watch-quiet), until Ctrl-C or\n"
    "SIGTERM, which commit and stop (exit 0).\n\n"
    "depeche-index --check [--db DIR] checks an index without changing it (Xapian's check of\n"
    "its tables, schema version, analyzer, every document's id and stored data): exit 0 if\n"
    "sound, 3 if missing or damaged (one line per problem on stderr).\n\n"
    "Options";

volatile std::sig_atomic_t g_interrupts = 0;
volatile std::sig_atomic_t g_progress_shown = 0;  // the progress line is on the terminal

// Only async-signal-safe calls here: write(2) and _Exit.
void say(const char* text, std::size_t length) {
    ssize_t ignored = ::write(STDERR_FILENO, text, length);
    (void)ignored;
}

extern "C" void on_interrupt(int) {
    g_interrupts = g_interrupts + 1;
    if (g_interrupts >= 2) {
        // Commits are atomic: the index stays as last committed.
        static const char abort_msg[] = "depeche-index: aborted; the index keeps its last commit\n";
        if (g_progress_shown) say("\r\033[K", 4);
        say(abort_msg, sizeof abort_msg - 1);
        std::_Exit(130);
    }
    if (g_progress_shown) {
        static const char stop_msg[] =
            "\r\033[Kdepeche-index: interrupted, committing what was done (Ctrl-C again to quit at once)\n";
        say(stop_msg, sizeof stop_msg - 1);
    }
}

// Xapian 1.4 may call std::terminate while a commit fails (a write error met again while
// it unwinds the first one, as when the disk is full): instead of an abort with no
// message, one line naming the cause, and exit status 3. Commits are atomic, so the
// index keeps its last commit. Also the end of anything else that escaped.
const char* g_index_dir = "";

[[noreturn]] void on_terminate() {
    const int error = errno;  // what the failed write left
    // No allocation here: memory may be what ran out.
    static char detail[512];
    detail[0] = '\0';
    bool out_of_memory = false;
    if (std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::bad_alloc&) {
            out_of_memory = true;
        } catch (const Xapian::Error& x) {
            std::snprintf(detail, sizeof detail, ": %s: %s", x.get_type(), x.get_msg().c_str());
        } catch (const std::exception& x) {
            std::snprintf(detail, sizeof detail, ": %s", x.what());
        } catch (...) {
        }
    }
    static char line[1024];
    if (out_of_memory)
        std::snprintf(line, sizeof line, "depeche-index: out of memory; the index keeps its last commit\n");
    else
        std::snprintf(line, sizeof line, "depeche-index: %s%scannot write index %s (Xapian stopped%s); the index keeps its last commit\n",
                      error == ENOSPC || error == EDQUOT || error == EFBIG || error == EIO ? std::strerror(error) : "",
                      error == ENOSPC || error == EDQUOT || error == EFBIG || error == EIO ? ": " : "", g_index_dir,
                      detail[0] ? detail : " during a commit");
    say(line, std::strlen(line));
    std::_Exit(kExitIndex);
}

// "1 article", "2 articles", "0 articles".
std::string count_of(std::size_t n, const char* singular, const char* plural) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// The problems of a run on stderr, then its summary line on stdout, after `prefix`.
void print_summary(const depeche::IndexSummary& s, const std::string& prefix) {
    for (const auto& p : s.problems) std::cerr << "depeche-index: " << p.to_string() << "\n";
    std::printf("%s%s %s from %s (%zu added, %zu updated, %zu unchanged, %zu removed, %zu failed)", prefix.c_str(),
                s.interrupted ? "interrupted: indexed" : "indexed", count_of(s.articles, "article", "articles").c_str(),
                count_of(s.files, "file", "files").c_str(), s.files_added, s.files_updated, s.files_unchanged,
                s.files_removed, s.skipped_files);
    if (s.articles_removed) std::printf("; %s removed", count_of(s.articles_removed, "article", "articles").c_str());
    if (!s.problems.empty()) std::printf("; %s reported above", count_of(s.problems.size(), "problem", "problems").c_str());
    std::printf(" in %.2f s\n", s.seconds);
    std::fflush(stdout);
}

// "14:05:09 " (local time), before each round's summary of --watch.
std::string clock_prefix() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char out[16];
    std::strftime(out, sizeof out, "%H:%M:%S ", &tm);
    return out;
}

std::string default_db() {
    const char* env = std::getenv("DEPECHE_DB");
    return env && *env ? env : "depeche.db";
}

}  // namespace

namespace depeche {
extern bool g_table_check_child;  // indexer/store.hpp
}

#ifdef DEPECHE_WITH_MIMALLOC
// mimalloc's own operator new aborts, without a word, when memory runs out (the packaged
// library never sees a new-handler). These throw std::bad_alloc instead, as with the
// system allocator, so that the user gets "out of memory". Deleting stays mimalloc's.
void* operator new(std::size_t n) {
    if (void* p = mi_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = mi_malloc_aligned(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
#endif

// Every open(2) of this program and its libraries passes here. Xapian 1.4's table check
// opens each table read-write although it only reads; in the child process that runs it
// for --check (depeche::g_table_check_child), opens are made read-only, so --check never
// opens anything for writing and works on an index it may only read.
extern "C" __attribute__((visibility("default"))) int open(const char* path, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = static_cast<mode_t>(va_arg(args, int));
        va_end(args);
    }
    if (depeche::g_table_check_child && (flags & O_ACCMODE) == O_RDWR && !(flags & O_CREAT))
        flags = (flags & ~O_ACCMODE) | O_RDONLY;
    return static_cast<int>(::syscall(SYS_openat, AT_FDCWD, path, flags, mode));
}

int main(int argc, char** argv) {
    po::options_description opts(kUsage);
    std::string db;
    std::size_t batch = 1000;
    opts.add_options()
        ("help,h", "show this help")
        ("version", "show the version")
        ("db,d", po::value<std::string>(&db)->default_value(default_db()), "index folder (default: $DEPECHE_DB, else ./depeche.db)")
        ("batch-size", po::value<std::size_t>(&batch)->default_value(1000), "articles per commit")
        ("full", "rebuild from scratch (the old index answers searches until the new one replaces it)")
        ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: one per core)")
        ("quiet,q", "no progress display, only problems and the summary")
        ("follow-symlinks", "also read files that symbolic links in the folders lead to outside them")
        ("check", "check the index (read-only) instead of indexing")
        ("watch", "after indexing, keep watching the folders and index what changes")
        ("watch-quiet", po::value<int>()->default_value(1000),
         "--watch: milliseconds without change (and no file still being written) before indexing");
    po::options_description hidden;
    hidden.add_options()("path", po::value<std::vector<std::string>>(), "input");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("path", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "depeche-index: " << e.what() << " (see --help)\n";
        return kExitUsage;
    }
    if (vm.count("help")) { std::cout << opts << "\n"; return kExitOk; }
    if (vm.count("version")) {
        std::cout << "depeche-index " << depeche::version() << "\n";
#ifdef DEPECHE_WITH_MIMALLOC
        const int mi = mi_version();
        std::cout << "allocator: mimalloc " << mi / 100 << "." << mi / 10 % 10 << "." << mi % 10 << "\n";
#else
        std::cout << "allocator: system malloc\n";
#endif
        return kExitOk;
    }
    if (vm.count("check")) {
        if (vm.count("path")) {
            std::cerr << "depeche-index: --check takes no PATH, only --db (see --help)\n";
            return kExitUsage;
        }
        try {
            depeche::CheckReport r = depeche::check_index(db);
            for (const std::string& p : r.problems) std::cerr << "depeche-index: index " << db << ": " << p << "\n";
            if (r.ok()) {
                std::printf("index %s: OK (%s checked)\n", db.c_str(), count_of(r.articles, "article", "articles").c_str());
                return kExitOk;
            }
            std::printf("index %s: DAMAGED (problems reported above); rebuild it with depeche-index --full\n", db.c_str());
        } catch (const depeche::Error& e) {
            std::cerr << "depeche-index: " << e.what() << "\n";
        }
        return kExitIndex;
    }
    if (!vm.count("path")) {
        std::cerr << "depeche-index: no PATH given (see --help)\n";
        return kExitUsage;
    }
    if (vm["threads"].as<std::size_t>() > 256) {
        std::cerr << "depeche-index: --threads must be between 0 and 256\n";
        return kExitUsage;
    }
    if (batch == 0 || batch > 10000000) {
        std::cerr << "depeche-index: --batch-size must be between 1 and 10000000\n";
        return kExitUsage;
    }
    g_index_dir = db.c_str();
    std::set_terminate(on_terminate);
    bool quiet = vm.count("quiet") > 0;
    bool progress_display = !quiet && isatty(STDERR_FILENO);
    g_progress_shown = progress_display;

    try {
        depeche::WriterOptions wo;
        wo.batch_size = batch;
        wo.overwrite = vm.count("full") > 0;
        wo.threads = vm["threads"].as<std::size_t>();
        wo.follow_symlinks = vm.count("follow-symlinks") > 0;
        wo.interrupted = [] { return g_interrupts > 0; };
        std::signal(SIGINT, on_interrupt);
        std::signal(SIGTERM, on_interrupt);
        std::optional<depeche::Writer> writer;
        writer.emplace(db, wo);
        auto show = [&](const depeche::Progress& p) {
            if (!progress_display) return;
            double rate = p.seconds > 0 ? static_cast<double>(p.articles) / p.seconds : 0;
            double eta = p.files_done > 0 ? p.seconds * static_cast<double>(p.files_total - p.files_done) / static_cast<double>(p.files_done) : 0;
            std::fprintf(stderr, "\r%zu/%zu %s, %s, %.0f articles/s, ETA %.0f s\033[K", p.files_done, p.files_total,
                         p.files_total == 1 ? "file" : "files", count_of(p.articles, "article", "articles").c_str(),
                         rate, eta);
        };
        const auto paths = vm["path"].as<std::vector<std::string>>();
        depeche::IndexSummary s = writer->index_paths(paths, show);
        if (progress_display) std::fprintf(stderr, "\r\033[K");
        print_summary(s, "");
        if (vm.count("watch") && !s.interrupted) {
            // A rebuild swaps its new index in at the end of its run: the watch goes on
            // with an ordinary (incremental) writer.
            if (wo.overwrite) {
                wo.overwrite = false;
                writer.reset();  // releases the index before the next writer takes it
                writer.emplace(db, wo);
            }
            std::printf("watching %s (Ctrl-C stops)\n", paths.size() == 1 ? paths[0].c_str() : "the given paths");
            std::fflush(stdout);
            depeche::watch::Options w;
            w.quiet_ms = std::max(0, vm["watch-quiet"].as<int>());
            w.stop = [] { return g_interrupts > 0; };
            w.report = [](const depeche::IndexSummary& r) {
                if (r.files_added || r.files_updated || r.files_removed || r.skipped_files || !r.problems.empty())
                    print_summary(r, clock_prefix());
            };
            return depeche::watch::run(*writer, paths, w);
        }
        if (s.interrupted) return 130;
        return s.skipped_files || !s.problems.empty() ? kExitInputFailed : kExitOk;
    } catch (const std::bad_alloc&) {
        std::cerr << "depeche-index: out of memory; the index keeps its last commit\n";
        return kExitIndex;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-index: " << e.what() << "\n";
        return kExitIndex;
    }
}
