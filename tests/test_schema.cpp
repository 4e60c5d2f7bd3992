// The index contract (schema/schema.hpp) and what schema 6 changed in the index: ties
// broken by the rank slot instead of document ids, the publication-day slot, and
// compression dictionaries whose ids are unique across indexes built apart.
#include "schema/schema.hpp"
#include "schema/stored.hpp"
#include "schema/stored_codec.hpp"
#include "schema/terms.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <xapian.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;

namespace {

std::vector<std::string> hit_ids(Searcher& s, const std::string& query, Sort sort, bool sort_given) {
    SearchRequest req;
    req.query = query;
    req.limit = 100;
    req.sort = sort;
    req.sort_given = sort_given;
    std::vector<std::string> out;
    for (const Hit& h : s.search(req).hits) out.push_back(h.id);
    return out;
}

}  // namespace

TEST_CASE("schema: describe() states every field, slot, prefix and metadata key", "[schema]") {
    const std::string d = schema::describe();
    CHECK(d.rfind("schema " + std::to_string(schema::kVersion) + "\n", 0) == 0);
    for (const schema::Field& f : schema::kFields) {
        INFO(f.id);
        CHECK(d.find("field " + std::string(f.id) + " prefix=" + std::string(f.prefix) + " indexing=") !=
              std::string::npos);
    }
    for (const schema::SlotInfo& s : schema::kSlots)
        CHECK(d.find("slot " + std::to_string(s.slot) + " " + std::string(s.name) + "\n") != std::string::npos);
    for (const schema::MetaKey& k : schema::kMetaKeys) CHECK(d.find("meta " + std::string(k.key)) != std::string::npos);
    CHECK(d.find("prefix XD\n") != std::string::npos);
    CHECK(d.find("value-prefix=XVA") != std::string::npos);
    // Query names resolve to their rows, case-insensitively; the body has none.
    CHECK(schema::field_by_name("TITRE") == &schema::field("title"));
    CHECK(schema::field_by_name("mentionné") == &schema::field("mentioned"));
    CHECK(schema::field_by_name("text") == nullptr);
}

TEST_CASE("schema: term builders follow each field's Indexing", "[schema]") {
    CHECK(id_term("a1") == "Qa1");
    CHECK(field_term(schema::field("url"), "https://x.fr/a").size() == 1 + 11);
    CHECK(field_term(schema::field("url"), "https://x.fr/a") != field_term(schema::field("url"), "https://x.fr/b"));
    CHECK(file_term("/a/b.txt").rfind("XF", 0) == 0);
    CHECK(field_value_term(schema::field("author"), "Jeanne Martin").rfind("XVA", 0) == 0);
    CHECK(date_terms(schema::field("date"), 2025, 8, 15) ==
          std::vector<std::string>{"DY2025", "DM202508", "DD20250815"});
    CHECK(date_terms(schema::field("mentioned"), 2025, 8, 0) == std::vector<std::string>{"XMY2025", "XMM202508"});
    const std::string long_id(300, 'x');
    CHECK(id_term(long_id).size() <= kMaxTermBytes);
    CHECK(id_term(long_id) != id_term(long_id + "y"));
    // The rank value: newest first, then by id, undated last (ascending order).
    std::vector<std::string> ranks = {rank_value("20250815", "b"), rank_value("20250815143000", "a"),
                                      rank_value("", "a"), rank_value("20250815", "a"), rank_value("20240101", "a")};
    std::sort(ranks.begin(), ranks.end());
    CHECK(ranks == std::vector<std::string>{rank_value("20250815143000", "a"), rank_value("20250815", "a"),
                                            rank_value("20250815", "b"), rank_value("20240101", "a"),
                                            rank_value("", "a")});
}

// Articles that score the same (same words, same length) in two indexes that hold them
// in opposite document-id order: every ranking gives the same list, newest first and
// then by id, as a scan ordering them that way does.
TEST_CASE("schema: equal scores and equal dates are ordered by date then id, not by document id", "[schema]") {
    struct Item {
        std::string id, date;
    };
    const std::vector<Item> items = {{"d", "2024-05-02"}, {"a", "2024-05-02"}, {"c", "2024-05-03T08:00:00"},
                                     {"b", "2024-05-01"}, {"e", ""},           {"f", "2024-05-03T08:00:00"}};
    TempDir tmp;
    auto build = [&](const fs::path& db, bool reversed) {
        Writer w(db.string());
        std::vector<Item> order = items;
        if (reversed) std::reverse(order.begin(), order.end());
        for (const Item& it : order) {
            Article a;
            a.id = it.id;
            a.title = "Tempête sur la côte";
            a.date = it.date;
            a.body = "La tempête a touché le littoral breton dans la nuit.";
            w.add(a);
        }
        w.commit();
    };
    build(tmp.path / "one", false);
    build(tmp.path / "two", true);
    Searcher one((tmp.path / "one").string()), two((tmp.path / "two").string());

    // Newest first, then id; undated last (the oracle: a sort of the list above).
    std::vector<Item> sorted = items;
    std::sort(sorted.begin(), sorted.end(), [](const Item& x, const Item& y) {
        if (x.date.empty() != y.date.empty()) return y.date.empty();
        return std::tie(y.date, x.id) < std::tie(x.date, y.id);
    });
    std::vector<std::string> newest;
    for (const Item& it : sorted) newest.push_back(it.id);
    REQUIRE(newest == std::vector<std::string>{"c", "f", "a", "d", "b", "e"});

    for (Searcher* s : {&one, &two}) {
        CHECK(hit_ids(*s, "tempête", Sort::Relevance, false) == newest);  // equal scores
        CHECK(hit_ids(*s, "tempête", Sort::DateDescending, true) == newest);
        CHECK(hit_ids(*s, "-inexistant", Sort::Relevance, false) == newest);  // filters only: by date
        std::vector<std::string> oldest = hit_ids(*s, "tempête", Sort::DateAscending, true);
        CHECK(oldest ==
              std::vector<std::string>{"e", "b", "d", "a", "f", "c"});  // undated first, then by id descending
    }
}

TEST_CASE("schema: the publication-day slot holds the day for Xapian's own value counts", "[schema]") {
    TempDir tmp;
    {
        Writer w((tmp.path / "db").string());
        const char* dates[] = {"2024-05-02T10:00:00+02:00", "2024-05-02", "2024-05-03", ""};
        int n = 0;
        for (const char* d : dates) {
            Article a;
            a.id = "a" + std::to_string(n++);
            a.title = "Titre";
            a.date = d;
            a.body = "Un texte sans date dans le corps.";
            w.add(a);
        }
        w.commit();
    }
    Xapian::Database db((tmp.path / "db").string());
    Xapian::Enquire enquire(db);
    enquire.set_query(Xapian::Query::MatchAll);
    Xapian::ValueCountMatchSpy days(schema::kSlotDay);
    enquire.add_matchspy(&days);
    enquire.get_mset(0, 0, db.get_doccount());
    std::map<std::string, Xapian::doccount> counts;
    for (auto it = days.values_begin(); it != days.values_end(); ++it) counts[*it] = it.get_termfreq();
    CHECK(counts == std::map<std::string, Xapian::doccount>{{"20240502", 2}, {"20240503", 1}});
    for (Xapian::docid did = 1; did <= db.get_lastdocid(); ++did) {
        const Xapian::Document doc = db.get_document(did);
        CHECK(doc.get_value(schema::kSlotDay) == doc.get_value(schema::kSlotDate).substr(0, 8));
    }
}

// Two indexes built apart each train their own dictionary. Their records, searched as one
// database (Xapian reads metadata from the first only), decode once the dictionaries of
// both folders are loaded: ids derived from the content never name another index's
// dictionary. With numbered ids (schema 5) both would have been dictionary 1.
TEST_CASE("stored data: dictionaries of indexes built apart have distinct ids, and every record decodes",
          "[stored][schema]") {
    TempDir tmp;
    auto build = [&](const fs::path& db, std::size_t first) {
        Writer w(db.string());
        for (std::size_t n = first; n < first + 1100; ++n) {
            Article a;
            a.id = "art-" + std::to_string(n);
            a.title = "Titre " + std::to_string(n);
            a.date = "2024-03-" + std::to_string(10 + n % 18);
            // Enough text to train a dictionary (256 KB), different in the two indexes.
            for (std::size_t k = 0; k < 6; ++k)
                a.body += std::string(first ? "Les pompiers sont intervenus dans la nuit pour maîtriser l'incendie. "
                                            : "Le gouvernement a présenté mardi son projet de loi sur l'énergie. ") +
                          "Dépêche numéro " + std::to_string(n * 31 + k) + ". " +
                          (n % 2 ? "La Commission européenne doit rendre son avis. "
                                 : "Le match s'est terminé sur un score nul. ");
            w.add(a);
        }
        w.commit();
    };
    build(tmp.path / "one", 0);
    build(tmp.path / "two", 100000);
    Xapian::Database one((tmp.path / "one").string()), two((tmp.path / "two").string());
    const std::string id1 = one.get_metadata(schema::kMetaDictCurrent),
                      id2 = two.get_metadata(schema::kMetaDictCurrent);
    REQUIRE(!id1.empty());
    REQUIRE(!id2.empty());
    CHECK(id1 != id2);
    CHECK(std::to_string(StoredCodec::dictionary_id(one.get_metadata(schema::kMetaDictPrefix + id1))) == id1);

    Xapian::Database both(one);
    both.add_database(two);
    REQUIRE(both.get_doccount() == 2200);
    StoredCodec first_only, all;
    first_only.load(both);  // the first database's metadata only
    all.load(one);
    all.load(two);
    std::size_t decoded = 0, decoded_first_only = 0;
    for (auto it = both.postlist_begin(""); it != both.postlist_end(""); ++it) {
        const std::string data = both.get_document(*it).get_data();
        decoded += decode_stored(data, true, &all).has_value();
        decoded_first_only += decode_stored(data, true, &first_only).has_value();
    }
    CHECK(decoded == 2200);
    // Without the second folder's dictionary, exactly its records that use one fail (the
    // first 1,000 articles of an index filled by add() are compressed without one).
    std::size_t second_with_dict = 0;
    for (auto it = two.postlist_begin(""); it != two.postlist_end(""); ++it)
        second_with_dict += stored_dictionary(two.get_document(*it).get_data()) != 0;
    CHECK(second_with_dict == 100);
    CHECK(decoded_first_only == 2200 - second_with_dict);
}
