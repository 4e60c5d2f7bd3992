// Turns an Article into a Xapian document by walking the schema's field table
// (schema/schema.hpp): each field is indexed as its Indexing says.
#pragma once

#include "indexer/article.hpp"
#include "schema/analyzer.hpp"
#include "schema/stored.hpp"
#include "schema/terms.hpp"

#include <string>
#include <utility>
#include <vector>
#include <xapian.h>

namespace depeche {

class PeopleExtractor;

struct BuiltDocument {
    Xapian::Document doc;
    std::string id_term;
    // (folded word, folded stem) pairs for the synonym table: how an unaccented query
    // word reaches the stem of its accented spelling.
    std::vector<std::pair<std::string, std::string>> spellings;
    // (folded stem, exact form) pairs, each once per document, for the forms table
    // (schema::kFormsKey + stem -> form): how a query word reaches every form of its stem.
    std::vector<std::pair<std::string, std::string>> forms;
    // (metadata key, text) of the whole-value terms (author, source).
    std::vector<std::pair<std::string, std::string>> field_values;
    std::vector<InputProblem> problems;
};

// Builds the document: terms, positions, values and stored data. `people` may be null
// (no extraction, metadata people only); `codec` compresses the stored data (null:
// plain).
BuiltDocument build_document(const Article& article, Analyzer& analyzer, const PeopleExtractor* people,
                             const StoredCodec* codec = nullptr);

// The stored data of an article before analysis (raw fields, no marks): samples for
// training a compression dictionary.
std::string stored_sample(const Article& article);

}  // namespace depeche
