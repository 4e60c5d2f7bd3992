// Search results checked against brute-force scans of the same articles, on real news
// (../shared/corpus/wikinews-fr, 1,191 articles). Skipped, with the reason printed, when
// ../shared is absent.
#include "indexer/readers.hpp"
#include "schema/analyzer.hpp"
#define DEPECHE_TEST_WIKINEWS
#include "phrase_oracle.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include "searcher/positions.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace depeche;
using depeche::test::TempDir;

namespace {

// Ids of every match, checking that the reported total is exact and complete.
std::set<std::string> ids(Searcher& s, const std::string& query) {
    SearchRequest r;
    r.query = query;
    r.limit = 100000;
    r.snippet.length = 0;
    SearchResult res = s.search(r);
    std::set<std::string> out;
    for (const Hit& h : res.hits) out.insert(h.id);
    INFO(query);
    CHECK(res.total_exact);
    CHECK(res.total == out.size());
    return out;
}

using oracle::text_has_phrase;

// Articles whose title or body holds the phrase as consecutive analysed words.
std::set<std::string> oracle_phrase(Analyzer& a, const std::vector<Article>& articles, const std::string& phrase) {
    return oracle::by_tokens(a, articles, phrase);
}

}  // namespace

TEST_CASE("oracle: phrase queries return exactly the articles holding the phrase", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    Analyzer a;
    const std::vector<std::string> phrases = {
        "Union européenne",       "Assemblée nationale", "état d'urgence",    "Emmanuel Macron",
        "Premier ministre",       "Donald Trump",        "la Maison Blanche", "Front national",
        "Coupe du monde",         "Jean-Yves Le Drian",  "Nations unies",     "Corée du Nord",
        "mettre fin à la guerre", "Parti socialiste",    "États-Unis",        "François Hollande"};
    for (const std::string& p : phrases) {
        INFO(p);
        std::set<std::string> got = ids(s, "\"" + p + "\"");
        std::set<std::string> expected = oracle_phrase(a, wn->articles, p);
        CHECK(got == expected);
        // The folded-text scan agrees (it does not use the tokenizer at all).
        CHECK(got == oracle::by_text_scan(a, wn->articles, p));
        if (p == "Union européenne" || p == "Emmanuel Macron") CHECK(got.size() > 20);
    }
}

TEST_CASE("oracle: a period after an initial does not stop a phrase", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    Analyzer a;
    // The scan drops a period that follows a lone capital letter ("W." -> "W"), then looks
    // for the phrase written without periods.
    auto without_initial_periods = [](const std::string& text) {
        std::string out;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const bool initial = text[i] == '.' && i > 0 && text[i - 1] >= 'A' && text[i - 1] <= 'Z' &&
                                 (i < 2 || !std::isalpha(static_cast<unsigned char>(text[i - 2])));
            if (!initial) out += text[i];
        }
        return out;
    };
    std::size_t found = 0;
    for (const std::string& p : {"George W Bush", "Michael E Brown", "David J Thouless", "John M Kosterlitz",
                                 "Johnny B Goode", "George H W Bush"}) {
        INFO(p);
        std::set<std::string> plain = ids(s, "\"" + p + "\"");
        std::string with_periods = p;  // "George W. Bush"
        for (std::size_t k = 1; k + 1 < with_periods.size(); ++k)
            if (with_periods[k - 1] == ' ' && with_periods[k + 1] == ' ') with_periods.insert(k + 1, ".");
        CHECK(ids(s, "\"" + with_periods + "\"") == plain);
        std::set<std::string> scan;
        for (const Article& art : wn->articles)
            if (text_has_phrase(a, without_initial_periods(art.title), p) ||
                text_has_phrase(a, without_initial_periods(art.body), p))
                scan.insert(art.id);
        CHECK(plain == scan);
        found += plain.size();
    }
    CHECK(found >= 5);  // each of these names is written with its initial in the corpus
}

TEST_CASE("oracle: unaccented queries find what accented ones find", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {"président", "president"},
        {"élection", "election"},
        {"États-Unis", "etats-unis"},
        {"électricité", "electricite"},
        {"Édouard Philippe", "Edouard Philippe"},
        {"\"Assemblée nationale\"", "\"assemblee nationale\""},
        {"Sénat", "senat"},
        {"réforme", "reforme"},
        {"Élections", "elections"},
        {"sécurité", "SECURITE"},
        {"gouvernement fédéral", "gouvernement federal"},
        {"œuvre", "oeuvre"}};
    for (const auto& [accented, plain] : pairs) {
        INFO(accented << " / " << plain);
        auto a = ids(s, accented);
        CHECK(a == ids(s, plain));
        CHECK(!a.empty());
    }
}

TEST_CASE("oracle: elided forms are found by the bare word", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    Analyzer a;
    for (const std::string& word : {"Ukraine", "Europe", "Irak", "ONU", "Union"}) {
        std::set<std::string> got = ids(s, "\"" + word + "\"");
        std::string elided = "l'" + word;
        std::size_t with_elision = 0;
        for (const Article& art : wn->articles) {
            if (text_has_phrase(a, art.body, elided) || text_has_phrase(a, art.title, elided)) {
                ++with_elision;
                INFO(word << " in " << art.id);
                CHECK(got.count(art.id) == 1);
            }
        }
        INFO(word);
        CHECK(with_elision > 0);
    }
}

TEST_CASE("oracle: boolean identities hold", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    const std::vector<std::pair<std::string, std::string>> pairs = {{"guerre", "paix"},
                                                                    {"France", "Allemagne"},
                                                                    {"\"Union européenne\"", "Royaume-Uni"},
                                                                    {"élection", "président"},
                                                                    {"football", "match"}};
    for (const auto& [x, y] : pairs) {
        INFO(x << " / " << y);
        auto a = ids(s, x), b = ids(s, y);
        auto a_or_b = ids(s, x + " OR " + y);
        auto a_and_b = ids(s, x + " " + y);
        CHECK(a_or_b.size() == a.size() + b.size() - a_and_b.size());
        std::set<std::string> uni(a.begin(), a.end());
        uni.insert(b.begin(), b.end());
        CHECK(a_or_b == uni);
        auto a_not_b = ids(s, x + " -" + y);
        for (const auto& id : a_not_b) CHECK(b.count(id) == 0);
        CHECK(a_not_b.size() + a_and_b.size() == a.size());
        CHECK(ids(s, x + " NOT " + y) == a_not_b);
        CHECK(ids(s, x + " AND " + y) == a_and_b);
    }
}

// A word matches the articles holding a word of one of its stems. The forms table
// (stem -> indexed forms) is written per batch and merged across shards by compaction:
// a sharded first build must answer exactly like one writer, and both like a scan of
// the analysed articles.
TEST_CASE("oracle: word queries match every form of their stems, sharded or not", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    TempDir dir;
    const std::string sharded = (dir.path / "sharded").string();
    {
        WriterOptions o;
        o.threads = 3;
        o.batch_size = 100;  // several flushes of the forms per shard
        Writer w(sharded, o);
        w.index_paths({(fs::path(DEPECHE_SHARED_DIR) / "corpus/wikinews-fr/articles.jsonl").string()});
    }
    // The analysed corpus: for each article, its (exact form, stem) pairs; and for each
    // exact form, every stem it was indexed with anywhere.
    Analyzer an;
    std::vector<std::set<std::string>> forms_of(wn->articles.size());
    std::map<std::string, std::set<std::string>> stems_of_form;
    std::vector<std::string> sample;
    std::size_t seen = 0;
    for (std::size_t i = 0; i < wn->articles.size(); ++i) {
        for (const std::string* text : {&wn->articles[i].title, &wn->articles[i].body}) {
            for (const Token& t : an.tokens(*text)) {
                forms_of[i].insert(t.exact);
                if (t.stem.empty() || t.number) continue;
                stems_of_form[t.exact].insert(t.stem);
                if (++seen % 997 == 0 && t.exact.size() > 3) sample.push_back(t.exact);
            }
        }
    }
    REQUIRE(sample.size() > 50);
    Searcher one(wn->db), many(sharded);
    for (const std::string& word : sample) {
        INFO(word);
        // The query word's stems: its own, and those of its accented spellings.
        std::set<std::string> stems;
        for (const Token& t : an.tokens(word)) {
            stems.insert(t.stem);
            if (!t.alt_stem.empty()) stems.insert(t.alt_stem);
        }
        if (auto it = stems_of_form.find(word); it != stems_of_form.end())
            stems.insert(it->second.begin(), it->second.end());
        std::set<std::string> want;
        for (std::size_t i = 0; i < wn->articles.size(); ++i) {
            for (const std::string& f : forms_of[i]) {
                auto it = stems_of_form.find(f);
                bool hit = f == word;
                if (!hit && it != stems_of_form.end())
                    for (const std::string& s : it->second) hit = hit || stems.count(s) > 0;
                if (hit) {
                    want.insert(wn->articles[i].id);
                    break;
                }
            }
        }
        std::set<std::string> got_one = ids(one, word), got_many = ids(many, word);
        CHECK(got_many == got_one);
        CHECK(got_one == want);
    }
}

// Title phrases and NEAR groups (Xapian's OP_PHRASE and OP_NEAR over the title terms'
// own positions since schema 6): every two- and three-word run of many titles, and NEAR
// pairs, against a scan of the analysed titles.
TEST_CASE("oracle: title phrases and NEAR return exactly the titles holding them", "[oracle][wikinews]") {
    NEED_WIKINEWS();
    Searcher s(wn->db);
    Analyzer a;
    std::vector<std::vector<Token>> titles;
    for (const Article& art : wn->articles) titles.push_back(a.tokens(art.title));
    auto title_phrase = [&](const std::vector<std::string>& want) {
        std::set<std::string> out;
        for (std::size_t d = 0; d < titles.size(); ++d) {
            const auto& toks = titles[d];
            for (std::size_t i = 0; i + want.size() <= toks.size(); ++i) {
                bool ok = true;
                for (std::size_t k = 0; k < want.size() && ok; ++k)
                    ok = toks[i + k].exact == want[k] && toks[i + k].pos == toks[i].pos + k;
                if (ok) {
                    out.insert(wn->articles[d].id);
                    break;
                }
            }
        }
        return out;
    };
    auto title_near = [&](const std::string& x, const std::string& y, unsigned distance) {
        std::set<std::string> out;
        for (std::size_t d = 0; d < titles.size(); ++d)
            for (const Token& t : titles[d])
                for (const Token& u : titles[d])
                    if (t.exact == x && u.exact == y && t.pos != u.pos &&
                        (t.pos > u.pos ? t.pos - u.pos : u.pos - t.pos) <= distance)
                        out.insert(wn->articles[d].id);
        return out;
    };
    std::size_t checked = 0, nonempty_near = 0;
    for (std::size_t d = 0; d < titles.size(); d += 7) {
        const auto& toks = titles[d];
        for (std::size_t n : {2, 3}) {
            for (std::size_t i = 0; i + n <= toks.size(); i += 2) {
                std::vector<std::string> want;
                std::string text;
                for (std::size_t k = 0; k < n; ++k) {
                    want.push_back(toks[i + k].exact);
                    text += (k ? " " : "") + toks[i + k].exact;
                }
                if (toks[i + n - 1].pos != toks[i].pos + n - 1) continue;  // punctuation inside
                INFO("titre:\"" << text << "\"");
                std::set<std::string> got = ids(s, "titre:\"" + text + "\"");
                CHECK(got == title_phrase(want));
                CHECK(got.count(wn->articles[d].id) == 1);
                ++checked;
            }
        }
        if (toks.size() >= 4 && d % 3 == 0) {
            const std::string& x = toks[0].exact;
            const std::string& y = toks[3].exact;
            for (unsigned distance : {1u, 3u, 10u}) {
                std::string q = "titre:(" + x + " NEAR/" + std::to_string(distance) + " " + y + ")";
                INFO(q);
                std::set<std::string> got = ids(s, q);
                std::set<std::string> want = title_near(x, y, distance);
                CHECK(got == want);
                if (!got.empty()) ++nonempty_near;
            }
        }
    }
    CHECK(checked > 300);
    CHECK(nonempty_near > 20);
    // A phrase of the body only is not found in the title field, and title phrases
    // never reach into the body.
    const std::set<std::string> anywhere = ids(s, "\"Premier ministre\"");
    const std::set<std::string> in_title = ids(s, "titre:\"Premier ministre\"");
    CHECK(in_title == title_phrase({"premier", "ministre"}));
    CHECK(in_title.size() < anywhere.size());
    CHECK(std::includes(anywhere.begin(), anywhere.end(), in_title.begin(), in_title.end()));
}

TEST_CASE("positions_match: Xapian's phrase and NEAR tests on position lists", "[query]") {
    using L = std::vector<std::vector<Xapian::termpos>>;
    CHECK(positions_match(L{{3}, {4}}, true, 2));
    CHECK_FALSE(positions_match(L{{4}, {3}}, true, 2));  // order matters in a phrase
    CHECK(positions_match(L{{4}, {3}}, false, 2));       // not in NEAR
    CHECK_FALSE(positions_match(L{{3}, {5}}, true, 2));
    CHECK(positions_match(L{{3}, {5}}, true, 3));                          // a gap inside the window
    CHECK_FALSE(positions_match(L{{1, 10}, {2, 30}, {11, 12}}, true, 3));  // 1 2 11 is too wide, 10 30 ends
    CHECK_FALSE(positions_match(L{{1, 10}, {2, 30}, {11, 12}}, true, 10));
    CHECK(positions_match(L{{1, 10}, {2, 30}, {11, 12}}, true, 11));  // 1 2 11
    CHECK_FALSE(positions_match(L{{5}, {5}}, false, 3));              // one word twice needs two positions
    CHECK(positions_match(L{{5, 7}, {5, 7}}, false, 3));
    CHECK_FALSE(positions_match(L{{5, 9}, {5, 9}}, false, 3));
    CHECK_FALSE(positions_match(L{{1}, {}}, false, 100));  // a word missing
    CHECK_FALSE(positions_match(L{}, true, 5));
}
