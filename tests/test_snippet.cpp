// Snippets of long articles: the passage shown is found from the index's word positions and
// only that part of the text is analysed. These tests place the query words at known
// places in long bodies and check what the reader sees.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <random>
#include <string>
#include <vector>

using depeche::test::TempDir;

namespace {

// Filler words that share no stem with the query words below.
const std::vector<std::string> kFiller = {"maison",  "rivière", "montagne", "ciel",    "voiture",   "chemin",
                                          "fenêtre", "jardin",  "silence",  "lumière", "orage",     "pierre",
                                          "forêt",   "village", "musique",  "hiver",   "printemps", "marché",
                                          "bateau",  "nuage",   "table",    "livre",   "horloge",   "prairie"};
const std::vector<std::string> kShort = {"a", "à", "y", "ô", "ou", "où", "un", "on"};

std::string words(std::mt19937& rng, std::size_t n, const std::vector<std::string>& from = kFiller) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (!out.empty()) out += i % 13 == 0 ? ". " : " ";
        out += from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
    }
    return out;
}

// What the snippet shows of the text: markers and ellipses removed.
std::string shown(std::string s) {
    for (const std::string cut : {"**", "…"}) {
        for (std::size_t at; (at = s.find(cut)) != std::string::npos;) s.erase(at, cut.size());
    }
    return s;
}

struct Index {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    void add(const std::string& id, const std::string& body) {
        depeche::Writer w(db);
        depeche::Article a;
        a.id = id;
        a.title = "Article " + id;
        a.body = body;
        REQUIRE(w.add(a).empty());
        w.commit();
    }
    depeche::Hit first(const std::string& query, std::size_t length = 240) {
        depeche::Searcher s(db);
        depeche::SearchRequest r;
        r.query = query;
        r.snippet.length = length;
        depeche::SearchResult res = s.search(r);
        REQUIRE(res.hits.size() >= 1);
        return res.hits[0];
    }
};

}  // namespace

TEST_CASE("snippet: a word deep in a long article is shown with its context", "[snippet]") {
    std::mt19937 rng(7);
    Index idx;
    const std::string before = words(rng, 1500), after = words(rng, 800);
    idx.add("deep", before + " zorglub " + after);
    depeche::Hit h = idx.first("zorglub");
    INFO(h.snippet);
    REQUIRE(h.snippet.find("**zorglub**") != std::string::npos);
    CHECK(h.snippet.rfind("…", 0) == 0);  // the text was cut before
    CHECK(h.snippet.size() >= 3 + 3);     // and after
    CHECK(h.snippet.compare(h.snippet.size() - 3, 3, "…") == 0);
    // Context on both sides: the words just before and just after the match.
    const std::string text = shown(h.snippet);
    const std::size_t at = text.find("zorglub");
    CHECK(at >= 20);
    CHECK(text.size() - at >= 100);
    CHECK(text.size() <= 240);
    CHECK(text.size() >= 180);
}

TEST_CASE("snippet: a phrase deep in the text is one highlighted span", "[snippet]") {
    std::mt19937 rng(11);
    Index idx;
    idx.add("phrase", words(rng, 900) + " le port de Brest " + words(rng, 900));
    depeche::Hit h = idx.first("\"port de Brest\"");
    INFO(h.snippet);
    CHECK(h.snippet.find("**port de Brest**") != std::string::npos);
}

TEST_CASE("snippet: the window with most distinct query words wins", "[snippet]") {
    std::mt19937 rng(13);
    Index idx;
    // "zorglub" alone near the start, then "zorglub" and "brontosaure" together far on.
    idx.add("two", words(rng, 30) + " zorglub " + words(rng, 1200) + " zorglub et brontosaure " + words(rng, 400));
    depeche::Hit h = idx.first("zorglub brontosaure");
    INFO(h.snippet);
    CHECK(h.snippet.find("**zorglub**") != std::string::npos);
    CHECK(h.snippet.find("**brontosaure**") != std::string::npos);
}

TEST_CASE("snippet: a match among very short words still fills the snippet", "[snippet]") {
    std::mt19937 rng(17);
    Index idx;
    // Words of one or two letters: a snippet of 240 bytes spans about a hundred of them.
    idx.add("short", words(rng, 600, kShort) + " zorglub " + words(rng, 600, kShort));
    depeche::Hit h = idx.first("zorglub");
    INFO(h.snippet);
    REQUIRE(h.snippet.find("**zorglub**") != std::string::npos);
    const std::string text = shown(h.snippet);
    CHECK(text.size() >= 200);
    CHECK(text.size() <= 240);
    CHECK(text.size() - text.find("zorglub") >= 150);
}

TEST_CASE("snippet: a match in the last words ends the snippet without an ellipsis", "[snippet]") {
    std::mt19937 rng(19);
    Index idx;
    idx.add("end", words(rng, 1000) + " fin du zorglub");
    depeche::Hit h = idx.first("zorglub");
    INFO(h.snippet);
    CHECK(h.snippet.find("**zorglub**") != std::string::npos);
    CHECK(h.snippet.compare(h.snippet.size() - 3, 3, "…") != 0);
    CHECK(shown(h.snippet).size() >= 180);
}

TEST_CASE("snippet: at any place and length, the snippet is a highlighted piece of the text", "[snippet]") {
    std::mt19937 rng(23);
    Index idx;
    struct Doc {
        std::string id, body;
    };
    std::vector<Doc> docs;
    for (int d = 0; d < 40; ++d) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 1500)(rng);
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, n)(rng);
        std::string body =
            words(rng, at, d % 3 == 0 ? kShort : kFiller) + " zorglub" + std::to_string(d) + " " + words(rng, n - at);
        docs.push_back({"doc" + std::to_string(d), body});
        idx.add(docs.back().id, body);
    }
    depeche::Searcher s(idx.db);
    for (const Doc& d : docs) {
        const std::string word = "zorglub" + d.id.substr(3);
        for (std::size_t length : {16, 80, 240, 1000}) {
            depeche::SearchRequest r;
            r.query = word;
            r.snippet.length = length;
            depeche::SearchResult res = s.search(r);
            REQUIRE(res.hits.size() == 1);
            const std::string& snip = res.hits[0].snippet;
            INFO(d.id << " length " << length << ": " << snip);
            CHECK(snip.find("**" + word + "**") != std::string::npos);
            const std::string text = shown(snip);
            CHECK(d.body.find(text.substr(text.front() == ' ' ? 1 : 0)) != std::string::npos);
            CHECK(text.size() <= length + word.size());
        }
    }
}
