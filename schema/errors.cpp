#include "schema/errors.hpp"

#include <cerrno>
#include <cstring>

namespace fs = std::filesystem;

namespace depeche {

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
    if (type == "DatabaseLockError") throw IndexLockedError("index " + dir + " is being written by another process");
    if (type == "DatabaseNotFoundError")
        throw IndexMissingError("no index at " + dir + " (build one with depeche-index)");
    // Corrupt data, and plain DatabaseError: a table that cannot be read ("EOF reading
    // block 15" from a truncated file, "Block 8 item 194: item ends outside block"...).
    if (type == "DatabaseCorruptError" || type == "DatabaseError")
        throw IndexCorruptError("index " + dir + " is damaged (" + what + "); see depeche-index --check --db " + dir +
                                ", rebuild it with depeche-index --full");
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

}  // namespace depeche
