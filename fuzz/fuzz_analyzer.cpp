// Fuzz target: the French analyzer (Analyzer::normalize, analyze, tokens, fold).
// Normalised text is valid UTF-8 and token offsets stay inside it, in order.
#include "fuzz/fuzz_targets.hpp"
#include "schema/analyzer.hpp"

#include <vector>

namespace depeche::fuzz {

void analyzer_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static Analyzer analyzer;
    const std::string normalized = analyzer.normalize(text);
    DEPECHE_FUZZ_CHECK(valid_utf8(normalized));
    DEPECHE_FUZZ_CHECK(analyzer.normalize(normalized) == normalized);  // idempotent

    std::vector<Token> tokens;
    const std::uint32_t first = size > 0 ? data[0] : 0;
    const std::uint32_t next = analyzer.analyze(normalized, tokens, first);
    std::uint32_t last_pos = first, last_begin = 0;
    for (const Token& t : tokens) {
        DEPECHE_FUZZ_CHECK(!t.exact.empty());
        DEPECHE_FUZZ_CHECK(valid_utf8(t.exact));
        DEPECHE_FUZZ_CHECK(valid_utf8(t.stem));
        DEPECHE_FUZZ_CHECK(valid_utf8(t.alt_stem));
        DEPECHE_FUZZ_CHECK(t.begin < t.end);
        DEPECHE_FUZZ_CHECK(t.end <= normalized.size());
        DEPECHE_FUZZ_CHECK(t.begin >= last_begin);
        DEPECHE_FUZZ_CHECK(t.pos >= last_pos);
        DEPECHE_FUZZ_CHECK(t.pos < next);
        DEPECHE_FUZZ_CHECK(!t.stop || Analyzer::is_stopword(t.exact));
        last_pos = t.pos;
        last_begin = t.begin;
        // The token's text folds to its exact form... or at least to valid UTF-8.
        DEPECHE_FUZZ_CHECK(valid_utf8(analyzer.fold(normalized.substr(t.begin, t.end - t.begin))));
    }
    // Same tokens through the convenience call.
    std::vector<Token> again = analyzer.tokens(text);
    DEPECHE_FUZZ_CHECK(again.size() == tokens.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        DEPECHE_FUZZ_CHECK(again[i].exact == tokens[i].exact);
        DEPECHE_FUZZ_CHECK(again[i].stem == tokens[i].stem);
    }
    const std::string folded = analyzer.fold(text);
    DEPECHE_FUZZ_CHECK(valid_utf8(folded));
    DEPECHE_FUZZ_CHECK(valid_utf8(analyzer.snowball(folded)));
}

}  // namespace depeche::fuzz

DEPECHE_FUZZ_ENTRY(analyzer_input)
