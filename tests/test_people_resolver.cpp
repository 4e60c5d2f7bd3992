// People resolved across the index (searcher/people_resolver.hpp), end to end: small
// indexes whose articles name people in their metadata (the text names nobody), then
// `personne:` queries, the people facet, and the suggestion helper canonical_person().
#include "searcher/people_resolver.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace depeche;
using depeche::test::TempDir;

namespace {

struct Index {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    int next = 0;

    // Adds `copies` articles naming these people (metadata only).
    void add(const std::vector<std::string>& people, int copies = 1) {
        Writer w(db);
        for (int k = 0; k < copies; ++k) {
            Article a;
            a.id = "a" + std::to_string(++next);
            a.title = "Dépêche numéro " + std::to_string(next);
            a.date = "2020-05-01";
            a.body = "Un texte court sur la politique et rien d'autre.";
            a.people = people;
            w.add(a);
        }
        w.commit();
    }
};

SearchResult run(Searcher& s, const std::string& query) {
    SearchRequest r;
    r.query = query;
    r.limit = 1000;
    r.facets = true;
    r.facet_limit = 1000;
    r.snippet.length = 0;
    return s.search(r);
}

// The people facet as "Name (count)" entries, in order.
std::vector<std::string> facet(Searcher& s, const std::string& query) {
    std::vector<std::string> out;
    SearchResult r = run(s, query);
    for (const auto& f : r.facets->people) out.push_back(f.value + " (" + std::to_string(f.count) + ")");
    return out;
}

}  // namespace

TEST_CASE("people: a surname alone resolves to the full name that dominates it", "[people][resolver]") {
    Index idx;
    idx.add({"Angela Merkel"}, 20);
    idx.add({"Merkel"}, 3);
    idx.add({"Marine Le Pen"}, 6);
    idx.add({"Jean-Marie Le Pen"}, 4);
    idx.add({"Le Pen"}, 2);
    Searcher s(idx.db);
    CHECK(run(s, "personne:Merkel").total == 23);
    CHECK(run(s, "personne:\"Angela Merkel\"").total == 23);
    // Le Pen: two full names share it, neither holds 90% of their articles: it stays.
    CHECK(run(s, "personne:\"Le Pen\"").total == 12);
    CHECK(run(s, "personne:\"Marine Le Pen\"").total == 6);
    CHECK(run(s, "personne:\"Jean-Marie Le Pen\"").total == 4);
    CHECK(facet(s, "date:2020") ==
          std::vector<std::string>{"Angela Merkel (23)", "Marine Le Pen (6)", "Jean-Marie Le Pen (4)", "Le Pen (2)"});
    const PeopleResolver r{Xapian::Database(idx.db)};
    CHECK(r.person_of("merkel") == "angela merkel");
    CHECK(r.person_of("le pen") == "le pen");
    CHECK(r.ambiguous("le pen"));
    CHECK_FALSE(r.ambiguous("angela merkel"));
}

TEST_CASE("people: variants and close spellings are one person, shown in French", "[people][resolver]") {
    Index idx;
    idx.add({"Vladimir Poutine"}, 5);
    idx.add({"Vladimir Putin"}, 2);
    idx.add({"Putin"});
    // Two keys standing for one person in one article: the article counts once.
    idx.add({"Vladimir Poutine", "Putin"});
    idx.add({"Jean-Luc Mélenchon"}, 6);
    idx.add({"Jean-Luc Melanchon"});  // a misspelling: one letter, same first name
    idx.add({"Paul Martin"}, 2);
    idx.add({"Paul Martine"}, 2);  // as used as the other: not merged
    Searcher s(idx.db);
    CHECK(run(s, "personne:Putin").total == 9);
    CHECK(run(s, "personne:Poutine").total == 9);
    CHECK(run(s, "personne:\"Vladimir Putin\"").total == 9);
    CHECK(run(s, "personne:\"Jean-Luc Mélenchon\"").total == 7);
    CHECK(run(s, "personne:Melenchon").total == 7);
    CHECK(run(s, "personne:\"Paul Martin\"").total == 2);
    CHECK(facet(s, "date:2020") == std::vector<std::string>{"Vladimir Poutine (9)", "Jean-Luc Mélenchon (7)",
                                                            "Paul Martin (2)", "Paul Martine (2)"});
    // Only the Putin spellings in the index: still shown under the French form.
    Index only;
    only.add({"Vladimir Putin"}, 2);
    Searcher t(only.db);
    CHECK(facet(t, "date:2020") == std::vector<std::string>{"Vladimir Poutine (2)"});
}

TEST_CASE("people: canonical_person gives the canonical name of a variant, for suggestions", "[people][resolver]") {
    Index idx;
    idx.add({"Vladimir Poutine"}, 3);
    idx.add({"Emmanuel Macron"}, 5);
    idx.add({"Jean-Luc Mélenchon"}, 2);
    idx.add({"Volodymyr Zelensky"});
    const PeopleResolver r{Xapian::Database(idx.db)};
    CHECK(r.canonical_person("putin") == std::optional<std::string>("Poutine"));
    CHECK(r.canonical_person("Vladimir Putin") == std::optional<std::string>("Vladimir Poutine"));
    CHECK(r.canonical_person("zelenskyy") == std::optional<std::string>("Zelensky"));
    CHECK(r.canonical_person("makron") == std::optional<std::string>("Macron"));
    CHECK(r.canonical_person("melanchon") == std::optional<std::string>("Mélenchon"));
    CHECK(r.canonical_person("jean-luc melanchon") == std::optional<std::string>("Jean-Luc Mélenchon"));
    // Already canonical, or nothing close in the index.
    CHECK(r.canonical_person("poutine") == std::nullopt);
    CHECK(r.canonical_person("Emmanuel Macron") == std::nullopt);
    CHECK(r.canonical_person("sarkozy") == std::nullopt);
    CHECK(r.canonical_person("") == std::nullopt);
}

TEST_CASE("people: resolution follows the index as articles arrive", "[people][resolver]") {
    Index idx;
    idx.add({"Merkel"}, 2);
    Searcher s(idx.db);
    CHECK(facet(s, "date:2020") == std::vector<std::string>{"Merkel (2)"});
    CHECK(run(s, "personne:\"Angela Merkel\"").total == 0);
    idx.add({"Angela Merkel"}, 5);
    s.reopen();
    CHECK(facet(s, "date:2020") == std::vector<std::string>{"Angela Merkel (7)"});
    CHECK(run(s, "personne:\"Angela Merkel\"").total == 7);
    // A second full name with the surname, used as much: "Merkel" is ambiguous again.
    idx.add({"Paul Merkel"}, 5);
    s.reopen();
    CHECK(facet(s, "date:2020") ==
          std::vector<std::string>{"Angela Merkel (5)", "Paul Merkel (5)", "Merkel (2)"});
    CHECK(run(s, "personne:Merkel").total == 12);
}
