// The key of a person's name, shared by the indexer (the person terms it writes) and the
// searcher (personne:"..." and the people facet).
#pragma once

#include <string>
#include <string_view>

namespace depeche {

/// Key used to match or filter a person ignoring case, accents and typography: the name
/// folded by the text layer (schema/text.hpp: lower case, no accents, ð -> d, þ -> th,
/// œ -> oe...), typographic apostrophes unified to ', dots and sentence punctuation
/// removed, words separated by one space, and one leading honorific (any form of
/// indexer/lexicon/honorifics.txt) dropped when a name follows it.
/// Examples: "Donald Trump" -> "donald trump", "Édouard Philippe" -> "edouard philippe",
/// "M. Dupont" -> "dupont", "J.D. Vance" -> "jd vance", "Guðni Jóhannesson" -> "gudni johannesson".
std::string person_key(std::string_view name);

/// True if `key_word` (one word as person_key() writes it: folded, no dots) is a form of
/// an honorific ("m", "mme", "docteur", "maitres"...).
bool is_honorific_key(std::string_view key_word);

/// The rules of person_key() as text (a version and the honorific forms), for the
/// analyzer's fingerprint.
std::string person_key_rules();

}  // namespace depeche
