// File states (file_state.hpp).
#include "indexer/file_state.hpp"

#include "indexer/document.hpp"
#include "schema/hash.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>

namespace fs = std::filesystem;

namespace depeche::writer_detail {

namespace {
// Between the numbers and the message of a failed file's state.
constexpr std::string_view kFailedMark = " failed ";
}  // namespace

std::string file_meta_key(const std::string& path) {
    std::string key = std::string(kFileMetaPrefix) + path;
    if (key.size() <= 200) return key;
    return std::string(kFileMetaPrefix) + "#" + fnv_hex(path);
}

std::string encode_state(const FileState& s, const std::string& path) {
    std::string failure = s.failure;
    for (char& c : failure)
        if (c == '\n') c = ' ';
    return std::to_string(s.size) + " " + std::to_string(s.mtime) + " " + std::to_string(s.hash) +
           (failure.empty() ? std::string() : std::string(kFailedMark) + failure) + "\n" + path;
}

bool decode_state(const std::string& v, FileState& s, std::string& path) {
    unsigned long long size = 0, hash = 0;
    long long mtime = 0;
    int used = 0;
    if (std::sscanf(v.c_str(), "%llu %lld %llu%n", &size, &mtime, &hash, &used) != 3) return false;
    std::size_t nl = v.find('\n');
    const std::string_view rest =
        std::string_view(v).substr(static_cast<std::size_t>(used),
                                   nl == std::string::npos ? std::string::npos : nl - static_cast<std::size_t>(used));
    s = {size, mtime, hash,
         rest.starts_with(kFailedMark) ? std::string(rest.substr(kFailedMark.size())) : std::string()};
    path = nl == std::string::npos ? std::string() : v.substr(nl + 1);
    return true;
}

// Size and modification time, without reading the file.
bool stat_file(const fs::path& p, FileState& s) {
    std::error_code ec;
    s.size = fs::file_size(p, ec);
    if (ec) return false;
    auto t = fs::last_write_time(p, ec);
    if (ec) return false;
    s.mtime = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    return true;
}

std::uint64_t hash_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::uint64_t h = schema::kFnv64Offset;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h = schema::fnv1a64(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())), h);
    }
    return h;
}

FileOutcome outcome_of(const ReadStats& stats, const std::vector<InputProblem>& problems, std::size_t from) {
    FileOutcome out;
    std::size_t errors = 0;
    for (std::size_t i = from; i < problems.size(); ++i) {
        if (problems[i].warning) continue;
        if (errors++ == 0)
            out.failure = problems[i].line ? "line " + std::to_string(problems[i].line) + ": " + problems[i].message
                                           : problems[i].message;
    }
    if (errors > 1) out.failure += " (and " + std::to_string(errors - 1) + " more)";
    out.failed = stats.failed || (errors > 0 && stats.articles == 0);
    return out;
}

// An unchanged file: counted as such, or, when its last reading reported problems, as
// failed again with them.
void count_unchanged(const std::string& path, const FileState& before, IndexSummary& summary) {
    if (before.failure.empty()) {
        ++summary.files_unchanged;
        return;
    }
    summary.problems.push_back({path, 0, "failed on an earlier run, unchanged since: " + before.failure, false});
    ++summary.skipped_files;
}

}  // namespace depeche::writer_detail
