#include "schema/store.hpp"

#include "schema/analyzer.hpp"
#include "schema/schema.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace fs = std::filesystem;

namespace depeche {
namespace {

const char* const kReindex = "; re-index it with: depeche-index --full --db ";

}  // namespace

void check_compatible(const Xapian::Database& db, const std::string& dir) {
    std::string version = db.get_metadata(schema::kMetaSchema);
    std::string analyzer = db.get_metadata(schema::kMetaAnalyzer);
    if (version.empty() && db.get_doccount() == 0) return;  // a new, empty index
    if (version != std::to_string(schema::kVersion))
        throw IndexIncompatibleError("index " + dir + " has schema version " + (version.empty() ? "(none)" : version) +
                                     ", this build needs " + std::to_string(schema::kVersion) + kReindex + dir +
                                     " PATH...");
    if (analyzer != Analyzer::fingerprint())
        throw IndexIncompatibleError("index " + dir + " was built with analyzer '" + analyzer + "', this build uses '" +
                                     Analyzer::fingerprint() + "'" + kReindex + dir + " PATH...");
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
        require_tables(db, dir, "index " + dir);
        return db;
    } catch (const Xapian::Error& e) { rethrow_xapian(e, dir); }
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

void require_tables(const Xapian::Database& db, const fs::path& folder, const std::string& what) {
    if (auto missing = missing_tables(db, folder); !missing.empty())
        throw IndexCorruptError(what + " is damaged: " + missing[0] + " table missing (" + missing[0] +
                                ".glass); rebuild it with depeche-index --full");
}

}  // namespace depeche
