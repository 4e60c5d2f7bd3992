// Opening indexes for writing, the writer's lock and folder swaps (reading and the error
// boundary are in schema/store.hpp and schema/errors.hpp).
#pragma once

#include "schema/store.hpp"

#include <depeche/depeche.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>
#include <xapian.h>

namespace depeche {

// Opens (creating if needed) the index for writing; checks (if `check`) and records its
// schema version and analyzer fingerprint; `overwrite` empties it. Throws
// IndexLockedError, IndexIncompatibleError...
Xapian::WritableDatabase open_writable(const std::string& dir, bool check, bool overwrite = false);
// A sharded index (schema/shards.hpp) opened for writing: one Xapian handle over the
// lexicon (first: metadata, synonyms) and the shards, and each shard's highest document
// id, so that a new article is written at the next id of its own shard.
struct ShardRouting {
    std::size_t shards = 0;           // 0: not sharded
    std::vector<Xapian::docid> last;  // per shard, its own document ids
    std::string index_id;
    // A year partition (schema/shards.hpp): kPartitionYear, and each shard's period;
    // "" and none for a hash layout.
    std::string partition;
    std::vector<std::string> periods;
    // Each shard's own handle, sharing its database with the combined writable one (so
    // that a shard's metadata can be set; the combined database's commit commits it).
    std::vector<Xapian::WritableDatabase> handles;
    // The shard each article moved since the last commit (id term) went to. Its copy in
    // the shard it left is deleted by commit_sharded() once the new shard is committed,
    // with the move recorded in it (schema::kMetaMovedIn), so that a crash in between
    // leaves the article twice, never missing, and not twice for good.
    std::map<std::string, std::size_t> moved_in;
    // The shard an article goes to: by the hash of its id term, or by the period of its
    // publication date (`doc`'s date slot); npos when that period has no shard yet.
    std::size_t shard_for(const std::string& id_term, const Xapian::Document& doc) const;
};
// Creates an empty sharded index with `n` shards in `folder` (which must be empty or
// missing): the lexicon, the shards, each recording the schema, the analyzer and its
// place, and shards.stub.
void create_sharded_layout(const std::filesystem::path& folder, std::size_t n, const std::string& index_id);
// The same for a year partition: the lexicon and shard-00, for the articles without a
// date; the years' shards come with their first articles (add_period_shard).
void create_partitioned_layout(const std::filesystem::path& folder, const std::string& index_id);
// Opens the sharded index in `folder`, checking the lexicon and every shard (schema,
// analyzer, place in this index); errors name the shard.
Xapian::WritableDatabase open_writable_sharded(const std::filesystem::path& folder, const std::string& dir,
                                               ShardRouting& routing);
// Commits `db` (the lexicon and the shards of `w`, or one database): the shards first,
// the lexicon last. Xapian commits the databases of a combined handle one after the
// other, the first listed (the lexicon) first: each commit is atomic, the sequence is
// not. The lexicon records which files are indexed, so a crash between the commits left
// files recorded as indexed whose articles were missing from an uncommitted shard, and
// the next run skipped them (found by killing depeche-index at each rename). Committed
// last, the lexicon still names the old state after such a crash, and the next run
// indexes those files again.
void commit_sharded(Xapian::WritableDatabase& db, ShardRouting& w);
// The moves that shards record (schema::kMetaMovedIn, left by a crash inside
// commit_sharded()): the old copies deleted, then the records cleared, each committed.
// Whether there were any.
bool finish_moves(Xapian::WritableDatabase& db, ShardRouting& w);
// Writes `doc` as the article of `id_term` in shard k: replaces the copy there, deletes
// copies in other shards (a layout change, or an article whose date moved it to another
// year), else adds it at the shard's next document id. Returns the document id in `w.db`.
Xapian::docid put_sharded(Xapian::WritableDatabase& db, ShardRouting& w, const std::string& id_term,
                          const Xapian::Document& doc, std::size_t k);
// Adds the shard of `period` to the year-partitioned index in `folder`, whose writable
// handle `db` is closed first (it must hold no uncommitted change) and opened again with
// the new shard (routing updated); the caller holds the writer's lock. In this order,
// so that a crash anywhere leaves an index that opens with every article: the new
// database (a leftover folder of an earlier attempt is removed first), stamped with the
// contract and its record; then shards.stub, rewritten atomically (readers take only the
// shards the lexicon records: the extra line is ignored until then); then the lexicon's
// record, in one commit. Returns the new shard's number.
std::size_t add_period_shard(const std::filesystem::path& folder, const std::string& dir, Xapian::WritableDatabase& db,
                             ShardRouting& routing, const std::string& period);

// depeche-index --compact-cold (compact_cold_shards() in the public API) is in
// indexer/compact.cpp.
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

// Adds to the index's kMetaTables the recorded tables whose file is now in `folder`;
// true if it changed (to be committed). With `exactly`, the tables whose file is there
// and no others: for a database just made by compaction (which writes no empty table: a
// shard left without articles has no position table any more, and that is not damage).
bool record_tables(Xapian::WritableDatabase& db, const std::filesystem::path& folder, bool exactly = false);
// Set in the child process that runs Xapian's table check for check_index(), which opens
// the tables read-write in Xapian 1.4: depeche-index then makes every open read-only.
extern bool g_table_check_child;

// Records the schema version and analyzer fingerprint of this build.
void stamp_contract(Xapian::WritableDatabase& db);
// Records the time of the commit about to be made.
void stamp_updated(Xapian::WritableDatabase& db);
// Folder of the people extraction lexicon ($DEPECHE_LEXICON_DIR, else the installed or
// source-tree copy).
std::string lexicon_dir();

}  // namespace depeche
