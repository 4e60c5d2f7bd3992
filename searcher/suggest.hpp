// "Vouliez-vous dire : Macron ?": a better spelling for a query that finds few or no
// articles, taken from the index's own vocabulary, so that it works on any index (and on
// several shards searched as one: it only reads terms and their frequencies).
#pragma once

#include "schema/analyzer.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <xapian.h>

namespace depeche {

// Queries that find at most this many articles get a suggestion when one finds more.
inline constexpr std::size_t kSuggestBelow = 10;

// Damerau-Levenshtein distance (adjacent transpositions count 1) between two byte
// strings, or max + 1 as soon as it is known to exceed max.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max);
// edit_distance(a, b, 1) <= 1 in one pass: equal, or one byte inserted, deleted or
// replaced, or two adjacent bytes swapped.
bool within_one_edit(std::string_view a, std::string_view b);

// The indexed word (unprefixed exact form) closest in spelling to `folded` that is much
// more frequent than it: at most 1 edit for words of up to 5 bytes, 2 for longer ones,
// starting with the same letter, the second one or h, in at least 3 times as many
// articles as `folded` and 2 at least; the nearest wins, then the most frequent.
// nullopt when there is none.
// With from_forms_table, the candidates come from the forms table (metadata) instead of
// the index's terms: for a database with remote shards, whose terms would each cross the
// network (stopwords and numbers, which the forms table lacks, are never candidates).
std::optional<std::string> closest_indexed_word(const Xapian::Database& db, const std::string& folded,
                                                bool from_forms_table = false);

struct SuggestSources {
    const Xapian::Database& db;
    Analyzer& analyzer;
    // The stored text of a document (title and body), to show a word with its accents
    // ("melenchon" is indexed folded; the text says "Mélenchon").
    std::function<std::string(Xapian::docid)> text_of;
    // The number of articles a query finds (exactly); throws like a search.
    std::function<std::size_t(const std::string&)> count;
    // The French form of a person's name given a variant or transliteration ("Putin" ->
    // "Poutine"), when the index knows that person; may be empty.
    std::function<std::optional<std::string>(std::string_view)> person_form;
    // Candidate words from the forms table (closest_indexed_word).
    bool from_forms_table = false;
};

// The query with each plain word (outside phrases, fields and exclusions) that has a
// better spelling in the index replaced by it, when that query finds more than `found`
// articles; "" otherwise.
std::string suggest(const std::string& query, std::size_t found, const SuggestSources& sources);

}  // namespace depeche
