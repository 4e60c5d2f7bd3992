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
//
// This file: opening an index, add(), remove(), commit(), index_paths() and the helpers
// both pipelines share. Elsewhere: input_walk.cpp (the files to read), file_state.cpp
// (what the index remembers of each file), spelling_tables.cpp (the spelling and forms
// tables), index_update.cpp and index_fresh.cpp (the two pipelines).
#include "indexer/writer_impl.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

namespace depeche {

std::string InputProblem::to_string() const {
    if (path.empty()) return message;
    std::string out = path;
    if (line > 0) out += ":" + std::to_string(line);
    return out + ": " + message;
}

namespace writer_detail {

// Fills in a missing id: URL, else path (with #line for JSONL).
void assign_id(Article& a) {
    if (!a.id.empty()) return;
    if (!a.url.empty())
        a.id = a.url;
    else if (!a.path.empty())
        a.id = a.line ? a.path + "#" + std::to_string(a.line) : a.path;
}

// The public error for a Xapian error met in a worker thread, to be rethrown by the
// thread that collects the results.
std::exception_ptr translated(const Xapian::Error& e, const std::string& dir) {
    try {
        rethrow_xapian(e, dir);
    } catch (...) { return std::current_exception(); }
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

// Cuts a body to at most kMaxBodyBytes, at a space when there is one near the limit,
// never inside a UTF-8 sequence.
void cut_body(std::string& body) {
    std::size_t cut = kMaxBodyBytes;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    const std::size_t space = body.find_last_of(" \n\t", cut);
    if (space != std::string::npos && cut - space < 1024) cut = space;
    body.resize(cut);
}

// Adds to `doc`, about to replace document `did` of `db`, the shadow terms of the files
// that held the article before: `did`'s own file and its shadows, but not doc's file.
void carry_shadows(const Xapian::Database& db, Xapian::docid did, Xapian::Document& doc) {
    const std::string own = schema::first_term_with(doc.termlist_begin(), doc.termlist_end(), kFileTermPrefix);
    std::set<std::string> shadows;
    const std::string owner = schema::first_term_with(db.termlist_begin(did), db.termlist_end(did), kFileTermPrefix);
    if (!owner.empty()) shadows.insert(std::string(kShadowTermPrefix) + owner.substr(kFileTermPrefix.size()));
    auto t = db.termlist_begin(did);
    for (t.skip_to(std::string(kShadowTermPrefix)); t != db.termlist_end(did) && (*t).rfind(kShadowTermPrefix, 0) == 0;
         ++t)
        shadows.insert(*t);
    if (!own.empty()) shadows.erase(std::string(kShadowTermPrefix) + own.substr(kFileTermPrefix.size()));
    for (const std::string& s : shadows) doc.add_boolean_term(s);
}

std::size_t worker_count(std::size_t requested) {
    if (requested) return requested;
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

}  // namespace writer_detail

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
    return guard_errors(
        [&] {
            impl_->start_fresh_if_needed();
            impl_->train_dictionary_if_due();
            Article a = article;
            BuiltDocument built = impl_->build(a, impl_->analyzer, impl_->codec.get());
            impl_->write(built);
            for (auto& p : built.problems) p.warning = true;
            return std::move(built.problems);
        },
        impl_->dir);
}

bool Writer::remove(const std::string& id) {
    if (!impl_) moved_from();
    return guard_errors(
        [&] {
            impl_->start_fresh_if_needed();
            std::string term = id_term(id);
            if (impl_->db.get_termfreq(term) == 0) return false;
            impl_->db.delete_document(term);
            if (++impl_->pending >= impl_->options.batch_size) impl_->commit();
            return true;
        },
        impl_->dir);
}

void Writer::commit() {
    if (!impl_) moved_from();
    guard_errors(
        [&] {
            impl_->commit();
            return 0;
        },
        impl_->dir);
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
            } catch (...) { throw CallbackException{std::current_exception()}; }
        };
    }
    try {
        return guard_errors(
            [&] {
                IndexSummary summary;
                if (!impl_->people_error.empty()) summary.problems.push_back({"", 0, impl_->people_error, true});
                Input in = collect_files(paths, summary, impl_->options.follow_symlinks);
                summary.files = in.files.size();
                bool empty = impl_->db.get_doccount() == 0 && impl_->pending == 0;
                IndexSummary done = impl_->fresh_pending || empty
                                        ? impl_->index_fresh(in, std::move(summary), report, start)
                                        : impl_->index_update(in, std::move(summary), report, start);
                for (const InputProblem& p : done.problems) ++(p.warning ? done.warnings : done.errors);
                return done;
            },
            impl_->dir);
    } catch (const CallbackException& c) { std::rethrow_exception(c.error); }
}

}  // namespace depeche
