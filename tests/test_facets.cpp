// Facets and date filters, end to end, checked against brute-force counts over the
// Wikinews articles (../shared/corpus/wikinews-fr), and the people facet of the seed
// article. Skipped with a printed reason when ../shared is absent.
#include "indexer/people.hpp"
#include "searcher/facets.hpp"
#include "searcher/people_resolver.hpp"
#define DEPECHE_TEST_WIKINEWS
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace depeche;
using depeche::test::TempDir;

namespace {

const fs::path kShared = DEPECHE_SHARED_DIR;

SearchResult all(Searcher& s, const std::string& query, bool facets = true) {
    SearchRequest r;
    r.query = query;
    r.limit = 100000;
    r.facets = facets;
    r.facet_limit = 100000;
    r.snippet.length = 0;
    return s.search(r);
}

}  // namespace

TEST_CASE("facets: the seed article names exactly five people", "[facets][people]") {
    fs::path seed = kShared / "corpus/seed";
    if (!fs::exists(seed)) {
        WARN("skipped: " << seed << " not found");
        return;
    }
    TempDir tmp;
    std::string db = (tmp.path / "db").string();
    Writer(db).index_paths({seed.string()});
    Searcher s(db);
    SearchResult r = all(s, "Trump");
    REQUIRE(r.hits.size() == 1);
    std::set<std::string> people(r.hits[0].people.begin(), r.hits[0].people.end());
    CHECK(people ==
          std::set<std::string>{"Donald Trump", "Vladimir Poutine", "Volodymyr Zelensky", "Joe Biden", "JD Vance"});
    REQUIRE(r.facets);
    CHECK(r.facets->people.size() == 5);
    for (const auto& p : r.facets->people) CHECK(p.count == 1);
    // Filtering ignores case and accents; a surname alone works when unambiguous.
    CHECK(all(s, "personne:\"donald TRUMP\"").total == 1);
    CHECK(all(s, "person:Zelensky").total == 1);
    CHECK(all(s, "personne:Macron").total == 0);
    // Dates mentioned: "le 15 août" resolves to a day in August, "en février 2022" to a month.
    CHECK(all(s, "mentionne:2022-02").total == 1);
}

TEST_CASE("facets: counts over all matches equal a brute-force count of the hits", "[facets][wikinews]") {
    NEED_WIKINEWS();
    depeche::test::IndexedCorpus* idx = wn;
    Searcher s(idx->db);
    // People are resolved across the index (a surname alone to the full name that
    // dominates it, variants to one spelling): the brute force groups names the same way.
    const PeopleResolver people{Xapian::Database(idx->db)};
    auto person = [&](const std::string& name) { return people.person_of(person_key(name)); };
    for (const std::string q :
         {"président", "\"Union européenne\"", "football OR rugby", "date:2017", "élection -France"}) {
        INFO(q);
        SearchResult r = all(s, q);
        REQUIRE(r.facets);
        CHECK(r.total_exact);
        CHECK(r.hits.size() == r.total);
        CHECK(r.facets->exact);
        // People: each article counts once per person (display names may differ in
        // case or accents between articles, and two keys may stand for one person:
        // compare by resolved person).
        std::map<std::string, std::size_t> brute;
        for (const Hit& h : r.hits) {
            std::set<std::string> persons;
            for (const auto& p : h.people) persons.insert(person(p));
            for (const auto& k : persons) ++brute[k];
        }
        CHECK(r.facets->people.size() == brute.size());
        for (const auto& f : r.facets->people) CHECK(f.count == brute[person(f.value)]);
        // Dates: the histogram adds up to the dated hits, bucket by bucket.
        std::size_t dated = 0, in_buckets = 0;
        for (const Hit& h : r.hits) dated += h.date.empty() ? 0 : 1;
        for (const auto& d : r.facets->dates) {
            in_buckets += d.count;
            std::size_t n = 0;
            for (const Hit& h : r.hits) n += h.date.rfind(d.value, 0) == 0 ? 1 : 0;
            CHECK(d.count == n);
        }
        CHECK(in_buckets == dated);
    }
}

TEST_CASE("facets: counts from the in-memory columns equal counts from the values", "[facets][wikinews]") {
    NEED_WIKINEWS();
    depeche::test::IndexedCorpus* idx = wn;
    // A searcher's first facet query over less than a quarter of the index reads the
    // values; later ones (and big ones) count from columns read once.
    Searcher warm(idx->db);
    (void)all(warm, "date:2016..2018");
    for (const std::string q : {"président", "\"Union européenne\"", "football OR rugby", "élection -France",
                                "mentionne:2017", "personne:macron", "le", "date:2016..2018"}) {
        INFO(q);
        Searcher cold(idx->db);
        SearchResult a = all(cold, q), b = all(warm, q);
        REQUIRE(a.facets);
        REQUIRE(b.facets);
        CHECK(a.total == b.total);
        auto same = [](const std::vector<FacetCount>& x, const std::vector<FacetCount>& y) {
            REQUIRE(x.size() == y.size());
            for (std::size_t k = 0; k < x.size(); ++k) {
                CHECK(x[k].value == y[k].value);
                CHECK(x[k].count == y[k].count);
            }
        };
        same(a.facets->people, b.facets->people);
        same(a.facets->dates, b.facets->dates);
        same(a.facets->mentioned, b.facets->mentioned);
        // And facets do not change what is found, nor the total.
        SearchResult c = all(warm, q, false);
        CHECK(c.total == a.total);
        CHECK(c.hits.size() == a.hits.size());
    }
}

TEST_CASE("facets: date filters agree with the articles' dates", "[facets][wikinews]") {
    NEED_WIKINEWS();
    depeche::test::IndexedCorpus* idx = wn;
    Searcher s(idx->db);
    SearchResult every = all(s, "date:..9999", false);
    REQUIRE(every.total == 1191);
    auto brute = [&](const std::string& from, const std::string& to) {
        std::size_t n = 0;
        for (const Hit& h : every.hits) {
            std::string d = h.date.substr(0, 10);
            if (d >= from && d <= to) ++n;
        }
        return n;
    };
    const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
        {"date:2017", "2017-01-01", "2017-12-31"},
        {"date:2016-03", "2016-03-01", "2016-03-31"},
        {"date:2016-01-01", "2016-01-01", "2016-01-01"},
        {"date:2016-03-15..2016-05-02", "2016-03-15", "2016-05-02"},
        {"date:..2016-06-30", "0000-00-00", "2016-06-30"},
        {"date:2018..", "2018-01-01", "9999-12-31"},
        {"date:2016-11..2017-01", "2016-11-01", "2017-01-31"},
    };
    for (const auto& [q, from, to] : cases) {
        INFO(q);
        SearchResult r = all(s, q, false);
        CHECK(r.total == brute(from, to));
        CHECK(r.total > 0);
        // A query of filters only lists every match, newest first.
        for (std::size_t i = 1; i < r.hits.size(); ++i) CHECK(r.hits[i - 1].date >= r.hits[i].date);
    }
    // Filters combine with words.
    SearchResult words = all(s, "président", false), filtered = all(s, "président date:2017", false);
    std::size_t n = 0;
    for (const Hit& h : words.hits) n += h.date.rfind("2017", 0) == 0 ? 1 : 0;
    CHECK(filtered.total == n);
    // A person filter returns exactly the articles whose people include a name standing
    // for that person (resolved across the index: "Macron" alone counts), and a surname
    // filter those naming someone with that surname.
    const PeopleResolver people{Xapian::Database(idx->db)};
    SearchResult macron = all(s, "personne:\"Emmanuel Macron\"", false);
    SearchResult surname = all(s, "personne:Macron", false);
    std::size_t with = 0, with_key = 0, with_surname = 0;
    for (const Hit& h : every.hits) {
        bool resolved = false, exact = false, named = false;
        for (const auto& p : h.people) {
            const std::string key = person_key(p);
            resolved |= people.person_of(key) == "emmanuel macron";
            exact |= key == "emmanuel macron";
            named |= key == "macron" || (key.size() > 7 && key.compare(key.size() - 7, 7, " macron") == 0);
        }
        with += resolved;
        with_key += exact;
        with_surname += named;
    }
    CHECK(macron.total == with);
    CHECK(surname.total == with_surname);
    CHECK(with > with_key);  // some Wikinews articles say "Macron" alone
    CHECK(with_key > 10);
}

TEST_CASE("facets: an index that names nobody still counts dates from the columns", "[facets]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        for (int k = 1; k <= 40; ++k) {
            Article a;
            a.id = "n" + std::to_string(k);
            a.title = "Bulletin météo";
            a.body = "Temps calme et doux sur le littoral.";
            a.date = "2024-05-" + std::string(k % 2 ? "10" : "20");
            w.add(a);
        }
        w.commit();
    }
    Searcher s(db);
    for (int pass = 0; pass < 2; ++pass) {  // a query over the whole index reads the columns
        SearchResult r = all(s, "météo");
        REQUIRE(r.facets);
        CHECK(r.total == 40);
        CHECK(r.facets->people.empty());
        // Every day from the 10th to the 20th, the empty ones with 0.
        REQUIRE(r.facets->dates.size() == 11);
        CHECK(r.facets->date_interval == "day");
        CHECK(r.facets->dates[0].value == "2024-05-10");
        CHECK(r.facets->dates[0].count == 20);
        CHECK(r.facets->dates[1].value == "2024-05-11");
        CHECK(r.facets->dates[1].count == 0);
        CHECK(r.facets->dates[10].value == "2024-05-20");
        CHECK(r.facets->dates[10].count == 20);
    }
}

TEST_CASE("facets: searchers of one process share the facet columns of one revision", "[facets]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        REQUIRE(w.index_paths({std::string(DEPECHE_SOURCE_DIR) + "/corpus"}).articles > 20);
    }
    std::atomic<int> builds{0};
    auto build = [&] {
        ++builds;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // others arrive meanwhile
        return std::make_shared<const FacetColumns>(Xapian::Database(db));
    };
    const std::string key = "test:" + db;  // no searcher's key: those are UUIDs and revisions
    CHECK(FacetColumns::find_shared(key) == nullptr);
    {
        // Four threads asking at once: one build, the same columns for all.
        std::vector<FacetColumns::Ptr> got(4);
        std::vector<std::thread> threads;
        for (std::size_t k = 0; k < got.size(); ++k)
            threads.emplace_back([&, k] { got[k] = FacetColumns::shared(key, build); });
        for (std::thread& t : threads) t.join();
        CHECK(builds == 1);
        REQUIRE(got[0]);
        for (const auto& p : got) CHECK(p == got[0]);
        CHECK(FacetColumns::find_shared(key) == got[0]);
        CHECK(FacetColumns::shared(key, build) == got[0]);
        CHECK(builds == 1);
        CHECK(FacetColumns::find_shared(key + "/other") == nullptr);
    }
    // Held by nobody: freed, and built again when asked for.
    CHECK(FacetColumns::find_shared(key) == nullptr);
    CHECK(FacetColumns::shared(key, build) != nullptr);
    CHECK(builds == 2);

    // Searchers over one index, in threads, give one another's facets: every one of them
    // equal to a lone searcher's, first query included.
    auto line_of = [](const SearchResult& r) {
        std::string line = std::to_string(r.total) + ":";
        for (const auto* list : {&r.facets->people, &r.facets->dates, &r.facets->mentioned})
            for (const auto& c : *list) line += c.value + "=" + std::to_string(c.count) + ",";
        return line;
    };
    SearchResult expected;
    {
        Searcher lone(db);
        expected = all(lone, "la");
        expected = all(lone, "la");  // from its columns
    }
    REQUIRE(expected.facets);
    std::vector<std::string> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < seen.size(); ++k)
        threads.emplace_back([&, k] {
            Searcher s(db);
            for (int pass = 0; pass < 3; ++pass) {
                const std::string line = line_of(all(s, "la"));
                if (pass == 0 || seen[k] == line)
                    seen[k] = line;
                else
                    seen[k] = "changed between passes";
            }
        });
    for (std::thread& t : threads) t.join();
    const std::string want = line_of(expected);
    for (const std::string& line : seen) CHECK(line == want);
}

// Searcher::warm() reads the people and the facet columns of the revision open, once for
// the searchers of a process over a local index; a facet or person query after it reads
// neither, and counts what a searcher that never warmed counts; after a commit, warm()
// reads those of the new revision.
TEST_CASE("facets: Searcher::warm() reads a commit's people and facet values before a query needs them", "[facets]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        REQUIRE(w.index_paths({std::string(DEPECHE_SOURCE_DIR) + "/corpus"}).articles > 20);
    }
    auto line_of = [](const SearchResult& r) {
        std::string line = std::to_string(r.total) + ":";
        for (const auto* list : {&r.facets->people, &r.facets->dates, &r.facets->mentioned})
            for (const auto& c : *list) line += c.value + "=" + std::to_string(c.count) + ",";
        return line;
    };
    const std::vector<std::string> queries = {"Macron", "personne:Macron", "Ukraine", "la", "zorglub"};
    // What one-off searchers count, each query on a searcher of its own (from the values
    // for the queries matching few articles).
    auto reference = [&] {
        std::vector<std::string> lines;
        for (const std::string& q : queries) {
            Searcher lone(db);
            const SearchResult r = all(lone, q);
            REQUIRE(r.facets);
            lines.push_back(line_of(r));
        }
        return lines;
    };
    const std::vector<std::string> before_commit = reference();

    Searcher a(db), b(db);
    CHECK_FALSE(a.stats().facets_ready);
    const std::size_t builds = FacetColumns::builds(), keys = PeopleResolver::key_reads();
    a.warm();
    CHECK(FacetColumns::builds() - builds == 1);
    CHECK(PeopleResolver::key_reads() - keys == 1);
    CHECK(a.stats().facets_ready);
    CHECK(b.stats().facets_ready);  // shared with every searcher of the process
    a.warm();                       // current: nothing read again
    std::vector<std::string> got;
    for (const std::string& q : queries) got.push_back(line_of(all(b, q)));
    CHECK(got == before_commit);
    CHECK(FacetColumns::builds() - builds == 1);
    CHECK(PeopleResolver::key_reads() - keys == 1);

    // A commit naming someone new: the warm searchers are no longer ready until warmed.
    test::commit_zorglub(db);
    a.reopen();
    CHECK_FALSE(a.stats().facets_ready);
    a.warm();
    CHECK(FacetColumns::builds() - builds == 2);
    CHECK(PeopleResolver::key_reads() - keys == 2);
    CHECK(b.stats().facets_ready);  // reopened by stats(): the new revision, warmed by a
    got.clear();
    for (const std::string& q : queries) got.push_back(line_of(all(b, q)));
    CHECK(FacetColumns::builds() - builds == 2);
    CHECK(PeopleResolver::key_reads() - keys == 2);
    CHECK(got.back().find("Zoé Zorglubienne=1") != std::string::npos);
    CHECK(got != before_commit);
    CHECK(got == reference());
}

TEST_CASE("dates: an article is filed on the local day of its publication", "[facets][dates]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        Article a;
        a.id = "nouvel-an";
        a.title = "Réveillon";
        a.body = "Les premiers voeux de l'année.";
        a.date = "2018-01-01T00:15+01:00";  // 2017-12-31T23:15 in UTC
        w.add(a);
        a.id = "veille";
        a.date = "2017-12-31T23:50:00-05:00";  // 2018-01-01T04:50 in UTC
        w.add(a);
        w.commit();
    }
    Searcher s(db);
    auto ids = [&](const std::string& q) {
        std::set<std::string> out;
        for (const Hit& h : all(s, q, false).hits) out.insert(h.id);
        return out;
    };
    CHECK(ids("date:2018") == std::set<std::string>{"nouvel-an"});
    CHECK(ids("date:2018-01-01") == std::set<std::string>{"nouvel-an"});
    CHECK(ids("date:2017") == std::set<std::string>{"veille"});
    CHECK(ids("date:2017-12-31 réveillon") == std::set<std::string>{"veille"});
    SearchResult r = all(s, "réveillon");
    REQUIRE(r.facets);
    REQUIRE(r.facets->dates.size() == 2);
    CHECK(r.facets->dates[0].value == "2017-12-31");
    CHECK(r.facets->dates[1].value == "2018-01-01");
    for (const Hit& h : r.hits)
        CHECK(h.date == (h.id == "nouvel-an" ? "2018-01-01T00:15:00+01:00" : "2017-12-31T23:50:00-05:00"));
}

TEST_CASE("facets: publication dates by year, month, week or day, empty buckets filled", "[facets][dates]") {
    TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    const std::vector<std::string> dates = {"2019-12-30", "2020-01-05", "2020-01-06", "2020-03-15", "2022-07-01"};
    {
        Writer w(db);
        for (std::size_t k = 0; k < dates.size(); ++k) {
            Article a;
            a.id = "a" + std::to_string(k);
            a.title = "Chronique";
            a.body = "Une chronique.";
            a.date = dates[k];
            w.add(a);
        }
        w.commit();
    }
    Searcher s(db);
    auto histogram = [&](DateInterval interval, std::string& used) {
        SearchRequest r;
        r.query = "chronique";
        r.facets = true;
        r.date_interval = interval;
        SearchResult res = s.search(r);
        REQUIRE(res.facets);
        used = res.facets->date_interval;
        std::size_t sum = 0;
        for (const FacetCount& c : res.facets->dates) sum += c.count;
        CHECK(sum == dates.size());  // every dated match in exactly one bucket
        return res.facets->dates;
    };
    std::string used;
    std::vector<FacetCount> years = histogram(DateInterval::Year, used);
    CHECK(used == "year");
    REQUIRE(years.size() == 4);  // 2019, 2020, 2021 (empty), 2022
    CHECK((years[0].value == "2019" && years[0].count == 1));
    CHECK((years[1].value == "2020" && years[1].count == 3));
    CHECK((years[2].value == "2021" && years[2].count == 0));
    CHECK((years[3].value == "2022" && years[3].count == 1));
    std::vector<FacetCount> months = histogram(DateInterval::Month, used);
    CHECK(used == "month");
    REQUIRE(months.size() == 32);  // 2019-12 .. 2022-07
    CHECK((months[1].value == "2020-01" && months[1].count == 2));
    CHECK((months[2].value == "2020-02" && months[2].count == 0));
    // ISO weeks: 2019-12-30 and 2020-01-05 are Monday and Sunday of 2020-W01.
    std::vector<FacetCount> weeks = histogram(DateInterval::Week, used);
    CHECK(used == "week");
    REQUIRE(weeks.size() >= 3);
    CHECK((weeks[0].value == "2020-W01" && weeks[0].count == 2));
    CHECK((weeks[1].value == "2020-W02" && weeks[1].count == 1));
    CHECK(weeks.back().value == "2022-W26");
    // Every bucket value is a date filter that finds exactly its count.
    for (const FacetCount& c : weeks) {
        SearchRequest q;
        q.query = "date:" + c.value;
        q.limit = 0;
        INFO(c.value);
        CHECK(s.search(q).total == c.count);
    }
    std::vector<FacetCount> days = histogram(DateInterval::Day, used);
    CHECK(used == "day");
    CHECK(days.front().value == "2019-12-30");
    CHECK(days.back().value == "2022-07-01");
    CHECK(days.size() == 915);  // 2019-12-30 .. 2022-07-01, both included
    // Auto: more than 3 years apart by year number? No (2019..2022): months.
    histogram(DateInterval::Auto, used);
    CHECK(used == "month");
}
