// Phrase queries over a JSONL corpus, checked against two brute-force scans:
//  1. the analyzer's token stream of every title and body (same tokens as the index),
//  2. a plain text scan independent of the tokenizer,
// both from tests/phrase_oracle.hpp: the same checker as the test suite's.
// Usage: phrase_oracle INDEX_DIR CORPUS.jsonl ["phrase"...]
// Prints, per phrase, the engine's count and both brute-force counts.
#include "indexer/readers.hpp"
#include "schema/analyzer.hpp"
#include "phrase_oracle.hpp"

#include <depeche/depeche.hpp>

#include <cstdio>
#include <set>

using namespace depeche;

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
    read_file(
        argv[2], [&](Article&& a) { articles.push_back(std::move(a)); }, issues);
    Analyzer an;
    Searcher searcher(argv[1]);
    std::printf("%-24s %8s %10s %10s %s\n", "phrase", "engine", "tokens", "text scan", "verdict");
    int bad = 0;
    for (const std::string& p : phrases) {
        const std::set<std::string> by_tokens = oracle::by_tokens(an, articles, p);
        const std::set<std::string> by_scan = oracle::by_text_scan(an, articles, p);
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
