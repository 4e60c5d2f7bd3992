// Story signatures: near-duplicate detection of articles (reposts of one dispatch under
// several sections, lightly updated versions).
//
// Each article's body is cut into shingles of kShingleWords consecutive analysed words
// (exact forms, stopwords included); a MinHash signature of kHashes values summarises the
// set of shingles. Two articles are versions of one story when their estimated
// resemblance (Jaccard index of the shingle sets) reaches kMinJaccard, or when the
// shorter one is mostly contained in the longer one (an update that added or cut a few
// sentences: containment >= kMinContainment), see same_story().
//
// In the index (schema: story prefix and slots):
//  * the signature is stored in a value slot (schema::kSlotStorySignature);
//  * the story key, 16 hex digits, is in a value slot (schema::kSlotStory, Xapian's
//    collapse key) and in a boolean term (story:KEY). An article alone in its story has
//    its own key, the hash of its id.
// Candidates that may share a story are found without comparing every pair by kBands
// bands of kRows signature values (locality-sensitive hashing): two articles are compared
// when one of their bands is equal. Bands are computed from the stored signatures when
// needed (they are not index terms: 20 terms per article would grow the index by a
// sixth).
// Grouping is transitive (union of verified pairs). bench/story_eval.cpp measures it.
#pragma once

#include "schema/analyzer.hpp"
#include "schema/story_rules.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>
#include <xapian.h>

namespace depeche::story {

// The rules' constants are part of the index contract (schema/story_rules.hpp).
using schema::story_rules::kBands;
using schema::story_rules::kHashes;
using schema::story_rules::kMinContainment;
using schema::story_rules::kMinJaccard;
using schema::story_rules::kMinLengthRatio;
using schema::story_rules::kMinShingles;
using schema::story_rules::kRows;
using schema::story_rules::kShingleWords;

struct Signature {
    std::array<std::uint16_t, kHashes> min{};
    std::uint32_t shingles = 0;  // distinct shingles
    bool usable() const { return shingles >= kMinShingles; }
};

// Signature of the analysed body words.
Signature signature(const std::vector<Token>& tokens);
// Estimated Jaccard index of the two shingle sets (corrected for the chance agreement of
// 16-bit values).
double resemblance(const Signature& a, const Signature& b);
// Estimated share of the smaller set found in the larger one.
double containment(const Signature& a, const Signature& b);
// Whether a and b are versions of one story (both usable).
bool same_story(const Signature& a, const Signature& b);

// Value-slot form of a signature, and back (nullopt if malformed).
std::string encode(const Signature& s);
std::optional<Signature> decode(std::string_view value);

// The bands of a signature: kRows values of band b in one number.
using Bands = std::array<std::uint32_t, kBands>;
Bands bands(const Signature& s);
// An article's own story key: 16 hex digits of the hash of its id.
std::string own_key(std::string_view id);
// The boolean term of a story key.
std::string story_term(std::string_view key);
// Whether `key` has the form of a story key.
bool valid_key(std::string_view key);

// Adds the signature value and own story key to a document being built.
void add_to_document(Xapian::Document& doc, const std::string& id, const Signature& s);
// Sets a document's story key (value and term), replacing the one it had.
void set_key(Xapian::Document& doc, const std::string& key);

// Story keys of a whole collection, independent of its order: the verified pairs found
// through band buckets are united, and each group takes the smallest own key of its
// members. `own` holds each item's own key. Returns one key per item.
std::vector<std::string> group(const std::vector<Signature>& sigs, const std::vector<std::string>& own);

// Gives each document of the shards of a fresh build their story keys (group() over
// every document's signature, across the shards), before they are merged; rewrites only
// the documents whose key changes. Returns the number of documents that share a story
// with another one.
std::size_t group_shards(const std::vector<std::string>& shard_paths);

// The stories of an index being updated, for a writer: join() gives a document about to
// be written the key of the story it belongs to, among the indexed documents with an
// equal band (verified with same_story), else its own key; when it matches documents of
// several stories, these stories become one (their documents take the smallest of their
// keys). The bands of the indexed documents are read from their signatures on the first
// join() (about 200 bytes of memory per article), and again when the database changes
// (another UUID: rebuilt, overwritten); added() records a document once written.
// Documents deleted or rewritten meanwhile are checked when found (their current
// signature is read), so the bands may be stale.
class Stories {
public:
    void join(Xapian::WritableDatabase& db, Xapian::Document& doc);
    void added(Xapian::docid did, const Xapian::Document& doc);

private:
    std::string uuid_;
    // Per band: (band value, docid) sorted, as loaded; and those added since.
    std::array<std::vector<std::pair<std::uint32_t, Xapian::docid>>, kBands> loaded_;
    std::array<std::unordered_multimap<std::uint32_t, Xapian::docid>, kBands> recent_;
    void load(Xapian::WritableDatabase& db);
};

}  // namespace depeche::story
