// What the index remembers about each input file (its size, modification time, content
// hash and the failure its last reading reported), and how reading one file went.
// Internal to the writer (writer.cpp, index_update.cpp, index_fresh.cpp).
#pragma once

#include "indexer/readers.hpp"
#include "schema/schema.hpp"

#include <depeche/depeche.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::writer_detail {

// Metadata "depeche.file:<path>" = "<size> <mtime ns> <content hash>[ failed <message>]"
// (long paths are keyed by a hash, with the path after a newline in the value).
inline constexpr std::string_view kFileMetaPrefix = schema::kMetaFilePrefix;

struct FileState {
    std::uintmax_t size = 0;
    long long mtime = 0;
    std::uint64_t hash = 0;
    // What went wrong when the file was read ("" if nothing): a file whose lines or
    // articles were not all indexed is reported again, while it does not change.
    std::string failure;
};

std::string file_meta_key(const std::string& path);
std::string encode_state(const FileState& s, const std::string& path);
bool decode_state(const std::string& v, FileState& s, std::string& path);
// Size and modification time, without reading the file.
bool stat_file(const std::filesystem::path& p, FileState& s);
std::uint64_t hash_file(const std::filesystem::path& p);

// How reading one file went: failed (nothing of it indexed, or it could not be read)
// and, when something was not indexed, the first problem with their count, which the
// file's state keeps so that the next runs report it again while the file does not change.
struct FileOutcome {
    bool failed = false;
    std::string failure;
};
// From the file's read statistics and the problems added from index `from` on.
FileOutcome outcome_of(const ReadStats& stats, const std::vector<InputProblem>& problems, std::size_t from);

// An unchanged file: counted as such, or, when its last reading reported problems, as
// failed again with them.
void count_unchanged(const std::string& path, const FileState& before, IndexSummary& summary);

}  // namespace depeche::writer_detail
