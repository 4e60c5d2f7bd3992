// depeche::Writer: the single writer of an index.
//
// Two ways of indexing files (index_paths):
//  * into an empty index, or a rebuild (--full): articles are spread by id over one
//    shard per worker thread, each with its own Xapian writer, and the shards are then
//    merged by Xapian's compaction into a new index that replaces the old one in one
//    atomic rename. Both cores write, and the result is compact.
//  * into an existing index: worker threads build documents, the calling thread
//    writes them in input order (so a later copy of an article wins), committing every
//    batch_size articles. Files that did not change since the last run are skipped.
#include "indexer/document.hpp"
#include "indexer/people.hpp"
#include "indexer/queue.hpp"
#include "indexer/readers.hpp"
#include "indexer/store.hpp"
#include "schema/schema.hpp"

#include <depeche/depeche.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <sys/statvfs.h>
#include <unistd.h>
#include <unordered_set>

namespace fs = std::filesystem;

namespace depeche {

std::string InputProblem::to_string() const {
    if (path.empty()) return message;
    std::string out = path;
    if (line > 0) out += ":" + std::to_string(line);
    return out + ": " + message;
}

std::string version() { return DEPECHE_VERSION_STRING; }

namespace {

using Clock = std::chrono::steady_clock;

InputProblem problem_of(const ReadIssue& i) { return {i.path, i.line, i.message, i.warning}; }

// ---- What the index remembers about each input file -----------------------------------
// Metadata "depeche.file:<path>" = "<size> <mtime ns> <content hash>" (long paths are
// keyed by a hash, with the path after a newline in the value).
constexpr std::string_view kFileMetaPrefix = "depeche.file:";
// Compression dictionaries are trained on the stored data of this many articles (the
// first ones of a new index); an index without one gets one once it holds
// kTrainFromIndexAt articles.
constexpr std::size_t kTrainArticles = 1000;
constexpr Xapian::doccount kTrainFromIndexAt = 1000;

struct FileState {
    std::uintmax_t size = 0;
    long long mtime = 0;
    std::uint64_t hash = 0;
    // What went wrong when the file was read ("" if nothing): a file whose lines or
    // articles were not all indexed is reported again, while it does not change.
    std::string failure;
};

std::string file_meta_key(const std::string& path) {
    std::string key = std::string(kFileMetaPrefix) + path;
    if (key.size() <= 200) return key;
    return std::string(kFileMetaPrefix) + "#" + fnv_hex(path);
}

// "<size> <mtime> <hash>[ failed <message>]\n<path>".
constexpr std::string_view kFailedMark = " failed ";

std::string encode_state(const FileState& s, const std::string& path) {
    std::string failure = s.failure;
    for (char& c : failure)
        if (c == '\n') c = ' ';
    return std::to_string(s.size) + " " + std::to_string(s.mtime) + " " + std::to_string(s.hash) +
           (failure.empty() ? std::string() : std::string(kFailedMark) + failure) + "\n" + path;
}

bool decode_state(const std::string& v, FileState& s, std::string& path) {
    unsigned long long size = 0, hash = 0;
    long long mtime = 0;
    int used = 0;
    if (std::sscanf(v.c_str(), "%llu %lld %llu%n", &size, &mtime, &hash, &used) != 3) return false;
    std::size_t nl = v.find('\n');
    const std::string_view rest = std::string_view(v).substr(static_cast<std::size_t>(used), nl == std::string::npos ? std::string::npos : nl - static_cast<std::size_t>(used));
    s = {size, mtime, hash, rest.starts_with(kFailedMark) ? std::string(rest.substr(kFailedMark.size())) : std::string()};
    path = nl == std::string::npos ? std::string() : v.substr(nl + 1);
    return true;
}

// Size and modification time, without reading the file.
bool stat_file(const fs::path& p, FileState& s) {
    std::error_code ec;
    s.size = fs::file_size(p, ec);
    if (ec) return false;
    auto t = fs::last_write_time(p, ec);
    if (ec) return false;
    s.mtime = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    return true;
}

std::uint64_t hash_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::uint64_t h = 1469598103934665603ULL;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            h ^= static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]);
            h *= 1099511628211ULL;
        }
    }
    return h;
}

// ---- Walking the input -----------------------------------------------------------------
// Patterns from a folder's .depecheignore (one shell pattern per line, '#' comments),
// matched against paths relative to that folder and against file names.
struct IgnoreRules {
    std::vector<std::pair<fs::path, std::vector<std::string>>> rules;

    void load(const fs::path& dir) {
        std::ifstream in(dir / ".depecheignore");
        if (!in) return;
        std::vector<std::string> patterns;
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
            if (!line.empty() && line[0] != '#') patterns.push_back(line);
        }
        if (!patterns.empty()) rules.emplace_back(dir, std::move(patterns));
    }

    bool ignored(const fs::path& file) const {
        for (const auto& [dir, patterns] : rules) {
            auto [d, f] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
            if (d != dir.end()) continue;  // not below this folder
            std::string rel = file.lexically_relative(dir).generic_string();
            std::string name = file.filename().string();
            for (const std::string& p : patterns)
                if (fnmatch(p.c_str(), rel.c_str(), FNM_PATHNAME) == 0 || fnmatch(p.c_str(), name.c_str(), 0) == 0)
                    return true;
        }
        return false;
    }
};

struct Input {
    std::vector<fs::path> files;  // absolute, in a stable order
    std::vector<fs::path> roots;  // absolute paths given (folders and files)
};

bool under(const fs::path& file, const std::vector<fs::path>& roots) {
    for (const fs::path& r : roots) {
        auto [a, b] = std::mismatch(r.begin(), r.end(), file.begin(), file.end());
        if (a == r.end()) return true;
    }
    return false;
}

// Whether `file` (a symbolic link found in a folder given) leads outside the folders
// given (`real_roots`, resolved): then it is not read unless the caller says so.
bool leads_outside(const fs::path& file, const std::vector<fs::path>& real_roots) {
    std::error_code ec;
    const fs::path target = fs::canonical(file, ec);
    return !ec && !under(target, real_roots);  // a dangling link is the reader's to report
}

Input collect_files(const std::vector<std::string>& paths, IndexSummary& summary, bool follow_symlinks) {
    Input in;
    std::vector<fs::path> real_roots;  // the folders given, links resolved
    for (const std::string& given : paths) {
        std::error_code ec;
        if (fs::path real = fs::canonical(given, ec); !ec && fs::is_directory(real, ec)) real_roots.push_back(real);
    }
    auto fail = [&](const std::string& path, const std::string& message) {
        summary.problems.push_back({path, 0, message, false});
        ++summary.skipped_files;
    };
    for (const std::string& given : paths) {
        std::error_code ec;
        fs::path p = fs::absolute(given, ec).lexically_normal();
        if (p.has_filename() == false && p.has_parent_path()) p = p.parent_path();
        fs::file_status st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            bool link = fs::is_symlink(fs::symlink_status(p, ec));
            fail(given, link ? "dangling symbolic link" : "no such file or directory");
            continue;
        }
        in.roots.push_back(p);
        if (fs::is_directory(st)) {
            std::vector<fs::path> found;
            IgnoreRules ignore;
            ignore.load(p);
            fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
            if (ec) {
                fail(given, "cannot read directory: " + ec.message());
                continue;
            }
            for (; it != end; it.increment(ec)) {
                if (ec) {
                    summary.problems.push_back({p.string(), 0, "cannot read part of the folder: " + ec.message(), false});
                    break;  // the iterator is unusable after an error
                }
                const fs::directory_entry& e = *it;
                bool hidden = e.path().filename().string().rfind('.', 0) == 0;
                if (e.is_directory(ec)) {
                    // Hidden folders (.git and the like) and ignored ones are not entered.
                    if (hidden || ignore.ignored(e.path())) it.disable_recursion_pending();
                    else ignore.load(e.path());
                    continue;
                }
                // Hidden files, other formats and .depecheignore'd files are passed over.
                if (hidden || format_for(e.path()) == Format::Unknown || ignore.ignored(e.path())) continue;
                if (!follow_symlinks && e.is_symlink(ec) && leads_outside(e.path(), real_roots)) {
                    summary.problems.push_back({e.path().string(), 0,
                                                "warning: symbolic link leading outside the folders given, not "
                                                "read (--follow-symlinks reads it)", true});
                    continue;
                }
                found.push_back(e.path());
            }
            std::sort(found.begin(), found.end());
            in.files.insert(in.files.end(), found.begin(), found.end());
        } else if (format_for(p) == Format::Unknown) {
            fail(given, "unsupported file type (known: .txt .md .markdown .json .jsonl .ndjson .html .htm .rss .atom .xml, "
                       "each also .gz .zst .xz)");
        } else {
            in.files.push_back(p);
        }
    }
    // The same file named twice (or inside two given folders) is read once.
    std::vector<fs::path> unique;
    std::set<fs::path> seen;
    for (auto& f : in.files)
        if (seen.insert(f).second) unique.push_back(f);
    in.files = std::move(unique);
    return in;
}


// How reading one file went: failed (nothing of it indexed, or it could not be read)
// and, when something was not indexed, the first problem with their count, which the
// file's state keeps so that the next runs report it again while the file does not change.
struct FileOutcome {
    bool failed = false;
    std::string failure;
};

FileOutcome outcome_of(const ReadStats& stats, const std::vector<InputProblem>& problems, std::size_t from) {
    FileOutcome out;
    std::size_t errors = 0;
    for (std::size_t i = from; i < problems.size(); ++i) {
        if (problems[i].warning) continue;
        if (errors++ == 0) out.failure = problems[i].line ? "line " + std::to_string(problems[i].line) + ": " + problems[i].message
                                                          : problems[i].message;
    }
    if (errors > 1) out.failure += " (and " + std::to_string(errors - 1) + " more)";
    out.failed = stats.failed || (errors > 0 && stats.articles == 0);
    return out;
}

// An unchanged file: counted as such, or, when its last reading reported problems, as
// failed again with them.
void count_unchanged(const std::string& path, const FileState& before, IndexSummary& summary) {
    if (before.failure.empty()) {
        ++summary.files_unchanged;
        return;
    }
    summary.problems.push_back({path, 0, "failed on an earlier run, unchanged since: " + before.failure, false});
    ++summary.skipped_files;
}

// Paces the progress reports made while a file is read: at most 10 a second.
struct ProgressPacer {
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    bool due() {
        const auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::milliseconds(100)) return false;
        last = now;
        return true;
    }
};

// Fills in a missing id: URL, else path (with #line for JSONL).
void assign_id(Article& a) {
    if (!a.id.empty()) return;
    if (!a.url.empty()) a.id = a.url;
    else if (!a.path.empty()) a.id = a.line ? a.path + "#" + std::to_string(a.line) : a.path;
}

// Runs f when leaving the scope, also by an exception: used to close the queues and
// join the worker threads (a std::thread destroyed while joinable calls std::terminate).
template <class F>
struct OnExit {
    F f;
    ~OnExit() { f(); }
};
template <class F>
OnExit(F) -> OnExit<F>;

// An exception thrown by the caller's progress callback, carried through the library's
// error translation and rethrown unchanged by index_paths().
struct CallbackException {
    std::exception_ptr error;
};

// The public error for a Xapian error met in a worker thread, to be rethrown by the
// thread that collects the results.
std::exception_ptr translated(const Xapian::Error& e, const std::string& dir) {
    try {
        rethrow_xapian(e, dir);
    } catch (...) {
        return std::current_exception();
    }
}

// Build folders (.NAME.build-PID) left next to the index by a depeche-index that was
// killed or aborted (second Ctrl-C) while building: removed when that process is gone.
void remove_stale_builds(const fs::path& target) {
    const std::string stem = "." + target.filename().string() + ".build-";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(target.parent_path(), ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(stem, 0) != 0 || name.size() == stem.size()) continue;
        const std::string digits = name.substr(stem.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
        std::error_code rm;
        fs::remove_all(e.path(), rm);
    }
}

// Free space a first build or rebuild needs: the index comes to about 3 times the size
// of its input, and building it takes about 3 times the size of the index (the shards,
// their merged copy, and the old index kept until the swap): 9 bytes per byte of input.
constexpr std::uintmax_t kBuildSpacePerInputByte = 9;

std::string megabytes(std::uintmax_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buf;
}

// Refuses to start a build that cannot fit on the file system of `where`.
void check_build_space(const std::vector<fs::path>& files, const fs::path& where, const std::string& dir) {
    std::uintmax_t input = 0;
    for (const fs::path& f : files) {
        std::error_code ec;
        const std::uintmax_t size = fs::file_size(f, ec);
        if (!ec) input += size;
    }
    struct statvfs st;
    if (::statvfs(where.c_str(), &st) != 0) return;  // unknown: let the writes tell
    const std::uintmax_t free_bytes = static_cast<std::uintmax_t>(st.f_bavail) * st.f_frsize;
    const std::uintmax_t needed = input * kBuildSpacePerInputByte;
    if (free_bytes < needed)
        throw IoError(std::string(std::strerror(ENOSPC)) + ": building index " + dir + " needs about " +
                      megabytes(needed) + " free (" + std::to_string(kBuildSpacePerInputByte) + " times the " +
                      megabytes(input) + " of input), " + where.string() + " has " + megabytes(free_bytes) +
                      "; nothing was changed");
}

// The most of an article's body that is indexed (and stored for snippets): indexing
// takes tens of bytes of memory per byte of body (a 41 MB body took 953 MB and 10 s
// whole, 279 MB and 2 s cut to this). The rest is reported as a warning.
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

// Cuts a body to at most kMaxBodyBytes, at a space when there is one near the limit,
// never inside a UTF-8 sequence.
void cut_body(std::string& body) {
    std::size_t cut = kMaxBodyBytes;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    const std::size_t space = body.find_last_of(" \n\t", cut);
    if (space != std::string::npos && cut - space < 1024) cut = space;
    body.resize(cut);
}

// An article read from several files is kept from the last one read, whose file term
// ("XF" + hash of its path) it holds. Each other file that holds it is remembered by a
// term "XD" + the same hash, so that when the last file goes (deleted, or changed without
// it) the article is read again from one of the others, as a rebuild would keep it.
constexpr std::string_view kFileTermPrefix = "XF", kShadowTermPrefix = "XD";

// Adds to `doc`, about to replace document `did` of `db`, the shadow terms of the files
// that held the article before: `did`'s own file and its shadows, but not doc's file.
void carry_shadows(const Xapian::Database& db, Xapian::docid did, Xapian::Document& doc) {
    auto first_with = [](auto it, auto end, std::string_view prefix) {
        it.skip_to(std::string(prefix));
        return it != end && (*it).rfind(prefix, 0) == 0 ? *it : std::string();
    };
    const std::string own = first_with(doc.termlist_begin(), doc.termlist_end(), kFileTermPrefix);
    std::set<std::string> shadows;
    const std::string owner = first_with(db.termlist_begin(did), db.termlist_end(did), kFileTermPrefix);
    if (!owner.empty()) shadows.insert(std::string(kShadowTermPrefix) + owner.substr(kFileTermPrefix.size()));
    auto t = db.termlist_begin(did);
    for (t.skip_to(std::string(kShadowTermPrefix)); t != db.termlist_end(did) && (*t).rfind(kShadowTermPrefix, 0) == 0; ++t)
        shadows.insert(*t);
    if (!own.empty()) shadows.erase(std::string(kShadowTermPrefix) + own.substr(kFileTermPrefix.size()));
    for (const std::string& s : shadows) doc.add_boolean_term(s);
}

std::size_t worker_count(std::size_t requested) {
    if (requested) return requested;
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

}  // namespace

// New entries of the spelling table (Xapian's synonym table: folded word -> stems of its
// accented spellings) and of the forms table (metadata: schema::kFormsKey + stem -> the
// exact forms indexed with that stem, joined by U+001F), gathered per batch and written
// key by key at commit time (flush_synonyms): Xapian's synonym table re-reads and
// recompresses an entry each time the key changes between two add_synonym() calls.
struct PendingSynonyms {
    std::map<std::string, std::vector<std::string>> spellings;
    std::map<std::string, std::vector<std::string>> forms;  // stem -> new forms
    std::map<std::string, std::string> values;  // whole-value metadata key -> text
    std::unordered_set<std::string> seen;  // pairs already recorded by this writer
};

// Records a document's spellings and forms. `seen` is emptied past two million pairs
// (recording a pair again is harmless).
static void record_synonyms(const BuiltDocument& built, PendingSynonyms& pending) {
    std::string key;
    auto add = [&](std::map<std::string, std::vector<std::string>>& to, char kind, const std::string& k,
                   const std::string& value) {
        key.assign(1, kind).append(k).append(1, '\0').append(value);
        if (pending.seen.insert(key).second) to[k].push_back(value);
    };
    for (const auto& [word, stem] : built.spellings) add(pending.spellings, 's', word, stem);
    for (const auto& [stem, form] : built.forms) add(pending.forms, 'f', stem, form);
    for (const auto& [k, text] : built.field_values)
        if (pending.seen.insert(k).second) pending.values.emplace(k, text);
    if (pending.seen.size() > 2000000) pending.seen.clear();
}

// The forms of a forms-table entry, and an entry from forms.
static std::set<std::string> split_forms(std::string_view list) {
    std::set<std::string> out;
    for (std::size_t start = 0; start < list.size();) {
        std::size_t end = std::min(list.find('\x1f', start), list.size());
        if (end > start) out.emplace(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}
static std::string join_forms(const std::set<std::string>& forms) {
    std::string out;
    for (const std::string& f : forms) {
        if (!out.empty()) out += '\x1f';
        out += f;
    }
    return out;
}

static void flush_synonyms(Xapian::WritableDatabase& db, PendingSynonyms& pending) {
    for (const auto& [word, stems] : pending.spellings)
        for (const std::string& stem : stems) db.add_synonym(word, stem);
    pending.spellings.clear();
    std::string key(schema::kFormsKey);
    for (const auto& [stem, forms] : pending.forms) {
        key.resize(schema::kFormsKey.size());
        key += stem;
        std::set<std::string> all = split_forms(db.get_metadata(key));
        std::size_t before = all.size();
        all.insert(forms.begin(), forms.end());
        if (all.size() != before) db.set_metadata(key, join_forms(all));
    }
    pending.forms.clear();
    // The key is a hash of the text: an existing entry holds the same text.
    for (const auto& [k, text] : pending.values)
        if (db.get_metadata(k).empty()) db.set_metadata(k, text);
    pending.values.clear();
}

// Merges shards: forms-table entries present in several shards are united; other
// metadata is rewritten after the merge.
struct ShardCompactor : Xapian::Compactor {
    std::string resolve_duplicate_metadata(const std::string& key, size_t num_tags,
                                           const std::string tags[]) override {
        // Glass passes the key as stored in its postlist table, after the two bytes that
        // mark user metadata ("\0\xC0").
        std::string_view k(key);
        if (k.size() >= 2 && k[0] == '\0' && k[1] == '\xC0') k.remove_prefix(2);
        if (k.substr(0, schema::kFormsKey.size()) != schema::kFormsKey) return tags[0];
        std::set<std::string> all;
        for (size_t i = 0; i < num_tags; ++i) all.merge(split_forms(tags[i]));
        return join_forms(all);
    }
};

struct Writer::Impl {
    std::string dir;
    WriterOptions options;
    // The index folder, absolute: `dir` may be relative to a current folder that a
    // rebuild swaps away ("--db .").
    fs::path folder;
    std::optional<WriterLock> lock;  // held from before the index is opened until after it is closed
    Xapian::WritableDatabase db;
    Analyzer analyzer;
    std::unique_ptr<PeopleExtractor> people;
    std::string people_error;
    PendingSynonyms synonyms;
    // Compresses stored data with the index's dictionary (shared with the worker threads,
    // which only read it once it is set up).
    std::shared_ptr<StoredCodec> codec = std::make_shared<StoredCodec>();
    std::size_t pending = 0;
    bool fresh_pending;  // overwrite requested and not yet done

    Impl(const std::string& d, const WriterOptions& o)
        : dir(tidy_path(d)), options(o), fresh_pending(o.overwrite) {
        if (!options.create && !fs::exists(dir))
            throw IndexMissingError("no index at " + dir);
        // Xapian would create the folder anyway: it is created here to be locked first, and
        // without any access for others (its files are then out of their reach).
        folder = index_path(dir);
        if (!fs::exists(folder)) {
            fs::create_directories(folder);
            fs::permissions(folder, fs::perms::others_all, fs::perm_options::remove);
        }
        if (::access(dir.c_str(), R_OK | X_OK) != 0)
            throw IoError("cannot read index " + dir + ": " + std::strerror(errno));
        if (::access(dir.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
            throw IoError("index " + dir + " is read-only (" + std::strerror(errno) + "): it cannot be updated");
        lock.emplace(dir);
        remove_stale_builds(folder);
        if (options.batch_size == 0) options.batch_size = 1;
        // A rebuild keeps the old index (and its lock) until the new one replaces it.
        db = open_writable(dir, /*check=*/!options.overwrite);
        if (!options.overwrite) codec->load(db);
        try {
            people = std::make_unique<PeopleExtractor>(lexicon_dir());
        } catch (const std::exception& e) {
            people_error = std::string("people extraction disabled: ") + e.what();
        }
    }

    // add()/remove() on an overwriting writer: empty the index first.
    void start_fresh_if_needed() {
        if (!fresh_pending) return;
        fresh_pending = false;
        db.close();
        db = open_writable(dir, true, /*overwrite=*/true);
        codec = std::make_shared<StoredCodec>();
    }

    // An index without a compression dictionary (it started small, or was filled by
    // add()) gets one once it holds enough articles to train it: from a sample of the
    // stored data of its newest articles. Articles written from then on use it; older
    // ones keep theirs. Recorded with the next commit, with the first articles using it.
    bool dictionary_tried = false;
    void train_dictionary_if_due() {
        if (dictionary_tried || codec->compression_id() != 0 || db.get_doccount() < kTrainFromIndexAt) return;
        dictionary_tried = true;
        std::vector<std::string> samples;
        const Xapian::docid last = db.get_lastdocid();
        for (Xapian::docid did = last; did > 0 && samples.size() < kTrainArticles; --did) {
            std::string data;
            try {
                data = db.get_document(did, Xapian::DOC_ASSUME_VALID).get_data();
            } catch (const Xapian::DocNotFoundError&) {
                continue;
            }
            if (auto a = decode_stored(data, true, codec.get())) samples.push_back(stored_record(*a));
        }
        std::string dict = StoredCodec::train(samples);
        if (dict.empty()) return;
        const std::uint32_t id = codec->next_id();
        codec->add(id, dict, true);
        db.set_metadata(schema::kMetaDictPrefix + std::to_string(id), dict);
    }

    void write(BuiltDocument& built) {
        if (db.get_termfreq(built.id_term) > 0) carry_shadows(db, *db.postlist_begin(built.id_term), built.doc);
        db.replace_document(built.id_term, built.doc);
        record_synonyms(built, synonyms);
        if (++pending >= options.batch_size) commit();
    }

    void commit() {
        flush_synonyms(db, synonyms);
        stamp_updated(db);
        db.commit();
        pending = 0;
        // A table file that appeared with this commit is recorded (one more commit, once).
        if (record_tables(db, folder)) db.commit();
    }

    BuiltDocument build(Article& a, Analyzer& an, const StoredCodec* c) {
        assign_id(a);
        if (a.id.empty()) throw Error("article has no id, url or path");
        const std::size_t body = a.body.size();
        if (body > kMaxBodyBytes) cut_body(a.body);
        BuiltDocument built = build_document(a, an, people.get(), c);
        if (body > kMaxBodyBytes)
            built.problems.push_back({a.path, a.line,
                                      "warning: article " + a.id + ": body too long, only its first " + megabytes(a.body.size()) +
                                          " of " + megabytes(body) + " indexed (the limit is " +
                                          std::to_string(kMaxBodyBytes) + " bytes)",
                                      true});
        return built;
    }

    bool stop_requested() const { return options.interrupted && options.interrupted(); }

    ReadOptions read_options(std::function<void(std::uintmax_t)> on_bytes) const {
        ReadOptions ro;
        ro.field_map = options.field_map;
        ro.on_bytes = std::move(on_bytes);
        return ro;
    }

    IndexSummary index_update(const Input& in, IndexSummary summary,
                              const std::function<void(const Progress&)>& progress, Clock::time_point start);
    IndexSummary index_fresh(const Input& in, IndexSummary summary,
                             const std::function<void(const Progress&)>& progress, Clock::time_point start);
};

Writer::Writer(const std::string& index_dir, const WriterOptions& options)
    : impl_(guard_errors([&] { return std::make_unique<Impl>(index_dir, options); }, index_dir)) {}

Writer::~Writer() {
    if (!impl_) return;
    try {
        if (impl_->pending) impl_->commit();
    } catch (...) {
        // A destructor must not throw; the last batch is lost, the index stays as committed.
    }
}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;

namespace {
[[noreturn]] void moved_from() { throw Error("depeche::Writer used after being moved from"); }
}  // namespace

std::vector<InputProblem> Writer::add(const Article& article) {
    if (!impl_) moved_from();
    return guard_errors([&] {
        impl_->start_fresh_if_needed();
        impl_->train_dictionary_if_due();
        Article a = article;
        BuiltDocument built = impl_->build(a, impl_->analyzer, impl_->codec.get());
        impl_->write(built);
        for (auto& p : built.problems) p.warning = true;
        return std::move(built.problems);
    }, impl_->dir);
}

bool Writer::remove(const std::string& id) {
    if (!impl_) moved_from();
    return guard_errors([&] {
        impl_->start_fresh_if_needed();
        std::string term = id_term(id);
        if (impl_->db.get_termfreq(term) == 0) return false;
        impl_->db.delete_document(term);
        if (++impl_->pending >= impl_->options.batch_size) impl_->commit();
        return true;
    }, impl_->dir);
}

void Writer::commit() {
    if (!impl_) moved_from();
    guard_errors([&] { impl_->commit(); return 0; }, impl_->dir);
}

IndexSummary Writer::index_paths(const std::vector<std::string>& paths,
                                 const std::function<void(const Progress&)>& progress) {
    if (!impl_) moved_from();
    auto start = Clock::now();
    std::function<void(const Progress&)> report;
    if (progress) {
        report = [&progress](const Progress& p) {
            try {
                progress(p);
            } catch (...) {
                throw CallbackException{std::current_exception()};
            }
        };
    }
    try {
        return guard_errors([&] {
            IndexSummary summary;
            if (!impl_->people_error.empty()) summary.problems.push_back({"", 0, impl_->people_error, true});
            Input in = collect_files(paths, summary, impl_->options.follow_symlinks);
            summary.files = in.files.size();
            bool empty = impl_->db.get_doccount() == 0 && impl_->pending == 0;
            IndexSummary done = impl_->fresh_pending || empty ? impl_->index_fresh(in, std::move(summary), report, start)
                                                              : impl_->index_update(in, std::move(summary), report, start);
            for (const InputProblem& p : done.problems) ++(p.warning ? done.warnings : done.errors);
            return done;
        }, impl_->dir);
    } catch (const CallbackException& c) {
        std::rethrow_exception(c.error);
    }
}

// ---- Updating an existing index -----------------------------------------------------------
IndexSummary Writer::Impl::index_update(const Input& in, IndexSummary summary,
                                        const std::function<void(const Progress&)>& progress,
                                        Clock::time_point start) {
    Progress prog;
    prog.files_total = in.files.size();
    auto tick = [&] {
        prog.articles = summary.articles;
        prog.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) progress(prog);
    };
    ProgressPacer pacer;

    train_dictionary_if_due();

    // Which files need reading: new ones, and those whose size, time and content changed.
    struct Job { fs::path path; FileState state; bool known; };
    std::vector<Job> jobs;
    std::set<std::string> present;
    for (const fs::path& f : in.files) {
        std::string p = f.string();
        present.insert(p);
        FileState now, before;
        std::string stored_path;
        bool known = decode_state(db.get_metadata(file_meta_key(p)), before, stored_path);
        if (!stat_file(f, now)) { jobs.push_back({f, now, known}); continue; }  // the reader reports it
        if (known && now.size == before.size && now.mtime == before.mtime) {
            count_unchanged(p, before, summary);
            ++prog.files_done;
            continue;
        }
        now.hash = hash_file(f);
        if (known && now.size == before.size && now.hash == before.hash) {
            now.failure = before.failure;
            db.set_metadata(file_meta_key(p), encode_state(now, p));  // touched, not changed
            count_unchanged(p, before, summary);
            ++prog.files_done;
            continue;
        }
        jobs.push_back({f, now, known});
        prog.bytes_total += now.size;
    }

    // Articles about to be deleted with their file, and the other files that hold them:
    // read again at the end those whose article is then gone.
    std::vector<std::pair<std::string, std::string>> shadowed;  // (id term, shadow term)
    auto note_shadows = [&](const std::string& term) {
        for (auto d = db.postlist_begin(term); d != db.postlist_end(term); ++d) {
            std::string id;
            for (auto t = db.termlist_begin(*d); t != db.termlist_end(*d); ++t) {
                const std::string& s = *t;
                if (s.rfind(schema::kIdPrefix, 0) == 0) id = s;  // one id term per document
                else if (s.rfind(kShadowTermPrefix, 0) == 0 && !id.empty()) shadowed.emplace_back(id, s);
            }
        }
    };

    // Files gone from the folders given this time: their articles go too.
    for (auto it = db.metadata_keys_begin(std::string(kFileMetaPrefix));
         it != db.metadata_keys_end(std::string(kFileMetaPrefix)); ++it) {
        FileState st;
        std::string path;
        if (!decode_state(db.get_metadata(*it), st, path) || path.empty()) continue;
        if (present.count(path) || !under(fs::path(path), in.roots)) continue;
        std::error_code ec;
        if (fs::exists(path, ec)) continue;  // still there, just ignored or filtered now
        std::string term = file_term(path);
        summary.articles_removed += db.get_termfreq(term);
        note_shadows(term);
        db.delete_document(term);
        db.set_metadata(*it, "");
        ++summary.files_removed;
    }

    // Worker threads build documents; this thread writes them in input order.
    struct Item { std::size_t seq; Article article; };
    struct Result {
        BuiltDocument built;
        InputProblem problem;        // the article could not be built (message set)
        std::exception_ptr failure;  // the index cannot be written: stops the run
    };
    const std::size_t workers = std::max<std::size_t>(1, worker_count(options.threads) - 1);
    BoundedQueue<Item> todo(256);
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::map<std::size_t, Result> done;
    std::vector<std::thread> pool;
    // However this function is left, the workers are stopped and joined first.
    OnExit join_pool{[&] {
        todo.close();
        for (auto& t : pool)
            if (t.joinable()) t.join();
    }};
    for (std::size_t w = 0; w < workers; ++w) {
        pool.emplace_back([&] {
            Analyzer an;
            while (auto item = todo.pop()) {
                Result r;
                try {
                    r.built = build(item->article, an, codec.get());
                } catch (const Xapian::Error& e) {
                    r.failure = translated(e, dir);
                } catch (const std::exception& e) {
                    r.problem = {item->article.path, item->article.line, e.what(), false};
                } catch (...) {
                    r.failure = std::current_exception();
                }
                std::lock_guard lock(done_mutex);
                done.emplace(item->seq, std::move(r));
                done_cv.notify_all();
            }
        });
    }
    std::size_t next_seq = 0, written = 0;
    auto write_ready = [&](bool wait_all) {
        for (;;) {
            Result r;
            {
                std::unique_lock lock(done_mutex);
                if (wait_all) done_cv.wait(lock, [&] { return written == next_seq || done.count(written); });
                if (written == next_seq || !done.count(written)) return;
                r = std::move(done[written]);
                done.erase(written);
            }
            ++written;
            if (r.failure) std::rethrow_exception(r.failure);
            if (!r.problem.message.empty()) {
                summary.problems.push_back(std::move(r.problem));
                continue;
            }
            for (auto& p : r.built.problems) { p.warning = true; summary.problems.push_back(std::move(p)); }
            write(r.built);
            ++summary.articles;
        }
    };

    // `again`: read once more to bring back an article whose last file went (counted
    // in no summary figure).
    auto run_job = [&](const Job& job, bool again) {
        std::string p = job.path.string();
        // A changed file is read again from scratch: its old articles go first.
        if (job.known) {
            write_ready(true);
            note_shadows(file_term(p));
            db.delete_document(file_term(p));
        }
        std::vector<ReadIssue> issues;
        const std::uint64_t bytes_before = prog.bytes_done;
        ReadOptions ro = read_options([&](std::uintmax_t n) {
            prog.bytes_done = bytes_before + n;
            if (pacer.due()) tick();
        });
        const std::size_t problems_before = summary.problems.size();
        ReadStats stats = read_file(job.path, [&](Article&& a) {
            if (stop_requested()) return;
            todo.push({next_seq++, std::move(a)});
            write_ready(false);
        }, issues, ro);
        for (const ReadIssue& i : issues) summary.problems.push_back(problem_of(i));
        write_ready(true);
        if (again) return;
        const FileOutcome outcome = outcome_of(stats, summary.problems, problems_before);
        if (outcome.failed) ++summary.skipped_files;
        else if (job.known) ++summary.files_updated;
        else ++summary.files_added;
        if (!stats.failed && !stop_requested()) {
            FileState st = job.state;
            if (st.hash == 0) st.hash = hash_file(job.path);
            st.failure = outcome.failure;
            db.set_metadata(file_meta_key(p), encode_state(st, p));
        }
        prog.bytes_done = bytes_before + job.state.size;
        ++prog.files_done;
        tick();
    };
    for (const Job& job : jobs) {
        if (stop_requested()) { summary.interrupted = true; break; }
        run_job(job, false);
    }
    // Articles deleted with a file but held by another one still there: read that one
    // again (the article comes back, as a rebuild would keep it).
    std::set<std::string> reread;  // file terms
    for (const auto& [id, shadow] : shadowed)
        if (db.get_termfreq(id) == 0)
            reread.insert(std::string(kFileTermPrefix) + shadow.substr(kShadowTermPrefix.size()));
    for (const fs::path& f : in.files) {
        if (reread.empty() || stop_requested()) break;
        if (reread.erase(file_term(f.string())) == 0) continue;
        run_job({f, FileState{}, true}, true);
    }
    todo.close();
    for (auto& t : pool) t.join();
    write_ready(true);  // what the workers built last
    commit();
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
}

// ---- Building a new index in parallel shards ------------------------------------------------
IndexSummary Writer::Impl::index_fresh(const Input& in, IndexSummary summary,
                                       const std::function<void(const Progress&)>& progress,
                                       Clock::time_point start) {
    const std::size_t shards = worker_count(options.threads);
    const fs::path& target = folder;
    const fs::path work = target.parent_path() / ("." + target.filename().string() + ".build-" + std::to_string(::getpid()));
    check_build_space(in.files, target.parent_path(), dir);
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work);
    fs::permissions(work, fs::perms::others_all, fs::perm_options::remove);
    struct Cleanup {
        fs::path p;
        ~Cleanup() { std::error_code e; fs::remove_all(p, e); }
    } cleanup{work};

    struct Shard {
        BoundedQueue<Article> queue{128};
        std::thread thread;
        std::vector<InputProblem> problems;
        std::size_t articles = 0;
        std::exception_ptr failure;  // writing the shard failed
    };
    std::vector<std::unique_ptr<Shard>> parts;
    // The new index's compression dictionary, trained on its first articles while the
    // shards build them; they write documents once it is ready, so every article of a
    // large build uses it. The promise is kept on every path before the shards are
    // joined (they wait for it).
    auto fresh_codec = std::make_shared<StoredCodec>();
    std::string dictionary;
    std::promise<void> dictionary_promise;
    std::shared_future<void> dictionary_ready = dictionary_promise.get_future().share();
    bool trained = false;
    auto publish_dictionary = [&] {
        if (trained) return;
        trained = true;
        dictionary_promise.set_value();
    };
    // However this function is left (an exception while reading included), the shard
    // threads are stopped and joined first; then Cleanup removes their files.
    OnExit join_shards{[&] {
        publish_dictionary();
        for (auto& s : parts) s->queue.close();
        for (auto& s : parts)
            if (s->thread.joinable()) s->thread.join();
    }};
    for (std::size_t k = 0; k < shards; ++k) {
        auto shard = std::make_unique<Shard>();
        Shard* s = shard.get();
        std::string path = (work / ("shard-" + std::to_string(k))).string();
        parts.push_back(std::move(shard));
        s->thread = std::thread([this, s, path, fresh_codec, dictionary_ready] {
            try {
                Xapian::WritableDatabase out(path, Xapian::DB_CREATE_OR_OVERWRITE);
                Analyzer an;
                PendingSynonyms synonyms;
                // The shard is new: an id seen before in this batch is found here, one
                // from an earlier (committed) batch by its term's frequency; a new one is
                // added without a lookup (replace_document by term looks the term up in
                // the pending changes, which costs more than building the document). The
                // map is emptied at each commit, so memory is bounded by the batch size,
                // not by the number of articles.
                std::unordered_map<std::string, Xapian::docid> batch_ids;
                std::size_t n = 0;
                auto write = [&](BuiltDocument& built) {
                    built.doc.set_data(compress_stored(built.doc.get_data(), *fresh_codec));
                    auto at = batch_ids.find(built.id_term);
                    if (at != batch_ids.end()) {
                        carry_shadows(out, at->second, built.doc);
                        out.replace_document(at->second, built.doc);
                    } else if (n >= options.batch_size && out.get_termfreq(built.id_term) > 0) {
                        const Xapian::docid did = *out.postlist_begin(built.id_term);
                        carry_shadows(out, did, built.doc);
                        out.replace_document(did, built.doc);
                        batch_ids.emplace(built.id_term, did);
                    } else {
                        batch_ids.emplace(built.id_term, out.add_document(built.doc));
                    }
                    record_synonyms(built, synonyms);
                    for (auto& p : built.problems) { p.warning = true; s->problems.push_back(std::move(p)); }
                    ++s->articles;
                    if (++n % options.batch_size == 0) {
                        flush_synonyms(out, synonyms);
                        out.commit();
                        batch_ids = {};
                    }
                };
                // Documents are built (with plain stored data) while the dictionary is
                // trained, and written once it is ready, in the order they came.
                std::vector<BuiltDocument> waiting;
                bool ready = false;
                while (auto a = s->queue.pop()) {
                    BuiltDocument built;
                    try {
                        built = build(*a, an, nullptr);
                    } catch (const std::exception& e) {  // this article only, as in an update
                        s->problems.push_back({a->path, a->line, e.what(), false});
                        continue;
                    }
                    if (!ready && dictionary_ready.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                        waiting.push_back(std::move(built));
                        continue;
                    }
                    ready = true;
                    for (BuiltDocument& w : waiting) write(w);
                    waiting = {};
                    write(built);
                }
                dictionary_ready.wait();  // set before the queues are closed
                for (BuiltDocument& w : waiting) write(w);
                flush_synonyms(out, synonyms);
                out.commit();
            } catch (const Xapian::Error& e) {
                // The new shard could not be written (a full disk...): the index is intact.
                s->failure = translated(e, dir);
                try {
                    std::rethrow_exception(s->failure);
                } catch (const IndexCorruptError&) {  // a shard, not the index, failed
                    s->failure = std::make_exception_ptr(
                        IoError("building index " + dir + ": " + e.get_type() + ": " + e.get_msg()));
                } catch (...) {
                }
            } catch (...) {
                s->failure = std::current_exception();
            }
            // Keep draining so the reader never blocks on a failed shard.
            while (s->queue.pop()) {}
        });
    }

    // Read every file here and deal articles out by id, so that copies of one article
    // meet in the same shard (the last copy wins there).
    Progress prog;
    prog.files_total = in.files.size();
    std::vector<std::uintmax_t> sizes;
    for (const fs::path& f : in.files) {
        std::error_code size_ec;
        const std::uintmax_t size = fs::file_size(f, size_ec);
        sizes.push_back(size_ec ? 0 : size);
        prog.bytes_total += sizes.back();
    }
    ProgressPacer pacer;
    std::size_t dealt = 0;
    auto tick = [&] {
        prog.articles = dealt;
        prog.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) progress(prog);
    };
    std::vector<std::pair<std::string, FileState>> states;
    auto deal = [&](Article&& a) {
        std::size_t k = std::hash<std::string>{}(a.id) % shards;
        parts[k]->queue.push(std::move(a));
        ++dealt;
    };
    std::vector<std::string> samples;
    auto train = [&] {
        if (trained) return;
        dictionary = StoredCodec::train(samples);
        if (!dictionary.empty()) fresh_codec->add(1, dictionary, true);
        samples = {};
        publish_dictionary();
    };
    for (std::size_t file_no = 0; file_no < in.files.size(); ++file_no) {
        const fs::path& f = in.files[file_no];
        if (stop_requested()) { summary.interrupted = true; break; }
        std::vector<ReadIssue> issues;
        FileState st;
        bool statted = stat_file(f, st);
        const std::uint64_t bytes_before = prog.bytes_done;
        ReadOptions ro = read_options([&](std::uintmax_t n) {
            prog.bytes_done = bytes_before + n;
            if (pacer.due()) tick();
        });
        const std::size_t problems_before = summary.problems.size();
        ReadStats stats = read_file(f, [&](Article&& a) {
            if (stop_requested()) return;
            assign_id(a);
            if (!trained) {
                samples.push_back(stored_sample(a));
                if (samples.size() >= kTrainArticles) train();
            }
            deal(std::move(a));
        }, issues, ro);
        for (const ReadIssue& i : issues) summary.problems.push_back(problem_of(i));
        const FileOutcome outcome = outcome_of(stats, summary.problems, problems_before);
        if (outcome.failed) ++summary.skipped_files;
        else ++summary.files_added;
        // A file cut short by an interruption is not recorded: the next run reads it;
        // nor is one that could not be read at all.
        if (!stats.failed && statted && !stop_requested()) {
            st.hash = hash_file(f);
            st.failure = outcome.failure;
            states.emplace_back(f.string(), st);
        }
        prog.bytes_done = bytes_before + sizes[file_no];
        ++prog.files_done;
        tick();
    }
    train();
    for (auto& s : parts) s->queue.close();
    for (auto& s : parts) s->thread.join();
    for (auto& s : parts) {
        if (s->failure) std::rethrow_exception(s->failure);
        summary.articles += s->articles;
        for (auto& p : s->problems) summary.problems.push_back(std::move(p));
    }

    // An interrupted rebuild leaves the old index as it was; an interrupted first build
    // keeps what was read.
    if (summary.interrupted && db.get_doccount() > 0) {
        summary.articles = 0;
        summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return summary;
    }

    // Merge the shards into a new index, record its schema and file states, then swap it
    // in place of the old one.
    fs::path merged = work / "merged";
    {
        Xapian::Database all;
        for (std::size_t k = 0; k < shards; ++k) all.add_database(Xapian::Database((work / ("shard-" + std::to_string(k))).string()));
        ShardCompactor compactor;
        all.compact(merged.string(), Xapian::Compactor::FULL, 0, compactor);
    }
    {
        Xapian::WritableDatabase m(merged.string(), Xapian::DB_OPEN);
        m.set_metadata(schema::kMetaSchema, std::to_string(schema::kVersion));
        m.set_metadata(schema::kMetaAnalyzer, Analyzer::fingerprint());
        if (!dictionary.empty()) m.set_metadata(std::string(schema::kMetaDictPrefix) + "1", dictionary);
        for (const auto& [path, st] : states) m.set_metadata(file_meta_key(path), encode_state(st, path));
        stamp_updated(m);
        record_tables(m, merged);
        m.commit();
    }
    // Xapian's lock on the old index goes with it; `lock`, on both folders, keeps other
    // writers out until the new index is open (a writer let in now would update the old
    // index, and its work would be thrown away with it).
    lock->also_lock(merged);
    fs::permissions(merged, fs::status(target).permissions());  // the folder's mode is kept
    db.close();
    replace_directory(target, merged);
    db = open_writable(target.string(), true);
    codec = fresh_codec;
    fresh_pending = false;
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
}

}  // namespace depeche
