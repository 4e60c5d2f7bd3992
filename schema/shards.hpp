// A sharded index (docs/scale-out.md): one folder holding
//   lexicon/     a Xapian database without documents: every metadata key (schema,
//                analyzer, dictionaries, forms table, file states) and the synonym table;
//   shard-NN/    Xapian databases holding the documents: with a hash layout (--shards N)
//                an article is in shard shard_of(its id term, N); with a year partition
//                (--partition year) in the shard of its publication year, shard-00
//                holding the articles without a date and each year's shard created
//                when its first article comes (so shard numbers follow the order in
//                which years arrived, not the calendar: the records say which is which);
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
// How a shard is named in messages: "shard-07" (hash layout), "shard-07 [2023]" or
// "shard-00 [undated]" (year partition).
std::string shard_label(std::size_t k, const std::string& period);

// The year partition (--partition year): its name in records and on the command line,
// and the period of the shard of articles without a publication date.
inline constexpr const char* kPartitionYear = "year";
inline constexpr const char* kUndated = "undated";
// The period of an article from its publication-date slot value (schema::kSlotDate,
// "YYYYMMDD[hhmmss]"): "2023", or kUndated when it has none.
std::string period_of_date(std::string_view date_value);
// Whether `period` is a year ("2023", four digits) or kUndated.
bool valid_period(std::string_view period);
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
// shard-00", ...), atomically (a temporary file synced, then renamed over the old one:
// a reader sees the old stub or the new one). Throws IoError if it cannot.
void write_stub(const std::filesystem::path& folder, std::size_t n);

// "INDEX-ID": 16 random hex digits drawn for a new layout.
std::string new_index_id();
// Values of schema::kMetaShards (the lexicon) and kMetaShard (each shard):
//   hash layout     lexicon "N INDEX-ID"                  shard "K N INDEX-ID"
//   year partition  lexicon "N INDEX-ID year P0,P1,..."   shard "K INDEX-ID year PERIOD REV"
// where Pk is the period of shard k ("2019", "undated"), and REV the shard's revision
// right after its last compaction (0: never compacted since it was last written to;
// depeche-index --compact-cold compacts a cold shard whose revision differs).
// A partition shard does not record the shard count: adding a year's shard then
// changes the lexicon alone, never the other shards.
std::string lexicon_record(std::size_t n, const std::string& index_id);
std::string lexicon_record(const std::string& index_id, const std::vector<std::string>& periods);
std::string shard_record(std::size_t k, std::size_t n, const std::string& index_id);
std::string period_shard_record(std::size_t k, const std::string& index_id, const std::string& period,
                                unsigned long long compacted);
struct ShardRecord {
    std::size_t k = 0, n = 0;  // n: the lexicon's count; a hash shard's copy of it
    std::string index_id;
    std::string partition;             // "" (hash layout) or kPartitionYear
    std::vector<std::string> periods;  // the lexicon of a year partition: shard k's period
    std::string period;                // a shard of a year partition: its period
    unsigned long long compacted = 0;  // a shard of a year partition: see above
    bool ok = false;
};
// Reads a lexicon's record (with_k false) or a shard's (with_k true), either layout.
ShardRecord parse_record(const std::string& value, bool with_k);
// Whether a shard's record makes it shard k of the index whose lexicon records `lexicon`.
bool belongs(const ShardRecord& shard, const ShardRecord& lexicon, std::size_t k);
// What shard k of that index records, for messages ("2 3 ID"; "2 ID year 2019 REV").
std::string expected_record(const ShardRecord& lexicon, std::size_t k);
// Shard k's period ("" for a hash layout).
std::string period_of_shard(const ShardRecord& lexicon, std::size_t k);

}  // namespace depeche::shards
