// Opening indexes and mapping Xapian's exceptions to the public error types.
#pragma once

#include <depeche/depeche.hpp>

#include <filesystem>
#include <string>
#include <xapian.h>

namespace depeche {

// Opens (creating if needed) the index for writing; checks (if `check`) and records its
// schema version and analyzer fingerprint; `overwrite` empties it. Throws
// IndexLockedError, IndexIncompatibleError...
Xapian::WritableDatabase open_writable(const std::string& dir, bool check, bool overwrite = false);
// Puts the index folder `replacement` in place of `target` (atomically when target
// exists: the two are exchanged, then the old one is deleted).
void replace_directory(const std::filesystem::path& target, const std::filesystem::path& replacement);
// Opens the index read-only and checks its schema version and analyzer fingerprint.
Xapian::Database open_readonly(const std::string& dir);
// Records the time of the commit about to be made.
void stamp_updated(Xapian::WritableDatabase& db);
// Folder of the people extraction lexicon ($DEPECHE_LEXICON_DIR, else the installed or
// source-tree copy).
std::string lexicon_dir();

// Throws the public error matching a Xapian error about the index at dir.
[[noreturn]] void rethrow_xapian(const Xapian::Error& e, const std::string& dir);

// Runs f, translating Xapian errors into depeche errors.
template <class F>
auto guard_xapian(F&& f, const std::string& dir) -> decltype(f()) {
    try {
        return f();
    } catch (const Xapian::Error& e) {
        rethrow_xapian(e, dir);
    }
}

}  // namespace depeche
