// The French text layer: the one place that says how UTF-8 is decoded, which characters
// are apostrophes, hyphens and spaces, which words elide, and how case, accents and
// ligatures fold. The analyzer (schema/analyzer.cpp), person keys (schema/person_key.cpp),
// people extraction (indexer/people.cpp), date extraction (indexer/dates.cpp) and the
// query parser all call it, so a document and a query never disagree on a character.
//
// Stages, each small and pinned by tests/test_text.cpp:
//   decode      UTF-8 -> code points; an invalid byte is U+FFFD and is skipped alone
//   classify    is_apostrophe (' ’ ʼ ‘ ‛), is_hyphen (- U+2010 U+2011), is_space (ASCII
//               white space, NBSP, U+202F, U+2000..U+200A, U+205F, U+3000, line and
//               paragraph separators)
//   elide       is_elision: l d j m n s t c qu jusqu lorsqu puisqu quoiqu
//   fold        one code point -> lower case, no accents, ligatures expanded: Unicode full
//               case folding, canonical decomposition with the non-spacing marks dropped,
//               then the table of letters that have no decomposition (ð->d, þ->th, œ->oe,
//               æ->ae, ø->o, ł->l, đ->d, ı->i, ĳ->ij, ŀ->l); apostrophes fold to ',
//               hyphens to -, spaces to a space. (ß->ss comes from case folding.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace depeche::text {

// ---- UTF-8
inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at s[i] and advances i. Overlong forms, surrogates, values above
// U+10FFFF and truncated sequences give U+FFFD and advance by one byte.
char32_t decode(std::string_view s, std::size_t& i);

// Appends the UTF-8 encoding of cp.
void append_utf8(std::string& out, char32_t cp);

// Byte offset of the first invalid UTF-8 sequence of s, or npos when s is valid.
std::size_t invalid_utf8_at(std::string_view s);

// The start of the code point holding byte i of s (i itself, or before it when s[i] is a
// continuation byte); i when i >= s.size(). Cuts text without splitting a character.
std::size_t char_start(std::string_view s, std::size_t i);

// Valid UTF-8 copy of s, each invalid sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

// ---- character classes
bool is_apostrophe(char32_t c);
bool is_hyphen(char32_t c);
bool is_space(char32_t c);

// s without the ASCII white space (space, tab, line ends, form feed) at both ends.
std::string_view trim(std::string_view s);

// ---- elision: true if `head` (the letters before an apostrophe, folded) is an elided word.
bool is_elision(std::string_view head);

// ---- folding
// Unicode full case folding only, accents kept ("Élysée" -> "élysée", "ß" -> "ss"): what
// the Snowball stemmer and the hunspell dictionary expect.
std::string fold_case(std::string_view s);
// Appends the folded form of one code point (see the stages above).
void fold_char(char32_t c, std::string& out);
// Folds a whole UTF-8 string, code point by code point (invalid bytes fold to U+FFFD).
std::string fold(std::string_view s);

// The rules of this layer as text: every list and every table entry, and the folded form
// of each code point of U+0000..U+024F and of the typographic punctuation. The analyzer's
// fingerprint mixes it in, so changing any rule here changes the fingerprint.
const std::string& rules();

}  // namespace depeche::text
