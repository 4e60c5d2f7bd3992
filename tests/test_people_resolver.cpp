// People resolved across the index (searcher/people_resolver.hpp), end to end: small
// indexes whose articles name people in their metadata (the text names nobody), then
// `personne:` queries, the people facet, and the suggestion helper canonical_person().
#include "searcher/facets.hpp"
#include "searcher/json_output.hpp"
#include "searcher/people_resolver.hpp"
#include "searcher/shared_by_key.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
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
    // The unresolved surname is marked as such, in the library and in JSON.
    SearchResult all = run(s, "date:2020");
    for (const auto& f : all.facets->people) CHECK(f.ambiguous == (f.value == "Le Pen"));
    const auto people_json = json_output::result_json("date:2020", all)["facets"]["people"];
    REQUIRE(people_json.size() == 4);
    CHECK(people_json[3]["ambiguous"] == true);
    CHECK_FALSE(people_json[0].contains("ambiguous"));
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

TEST_CASE("people: canonical_person gives the French form of a variant, closest_person a misspelling",
          "[people][resolver]") {
    Index idx;
    idx.add({"Vladimir Poutine"}, 3);
    idx.add({"Emmanuel Macron"}, 5);
    idx.add({"Jean-Luc Mélenchon"}, 2);
    idx.add({"Volodymyr Zelensky"});
    const Xapian::Database db(idx.db);
    const PeopleResolver r{db};
    CHECK(r.canonical_person("putin", db) == std::optional<std::string>("Poutine"));
    CHECK(r.canonical_person("Vladimir Putin", db) == std::optional<std::string>("Vladimir Poutine"));
    CHECK(r.canonical_person("zelenskyy", db) == std::optional<std::string>("Zelensky"));
    // Already canonical, a surname alone, or unknown to the index.
    CHECK(r.canonical_person("poutine", db) == std::nullopt);
    CHECK(r.canonical_person("macron", db) == std::nullopt);
    CHECK(r.canonical_person("Emmanuel Macron", db) == std::nullopt);
    CHECK(r.canonical_person("makron", db) == std::nullopt);
    CHECK(r.canonical_person("sarkozy", db) == std::nullopt);
    CHECK(r.canonical_person("", db) == std::nullopt);
    // Misspellings of names the index holds (one edit, 6 letters or more).
    CHECK(r.closest_person("makron", db) == std::optional<std::string>("Macron"));
    CHECK(r.closest_person("melanchon", db) == std::optional<std::string>("Mélenchon"));
    CHECK(r.closest_person("jean-luc melanchon", db) == std::optional<std::string>("Jean-Luc Mélenchon"));
    CHECK(r.closest_person("macron", db) == std::nullopt);
    CHECK(r.closest_person("putin", db) == std::nullopt);  // a variant, not a misspelling
    CHECK(r.closest_person("durand", db) == std::nullopt);
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
    CHECK(facet(s, "date:2020") == std::vector<std::string>{"Angela Merkel (5)", "Paul Merkel (5)", "Merkel (2)"});
    CHECK(run(s, "personne:Merkel").total == 12);
}

TEST_CASE("people: facet counts of shards merge into one entry per person", "[people][resolver][facets]") {
    Index a, b;
    a.add({"Angela Merkel"}, 4);
    a.add({"Merkel"});
    b.add({"Angela Merkel"}, 3);
    b.add({"Vladimir Putin"}, 2);
    b.add({"Merkel"});
    Xapian::Database shard_a(a.db), shard_b(b.db), both;
    both.add_database(shard_a);
    both.add_database(shard_b);
    auto count = [](const Xapian::Database& db, FacetSpy& spy) {
        Xapian::Enquire e(db);
        e.set_query(Xapian::Query::MatchAll);
        e.add_matchspy(&spy);
        (void)e.get_mset(0, 0, db.get_doccount());
    };
    auto shown = [](const FacetSpy& spy) {
        std::vector<std::string> out;
        for (const auto& f : spy.facets(100, true).people)
            out.push_back(f.value + " (" + std::to_string(f.count) + ")");
        return out;
    };
    auto resolver = [](const Xapian::Database& db) { return std::make_shared<const PeopleResolver>(db); };
    const std::vector<std::string> expected{"Angela Merkel (9)", "Vladimir Poutine (2)"};
    FacetSpy whole(nullptr, resolver(both));
    count(both, whole);
    CHECK(shown(whole) == expected);
    // Each shard resolves with its own tables; the merging side regroups by its own.
    FacetSpy on_a(nullptr, resolver(shard_a)), on_b(nullptr, resolver(shard_b));
    count(shard_a, on_a);
    count(shard_b, on_b);
    FacetSpy merged(nullptr, resolver(both));
    merged.merge_results(on_a.serialise_results());
    merged.merge_results(on_b.serialise_results());
    CHECK(shown(merged) == expected);
    // A shard counting without a resolver (a remote one) sends the names as they are.
    FacetSpy raw_a;
    count(shard_a, raw_a);
    FacetSpy mixed(nullptr, resolver(both));
    mixed.merge_results(raw_a.serialise_results());
    mixed.merge_results(on_b.serialise_results());
    CHECK(shown(mixed) == expected);
}

TEST_CASE("people: suggestions give the French form of a person's name", "[people][resolver][suggest]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    {
        Writer w(db);
        for (int k = 0; k < 3; ++k) {
            Article a;
            a.id = "p" + std::to_string(k);
            a.title = "Vladimir Poutine reçoit des diplomates";
            a.date = "2022-03-01";
            a.body = "Le président russe Vladimir Poutine a reçu des diplomates au Kremlin.";
            w.add(a);
        }
        w.commit();
    }
    Searcher s(db);
    SearchRequest r;
    r.query = "Putin";
    r.snippet.length = 0;
    SearchResult res = s.search(r);
    CHECK(res.total == 0);
    CHECK(res.suggestion == "Poutine");
    CHECK(s.search(r).total == 0);
    r.query = "personne:Putin";
    CHECK(s.search(r).total == 3);
}

TEST_CASE("people: searchers of one process share one resolver, each reading names through its own database",
          "[people][resolver]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    auto add = [&](Writer& w, const std::string& id, const std::string& person, const std::string& body) {
        Article a;
        a.id = id;
        a.title = "Dépêche " + id;
        a.date = "2020-05-01";
        a.body = body;
        a.people = {person};
        w.add(a);
    };
    {
        Writer w(db);
        for (int k = 0; k < 20; ++k)
            add(w, "s" + std::to_string(k), "Angela Merkel", "Un sommet européen à Bruxelles.");
        for (int k = 0; k < 3; ++k) add(w, "c" + std::to_string(k), "Merkel", "Une visite à la chancellerie.");
        w.commit();
    }
    // The matches name her by her surname only: her name is read from the index.
    const std::vector<std::string> expected{"Angela Merkel (3)"};
    {
        Searcher lone(db);
        REQUIRE(facet(lone, "chancellerie") == expected);
    }
    REQUIRE(SharedByKey<PeopleResolver>::live() == 0);
    std::vector<std::unique_ptr<Searcher>> searchers;
    for (int k = 0; k < 4; ++k) searchers.push_back(std::make_unique<Searcher>(db));
    std::vector<std::vector<std::string>> seen(searchers.size());
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < searchers.size(); ++k)
        threads.emplace_back([&, k] {
            for (int pass = 0; pass < 3; ++pass) {
                std::vector<std::string> got = facet(*searchers[k], "chancellerie");
                if (pass == 0 || got == seen[k])
                    seen[k] = got;
                else
                    seen[k] = {"changed between passes"};
            }
        });
    for (std::thread& t : threads) t.join();
    for (const auto& got : seen) CHECK(got == expected);
    CHECK(SharedByKey<PeopleResolver>::live() == 1);
    // A new revision: a new resolver, the old one freed once no searcher holds it.
    {
        Writer w(db);
        add(w, "c9", "Merkel", "Une autre visite à la chancellerie.");
        w.commit();
    }
    for (auto& s : searchers) {
        s->reopen();
        CHECK(facet(*s, "chancellerie") == std::vector<std::string>{"Angela Merkel (4)"});
    }
    CHECK(SharedByKey<PeopleResolver>::live() == 1);
    searchers.clear();
    CHECK(SharedByKey<PeopleResolver>::live() == 0);
}
