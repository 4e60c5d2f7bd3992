// Opening indexes and mapping Xapian's exceptions to the public error types.
#pragma once

#include <depeche/depeche.hpp>

#include <string>
#include <xapian.h>

namespace depeche {

// Opens (creating if needed) the index for writing, checks or records its schema
// version and analyzer fingerprint. Throws IndexLockedError, IndexIncompatibleError...
Xapian::WritableDatabase open_writable(const std::string& dir, bool overwrite);
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
