// Walking the input (input_walk.hpp).
#include "indexer/input_walk.hpp"

#include "indexer/readers.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace depeche::writer_detail {

bool under(const fs::path& file, const std::vector<fs::path>& roots) {
    for (const fs::path& r : roots) {
        auto [a, b] = std::mismatch(r.begin(), r.end(), file.begin(), file.end());
        if (a == r.end()) return true;
    }
    return false;
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

// Whether `file` (a symbolic link found in a folder given) leads outside the folders
// given (`real_roots`, resolved): then it is not read unless the caller says so.
bool leads_outside(const fs::path& file, const std::vector<fs::path>& real_roots) {
    std::error_code ec;
    const fs::path target = fs::canonical(file, ec);
    return !ec && !under(target, real_roots);  // a dangling link is the reader's to report
}

}  // namespace

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
                    summary.problems.push_back(
                        {p.string(), 0, "cannot read part of the folder: " + ec.message(), false});
                    break;  // the iterator is unusable after an error
                }
                const fs::directory_entry& e = *it;
                bool hidden = e.path().filename().string().rfind('.', 0) == 0;
                if (e.is_directory(ec)) {
                    // Hidden folders (.git and the like) and ignored ones are not entered.
                    if (hidden || ignore.ignored(e.path()))
                        it.disable_recursion_pending();
                    else
                        ignore.load(e.path());
                    continue;
                }
                // Hidden files, other formats and .depecheignore'd files are passed over.
                if (hidden || format_for(e.path()) == Format::Unknown || ignore.ignored(e.path())) continue;
                if (!follow_symlinks && e.is_symlink(ec) && leads_outside(e.path(), real_roots)) {
                    summary.problems.push_back({e.path().string(), 0,
                                                "warning: symbolic link leading outside the folders given, not "
                                                "read (--follow-symlinks reads it)",
                                                true});
                    continue;
                }
                found.push_back(e.path());
            }
            std::sort(found.begin(), found.end());
            in.files.insert(in.files.end(), found.begin(), found.end());
        } else if (format_for(p) == Format::Unknown) {
            fail(given,
                 "unsupported file type (known: .txt .md .markdown .json .jsonl .ndjson .html .htm .rss .atom .xml, "
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

}  // namespace depeche::writer_detail
