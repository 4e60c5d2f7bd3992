// The query language: syntax trees, resolution into Xapian queries, and errors.
#include "searcher/query_parser.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "test_support.hpp"

using namespace depeche;

namespace {

std::string tree(const std::string& q) { return describe(*parse_syntax(q)); }

// A small index whose forms table the query parser reads: words reach the indexed forms
// of their stems, accented or not.
struct FormsIndex {
    test::TempDir tmp;
    std::string dir = (tmp.path / "db").string();
    FormsIndex() {
        Writer w(dir);
        Article a;
        a.id = "1";
        a.title = "Élections et retraites";
        a.body = "Les élections, une élection, l'électricité et la guerre. Les guerres de l'Ukraine.";
        a.author = "Jean Dupont";
        w.add(a);
        Article b;
        b.id = "2";
        b.body = "Electricite sans accents, la paix.";
        w.add(b);
        w.commit();
    }
};

std::string xq(const std::string& q) {
    static FormsIndex index;
    static Xapian::Database db(index.dir);
    Analyzer a;
    QueryParser p(a, &db);
    return p.parse(q).query.get_description();
}

// Without an index, a word is its exact form only.
std::string xq_alone(const std::string& q) {
    Analyzer a;
    QueryParser p(a, nullptr);
    return p.parse(q).query.get_description();
}

// Position of the error a query raises, or -1 if it parses.
long error_pos(const std::string& q) {
    try {
        Analyzer a;
        QueryParser(a, nullptr).parse(q);
    } catch (const QueryError& e) { return static_cast<long>(e.position()); }
    return -1;
}

}  // namespace

TEST_CASE("query syntax: operators, groups, fields", "[query]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"macron", "macron"},
        {"union europeenne", "(AND union europeenne)"},
        {"a OR b c", "(AND (OR a b) c)"},
        {"a b OR c d", "(AND a (OR b c) d)"},
        {"a OU b", "(OR a b)"},
        {"a AND b", "(AND a b)"},
        {"a ET b", "(AND a b)"},
        {"a NOT b", "(AND a (- b))"},
        {"a SAUF b", "(AND a (- b))"},
        {"a -b +c", "(AND a (- b) (+ c))"},
        {"(a OR b) c", "(AND (OR a b) c)"},
        {"\"état d'urgence\"", "\"état d'urgence\""},
        {"«Maison Blanche»", "\"Maison Blanche\""},
        {"“Maison Blanche”", "\"Maison Blanche\""},
        {"titre:retraites", "(FIELD titre retraites)"},
        {"title:\"Union européenne\"", "(FIELD title \"Union européenne\")"},
        {"auteur:(Dupont OR Durand)", "(FIELD auteur (OR Dupont Durand))"},
        {"guerre NEAR paix", "(NEAR/10 guerre paix)"},
        {"guerre NEAR/3 paix", "(NEAR/3 guerre paix)"},
        {"prés*", "prés*"},
        {"vice-président", "vice-président"},
        {"url:https://example.org/a?b=c", "(FIELD url https://example.org/a?b=c)"},
        {"date:2025-08-01..2025-10-31", "(FIELD date 2025-08-01..2025-10-31)"},
        {"-\"fin de la guerre\" paix", "(AND (- \"fin de la guerre\") paix)"},
    };
    for (const auto& [q, expected] : cases) {
        INFO(q);
        CHECK(tree(q) == expected);
    }
}

TEST_CASE("query syntax: errors name the position", "[query]") {
    const std::vector<std::pair<std::string, long>> cases = {
        {"\"état d'urgence", 0},
        {"a (b", 2},
        {"a )", 2},
        {"()", 0},
        {"OR a", 0},
        {"a OR", 2},
        {"a OR OR b", 2},
        {"a AND", 2},
        {"NOT", 0},
        {"*", 0},
        {"titre:", 0},
        {"foo:bar", 0},
        {"a NEAR/0 b", 2},
        {"a NEAR \"b c\"", 7},
        {"date:2025-13", 5},
        {"date:2025-10..2025-08", 5},
        {std::string("caf\xc3"), 3},
        {"\"\"", 0},
    };
    for (const auto& [q, pos] : cases) {
        INFO(q);
        CHECK(error_pos(q) == pos);
    }
    CHECK(error_pos(std::string(70000, 'a')) >= 0);
    CHECK(error_pos(std::string(200, '(') + "a" + std::string(200, ')')) >= 0);
}

TEST_CASE("query resolution: words, stems, phrases and fields", "[query]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        // Words match every indexed form of their stems (one OP_SYNONYM), an accented
        // word also the forms of its unaccented spelling's stem, and an unaccented word
        // the forms of the accented spelling's stem (the index's spelling table).
        {"Élections", "Query((election SYNONYM elections))"},
        {"élection", "Query((election SYNONYM elections))"},
        {"électricité", "Query(electricite)"},
        {"electricite", "Query(electricite)"},
        // Default AND; stopwords drop out unless alone or required.
        {"la guerre", "Query((guerre SYNONYM guerres))"},
        {"la", "Query(la)"},
        {"+la guerre", "Query((la AND (guerre SYNONYM guerres)))"},
        // Phrases: exact forms, never stems, stopwords and elisions handled.
        {"\"la Maison Blanche\"", "Query((la PHRASE 3 maison PHRASE 3 blanche))"},
        {"\"l'état d'urgence\"", "Query((etat PHRASE 2 urgence))"},
        {"\"Élections\"", "Query(elections)"},
        // Hyphenated words become phrases of their parts.
        {"tête-à-tête", "Query((tete PHRASE 3 a PHRASE 3 tete))"},
        {"Jean-Yves", "Query((jean PHRASE 2 yves))"},
        // l' is stripped from words too.
        {"l'Ukraine", "Query(ukraine)"},
        // Fields.
        {"titre:retraites", "Query(Sretraites)"},
        {"title:\"Union européenne\"", "Query((Sunion PHRASE 2 Seuropeenne))"},
        {"auteur:dupont", "Query(Adupont)"},
        {"guerre -paix", "Query(((guerre SYNONYM guerres) AND_NOT paix))"},
        {"guerre OR paix", "Query(((guerre SYNONYM guerres) OR paix))"},
        {"guerre NEAR paix", "Query((guerre NEAR 11 paix))"},
        {"personne:\"Donald Trump\"", "Query(0 * XPdonald trump)"},
        {"guerre personne:Trump", "Query(((guerre SYNONYM guerres) FILTER XPtrump))"},
        {"date:2025-08..2025-10", "Query(VALUE_RANGE 0 20250801 20251031999999)"},
        {"date:2020..", "Query(VALUE_RANGE 0 20200101 99991231999999)"},
        {"-guerre", "Query(0 * (<alldocuments> AND_NOT (guerre SYNONYM guerres)))"},
    };
    for (const auto& [q, expected] : cases) {
        INFO(q);
        CHECK(xq(q) == expected);
    }
    // Forms the index does not hold are not searched; without an index, only the word.
    CHECK(xq("élus") == "Query(elus)");
    CHECK(xq_alone("guerres") == "Query(guerres)");
    // Mentioned dates: with an index, only the date terms it holds (this one has none).
    CHECK(xq_alone("mentionne:2025-08") == "Query(0 * XMM202508)");
    CHECK(xq_alone("mentionne:2024") == "Query(0 * XMY2024)");
    CHECK(xq("mentionne:2024") == "Query()");
    CHECK(xq_alone("Élections") == "Query(elections)");
}

// Author and source words carry no positions: their phrases and NEAR groups are matched
// on the index's distinct values. Every phrase and NEAR pair over a set of authors and
// sources, against a scan of the analysed values, with one writer and with shards.
TEST_CASE("author and source phrases and NEAR match exactly, sharded or not", "[query]") {
    const std::vector<std::string> authors = {"Jean Dupont",
                                              "Dupont Jean",
                                              "Marie Dupont-Durand",
                                              "Jean-Marie Durand et Jean Dupont",
                                              "Jean, Paul et Marie Dupont",
                                              "Agence France-Presse",
                                              "Paul. Dupont",
                                              "Émile Zola",
                                              "emile zola",
                                              ""};
    const std::vector<std::string> sources = {"Le Monde (AFP)", "AFP",          "Le Figaro",  "Monde diplomatique",
                                              "le monde",       "Ouest-France", "France Info"};
    test::TempDir tmp;
    const std::string one = (tmp.path / "one").string(), sharded = (tmp.path / "sharded").string();
    std::string jsonl;
    std::vector<Article> articles;
    for (std::size_t i = 0; i < 40; ++i) {
        Article a;
        a.id = "a" + std::to_string(i);
        a.title = "Titre " + std::to_string(i);
        a.body = "Texte sans rapport.";
        a.author = authors[i % authors.size()];
        a.source = sources[i % sources.size()];
        articles.push_back(a);
        nlohmann::json j = {
            {"id", a.id}, {"title", a.title}, {"body", a.body}, {"author", a.author}, {"source", a.source}};
        jsonl += j.dump() + "\n";
    }
    {
        Writer w(one);
        for (std::size_t i = 0; i < articles.size(); ++i) {
            w.add(articles[i]);
            if (i % 15 == 0) w.commit();  // values written over several commits
        }
        w.commit();
        test::write_file(tmp.path / "in.jsonl", jsonl);
        WriterOptions o;
        o.threads = 3;
        o.batch_size = 7;
        Writer s(sharded, o);
        s.index_paths({(tmp.path / "in.jsonl").string()});
    }
    Analyzer an;
    // Articles whose field holds the words in order within `window` positions (phrase), or
    // in any order (NEAR), as Xapian's rules say.
    auto scan = [&](bool author, const std::vector<std::string>& words, bool ordered, unsigned window) {
        std::set<std::string> out;
        for (const Article& a : articles) {
            std::vector<std::vector<Xapian::termpos>> lists(words.size());
            for (const Token& t : an.tokens(author ? a.author : a.source))
                for (std::size_t i = 0; i < words.size(); ++i)
                    if (t.exact == words[i]) lists[i].push_back(t.pos);
            // Brute force over every choice of positions.
            std::function<bool(std::size_t, std::vector<Xapian::termpos>&)> pick =
                [&](std::size_t i, std::vector<Xapian::termpos>& chosen) {
                    if (i == words.size()) {
                        auto [lo, hi] = std::minmax_element(chosen.begin(), chosen.end());
                        if (*hi - *lo >= window) return false;
                        for (std::size_t k = 1; k < chosen.size(); ++k) {
                            if (ordered && chosen[k] <= chosen[k - 1]) return false;
                            for (std::size_t m = 0; m < k; ++m)
                                if (chosen[m] == chosen[k]) return false;
                        }
                        return true;
                    }
                    for (Xapian::termpos p : lists[i]) {
                        chosen.push_back(p);
                        bool ok = pick(i + 1, chosen);
                        chosen.pop_back();
                        if (ok) return true;
                    }
                    return false;
                };
            std::vector<Xapian::termpos> chosen;
            if (!words.empty() && pick(0, chosen)) out.insert(a.id);
        }
        return out;
    };
    auto ids = [](Searcher& s, const std::string& q) {
        SearchRequest r;
        r.query = q;
        r.limit = 1000;
        r.snippet.length = 0;
        std::set<std::string> out;
        for (const Hit& h : s.search(r).hits) out.insert(h.id);
        return out;
    };
    Searcher s1(one), s2(sharded);
    std::size_t nonempty = 0;
    for (bool author : {true, false}) {
        std::set<std::string> words;
        for (const std::string& v : author ? authors : sources)
            for (const Token& t : an.tokens(v)) words.insert(t.exact);
        const std::string field = author ? "auteur:" : "source:";
        for (const std::string& x : words) {
            for (const std::string& y : words) {
                const std::string phrase = field + "\"" + x + " " + y + "\"";
                INFO(phrase);
                std::set<std::string> want = scan(author, {x, y}, true, 2);
                CHECK(ids(s1, phrase) == want);
                CHECK(ids(s2, phrase) == want);
                nonempty += !want.empty();
                for (unsigned d : {1u, 3u}) {
                    const std::string near = field + "(" + x + " NEAR/" + std::to_string(d) + " " + y + ")";
                    INFO(near);
                    std::set<std::string> w = scan(author, {x, y}, false, d + 1);
                    CHECK(ids(s1, near) == w);
                    CHECK(ids(s2, near) == w);
                }
            }
        }
    }
    CHECK(nonempty > 15);
    // Three words, accents folded, a hyphenated name and a sentence gap.
    Searcher& s = s2;
    CHECK(ids(s, "auteur:\"Jean Dupont\"") == scan(true, {"jean", "dupont"}, true, 2));
    CHECK(ids(s, "auteur:\"emile zola\"").size() == 8);
    CHECK(ids(s, "auteur:Dupont-Durand") == scan(true, {"dupont", "durand"}, true, 2));
    CHECK(ids(s, "auteur:\"Paul Dupont\"").empty());  // "Paul. Dupont": a sentence apart
    CHECK(ids(s, "source:\"le monde afp\"").size() == 6);
    // Words of the field still match alone, with their weights.
    CHECK(ids(s, "auteur:dupont").size() == ids(s1, "auteur:dupont").size());
    CHECK(ids(s, "auteur:dupont").size() == 24);
}

TEST_CASE("an author phrase matching too many distinct values is refused with its position", "[query]") {
    test::TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        for (int i = 0; i <= 20000; ++i) {
            Article a;
            a.id = "n" + std::to_string(i);
            a.title = "Brève";
            a.author = "Jean Dupont " + std::to_string(i);
            w.add(a);
        }
        w.commit();
    }
    Searcher s(db);
    SearchRequest r;
    r.query = "Brève auteur:\"Jean Dupont\"";
    try {
        s.search(r);
        FAIL("no error");
    } catch (const QueryError& e) {
        CHECK(std::string(e.what()).find("too many distinct values (the limit is 20000)") != std::string::npos);
        CHECK(e.position() == 14);  // the quoted phrase (0-based byte offset)
    }
    r.query = "auteur:\"Dupont 7\"";  // one value of the 20,001
    CHECK(s.search(r).total == 1);
}
