// Opening indexes and mapping Xapian's exceptions to the public error types.
#pragma once

#include <depeche/depeche.hpp>

#include <filesystem>
#include <string>
#include <vector>
#include <xapian.h>

namespace depeche {

// Opens (creating if needed) the index for writing; checks (if `check`) and records its
// schema version and analyzer fingerprint; `overwrite` empties it. Throws
// IndexLockedError, IndexIncompatibleError...
Xapian::WritableDatabase open_writable(const std::string& dir, bool check, bool overwrite = false);
// Puts the index folder `replacement` in place of `target` (atomically when target
// exists: the two are exchanged, then the old one is deleted).
void replace_directory(const std::filesystem::path& target, const std::filesystem::path& replacement);
// The index folder as an absolute path without "." or ".." parts nor a trailing
// separator ("news.db/", "." and relative paths name the folder itself).
std::filesystem::path index_path(const std::string& dir);
// The same folder as typed, tidied: "rel/../news.db//" is "news.db", "" is ".".
std::string tidy_path(const std::string& dir);

// The lock that every depeche writer of an index holds for its whole life: an flock(2)
// on the index folder itself. Xapian's own lock (a file inside the folder) cannot cover
// the swap of a rebuilt folder; this one can: the writer locks the new folder too before
// the swap (also_lock), and a writer that locked a folder that was meanwhile swapped away
// sees it and locks the folder now in place. The folder must exist. Throws
// IndexLockedError when another writer holds it.
class WriterLock {
public:
    explicit WriterLock(const std::string& dir);
    ~WriterLock();
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
    // Locks another folder as well (a rebuilt index, before it replaces this one).
    void also_lock(const std::filesystem::path& folder);

private:
    std::string dir_;
    std::vector<int> fds_;
};

// Throws IndexMissingError when `dir` is not there or holds no index, IoError when it
// cannot be read (no permission).
void require_index_folder(const std::string& dir);
// Opens the index read-only and checks its schema version and analyzer fingerprint.
Xapian::Database open_readonly(const std::string& dir);
// The optional tables the searcher relies on: positions (phrases, NEAR) and synonyms
// (unaccented and variant spellings).
inline constexpr const char* kRecordedTables[] = {"position", "synonym"};
// Adds to the index's kMetaTables the recorded tables whose file is now in `folder`;
// true if it changed (to be committed).
bool record_tables(Xapian::WritableDatabase& db, const std::filesystem::path& folder);
// The recorded tables whose file is missing from `folder` ("position", ...).
std::vector<std::string> missing_tables(const Xapian::Database& db, const std::filesystem::path& folder);
// Set in the child process that runs Xapian's table check for check_index(), which opens
// the tables read-write in Xapian 1.4: depeche-index then makes every open read-only.
extern bool g_table_check_child;

// Records the time of the commit about to be made.
void stamp_updated(Xapian::WritableDatabase& db);
// Folder of the people extraction lexicon ($DEPECHE_LEXICON_DIR, else the installed or
// source-tree copy).
std::string lexicon_dir();

// Throws the public error matching a Xapian error about the index at dir.
[[noreturn]] void rethrow_xapian(const Xapian::Error& e, const std::string& dir);
// Throws IoError for a std::filesystem error met while using the index at dir; the
// message names the operation, the reason and the path(s).
[[noreturn]] void rethrow_filesystem(const std::filesystem::filesystem_error& e, const std::string& dir);

// Runs f so that only depeche errors leave it: Xapian errors are translated
// (rethrow_xapian), filesystem errors become IoError (rethrow_filesystem), other
// standard exceptions become Error; std::bad_alloc, and exceptions that derive from
// no std::exception (a caller's callback may throw anything), pass unchanged.
template <class F>
auto guard_errors(F&& f, const std::string& dir) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const Xapian::Error& e) {
        rethrow_xapian(e, dir);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::filesystem::filesystem_error& e) {
        rethrow_filesystem(e, dir);
    } catch (const std::exception& e) {
        throw Error("index " + dir + ": " + e.what());
    }
}

}  // namespace depeche
