#include "indexer/store.hpp"

#include "schema/analyzer.hpp"
#include "schema/schema.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace depeche {
namespace {

const char* const kReindex = "; re-index it with: depeche-index --full --db ";

// Checks the schema version and analyzer fingerprint recorded in the index.
void check_compatible(const Xapian::Database& db, const std::string& dir) {
    std::string version = db.get_metadata(schema::kMetaSchema);
    std::string analyzer = db.get_metadata(schema::kMetaAnalyzer);
    if (version.empty() && db.get_doccount() == 0) return;  // a new, empty index
    if (version != std::to_string(schema::kVersion))
        throw IndexIncompatibleError("index " + dir + " has schema version " +
                                     (version.empty() ? "(none)" : version) + ", this build needs " +
                                     std::to_string(schema::kVersion) + kReindex + dir + " PATH...");
    if (analyzer != Analyzer::fingerprint())
        throw IndexIncompatibleError("index " + dir + " was built with analyzer '" + analyzer +
                                     "', this build uses '" + Analyzer::fingerprint() + "'" + kReindex +
                                     dir + " PATH...");
}

}  // namespace

void rethrow_xapian(const Xapian::Error& e, const std::string& dir) {
    const std::string type = e.get_type();
    std::string what = type + ": " + e.get_msg();
    const char* reason = e.get_error_string();
    if (reason && !*reason) reason = nullptr;
    if (reason) what += std::string(" (") + reason + ")";
    // A write that failed (a full disk, a quota, a file size limit): not damage, the
    // index keeps its last commit (Xapian commits atomically). The cause comes first.
    for (int cause : {ENOSPC, EDQUOT, EFBIG, EROFS}) {
        const std::string text = std::strerror(cause);
        if ((reason && text == reason) || e.get_msg().find(text) != std::string::npos)
            throw IoError(text + ": cannot write index " + dir + " (" + type + ": " + e.get_msg() +
                          "); it keeps its last commit");
    }
    if (type == "DatabaseError" && e.get_msg().rfind("Error writing", 0) == 0)
        throw IoError("cannot write index " + dir + " (" + what + "); it keeps its last commit");
    if (type == "DatabaseLockError")
        throw IndexLockedError("index " + dir + " is being written by another process");
    if (type == "DatabaseNotFoundError")
        throw IndexMissingError("no index at " + dir + " (build one with depeche-index)");
    // Corrupt data, and plain DatabaseError: a table that cannot be read ("EOF reading
    // block 15" from a truncated file, "Block 8 item 194: item ends outside block"...).
    if (type == "DatabaseCorruptError" || type == "DatabaseError")
        throw IndexCorruptError("index " + dir + " is damaged (" + what + "); see depeche-index --check --db " +
                                dir + ", rebuild it with depeche-index --full");
    if (type == "DatabaseVersionError")
        throw IndexIncompatibleError("index " + dir + " has an unsupported format (" + what + ")");
    if (type == "DatabaseOpeningError") {
        // "Couldn't open DIR/postlist.glass to read" with the index's version file
        // present: a table file of the index is missing, the index is damaged.
        const std::string& msg = e.get_msg();
        const std::size_t glass = msg.find(".glass");
        if (glass != std::string::npos) {
            const std::size_t start = msg.rfind(' ', glass) == std::string::npos ? 0 : msg.rfind(' ', glass) + 1;
            std::error_code ec;
            const fs::path table = msg.substr(start, glass + 6 - start);
            if (fs::exists(fs::path(dir) / "iamglass", ec) && !fs::exists(table, ec))
                throw IndexCorruptError("index " + dir + " is damaged (table file " + table.filename().string() +
                                        " is missing); rebuild it with depeche-index --full");
        }
        throw IoError("cannot open index " + dir + " (" + what + ")");
    }
    throw IoError("index " + dir + ": " + what);
}

void rethrow_filesystem(const fs::filesystem_error& e, const std::string& dir) {
    // libstdc++: "filesystem error: cannot create directories: Not a directory [PATH]"
    std::string what = e.what();
    const std::string_view prefix = "filesystem error: ";
    if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
    if (e.code() == std::errc::no_space_on_device)
        throw IoError(e.code().message() + ": index " + dir + ": " + what + "; it keeps its last commit");
    throw IoError("index " + dir + ": " + what);
}

namespace {

// A folder left by a creation that was killed before Xapian wrote its version file
// (iamglass): only Xapian's own files, no version file. Such a folder holds no data.
bool interrupted_creation(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || fs::exists(dir / "iamglass", ec)) return false;
    bool any = false;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        bool xapian = name == "flintlock" || name.ends_with(".glass") || name.ends_with(".tmp") ||
                      name.ends_with(".baseA") || name.ends_with(".baseB");
        if (!xapian) return false;
        any = true;
    }
    return any && !ec;
}

}  // namespace

Xapian::WritableDatabase open_writable(const std::string& dir, bool check, bool overwrite) {
    std::error_code ec;
    if (interrupted_creation(dir)) {
        for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove(e.path(), ec);
    } else if (fs::is_directory(dir, ec) && !fs::exists(fs::path(dir) / "iamglass", ec) &&
               !fs::is_empty(dir, ec)) {
        // Never build an index into (and later swap away) a folder holding other files.
        throw IoError("refusing to create an index in " + dir +
                      ": the folder is not empty and is not a Dépêche index; choose another --db");
    }
    try {
        Xapian::WritableDatabase db(dir, overwrite ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN);
        if (!check) return db;
        check_compatible(db, dir);
        if (db.get_metadata(schema::kMetaSchema).empty()) {
            db.set_metadata(schema::kMetaSchema, std::to_string(schema::kVersion));
            db.set_metadata(schema::kMetaAnalyzer, Analyzer::fingerprint());
            db.commit();
        }
        return db;
    } catch (const Xapian::Error& e) {
        rethrow_xapian(e, dir);
    }
}

void require_index_folder(const std::string& dir) {
    // A folder we may not read is said so, not taken for a missing or foreign index.
    auto unreadable = [&](const std::error_code& ec) {
        return IoError("cannot read index " + dir + ": " + ec.message());
    };
    std::error_code ec;
    const bool exists = fs::exists(dir, ec);
    if (ec) throw unreadable(ec);
    if (!exists) throw IndexMissingError("no index at " + dir + " (build one with depeche-index)");
    if (::access(dir.c_str(), R_OK | X_OK) != 0) throw unreadable(std::error_code(errno, std::generic_category()));
    const bool glass = fs::exists(fs::path(dir) / "iamglass", ec);
    if (ec) throw unreadable(ec);
    if (!glass && !fs::exists(fs::path(dir) / "iamchert", ec))
        throw IndexMissingError(dir + " is not a Dépêche index (build one with depeche-index --db " + dir + ")");
}

Xapian::Database open_readonly(const std::string& dir) {
    require_index_folder(dir);
    try {
        Xapian::Database db(dir);
        check_compatible(db, dir);
        if (auto missing = missing_tables(db, dir); !missing.empty())
            throw IndexCorruptError("index " + dir + " is damaged: " + missing[0] + " table missing (" + missing[0] +
                                    ".glass); rebuild it with depeche-index --full");
        return db;
    } catch (const Xapian::Error& e) {
        rethrow_xapian(e, dir);
    }
}

fs::path index_path(const std::string& dir) {
    const std::string tidy = tidy_path(dir);
    std::error_code ec;
    if (fs::path(tidy).is_relative() && fs::current_path(ec).empty() && ec)
        throw IoError("index " + dir + ": the current folder is gone (" + ec.message() +
                      "; a build or rebuild with --db . replaces it): cd to it again");
    return tidy_path(fs::absolute(tidy).string());
}

std::string tidy_path(const std::string& dir) {
    fs::path p = fs::path(dir.empty() ? "." : dir).lexically_normal();
    while (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
    return p.empty() ? "." : p.string();
}

namespace {
// Opens `folder` and takes its lock: -1 if it cannot be opened (errno says why), throws
// IndexLockedError if another writer holds it.
int lock_folder(const fs::path& folder, const std::string& dir) {
    for (;;) {
        const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return -1;
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK) throw IndexLockedError("index " + dir + " is being written by another process");
            errno = error;
            return -1;
        }
        // Still the folder at that path? A rebuild may have swapped it away while we
        // waited for its lock: then take the lock of the one now in place.
        struct stat locked, now;
        if (::fstat(fd, &locked) == 0 && ::stat(folder.c_str(), &now) == 0 && locked.st_dev == now.st_dev &&
            locked.st_ino == now.st_ino)
            return fd;
        ::close(fd);
        if (!fs::exists(folder)) return -1;
    }
}
}  // namespace

WriterLock::WriterLock(const std::string& dir) : dir_(dir) { also_lock(index_path(dir)); }

void WriterLock::also_lock(const fs::path& folder) {
    const int fd = lock_folder(folder, dir_);
    if (fd >= 0) fds_.push_back(fd);
}

WriterLock::~WriterLock() {
    for (int fd : fds_) ::close(fd);
}

void replace_directory(const fs::path& target, const fs::path& replacement) {
    std::error_code ec;
    if (fs::exists(target, ec)) {
        // renameat2(RENAME_EXCHANGE): searchers never see a missing index.
        if (::renameat2(AT_FDCWD, replacement.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
            throw IoError("cannot replace index " + target.string() + ": " + std::strerror(errno));
        fs::remove_all(replacement, ec);  // now the old index
        return;
    }
    fs::rename(replacement, target, ec);
    if (ec) throw IoError("cannot create index " + target.string() + ": " + ec.message());
}

bool g_table_check_child = false;

bool record_tables(Xapian::WritableDatabase& db, const fs::path& folder) {
    const std::string recorded = db.get_metadata(schema::kMetaTables);
    std::string now;
    std::error_code ec;
    for (const char* table : kRecordedTables) {
        const bool listed = (" " + recorded + " ").find(std::string(" ") + table + " ") != std::string::npos;
        if (listed || fs::exists(folder / (std::string(table) + ".glass"), ec)) now += (now.empty() ? "" : " ") + std::string(table);
    }
    if (now == recorded) return false;
    db.set_metadata(schema::kMetaTables, now);
    return true;
}

std::vector<std::string> missing_tables(const Xapian::Database& db, const fs::path& folder) {
    std::vector<std::string> missing;
    const std::string recorded = " " + db.get_metadata(schema::kMetaTables) + " ";
    std::error_code ec;
    for (const char* table : kRecordedTables)
        if (recorded.find(std::string(" ") + table + " ") != std::string::npos &&
            !fs::exists(folder / (std::string(table) + ".glass"), ec))
            missing.push_back(table);
    return missing;
}

void stamp_updated(Xapian::WritableDatabase& db) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    db.set_metadata(schema::kMetaUpdated, buf);
}

std::string lexicon_dir() {
    if (const char* env = std::getenv("DEPECHE_LEXICON_DIR"); env && *env) return env;
    std::error_code ec;
#ifdef DEPECHE_SOURCE_LEXICON_DIR
    if (fs::exists(DEPECHE_SOURCE_LEXICON_DIR, ec)) return DEPECHE_SOURCE_LEXICON_DIR;
#endif
#ifdef DEPECHE_INSTALLED_LEXICON_DIR
    if (fs::exists(DEPECHE_INSTALLED_LEXICON_DIR, ec)) return DEPECHE_INSTALLED_LEXICON_DIR;
#endif
    return "indexer/lexicon";
}

}  // namespace depeche
