// Suggestions for queries that find little: the spelling distance, the choice of the
// indexed word, and whole queries through the library.
#include "searcher/suggest.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

using namespace depeche;
using depeche::test::TempDir;

TEST_CASE("suggest: edit distance counts insertions, deletions, substitutions and swaps", "[suggest]") {
    struct Case {
        const char* a;
        const char* b;
        std::size_t distance;
    };
    const Case cases[] = {
        {"macron", "macron", 0},       {"makron", "macron", 1}, {"sarkosy", "sarkozy", 1}, {"zelenskyy", "zelensky", 1},
        {"ollande", "hollande", 1},    {"macorn", "macron", 1},  // a swap
        {"melanchon", "melenchon", 1}, {"", "abc", 3},          {"poutine", "putin", 2},   {"kitten", "sitting", 3},
    };
    for (const Case& c : cases) {
        INFO(c.a << " / " << c.b);
        CHECK(edit_distance(c.a, c.b, 10) == c.distance);
        CHECK(edit_distance(c.b, c.a, 10) == c.distance);
        // Past `max`, the answer is max + 1.
        if (c.distance > 0) CHECK(edit_distance(c.a, c.b, c.distance - 1) == c.distance);
    }
}

namespace {

// An index where "Macron" is frequent, "Macro" rare, and "Mélenchon" written with accents.
std::string build(const TempDir& tmp) {
    const std::string db = (tmp.path / "db").string();
    Writer w(db);
    for (int k = 0; k < 12; ++k) {
        Article a;
        a.id = "m" + std::to_string(k);
        a.title = "Emmanuel Macron en visite";
        a.body = k % 3 ? "Le président a rencontré Jean-Luc Mélenchon." : "Discours sur la réforme des retraites.";
        w.add(a);
    }
    Article rare;
    rare.id = "rare";
    rare.title = "Macro économie";
    rare.body = "Une macro, rarement.";
    w.add(rare);
    w.commit();
    return db;
}

SearchResult search(Searcher& s, const std::string& q) {
    SearchRequest r;
    r.query = q;
    r.limit = 0;
    return s.search(r);
}

}  // namespace

TEST_CASE("suggest: a query that finds nothing gets the index's spelling", "[suggest]") {
    TempDir tmp;
    Searcher s(build(tmp));
    CHECK(search(s, "Makron").suggestion == "Macron");
    CHECK(search(s, "makron").suggestion == "macron");
    CHECK(search(s, "Emanuel Makron").suggestion == "Emmanuel Macron");
    // The accented form the articles use, not the folded index term.
    CHECK(search(s, "Melanchon").suggestion == "Mélenchon");
    CHECK(search(s, "retraites Makron").suggestion == "retraites Macron");
    // Phrases, fields and excluded words are left as they are.
    CHECK(search(s, "\"Emmanuel Macron\" Makron").suggestion == "\"Emmanuel Macron\" Macron");
    // Correcting the words around a phrase that finds nothing finds nothing either.
    CHECK(search(s, "\"Emanuel Macron\" Makron").suggestion.empty());
    CHECK(search(s, "Makron -Melanchon").suggestion == "Macron -Melanchon");
    // Found often enough, or nothing close: no suggestion.
    CHECK(search(s, "Macron").suggestion.empty());
    CHECK(search(s, "xylophone").suggestion.empty());
    // Few hits: "Macro" is in 1 article, "Macron" in 12 (3 times as many and more), so
    // it is suggested, as "Zelensky" is for "Zelenski".
    SearchResult few = search(s, "Macro");
    CHECK(few.total == 1);
    CHECK(few.suggestion == "Macron");
    // "Macron" is in 12 articles: not 3 times as many as "Macro" has.
    CHECK(search(s, "Macron").suggestion.empty());
    // The suggestion must find more than the query: "Makron retraites" -> "Macron
    // retraites" finds 4, so it is given.
    SearchResult r = search(s, "Makron retraites");
    CHECK(r.total == 0);
    CHECK(r.suggestion == "Macron retraites");
    // Turned off by the request.
    SearchRequest off;
    off.query = "Makron";
    off.suggest = false;
    CHECK(s.search(off).suggestion.empty());
}

TEST_CASE("suggest: lower-case operators are words, and a note says so", "[suggest][query]") {
    TempDir tmp;
    Searcher s(build(tmp));
    SearchResult r = search(s, "Macron ou Mélenchon");
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find("« ou » (position 8)") == 0);
    CHECK(r.notes[0].find("écrivez OU") != std::string::npos);
    CHECK(search(s, "Macron or retraites").notes.size() == 1);
    CHECK(search(s, "Macron not retraites").notes.size() == 1);
    CHECK(search(s, "Macron sauf retraites").notes.size() == 1);
    CHECK(search(s, "Macron OU Mélenchon").notes.empty());
    CHECK(search(s, "ou Macron").notes.empty());                // not between two terms
    CHECK(search(s, "\"Macron ou Mélenchon\"").notes.empty());  // inside a phrase
    CHECK(search(s, "titre:ou Macron").notes.empty());          // a field's value
    // The operator finds what the words do not.
    CHECK(search(s, "Macron OU Mélenchon").total == 12);
}
