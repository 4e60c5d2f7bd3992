// Phrase queries over a JSONL corpus, checked against two brute-force scans:
//  1. the analyzer's token stream of every title and body (same tokens as the index),
//  2. a plain text scan independent of the tokenizer: case, accents, ligatures and
//     apostrophes folded, hyphens and quotation marks as spaces, word boundaries.
// Usage: phrase_oracle INDEX_DIR CORPUS.jsonl ["phrase"...]
// Prints, per phrase, the engine's count and both brute-force counts.
#include "indexer/readers.hpp"
#include "schema/analyzer.hpp"

#include <depeche/depeche.hpp>

#include <cstdio>
#include <set>

using namespace depeche;

namespace {

std::string flatten(Analyzer& a, const std::string& text) {
    std::string t = a.fold(text), flat;
    flat.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        for (const char* sp : {"\xc2\xa0", "\xe2\x80\xaf", "\xc2\xab", "\xc2\xbb", "\xe2\x80\x9c", "\xe2\x80\x9d"}) {
            std::size_t len = std::char_traits<char>::length(sp);
            if (t.compare(i, len, sp) == 0) { i += len - 1; c = ' '; break; }
        }
        if (c == '\n' || c == '\t' || c == '\r' || c == '-' || c == '"') c = ' ';
        if (c == ' ' && !flat.empty() && (flat.back() == ' ' || flat.back() == '\'')) continue;
        flat += c;
    }
    return flat;
}

bool scan(Analyzer& a, const std::string& text, const std::string& want) {
    std::string flat = flatten(a, text);
    auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80; };
    for (std::size_t p = flat.find(want); p != std::string::npos; p = flat.find(want, p + 1)) {
        std::size_t e = p + want.size();
        if ((p == 0 || !word(flat[p - 1])) && (e == flat.size() || !word(flat[e]))) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: phrase_oracle INDEX_DIR CORPUS.jsonl [\"phrase\"...]\n");
        return 2;
    }
    std::vector<std::string> phrases;
    for (int i = 3; i < argc; ++i) phrases.push_back(argv[i]);
    if (phrases.empty()) phrases = {"Union européenne", "Assemblée nationale", "état d'urgence", "Emmanuel Macron"};
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    read_file(argv[2], [&](Article&& a) { articles.push_back(std::move(a)); }, issues);
    Analyzer an;
    Searcher searcher(argv[1]);
    std::printf("%-24s %8s %10s %10s %s\n", "phrase", "engine", "tokens", "text scan", "verdict");
    int bad = 0;
    for (const std::string& p : phrases) {
        std::vector<std::string> want;
        for (const Token& t : an.tokens(p)) want.push_back(t.exact);
        std::string flat_want = flatten(an, p);
        std::set<std::string> by_tokens, by_scan;
        for (const Article& a : articles) {
            for (const std::string* text : {&a.title, &a.body}) {
                auto tk = an.tokens(*text);
                for (std::size_t i = 0; i + want.size() <= tk.size(); ++i) {
                    bool ok = true;
                    for (std::size_t k = 0; k < want.size() && ok; ++k) ok = tk[i + k].exact == want[k];
                    if (ok) { by_tokens.insert(a.id); break; }
                }
                if (scan(an, *text, flat_want)) by_scan.insert(a.id);
            }
        }
        SearchRequest r;
        r.query = "\"" + p + "\"";
        r.limit = 1000000;
        r.snippet.length = 0;
        SearchResult res = searcher.search(r);
        std::set<std::string> got;
        for (const Hit& h : res.hits) got.insert(h.id);
        bool same = got == by_tokens && got == by_scan;
        bad += !same;
        std::printf("%-24s %8zu %10zu %10zu %s\n", p.c_str(), got.size(), by_tokens.size(), by_scan.size(),
                    same ? "identical sets" : "DIFFERENT");
    }
    return bad ? 1 : 0;
}
