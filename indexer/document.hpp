// Turns an Article into a Xapian document following the schema.
#pragma once

#include "indexer/article.hpp"
#include "schema/analyzer.hpp"

#include <string>
#include <utility>
#include <vector>
#include <xapian.h>

namespace depeche {

class PeopleExtractor;

// What the searcher shows for a hit; stored as the document data (JSON).
struct StoredArticle {
    std::string id, title, date, url, author, source, path, text;
    std::vector<std::string> people;
};
std::string encode_stored(const StoredArticle& a);
StoredArticle decode_stored(const std::string& data);

// The unique-id term of an article id (long ids are shortened with a hash so that
// terms stay under Xapian's length limit).
std::string id_term(const std::string& id);

struct BuiltDocument {
    Xapian::Document doc;
    std::string id_term;
    // (folded word, folded stem) pairs for the synonym table: how an unaccented query
    // word reaches the stem of its accented spelling.
    std::vector<std::pair<std::string, std::string>> spellings;
    std::vector<InputProblem> problems;
};

// Builds the document: terms, positions, values and stored data. `people` may be null
// (no extraction, metadata people only).
BuiltDocument build_document(const Article& article, Analyzer& analyzer,
                             const PeopleExtractor* people);

// 64-bit FNV-1a hash of s as 16 hex digits (stable across runs and machines).
std::string fnv_hex(std::string_view s);

// A term cut to Xapian's length limit (long ones end with a hash of the whole).
std::string bounded_term(std::string term);

// Limit on term length (Xapian's is 245 bytes with the prefix).
inline constexpr std::size_t kMaxTermBytes = 200;

}  // namespace depeche
