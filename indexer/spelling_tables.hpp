// The spelling and forms tables an index keeps beside its documents, gathered per batch
// and written at commit time, and merged across shards. Internal to the writer.
#pragma once

#include "indexer/document.hpp"

#include <xapian.h>

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace depeche::writer_detail {

// New entries of the spelling table (Xapian's synonym table: folded word -> stems of its
// accented spellings) and of the forms table (metadata: schema::kFormsKey + stem -> the
// exact forms indexed with that stem, joined by U+001F), gathered per batch and written
// key by key at commit time (flush_synonyms): Xapian's synonym table re-reads and
// recompresses an entry each time the key changes between two add_synonym() calls.
struct PendingSynonyms {
    std::map<std::string, std::vector<std::string>> spellings;
    std::map<std::string, std::vector<std::string>> forms;  // stem -> new forms
    std::map<std::string, std::string> values;              // whole-value metadata key -> text
    std::unordered_set<std::string> seen;                   // pairs already recorded by this writer
};

// Records a document's spellings and forms. `seen` is emptied past two million pairs
// (recording a pair again is harmless).
void record_synonyms(const BuiltDocument& built, PendingSynonyms& pending);
// Writes what was gathered, key by key, and empties it.
void flush_synonyms(Xapian::WritableDatabase& db, PendingSynonyms& pending);

// Merges shards: forms-table entries present in several shards are united; other
// metadata is rewritten after the merge.
struct ShardCompactor : Xapian::Compactor {
    std::string resolve_duplicate_metadata(const std::string& key, size_t num_tags, const std::string tags[]) override;
};

}  // namespace depeche::writer_detail
