// Snippets: the passage of an article that best shows why it matched.
#pragma once

#include "schema/analyzer.hpp"
#include "searcher/query_parser.hpp"

#include <string>

namespace depeche {

// The window of about `length` bytes of `text` (NFC-normalised, as stored) holding the
// most distinct matched words, cut at word boundaries, with "…" where text was cut and
// each matched word (or whole phrase) wrapped in open/close. Without any match, the
// beginning of the text.
std::string make_snippet(Analyzer& analyzer, const std::string& text, const Highlights& h,
                         std::size_t length, const std::string& open, const std::string& close);

}  // namespace depeche
