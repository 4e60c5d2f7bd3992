// A sharded index (docs/scale-out.md): one folder holding
//   lexicon/     a Xapian database without documents: every metadata key (schema,
//                analyzer, dictionaries, forms table, file states) and the synonym table;
//   shard-NN/    Xapian databases holding the documents, an article in shard
//                shard_of(its id term, N);
//   shards.stub  a Xapian stub file listing the lexicon first, then the shards.
// Xapian reads metadata from the first database of a multi-database only, and remote
// databases return no synonyms: the lexicon, listed first and kept local, holds both.
// The same stub format with `remote HOST:PORT` or `remote :PROGRAM ARGS` lines searches
// shards served by xapian-tcpsrv or xapian-progsrv.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::shards {

inline constexpr const char* kStubName = "shards.stub";
inline constexpr const char* kLexiconName = "lexicon";
inline constexpr std::size_t kMaxShards = 100;  // shard-00 ... shard-99

// "shard-07".
std::string shard_name(std::size_t k);
// The shard of an article among n: a stable hash of its id term (schema::id_term).
std::size_t shard_of(std::string_view id_term, std::size_t n);

// Whether `path` is a sharded index folder (it holds shards.stub).
bool is_sharded_folder(const std::filesystem::path& path);

// One database line of a stub file.
struct StubEntry {
    enum class Kind { Local, Tcp, Program } kind = Kind::Local;
    std::string path;      // Local: absolute (relative paths are taken from the stub's folder)
    std::string host;      // Tcp
    unsigned port = 0;     // Tcp
    std::string program;   // Program (":ssh" -> "ssh")
    std::string args;      // Program
    std::string text;      // the line as written, for messages ("remote 127.0.0.1:4000")
    std::size_t line = 0;  // its line number
};

// Reads a stub file (Xapian's format: "auto|glass PATH", "remote HOST:PORT",
// "remote :PROGRAM ARGS", '#' comments and blank lines). Throws depeche::Error naming
// the file and line for anything else.
std::vector<StubEntry> read_stub(const std::filesystem::path& stub);

// Writes folder/shards.stub for a layout with `n` shards ("auto lexicon", "auto
// shard-00", ...). Throws IoError if it cannot.
void write_stub(const std::filesystem::path& folder, std::size_t n);

// "INDEX-ID": 16 random hex digits drawn for a new layout.
std::string new_index_id();
// Values of schema::kMetaShards and kMetaShard, and their reading.
std::string lexicon_record(std::size_t n, const std::string& index_id);
std::string shard_record(std::size_t k, std::size_t n, const std::string& index_id);
struct ShardRecord {
    std::size_t k = 0, n = 0;
    std::string index_id;
    bool ok = false;
};
ShardRecord parse_record(const std::string& value, bool with_k);

}  // namespace depeche::shards
