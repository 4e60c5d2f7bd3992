// Stories: signatures (indexer/story.hpp), story keys in fresh and updated indexes,
// --collapse, story:KEY and --like (docs/cli.md).
#include "indexer/story.hpp"
#include "schema/analyzer.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

using namespace depeche;
using namespace depeche::test;

namespace {

// Made-up words of a topic: distinct topics share no word, so their texts are unrelated.
std::vector<std::string> vocabulary(int topic, int size = 60) {
    static const char* syllables[] = {"ba", "ce", "di", "fo", "gu",  "la",  "me",  "ni",  "po",  "ru",
                                      "sa", "te", "vi", "zo", "cha", "lou", "mar", "ton", "vel", "rin"};
    std::vector<std::string> out;
    for (int i = 0; i < size; ++i) {
        std::string w = std::string("k") + syllables[topic % 20];
        int x = i;
        for (int k = 0; k < 3; ++k, x /= 20) w += syllables[(x + 7 * k + topic) % 20];
        out.push_back(w);
    }
    return out;
}

// A sentence of 12 words drawn from `vocab`.
std::string sentence(const std::vector<std::string>& vocab, std::mt19937& rng) {
    std::string s;
    for (int i = 0; i < 12; ++i) {
        if (!s.empty()) s += ' ';
        s += vocab[rng() % vocab.size()];
    }
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s + ".";
}

std::vector<std::string> sentences(int topic, int count, unsigned seed) {
    std::mt19937 rng(seed);
    const auto vocab = vocabulary(topic);
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back(sentence(vocab, rng));
    return out;
}

std::string join(const std::vector<std::string>& s, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    std::string out;
    for (std::size_t i = from; i < std::min(to, s.size()); ++i) out += (out.empty() ? "" : " ") + s[i];
    return out;
}

story::Signature sig(const std::string& text) {
    static Analyzer an;
    return story::signature(an.tokens(text));
}

// One JSONL line.
std::string line(const std::string& id, const std::string& title, const std::string& date, const std::string& body) {
    return nlohmann::json{{"id", id}, {"title", title}, {"date", date}, {"body", body}}.dump() + "\n";
}

SearchResult search(const std::string& db, const std::string& query, bool collapse = false, std::string like = "") {
    Searcher s(db);
    SearchRequest r;
    r.query = query;
    r.limit = 100;
    r.collapse = collapse;
    r.like = std::move(like);
    return s.search(r);
}

std::map<std::string, std::string> keys_by_id(const std::string& db) {
    std::map<std::string, std::string> out;
    for (const Hit& h : search(db, "date:2000..2030").hits) out[h.id] = h.story;
    return out;
}

// The partition of ids into stories (keys themselves may differ between two indexes).
std::set<std::set<std::string>> partition(const std::map<std::string, std::string>& keys) {
    std::map<std::string, std::set<std::string>> by;
    for (const auto& [id, k] : keys) by[k].insert(id);
    std::set<std::set<std::string>> out;
    for (auto& [k, ids] : by) out.insert(ids);
    return out;
}

// The stories of the small corpus: "a1" (first filed), "a2" (the same text under another
// title), "a3" (updated: a sentence replaced, one added), "b1"/"b2" (another story),
// "c1" (alone) and "f1" (a different article on a's topic).
struct Corpus {
    std::vector<std::string> a = sentences(1, 14, 1), b = sentences(2, 14, 2), c = sentences(3, 14, 3),
                             f = sentences(1, 14, 99);
    std::string jsonl() const {
        std::vector<std::string> a3 = a;
        a3[4] = sentences(1, 1, 50)[0];
        a3.push_back(sentences(1, 1, 51)[0]);
        std::vector<std::string> b2 = b;
        b2.erase(b2.begin() + 2);
        return line("a1", "Premier titre", "2020-06-01T08:00:00+02:00", join(a)) +
               line("a2", "Autre rubrique", "2020-06-01T09:00:00+02:00", join(a)) +
               line("a3", "Mise à jour", "2020-06-02T10:00:00+02:00", join(a3)) +
               line("b1", "Deuxième sujet", "2020-06-03", join(b)) +
               line("b2", "Deuxième sujet, suite", "2020-06-04", join(b2)) +
               line("c1", "Troisième sujet", "2020-06-05", join(c)) +
               line("f1", "Même thème, autre article", "2021-01-01", join(f));
    }
};

const std::set<std::set<std::string>> kStories{{"a1", "a2", "a3"}, {"b1", "b2"}, {"c1"}, {"f1"}};

}  // namespace

TEST_CASE("story: signatures tell versions from other articles", "[story]") {
    const auto a = sentences(1, 14, 1);
    const story::Signature s = sig(join(a));
    REQUIRE(s.usable());
    CHECK(story::resemblance(s, sig(join(a))) == 1.0);
    CHECK(story::same_story(s, sig(join(a))));
    // One sentence replaced, one added, one removed: still the same story.
    auto edited = a;
    edited[3] = sentences(1, 1, 7)[0];
    edited.push_back(sentences(1, 1, 8)[0]);
    edited.erase(edited.begin() + 9);
    CHECK(story::same_story(s, sig(join(edited))));
    // The first half of an article is contained in it, but is too short to count alone;
    // ten of its fourteen sentences count.
    CHECK_FALSE(story::same_story(s, sig(join(a, 0, 5))));
    CHECK(story::same_story(s, sig(join(a, 0, 10))));
    // The same words in other sentences, and another topic, are other stories.
    CHECK_FALSE(story::same_story(s, sig(join(sentences(1, 14, 99)))));
    CHECK_FALSE(story::same_story(s, sig(join(sentences(2, 14, 1)))));
    CHECK(story::resemblance(s, sig(join(sentences(2, 14, 1)))) < 0.1);
    // Too little text: no signature, no story shared (not even with itself).
    const story::Signature tiny = sig("Brève : trois mots seulement.");
    CHECK_FALSE(tiny.usable());
    CHECK_FALSE(story::same_story(tiny, tiny));
    // Versions share bands; other articles do not.
    const auto ba = story::bands(s), be = story::bands(sig(join(edited))),
               bo = story::bands(sig(join(sentences(1, 14, 99))));
    std::size_t shared_edited = 0, shared_other = 0;
    for (std::size_t k = 0; k < story::kBands; ++k) {
        shared_edited += ba[k] == be[k];
        shared_other += ba[k] == bo[k];
    }
    CHECK(shared_edited > 0);
    CHECK(shared_other == 0);
}

TEST_CASE("story: signatures round-trip through their value form", "[story]") {
    const story::Signature s = sig(join(sentences(4, 10, 4)));
    auto back = story::decode(story::encode(s));
    REQUIRE(back);
    CHECK(back->min == s.min);
    CHECK(back->shingles == s.shingles);
    CHECK_FALSE(story::decode(""));
    CHECK_FALSE(story::decode(story::encode(s).substr(1)));
    CHECK(story::valid_key(story::own_key("a1")));
    CHECK_FALSE(story::valid_key("0123456789ABCDEF"));
    CHECK_FALSE(story::valid_key("0123"));
}

TEST_CASE("story: group() does not depend on the order of the articles", "[story]") {
    std::vector<std::string> texts;
    for (int t = 0; t < 6; ++t) {
        auto s = sentences(t, 12, 10 + t);
        texts.push_back(join(s));
        s[5] = sentences(t, 1, 90 + t)[0];
        texts.push_back(join(s));  // a version of the previous one
    }
    std::vector<std::size_t> order(texts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::map<std::size_t, std::string> first;
    std::mt19937 rng(5);
    for (int round = 0; round < 4; ++round) {
        std::vector<story::Signature> sigs;
        std::vector<std::string> own;
        for (std::size_t i : order) {
            sigs.push_back(sig(texts[i]));
            own.push_back(story::own_key("id" + std::to_string(i)));
        }
        const auto keys = story::group(sigs, own);
        std::map<std::size_t, std::string> by_item;
        for (std::size_t k = 0; k < order.size(); ++k) by_item[order[k]] = keys[k];
        for (std::size_t i = 0; i < texts.size(); i += 2) {
            CHECK(by_item[i] == by_item[i + 1]);
            if (i + 2 < texts.size()) CHECK(by_item[i] != by_item[i + 2]);
            // The smallest own key of the story's members.
            CHECK(by_item[i] ==
                  std::min(story::own_key("id" + std::to_string(i)), story::own_key("id" + std::to_string(i + 1))));
        }
        if (round == 0) first = by_item;
        CHECK(by_item == first);
        std::shuffle(order.begin(), order.end(), rng);
    }
}

TEST_CASE("story: a fresh index groups versions; --collapse shows one per story", "[story]") {
    TempDir tmp;
    const Corpus corpus;
    write_file(tmp.path / "in" / "news.jsonl", corpus.jsonl());
    const std::string db = (tmp.path / "db").string();
    {
        Writer w(db);
        const IndexSummary s = w.index_paths({(tmp.path / "in").string()});
        REQUIRE(s.articles == 7);
    }
    const auto keys = keys_by_id(db);
    REQUIRE(keys.size() == 7);
    CHECK(partition(keys) == kStories);
    for (const auto& [id, k] : keys) CHECK(story::valid_key(k));

    // Not collapsed: every article, its story key, no other versions.
    SearchResult all = search(db, "date:2020");
    CHECK(all.total == 6);
    for (const Hit& h : all.hits) CHECK(h.other_versions == 0);

    // Collapsed: one hit per story, the number of other versions, stories counted.
    SearchResult one = search(db, "date:2020", true);
    CHECK(one.total == 3);
    CHECK(one.total_exact);
    REQUIRE(one.hits.size() == 3);
    std::map<std::string, std::size_t> others;
    for (const Hit& h : one.hits) others[h.story] = h.other_versions;
    CHECK(others[keys.at("a1")] == 2);
    CHECK(others[keys.at("b1")] == 1);
    CHECK(others[keys.at("c1")] == 0);
    // A date filter leaves a3 out: a1 and a2 still collapse (the count follows the query).
    SearchResult day = search(db, "date:2020-06-01", true);
    REQUIRE(day.hits.size() == 1);
    CHECK(day.hits[0].other_versions == 1);
    // Text queries collapse too, keeping the best ranked version.
    SearchResult text = search(db, vocabulary(1)[0], true);
    std::set<std::string> stories;
    for (const Hit& h : text.hits) CHECK(stories.insert(h.story).second);

    // story:KEY lists every version, newest first; the key in capitals works too.
    SearchResult versions = search(db, "story:" + keys.at("a1"));
    REQUIRE(versions.hits.size() == 3);
    CHECK(versions.hits[0].id == "a3");
    CHECK(versions.hits[2].date < versions.hits[1].date);
    std::string upper = keys.at("a1");
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(search(db, "story:" + upper).total == 3);
    CHECK_THROWS_AS(search(db, "story:xyz"), QueryError);
    // The article view carries its key.
    CHECK(Searcher(db).article("a2")->story == keys.at("a1"));
}

TEST_CASE("story: updates join, bridge and keep stories", "[story]") {
    TempDir tmp;
    const Corpus corpus;
    const std::string db = (tmp.path / "db").string();
    const auto x = sentences(5, 15, 5);
    {
        Writer w(db);
        // One by one (Writer::add), in an order where a version comes before its original.
        for (const std::string& l :
             {line("b2", "t", "2020-06-04", join(corpus.b, 3)), line("c1", "t", "2020-06-05", join(corpus.c)),
              line("x1", "t", "2020-07-01", join(x, 0, 10)), line("x2", "t", "2020-07-02", join(x, 5))}) {
            auto j = nlohmann::json::parse(l);
            Article a;
            a.id = j["id"];
            a.title = j["title"];
            a.date = j["date"];
            a.body = j["body"];
            w.add(a);
        }
        w.commit();
    }
    auto keys = keys_by_id(db);
    CHECK(keys.at("x1") != keys.at("x2"));  // a third of their text in common: two stories
    CHECK(keys.at("b2") == story::own_key("b2"));
    auto add = [&](const std::string& id, const std::string& body, const std::string& date) {
        Writer w(db);
        Article a;
        a.id = id;
        a.title = id;
        a.date = date;
        a.body = body;
        w.add(a);
        w.commit();
    };
    // Added later, a version takes the story key already there.
    add("b1", join(corpus.b), "2020-06-03");
    keys = keys_by_id(db);
    CHECK(keys.at("b1") == keys.at("b2"));
    CHECK(keys.at("b1") == story::own_key("b2"));
    // A version containing both x1 and x2 joins their stories into one (the smaller key).
    add("x3", join(x), "2020-07-03");
    keys = keys_by_id(db);
    CHECK(keys.at("x1") == keys.at("x3"));
    CHECK(keys.at("x2") == keys.at("x3"));
    CHECK(keys.at("x3") == std::min(story::own_key("x1"), story::own_key("x2")));
    CHECK(search(db, "story:" + keys.at("x3")).total == 3);
    // Removing a version leaves the others together; replacing one by another text takes
    // it out of the story.
    {
        Writer w(db);
        CHECK(w.remove("x3"));
        w.commit();
    }
    keys = keys_by_id(db);
    CHECK(keys.at("x1") == keys.at("x2"));
    add("b1", join(sentences(6, 12, 6)), "2020-06-03");
    keys = keys_by_id(db);
    CHECK(keys.at("b1") != keys.at("b2"));
    CHECK(keys.at("b1") == story::own_key("b1"));
    // The same stories as a fresh build of the same articles.
    TempDir other;
    write_file(other.path / "in" / "x.jsonl",
               line("b2", "t", "2020-06-04", join(corpus.b, 3)) + line("c1", "t", "2020-06-05", join(corpus.c)) +
                   line("x1", "t", "2020-07-01", join(x, 0, 10)) + line("x2", "t", "2020-07-02", join(x, 5)) +
                   line("x3", "t", "2020-07-03", join(x)) + line("b1", "b1", "2020-06-03", join(corpus.b)));
    const std::string fresh = (other.path / "db").string();
    Writer(fresh).index_paths({(other.path / "in").string()});
    const auto fresh_keys = keys_by_id(fresh);
    CHECK(partition(fresh_keys) == std::set<std::set<std::string>>{{"b1", "b2"}, {"c1"}, {"x1", "x2", "x3"}});
}

TEST_CASE("story: like ID finds related articles, not its own versions", "[story]") {
    TempDir tmp;
    const Corpus corpus;
    write_file(tmp.path / "in" / "news.jsonl", corpus.jsonl());
    const std::string db = (tmp.path / "db").string();
    Writer(db).index_paths({(tmp.path / "in").string()});

    SearchResult like = search(db, "", false, "a1");
    REQUIRE_FALSE(like.hits.empty());
    CHECK(like.hits[0].id == "f1");  // the same topic's words, another article
    for (const Hit& h : like.hits) {
        CHECK(h.id != "a1");
        CHECK(h.id != "a2");  // versions of a1 are left out
        CHECK(h.id != "a3");
    }
    // Combined with filters: f1 is from 2021.
    CHECK(search(db, "date:2021", false, "a1").hits.at(0).id == "f1");
    CHECK(search(db, "date:2020", false, "a1").total == 0);
    CHECK(search(db, "date:2020", false, "b1").total == 0);  // b2 is b1's version; the rest is unrelated
    // From the other side, a1's story comes first; collapsed, once.
    SearchResult back = search(db, "", true, "f1");
    REQUIRE_FALSE(back.hits.empty());
    CHECK(back.hits[0].story == Searcher(db).article("a1")->story);
    CHECK(std::set<std::string>{"a1", "a2", "a3"}.count(back.hits[0].id) == 1);
    CHECK(back.hits[0].other_versions == 2);
    // Unknown id: an error naming it.
    try {
        search(db, "", false, "nope");
        FAIL("no error");
    } catch (const ArticleNotFoundError& e) { CHECK(std::string(e.what()).find("nope") != std::string::npos); }
}

TEST_CASE("story: depeche-search --collapse, --like and the JSON fields", "[story][cli]") {
    TempDir tmp;
    const Corpus corpus;
    write_file(tmp.path / "in" / "news.jsonl", corpus.jsonl());
    const std::string db = shell_quote((tmp.path / "db").string());
    RunResult ix =
        run(std::string(DEPECHE_INDEX_BIN) + " --quiet --db " + db + " " + shell_quote((tmp.path / "in").string()));
    REQUIRE(ix.status == 0);
    const std::string search = std::string(DEPECHE_SEARCH_BIN) + " --db " + db + " ";
    RunResult text = run(search + "--collapse date:2020");
    INFO(text.err);
    CHECK(text.status == 0);
    CHECK(text.out.rfind("3 stories", 0) == 0);
    CHECK(text.out.find("(+2 versions)") != std::string::npos);
    CHECK(text.out.find("(+1 version)") != std::string::npos);

    RunResult js = run(search + "--collapse --format json date:2020");
    auto j = nlohmann::json::parse(js.out);
    CHECK(j["total"] == 3);
    // A page shorter than the stories still counts them all, exactly.
    const auto short_page = nlohmann::json::parse(run(search + "--collapse --limit 1 --format json date:2020").out);
    CHECK(short_page["total"] == 3);
    CHECK(short_page["total_exact"] == true);
    for (const auto& h : j["hits"]) {
        CHECK(h["story"].get<std::string>().size() == 16);
        CHECK(h.contains("other_versions"));
    }
    RunResult plain = run(search + "--format json date:2020");
    const auto plain_json = nlohmann::json::parse(plain.out);  // kept alive: the loop reads into it
    for (const auto& h : plain_json["hits"]) CHECK(h["other_versions"] == 0);

    RunResult like = run(search + "--like a1 --format json");
    CHECK(like.status == 0);
    CHECK(nlohmann::json::parse(like.out)["hits"][0]["id"] == "f1");
    RunResult like_filtered = run(search + "--like a1 date:2020");
    CHECK(like_filtered.status == 0);
    CHECK(like_filtered.out.rfind("0 articles", 0) == 0);
    RunResult missing = run(search + "--like nope");
    CHECK(missing.status == 2);
    CHECK(missing.err.find("no article with id 'nope'") != std::string::npos);
    RunResult serve =
        run("printf '%s\\n' '{\"like\": \"a1\", \"limit\": 1}' '{\"query\": \"date:2020\", \"collapse\": true}' "
            "'{\"like\": 3}' | " +
            search + "--serve");
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; (end = serve.out.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(serve.out.substr(start, end - start));
    INFO(serve.out);
    REQUIRE(lines.size() == 3);
    CHECK(nlohmann::json::parse(lines[0])["hits"][0]["id"] == "f1");
    CHECK(nlohmann::json::parse(lines[1])["total"] == 3);
    CHECK(nlohmann::json::parse(lines[2]).contains("error"));
    CHECK(run(search + "--like a1 --stats").status == 2);
}
