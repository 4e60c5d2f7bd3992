// Turns an Article into a Xapian document following the schema.
#pragma once

#include "indexer/article.hpp"
#include "indexer/stored_codec.hpp"
#include "schema/analyzer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <xapian.h>

namespace depeche {

class PeopleExtractor;

// What the searcher shows for a hit; stored as the document data, in a compact binary
// form (encode_stored; see docs/schema.md). `marks` locate every 16th body word:
// (word position, byte offset in `text`), so a snippet can analyse a window of the text
// around a match instead of the whole article.
struct StoredArticle {
    std::string id, title, date, url, author, source, path, text;
    std::vector<std::string> people;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> marks;
};
inline constexpr std::size_t kMarkEvery = 16;
// Compressed with `codec` (its current dictionary), or left plain if codec is null.
std::string encode_stored(const StoredArticle& a, const StoredCodec* codec = nullptr);
// nullopt if `data` is not stored data of a known format, or needs a dictionary `codec`
// does not have (null: none). Without `with_text`, the text and marks are skipped (left
// empty).
std::optional<StoredArticle> decode_stored(std::string_view data, bool with_text = true,
                                           const StoredCodec* codec = nullptr);
// Plain stored data (format 1) compressed with codec; other data is returned as is.
std::string compress_stored(const std::string& data, const StoredCodec& codec);
// The dictionary compressed stored data needs (0: none, or not compressed).
std::uint32_t stored_dictionary(std::string_view data);

// The unique-id term of an article id (long ids are shortened with a hash so that
// terms stay under Xapian's length limit).
std::string id_term(const std::string& id);
// The filter term of a URL: the prefix and a 64-bit hash of the URL (URLs are long, and
// a term is stored in the index once per article and once per posting list).
std::string url_term(std::string_view url);
// The term of an input file's path (schema 5 on): "XF" and a 64-bit hash of the path, as
// paths are long and every article of a file carries one.
std::string file_term(std::string_view path);
// The whole-value term of an author or source text (schema::kAuthorValuePrefix...).
std::string field_value_term(std::string_view prefix, std::string_view text);

struct BuiltDocument {
    Xapian::Document doc;
    std::string id_term;
    // (folded word, folded stem) pairs for the synonym table: how an unaccented query
    // word reaches the stem of its accented spelling.
    std::vector<std::pair<std::string, std::string>> spellings;
    // (folded stem, exact form) pairs, each once per document, for the forms table
    // (schema::kFormsKey + stem -> form): how a query word reaches every form of its stem.
    std::vector<std::pair<std::string, std::string>> forms;
    // (metadata key, text) of the author's and source's whole-value terms.
    std::vector<std::pair<std::string, std::string>> field_values;
    std::vector<InputProblem> problems;
};

// Builds the document: terms, positions, values and stored data. `people` may be null
// (no extraction, metadata people only); `codec` compresses the stored data (null:
// plain).
BuiltDocument build_document(const Article& article, Analyzer& analyzer,
                             const PeopleExtractor* people, const StoredCodec* codec = nullptr);

// The stored data of an article before analysis (raw fields, no marks): samples for
// training a compression dictionary.
std::string stored_sample(const Article& article);
// The uncompressed record of stored data (what a dictionary is trained on).
std::string stored_record(const StoredArticle& a);

// 64-bit FNV-1a hash of s as 16 hex digits (stable across runs and machines).
std::string fnv_hex(std::string_view s);
// The same hash in 11 characters of [0-9A-Za-z_-] (6 bits each, low bits first): the
// hashed terms (U, XF, XVA, XVS), which every article carries.
std::string fnv_short(std::string_view s);

// A term cut to Xapian's length limit (long ones end with a hash of the whole).
std::string bounded_term(std::string term);

// Limit on term length (Xapian's is 245 bytes with the prefix).
inline constexpr std::size_t kMaxTermBytes = 200;

}  // namespace depeche
