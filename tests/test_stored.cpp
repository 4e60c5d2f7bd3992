// Stored data: its binary record, compression with a dictionary trained on the corpus,
// and how the writer and searcher keep dictionaries (new index, growing index, check).
#include "indexer/document.hpp"
#include "schema/stored.hpp"
#include "schema/stored_codec.hpp"
#include "schema/schema.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <xapian.h>

#include <fstream>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;

namespace {

// Sentences of news-like French, combined differently for each article so that articles
// share words and phrases (as real ones do) without being copies.
const char* const kSentences[] = {
    "Le gouvernement a présenté mardi son projet de loi sur l'énergie devant l'Assemblée nationale.",
    "Selon l'Insee, l'inflation a atteint 2,4 % sur un an au mois de septembre.",
    "Les syndicats appellent à une nouvelle journée de mobilisation jeudi dans toute la France.",
    "La Commission européenne doit rendre son avis avant la fin de l'année.",
    "Le match s'est terminé sur un score nul après une seconde période très disputée.",
    "Les pompiers sont intervenus dans la nuit pour maîtriser l'incendie qui a détruit l'entrepôt.",
    "Le maire de la commune a annoncé la fermeture temporaire de l'école pour travaux.",
    "Les prix de l'immobilier continuent de baisser dans la plupart des grandes villes.",
    "La ministre de la Santé a détaillé les mesures prévues pour l'hiver.",
    "Une enquête a été ouverte par le parquet pour déterminer les causes de l'accident.",
    "Le festival a accueilli plus de cent mille spectateurs en quatre jours.",
    "Les négociations entre les deux pays reprendront la semaine prochaine à Bruxelles.",
};

std::string article_text(std::size_t n) {
    std::string text;
    for (std::size_t k = 0; k < 8; ++k) {
        text += kSentences[(n * 7 + k * 5) % std::size(kSentences)];
        text += " Dépêche numéro " + std::to_string(n * 31 + k) + ". ";
    }
    return text;
}

Article make_article(std::size_t n) {
    Article a;
    a.id = "art-" + std::to_string(n);
    a.title = "Titre de l'article " + std::to_string(n);
    a.url = "https://www.exemple.fr/actualite/article-" + std::to_string(n) + ".html";
    a.date = "2024-03-" + std::to_string(10 + n % 18);
    a.body = article_text(n);
    return a;
}

// A JSON Lines file of `count` articles starting at `first`.
void write_articles(const fs::path& p, std::size_t first, std::size_t count) {
    std::ofstream out(p);
    for (std::size_t n = first; n < first + count; ++n) {
        Article a = make_article(n);
        out << "{\"id\": \"" << a.id << "\", \"title\": \"" << a.title << "\", \"url\": \"" << a.url
            << "\", \"date\": \"" << a.date << "\", \"body\": \"" << a.body << "\"}\n";
    }
}

StoredArticle sample_stored() {
    StoredArticle a;
    a.id = "x1";
    a.title = "Élections : le second tour";
    a.date = "2024-06-30T20:00:00Z";
    a.url = "https://www.exemple.fr/x1";
    a.author = "Jeanne Martin";
    a.source = "exemple.fr";
    a.path = "/data/x1.json";
    a.text = article_text(3);
    a.people = {"Jeanne Martin", "Paul Durand"};
    a.marks = {{1000, 0}, {1016, 97}, {1032, 201}};
    return a;
}

void check_same(const StoredArticle& a, const StoredArticle& b, bool with_text) {
    CHECK(a.id == b.id);
    CHECK(a.title == b.title);
    CHECK(a.date == b.date);
    CHECK(a.url == b.url);
    CHECK(a.author == b.author);
    CHECK(a.source == b.source);
    CHECK(a.path == b.path);
    CHECK(a.people == b.people);
    if (with_text) {
        CHECK(a.text == b.text);
        CHECK(a.marks == b.marks);
    } else {
        CHECK(b.text.empty());
        CHECK(b.marks.empty());
    }
}

// The dictionary new records of index x use (schema 6: its id is a hash of its content).
std::uint32_t current_id(const Xapian::Database& x) {
    const std::string v = x.get_metadata(schema::kMetaDictCurrent);
    return v.empty() ? 0 : static_cast<std::uint32_t>(std::stoul(v));
}
std::string current_key(const Xapian::Database& x) {
    return std::string(schema::kMetaDictPrefix) + std::to_string(current_id(x));
}
std::size_t dictionaries(const Xapian::Database& x) {
    std::size_t n = 0;
    for (auto it = x.metadata_keys_begin(schema::kMetaDictPrefix); it != x.metadata_keys_end(schema::kMetaDictPrefix);
         ++it)
        ++n;
    return n;
}

std::vector<std::string> training_samples(std::size_t count) {
    std::vector<std::string> samples;
    for (std::size_t n = 0; n < count; ++n) samples.push_back(stored_sample(make_article(n)));
    return samples;
}

}  // namespace

TEST_CASE("stored data: plain and compressed records decode to what was stored", "[stored]") {
    const StoredArticle a = sample_stored();
    StoredCodec no_dict;
    StoredCodec with_dict;
    const std::string dict = StoredCodec::train(training_samples(400));
    REQUIRE(!dict.empty());
    const std::uint32_t id = with_dict.add(dict, true);
    CHECK(id == StoredCodec::dictionary_id(dict));
    CHECK(id != 0);
    CHECK(with_dict.compression_id() == id);
    // The id depends on the content only: another dictionary has another id.
    CHECK(StoredCodec::dictionary_id(dict + "x") != id);

    const std::string plain = encode_stored(a);
    const std::string alone = encode_stored(a, &no_dict);
    const std::string trained = encode_stored(a, &with_dict);
    CHECK(stored_dictionary(plain) == 0);
    CHECK(stored_dictionary(alone) == 0);
    CHECK(stored_dictionary(trained) == id);
    // Compression pays, and the dictionary more so.
    CHECK(alone.size() < plain.size());
    CHECK(trained.size() < alone.size());
    for (bool with_text : {true, false}) {
        auto p = decode_stored(plain, with_text);
        auto z = decode_stored(alone, with_text);  // no dictionary needed: no codec needed
        auto d = decode_stored(trained, with_text, &with_dict);
        REQUIRE(p);
        REQUIRE(z);
        REQUIRE(d);
        check_same(a, *p, with_text);
        check_same(a, *z, with_text);
        check_same(a, *d, with_text);
    }
    // Without its dictionary, compressed data does not decode (and does not crash).
    CHECK_FALSE(decode_stored(trained));
    CHECK_FALSE(decode_stored(trained, true, &no_dict));
    // Damaged data: cut short, or a flipped byte, gives nullopt or a record, never a crash.
    for (std::size_t cut = 0; cut < trained.size(); cut += 7)
        (void)decode_stored(trained.substr(0, cut), true, &with_dict);
    for (std::size_t at = 2; at < trained.size(); at += 5) {
        std::string bad = trained;
        bad[at] = static_cast<char>(bad[at] ^ 0x5a);
        (void)decode_stored(bad, true, &with_dict);
    }
    CHECK_FALSE(decode_stored(std::string("D\x07zzz")));
}

TEST_CASE("stored data: too little material trains no dictionary", "[stored]") {
    CHECK(StoredCodec::train({}).empty());
    CHECK(StoredCodec::train(training_samples(20)).empty());
    CHECK(StoredCodec::train(std::vector<std::string>(500, "court")).empty());
}

TEST_CASE("stored data: a new index trains its dictionary on its first articles", "[stored][xapian-check]") {
    TempDir tmp;
    write_articles(tmp.path / "a.jsonl", 0, 1500);
    const fs::path db = tmp.path / "db";
    {
        Writer w(db.string());
        IndexSummary s = w.index_paths({(tmp.path / "a.jsonl").string()});
        REQUIRE(s.articles == 1500);
    }
    Xapian::Database x(db.string());
    REQUIRE(current_id(x) != 0);
    CHECK(!x.get_metadata(current_key(x)).empty());
    CHECK(current_id(x) == StoredCodec::dictionary_id(x.get_metadata(current_key(x))));
    CHECK(dictionaries(x) == 1);
    // Every article, the ones held back while the dictionary was trained included, uses it.
    std::size_t with_dict = 0;
    for (auto it = x.postlist_begin(""); it != x.postlist_end(""); ++it)
        with_dict += stored_dictionary(x.get_document(*it).get_data()) == current_id(x);
    CHECK(with_dict == 1500);

    Searcher searcher(db.string());
    SearchRequest req;
    req.query = "\"numéro 31\"";  // article 1's first mark
    req.exact_total = true;
    SearchResult r = searcher.search(req);
    REQUIRE(r.total == 1);
    CHECK(r.hits[0].id == "art-1");
    CHECK(r.hits[0].url == "https://www.exemple.fr/actualite/article-1.html");
    CHECK(r.hits[0].snippet.find("31") != std::string::npos);
    // The URL filter (a hashed term) finds the article by its URL, and only it.
    req.query = "url:https://www.exemple.fr/actualite/article-1234.html";
    r = searcher.search(req);
    REQUIRE(r.total == 1);
    CHECK(r.hits[0].id == "art-1234");
    req.query = "url:\"https://www.exemple.fr/actualite/article-1234.htm\"";
    CHECK(searcher.search(req).total == 0);
    CHECK(check_index(db.string()).ok());
}

TEST_CASE("stored data: an index that grows past the threshold gets a dictionary", "[stored][xapian-check]") {
    TempDir tmp;
    const fs::path db = tmp.path / "db";
    // Too small to train: stored data compressed without a dictionary.
    write_articles(tmp.path / "a.jsonl", 0, 60);
    {
        Writer w(db.string());
        REQUIRE(w.index_paths({(tmp.path / "a.jsonl").string()}).articles == 60);
    }
    {
        Xapian::Database x(db.string());
        CHECK(dictionaries(x) == 0);
        CHECK(current_id(x) == 0);
    }
    // Grown by add() past 1,000 articles (the 1,001st is compressed with a dictionary
    // trained on the stored ones), then by an update.
    {
        Writer w(db.string());
        for (std::size_t n = 60; n < 1100; ++n) w.add(make_article(n));
        w.commit();
    }
    write_articles(tmp.path / "b.jsonl", 2000, 10);
    {
        Writer w(db.string());
        IndexSummary s = w.index_paths({(tmp.path / "a.jsonl").string(), (tmp.path / "b.jsonl").string()});
        CHECK(s.articles == 10);
    }
    Xapian::Database x(db.string());
    REQUIRE(current_id(x) != 0);
    CHECK(!x.get_metadata(current_key(x)).empty());
    Xapian::Document newest = x.get_document(x.get_lastdocid());
    CHECK(stored_dictionary(newest.get_data()) == current_id(x));
    CHECK(stored_dictionary(x.get_document(1).get_data()) == 0);

    // A searcher opened before the dictionary existed reads articles that need it.
    Searcher searcher(db.string());
    SearchRequest req;
    req.exact_total = true;
    for (const char* id : {"art-2", "art-1050", "art-2005"}) {
        req.query = std::string("id:") + id;
        SearchResult r = searcher.search(req);
        REQUIRE(r.total == 1);
        CHECK(r.hits[0].id == id);
        CHECK(!r.hits[0].snippet.empty());
    }
    CHECK(check_index(db.string()).ok());
}

TEST_CASE("stored data: a searcher opened before the dictionary reads articles that use it", "[stored]") {
    TempDir tmp;
    const fs::path db = tmp.path / "db";
    {
        Writer w(db.string());
        for (std::size_t n = 0; n < 1000; ++n) w.add(make_article(n));
        w.commit();
    }
    Searcher searcher(db.string());
    SearchRequest req;
    req.query = "id:art-5000";
    CHECK(searcher.search(req).total == 0);
    {
        Writer w(db.string());
        w.add(make_article(5000));  // the 1,001st article: the dictionary is trained first
        w.commit();
    }
    searcher.reopen();
    req.exact_total = true;
    SearchResult r = searcher.search(req);
    REQUIRE(r.total == 1);
    CHECK(r.hits[0].title == "Titre de l'article 5000");
    Xapian::Database x(db.string());
    CHECK(stored_dictionary(x.get_document(x.get_lastdocid()).get_data()) == current_id(x));
}

TEST_CASE("stored data: check names a missing dictionary", "[stored][xapian-check]") {
    TempDir tmp;
    write_articles(tmp.path / "a.jsonl", 0, 1200);
    const fs::path db = tmp.path / "db";
    {
        Writer w(db.string());
        REQUIRE(w.index_paths({(tmp.path / "a.jsonl").string()}).articles == 1200);
    }
    std::string id;
    {
        Xapian::WritableDatabase x(db.string(), Xapian::DB_OPEN);
        id = std::to_string(current_id(x));
        x.set_metadata(current_key(x), "");
        x.commit();
    }
    CheckReport r = check_index(db.string());
    CHECK(!r.ok());
    bool named = false;
    for (const std::string& p : r.problems)
        named = named || p.find("needs compression dictionary " + id) != std::string::npos;
    CHECK(named);
    bool current_missing = false;
    for (const std::string& p : r.problems)
        current_missing =
            current_missing || p.find("compression dictionary " + id + ", the current one") != std::string::npos;
    CHECK(current_missing);
    // The searcher reports the damage instead of showing empty hits.
    Searcher searcher(db.string());
    SearchRequest req;
    req.query = "gouvernement";
    CHECK_THROWS_AS(searcher.search(req), IndexCorruptError);
}

TEST_CASE("stored data: a damaged dictionary is reported, not shown as garbage", "[stored][xapian-check]") {
    TempDir tmp;
    write_articles(tmp.path / "a.jsonl", 0, 1200);
    const fs::path db = tmp.path / "db";
    {
        Writer w(db.string());
        REQUIRE(w.index_paths({(tmp.path / "a.jsonl").string()}).articles == 1200);
    }
    std::string dict;
    {
        Xapian::WritableDatabase x(db.string(), Xapian::DB_OPEN);
        dict = x.get_metadata(current_key(x));
        REQUIRE(dict.size() > 1000);
        // Same size, other bytes: zstd takes it (a raw-content dictionary) but the records
        // it decompresses are not the ones written.
        std::string bad = dict;
        for (std::size_t k = 0; k < bad.size(); k += 3) bad[k] = static_cast<char>(bad[k] ^ 0x21);
        x.set_metadata(current_key(x), bad);
        x.commit();
    }
    CheckReport r = check_index(db.string());
    CHECK(!r.ok());
    // The dictionary's id is a hash of its content (schema 6): the damage is named.
    bool named = false;
    for (const std::string& p : r.problems)
        named = named || p.find("does not match its id (damaged)") != std::string::npos;
    CHECK(named);
    Searcher searcher(db.string());
    SearchRequest req;
    req.query = "gouvernement";
    CHECK_THROWS_AS(searcher.search(req), IndexCorruptError);
}
