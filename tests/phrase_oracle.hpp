// The phrase oracle: which articles hold a phrase, found by brute force without the
// index. Shared by the test suite (tests/test_oracle.cpp) and the benchmark
// (bench/phrase_oracle.cpp), so the figures in bench/README.md and the tests come from
// the same checker. Two independent scans:
//  1. token_phrase: the analyzer's token stream of a text (the same tokens as the
//     index) holds the phrase's tokens consecutively;
//  2. text_has_phrase: a plain scan of the folded text that does not use the
//     tokenizer: case, accents, ligatures and apostrophes folded (Analyzer::fold),
//     hyphens (-, U+2010, U+2011), quotation marks and spaces (NBSP, U+202F) as one
//     space, and the folded phrase found between word boundaries. An elided article
//     before the phrase ("l'union europeenne") is a boundary.
#pragma once

#include "indexer/article.hpp"
#include "schema/analyzer.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::oracle {

inline std::string flatten(Analyzer& a, const std::string& text) {
    static constexpr std::string_view kAsSpace[] = {
        "\xc2\xa0",      // NBSP
        "\xe2\x80\xaf",  // U+202F narrow NBSP
        "\xc2\xab",      // «
        "\xc2\xbb",      // »
        "\xe2\x80\x9c",  // “
        "\xe2\x80\x9d",  // ”
        "\xe2\x80\x90",  // U+2010 hyphen
        "\xe2\x80\x91",  // U+2011 non-breaking hyphen
    };
    const std::string t = a.fold(text);
    std::string flat;
    flat.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        for (std::string_view sp : kAsSpace)
            if (t.compare(i, sp.size(), sp) == 0) {
                i += sp.size() - 1;
                c = ' ';
                break;
            }
        if (c == '\n' || c == '\t' || c == '\r' || c == '-' || c == '"') c = ' ';
        if (c == ' ' && !flat.empty() && (flat.back() == ' ' || flat.back() == '\'')) continue;
        flat += c;
    }
    return flat;
}

inline bool text_has_phrase(Analyzer& a, const std::string& text, const std::string& phrase) {
    const std::string flat = flatten(a, text);
    const std::string want = flatten(a, phrase);
    auto is_word = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
    };
    for (std::size_t p = flat.find(want); p != std::string::npos; p = flat.find(want, p + 1)) {
        const std::size_t e = p + want.size();
        if (p > 0 && is_word(flat[p - 1])) continue;
        if (e < flat.size() && is_word(flat[e])) continue;
        return true;
    }
    return false;
}

// The exact forms of the phrase's tokens, for token_phrase.
inline std::vector<std::string> phrase_tokens(Analyzer& a, const std::string& phrase) {
    std::vector<std::string> want;
    for (const Token& t : a.tokens(phrase)) want.push_back(t.exact);
    return want;
}

// Whether the analysed text holds `want` as consecutive tokens.
inline bool token_phrase(Analyzer& a, const std::string& text, const std::vector<std::string>& want) {
    const auto toks = a.tokens(text);
    for (std::size_t i = 0; i + want.size() <= toks.size(); ++i) {
        bool ok = true;
        for (std::size_t k = 0; k < want.size() && ok; ++k) ok = toks[i + k].exact == want[k];
        if (ok) return true;
    }
    return false;
}

// Ids of the articles whose title or body holds the phrase, by scan 1 (tokens) or 2 (text).
inline std::set<std::string> by_tokens(Analyzer& a, const std::vector<Article>& articles, const std::string& phrase) {
    const std::vector<std::string> want = phrase_tokens(a, phrase);
    std::set<std::string> out;
    for (const Article& art : articles)
        if (token_phrase(a, art.title, want) || token_phrase(a, art.body, want)) out.insert(art.id);
    return out;
}

inline std::set<std::string> by_text_scan(Analyzer& a, const std::vector<Article>& articles,
                                          const std::string& phrase) {
    std::set<std::string> out;
    for (const Article& art : articles)
        if (text_has_phrase(a, art.title, phrase) || text_has_phrase(a, art.body, phrase)) out.insert(art.id);
    return out;
}

}  // namespace depeche::oracle
