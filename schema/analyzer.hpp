// French text analysis: one code path for documents and queries.
//
// Stages, in order (each pinned by table tests in tests/test_analyzer.cpp; the character
// rules are the text layer's, schema/text.hpp, shared with people, dates and queries):
//   normalise  NFC ("e\u0301" -> "é"); typographic apostrophes ‘ between letters -> ’
//   segment    ICU word boundaries (UAX #29) over UTF-8; hyphenated parts are kept apart
//              but marked as joined ("tête-à-tête" -> tête|à|tête)
//   elide      drop the text layer's elisions, l' d' j' m' n' s' t' c' qu' jusqu' lorsqu'
//              puisqu' quoiqu' ("l'Ukraine" -> Ukraine); other apostrophes stay inside
//              ("aujourd'hui")
//   fold case  Unicode full case folding ("Élysée" -> "élysée", "ß" -> "ss")
//   stem       Snowball French on the accented lower-case word ("élections" -> "élect")
//   fold       the text layer's folding, on both the word and its stem ("élysée" ->
//              "elysee", "œuvre" -> "oeuvre", "Guðni" -> "gudni", "élect" -> "elect")
//
// Each word yields an exact form (folded, for phrases; positional) and a stem (folded
// after stemming). Because Snowball must see accents, an unaccented spelling may stem
// differently ("electricite"); the index records, for such words, which stems its
// folded form leads to (see alt_stem), so either spelling finds the other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace depeche {

struct Token {
    std::string exact;        // folded word form: lower case, no accents, ligatures expanded
    std::string stem;         // folded stem of the accented word ("" for stopwords)
    std::string alt_stem;     // folded stem of the folded word, when it differs from stem
    std::uint32_t pos = 0;    // word position (elided articles take none)
    std::uint32_t begin = 0;  // byte offsets in the normalised text
    std::uint32_t end = 0;
    bool stop = false;    // a stopword: indexed for phrases, ignored for ranking
    bool joined = false;  // joined to the previous token by a hyphen ("Jean-Yves")
    bool number = false;  // made of digits
};

class Analyzer {
public:
    Analyzer();
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Stage 1: Unicode NFC (invalid UTF-8 is replaced by U+FFFD). Offsets of tokens
    // refer to this normalised text.
    std::string normalize(std::string_view text) const;

    // All stages on already normalised text: appends tokens; positions start at
    // first_pos. Returns the position after the last token.
    std::uint32_t analyze(std::string_view normalized, std::vector<Token>& out, std::uint32_t first_pos = 0);

    // Convenience: normalise then analyse.
    std::vector<Token> tokens(std::string_view text);

    // Fold one word or name (case, accents, ligatures) as the exact form does.
    std::string fold(std::string_view word) const;

    // Raw Snowball French stem of a lower-case, accented word ("élections" -> "élect").
    std::string snowball(std::string_view lower);

    // True if the folded form is a French stopword.
    static bool is_stopword(std::string_view folded);

    // One input of the fingerprint: a name and the data it stands for, as text (a word
    // list, the text layer's table, a lexicon file, a stage's rules version, the schema).
    struct FingerprintComponent {
        std::string name;
        std::string data;
    };
    // The fingerprint of `components`: `label` (human-readable, e.g. "french-10
    // snowball-french unicode-15.0") then " rules-" and the 64-bit FNV-1a, in hex, of
    // every component's name and data. Changing any component changes it.
    static std::string fingerprint_of(std::string_view label, const std::vector<FingerprintComponent>& components);
    // Every rule that changes the terms of an index: the analyzer's version and word
    // lists, the text layer's rules and folding table (schema/text.hpp), the version of
    // each extraction stage (people, person keys, dates), every lexicon file's text
    // (indexer/lexicon, compiled in) and the schema contract (schema::describe()).
    static std::vector<FingerprintComponent> fingerprint_components();
    // The human-readable front of the fingerprint.
    static std::string fingerprint_label();
    // Identifies this analyzer's behaviour; stored in the index, checked on open:
    // fingerprint_of(fingerprint_label(), fingerprint_components()).
    static std::string fingerprint();

    // Not thread-safe: use one Analyzer per thread.
private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace depeche
