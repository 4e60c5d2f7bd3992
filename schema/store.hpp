// Opening an index for reading and checking it against the contract: what the searcher
// and the indexer share (the writer's side is in indexer/store.hpp).
#pragma once

#include "schema/errors.hpp"

#include <depeche/depeche.hpp>

#include <filesystem>
#include <string>
#include <vector>
#include <xapian.h>

namespace depeche {

// Checks the schema version and analyzer fingerprint recorded in the index; throws
// IndexIncompatibleError with the re-index hint (--full). A new, empty index passes.
void check_compatible(const Xapian::Database& db, const std::string& dir);
// Throws IndexMissingError when `dir` is not there or holds no index, IoError when it
// cannot be read (no permission).
void require_index_folder(const std::string& dir);
// Opens the index read-only and checks its schema version and analyzer fingerprint.
Xapian::Database open_readonly(const std::string& dir);
// The optional tables the searcher relies on: positions (phrases, NEAR) and synonyms
// (unaccented and variant spellings).
inline constexpr const char* kRecordedTables[] = {"position", "synonym"};
// The recorded tables whose file is missing from `folder` ("position", ...).
std::vector<std::string> missing_tables(const Xapian::Database& db, const std::filesystem::path& folder);
// Throws IndexCorruptError "WHAT is damaged: position table missing (position.glass);
// rebuild it with depeche-index --full" when a recorded table's file is missing.
void require_tables(const Xapian::Database& db, const std::filesystem::path& folder, const std::string& what);

}  // namespace depeche
