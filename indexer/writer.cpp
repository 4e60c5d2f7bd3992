// depeche::Writer: the single writer of an index.
#include "indexer/document.hpp"
#include "indexer/people.hpp"
#include "indexer/readers.hpp"
#include "indexer/store.hpp"
#include "schema/schema.hpp"

#include <depeche/depeche.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <unordered_set>

namespace fs = std::filesystem;

namespace depeche {

std::string InputProblem::to_string() const {
    std::string out = path;
    if (line > 0) out += ":" + std::to_string(line);
    return out + ": " + message;
}

std::string version() { return DEPECHE_VERSION_STRING; }

struct Writer::Impl {
    std::string dir;
    WriterOptions options;
    Xapian::WritableDatabase db;
    Analyzer analyzer;
    std::unique_ptr<PeopleExtractor> people;
    std::string people_error;
    std::unordered_set<std::string> spellings_seen;
    std::size_t pending = 0;

    Impl(const std::string& d, const WriterOptions& o) : dir(d), options(o) {
        if (!options.create && !fs::exists(dir))
            throw IndexMissingError("no index at " + dir);
        if (options.batch_size == 0) options.batch_size = 1;
        db = open_writable(dir, options.overwrite);
        try {
            people = std::make_unique<PeopleExtractor>(lexicon_dir());
        } catch (const std::exception& e) {
            people_error = std::string("people extraction disabled: ") + e.what();
        }
    }

    void add_built(BuiltDocument& built) {
        db.replace_document(built.id_term, built.doc);
        for (auto& [word, stem] : built.spellings) {
            std::string key = word;
            key += '\0';
            key += stem;
            if (spellings_seen.insert(std::move(key)).second) db.add_synonym(word, stem);
        }
        if (++pending >= options.batch_size) commit();
    }

    void commit() {
        stamp_updated(db);
        db.commit();
        pending = 0;
    }
};

Writer::Writer(const std::string& index_dir, const WriterOptions& options)
    : impl_(guard_xapian([&] { return std::make_unique<Impl>(index_dir, options); }, index_dir)) {}

Writer::~Writer() {
    if (!impl_) return;
    try {
        impl_->commit();
    } catch (...) {
        // A destructor must not throw; the last batch is lost, the index stays as committed.
    }
}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;

std::vector<InputProblem> Writer::add(const Article& article) {
    return guard_xapian([&] {
        Article a = article;
        if (a.id.empty()) {
            if (!a.url.empty()) a.id = a.url;
            else if (!a.path.empty()) a.id = a.line ? a.path + "#" + std::to_string(a.line) : a.path;
            else throw Error("article has no id, url or path");
        }
        BuiltDocument built = build_document(a, impl_->analyzer, impl_->people.get());
        impl_->add_built(built);
        return std::move(built.problems);
    }, impl_->dir);
}

bool Writer::remove(const std::string& id) {
    return guard_xapian([&] {
        std::string term = id_term(id);
        if (impl_->db.get_termfreq(term) == 0) return false;
        impl_->db.delete_document(term);
        if (++impl_->pending >= impl_->options.batch_size) impl_->commit();
        return true;
    }, impl_->dir);
}

void Writer::commit() {
    guard_xapian([&] { impl_->commit(); return 0; }, impl_->dir);
}

namespace {

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

// Files below the given paths, in a stable order; problems for paths that cannot be walked.
std::vector<fs::path> collect_files(const std::vector<std::string>& paths, IndexSummary& summary) {
    std::vector<fs::path> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        fs::file_status st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            summary.problems.push_back({p, 0, fs::is_symlink(fs::symlink_status(p, ec)) ? "dangling symbolic link" : "no such file or directory"});
            ++summary.skipped_files;
            continue;
        }
        if (fs::is_directory(st)) {
            std::vector<fs::path> found;
            IgnoreRules ignore;
            ignore.load(p);
            fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
            if (ec) {
                summary.problems.push_back({p, 0, "cannot read directory: " + ec.message()});
                ++summary.skipped_files;
                continue;
            }
            for (; it != end; it.increment(ec)) {
                if (ec) {
                    summary.problems.push_back({it->path().string(), 0, "cannot read: " + ec.message()});
                    ec.clear();
                    continue;
                }
                const fs::directory_entry& e = *it;
                bool hidden = e.path().filename().string().rfind('.', 0) == 0;
                if (e.is_directory(ec)) {
                    if (hidden) it.disable_recursion_pending();  // .git and the like
                    else ignore.load(e.path());
                    continue;
                }
                // Hidden files, other formats and .depecheignore'd files are passed over.
                if (hidden || format_for(e.path()) == Format::Unknown || ignore.ignored(e.path())) continue;
                found.push_back(e.path());
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else {
            if (format_for(p) == Format::Unknown) {
                summary.problems.push_back({p, 0, "unsupported file type (known: .txt .md .json .jsonl .html .htm)"});
                ++summary.skipped_files;
                continue;
            }
            files.emplace_back(p);
        }
    }
    return files;
}

}  // namespace

IndexSummary Writer::index_paths(const std::vector<std::string>& paths,
                                 const std::function<void(const Progress&)>& progress) {
    auto start = std::chrono::steady_clock::now();
    IndexSummary summary;
    if (!impl_->people_error.empty()) summary.problems.push_back({"", 0, impl_->people_error});
    std::vector<fs::path> files = collect_files(paths, summary);
    Progress prog;
    prog.files_total = files.size();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (const fs::path& file : files) {
        std::vector<ReadIssue> issues;
        ReadStats stats = read_file(file, [&](Article&& a) {
            for (InputProblem& p : add(a)) summary.problems.push_back(std::move(p));
            ++summary.articles;
        }, issues);
        for (const ReadIssue& i : issues) summary.problems.push_back({i.path, i.line, i.message});
        ++summary.files;
        if (stats.failed) ++summary.skipped_files;
        prog.files_done = summary.files;
        prog.articles = summary.articles;
        prog.seconds = elapsed();
        if (progress) progress(prog);
    }
    commit();
    summary.seconds = elapsed();
    return summary;
}

}  // namespace depeche
