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
    ".rss, .atom, .xml (RSS and Atom feeds, NewsML-G2, NITF), each also compressed (.gz, .zst,\n"
    ".xz). Markdown front matter may be YAML (---) or TOML (+++).\n"
    "JSON fields are read from the usual keys (docs/cli.md); --map adds others.\n"
    "An article with the same id as one already indexed replaces it.\n\n"
    "Incremental: on an existing index only new and changed files are read (size and\n"
    "modification time, then a content hash); a changed file's old articles are replaced\n"
    "by what it holds now; files that disappeared from the given folders have their\n"
    "articles removed. Other folders' articles are never touched. --full rebuilds.\n"
    "Ctrl-C stops and commits what is done; a second Ctrl-C aborts (the index keeps its\n"
    "last commit).\n\n"
    "Exit status: 0 all input indexed (warnings, such as an article without body or a date\n"
    "that could not be parsed, are counted in the summary and listed with --verbose); 1 some\n"
    "input was not indexed (files or lines that could not be read, reported on stderr;\n"
    "everything else was indexed; a file that failed is reported again by later runs until\n"
    "it changes); 130 interrupted by Ctrl-C (what was done is committed); 2 bad usage;\n"
    "3 the index cannot be opened (missing, incompatible, locked or corrupt).\n\n"
    "depeche-index --watch PATH... indexes, then keeps watching the folders and indexes new,\n"
    "changed, removed and renamed files once they are quiet (--watch-quiet), until Ctrl-C or\n"
    "SIGTERM, which commit and stop (exit 0).\n\n"
    "depeche-index --check [--db DIR] checks an index without changing it (Xapian's check of\n"
    "its tables, schema version, analyzer, every document's id and stored data): exit 0 if\n"
    "sound, 3 if missing or damaged (one line per problem on stderr).\n\n"
    "depeche-index --shards N --db DIR PATH... builds DIR as N shards (DIR/shard-NN) with a\n"
    "local lexicon and DIR/shards.stub, which depeche-search --db opens; each shard can be\n"
    "served by xapian-tcpsrv (docs/scale-out.md). --partition year instead makes one shard\n"
    "per publication year (and shard-00 for undated articles), a new year's shard created\n"
    "when its first article comes; depeche-index --compact-cold [--db DIR] then compacts\n"
    "the shards of past years written to since their last compaction.\n\n"
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
        } catch (const std::bad_alloc&) { out_of_memory = true; } catch (const Xapian::Error& x) {
            std::snprintf(detail, sizeof detail, ": %s: %s", x.get_type(), x.get_msg().c_str());
        } catch (const std::exception& x) { std::snprintf(detail, sizeof detail, ": %s", x.what()); } catch (...) {
        }
    }
    static char line[1024];
    if (out_of_memory)
        std::snprintf(line, sizeof line, "depeche-index: out of memory; the index keeps its last commit\n");
    else
        std::snprintf(line, sizeof line,
                      "depeche-index: %s%scannot write index %s (Xapian stopped%s); the index keeps its last commit\n",
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

// What kind of warning a message is, for the count by kind: its words up to the first
// detail (a quote, a parenthesis, a comma, a colon, a number...). "warning: article 12:
// cannot parse date 'x'; ..." -> "cannot parse date".
std::string warning_kind(std::string_view m) {
    if (m.starts_with("warning: ")) m.remove_prefix(9);
    if (m.starts_with("article ")) {  // "article ID: ..." (JSON arrays, long bodies)
        const std::size_t colon = m.find(": ");
        if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
    }
    std::string out;
    std::size_t i = 0;
    while (i < m.size()) {
        std::size_t end = m.find(' ', i);
        if (end == std::string_view::npos) end = m.size();
        std::string_view word = m.substr(i, end - i);
        if (word.empty() || std::string_view("'\"(<[").find(word[0]) != std::string_view::npos ||
            std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
            break;
        const std::size_t stop = word.find_first_of(",;:");
        if (!out.empty()) out += ' ';
        out += word.substr(0, stop);
        if (stop != std::string_view::npos) break;
        i = end + 1;
    }
    return out.empty() ? std::string(m.substr(0, 40)) : out;
}

bool g_verbose = false;

// The problems of a run on stderr (warnings one by one with --verbose, else counted by
// kind), then its summary line on stdout, after `prefix`.
void print_summary(const depeche::IndexSummary& s, const std::string& prefix) {
    std::vector<std::pair<std::string, std::size_t>> kinds;  // in order of first appearance
    for (const auto& p : s.problems) {
        if (!p.warning || g_verbose) {
            std::cerr << "depeche-index: " << p.to_string() << "\n";
            continue;
        }
        const std::string kind = warning_kind(p.message);
        auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == kind; });
        if (it == kinds.end())
            kinds.emplace_back(kind, 1);
        else
            ++it->second;
    }
    if (!kinds.empty()) {
        std::string line = "depeche-index: " + count_of(s.warnings, "warning", "warnings") + " (--verbose lists them):";
        for (std::size_t i = 0; i < kinds.size(); ++i)
            line += (i ? ", " : " ") + kinds[i].first + " (" + std::to_string(kinds[i].second) + ")";
        std::cerr << line << "\n";
    }
    std::printf("%s%s %s from %s (%zu added, %zu updated, %zu unchanged, %zu removed, %zu failed)", prefix.c_str(),
                s.interrupted ? "interrupted: indexed" : "indexed", count_of(s.articles, "article", "articles").c_str(),
                count_of(s.files, "file", "files").c_str(), s.files_added, s.files_updated, s.files_unchanged,
                s.files_removed, s.skipped_files);
    if (s.articles_removed) std::printf("; %s removed", count_of(s.articles_removed, "article", "articles").c_str());
    if (s.errors) std::printf("; %s reported above", count_of(s.errors, "problem", "problems").c_str());
    if (s.warnings) std::printf("; %s", count_of(s.warnings, "warning", "warnings").c_str());
    std::printf(" in %.2f s\n", s.seconds);
    std::fflush(stdout);
}

// "0/1 file, 15000 articles, 5230 articles/s, 41.9/100.0 MB (41%), ETA 11 s": the bytes
// of input read advance within a large file too, and give the ETA.
std::string progress_text(const depeche::Progress& p) {
    const double done = static_cast<double>(p.bytes_done), total = static_cast<double>(p.bytes_total);
    const double rate = p.seconds > 0 ? static_cast<double>(p.articles) / p.seconds : 0;
    double eta = 0;
    if (done > 0 && total > done)
        eta = p.seconds * (total - done) / done;
    else if (total <= 0 && p.files_done > 0)
        eta = p.seconds * static_cast<double>(p.files_total - p.files_done) / static_cast<double>(p.files_done);
    char line[256];
    std::snprintf(line, sizeof line, "%zu/%zu %s, %s, %.0f articles/s, %.1f/%.1f MB (%.0f%%), ETA %.0f s", p.files_done,
                  p.files_total, p.files_total == 1 ? "file" : "files",
                  count_of(p.articles, "article", "articles").c_str(), rate, done / 1e6, total / 1e6,
                  total > 0 ? 100 * done / total : 100.0, eta);
    return line;
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
    opts.add_options()("help,h", "show this help")("version", "show the version")(
        "db,d", po::value<std::string>(&db)->default_value(default_db()),
        "index folder (default: $DEPECHE_DB, else ./depeche.db)")(
        "batch-size", po::value<std::size_t>(&batch)->default_value(1000), "articles per commit")(
        "full", "rebuild from scratch (the old index answers searches until the new one replaces it)")(
        "threads", po::value<std::size_t>()->default_value(0), "worker threads (0: one per core)")(
        "shards", po::value<std::size_t>(),
        "build DIR as a sharded index of N shards (1-100; docs/scale-out.md); later runs keep the layout, "
        "changing it needs --full")(
        "partition", po::value<std::string>(),
        "'year': build DIR as a sharded index with one shard per publication year (and one for undated "
        "articles; docs/scale-out.md); later runs keep the layout, changing it needs --full")(
        "compact-cold",
        "compact the shards of past years of a --partition year index (those written to since their last "
        "compaction), one at a time, instead of indexing")("quiet,q",
                                                           "no progress display, only problems and the summary")(
        "verbose,v", "list every warning (by default they are counted by kind)")(
        "progress", "print progress lines on stderr even when it is not a terminal (one a second)")(
        "map", po::value<std::vector<std::string>>(),
        "JSON keys to read fields from, before the usual ones: FIELD=KEY[,FIELD=KEY...] (fields: id, title, date, url, "
        "source, author, body, lede, people; KEY may be a dotted path: author=author.name)")(
        "map-file", po::value<std::string>(), "the same from a file: one FIELD=KEY per line, # comments")(
        "follow-symlinks", "also read files that symbolic links in the folders lead to outside them")(
        "check", "check the index (read-only) instead of indexing")(
        "watch", "after indexing, keep watching the folders and index what changes")(
        "watch-quiet", po::value<int>()->default_value(1000),
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
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return kExitOk;
    }
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
            auto notes = [&] {
                for (const std::string& n : r.notes) std::printf("  %s\n", n.c_str());
            };
            if (r.ok()) {
                std::printf("index %s: OK (%s checked)\n", db.c_str(),
                            count_of(r.articles, "article", "articles").c_str());
                notes();
                return kExitOk;
            }
            std::printf("index %s: DAMAGED (problems reported above); rebuild it with depeche-index --full\n",
                        db.c_str());
            notes();
        } catch (const depeche::Error& e) { std::cerr << "depeche-index: " << e.what() << "\n"; }
        return kExitIndex;
    }
    if (vm.count("compact-cold")) {
        if (vm.count("path") || vm.count("check") || vm.count("watch") || vm.count("full") || vm.count("shards") ||
            vm.count("partition")) {
            std::cerr << "depeche-index: --compact-cold takes no PATH, only --db (see --help)\n";
            return kExitUsage;
        }
        try {
            const depeche::CompactionReport r = depeche::compact_cold_shards(db);
            for (const std::string& s : r.compacted) std::printf("compacted %s\n", s.c_str());
            std::printf("index %s: %s compacted (%.1f MB -> %.1f MB), %zu cold %s unchanged since %s compaction\n",
                        db.c_str(), count_of(r.compacted.size(), "shard", "shards").c_str(),
                        static_cast<double>(r.bytes_before) / 1e6, static_cast<double>(r.bytes_after) / 1e6,
                        r.unchanged, r.unchanged == 1 ? "shard" : "shards", r.unchanged == 1 ? "its" : "their");
            return kExitOk;
        } catch (const depeche::Error& e) {
            std::cerr << "depeche-index: " << e.what() << "\n";
            return kExitIndex;
        }
    }
    if (vm.count("shards") && vm.count("partition")) {
        std::cerr << "depeche-index: --shards and --partition cannot be combined (--partition year makes one shard "
                     "per year; --shards N, N shards by hash)\n";
        return kExitUsage;
    }
    if (vm.count("partition") && vm["partition"].as<std::string>() != "year") {
        std::cerr << "depeche-index: --partition must be 'year', not '" << vm["partition"].as<std::string>() << "'\n";
        return kExitUsage;
    }
    if (!vm.count("path")) {
        std::cerr << "depeche-index: no PATH given (see --help)\n";
        return kExitUsage;
    }
    if (vm["threads"].as<std::size_t>() > 256) {
        std::cerr << "depeche-index: --threads must be between 0 and 256\n";
        return kExitUsage;
    }
    if (vm.count("shards") && (vm["shards"].as<std::size_t>() < 1 || vm["shards"].as<std::size_t>() > 100)) {
        std::cerr << "depeche-index: --shards must be between 1 and 100\n";
        return kExitUsage;
    }
    if (batch == 0 || batch > 10000000) {
        std::cerr << "depeche-index: --batch-size must be between 1 and 10000000\n";
        return kExitUsage;
    }
    std::vector<std::pair<std::string, std::string>> field_map;
    if (vm.count("map-file")) {
        if (std::string error = depeche::load_field_map(vm["map-file"].as<std::string>(), field_map); !error.empty()) {
            std::cerr << "depeche-index: --map-file " << error << "\n";
            return kExitUsage;
        }
    }
    if (vm.count("map")) {
        for (const std::string& spec : vm["map"].as<std::vector<std::string>>()) {
            if (std::string error = depeche::parse_field_map(spec, field_map); !error.empty()) {
                std::cerr << "depeche-index: --map " << spec << ": " << error << "\n";
                return kExitUsage;
            }
        }
    }
    g_verbose = vm.count("verbose") > 0;
    g_index_dir = db.c_str();
    std::set_terminate(on_terminate);
    bool quiet = vm.count("quiet") > 0;
    bool progress_display = !quiet && isatty(STDERR_FILENO);
    const bool progress_lines = !quiet && !progress_display && vm.count("progress");
    g_progress_shown = progress_display;

    try {
        depeche::WriterOptions wo;
        wo.batch_size = batch;
        wo.overwrite = vm.count("full") > 0;
        wo.threads = vm["threads"].as<std::size_t>();
        if (vm.count("shards")) wo.shards = vm["shards"].as<std::size_t>();
        if (vm.count("partition")) wo.partition = vm["partition"].as<std::string>();
        wo.follow_symlinks = vm.count("follow-symlinks") > 0;
        wo.field_map = field_map;
        wo.interrupted = [] { return g_interrupts > 0; };
        std::signal(SIGINT, on_interrupt);
        std::signal(SIGTERM, on_interrupt);
        std::optional<depeche::Writer> writer;
        writer.emplace(db, wo);
        double last_line = -1;
        auto show = [&](const depeche::Progress& p) {
            if (!progress_display && !progress_lines) return;
            if (progress_lines && p.seconds - last_line < 1 && p.files_done < p.files_total) return;
            last_line = p.seconds;
            const std::string text = progress_text(p);
            if (progress_display)
                std::fprintf(stderr, "\r%s\033[K", text.c_str());
            else
                std::fprintf(stderr, "depeche-index: %s\n", text.c_str());
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
        return s.skipped_files || s.errors ? kExitInputFailed : kExitOk;
    } catch (const std::bad_alloc&) {
        std::cerr << "depeche-index: out of memory; the index keeps its last commit\n";
        return kExitIndex;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-index: " << e.what() << "\n";
        return kExitIndex;
    }
}
