// The French text layer (schema/text.hpp) and everything that relies on it: the
// analyzer's terms, person keys, date extraction and the query parser must agree on
// every character the layer defines (ð, þ, œ, æ, ß, ø, ł, ’, ʼ, U+2010, U+2011, NBSP,
// U+202F). And the analyzer fingerprint: every component of it counts.
#include "indexer/dates.hpp"
#include "indexer/date_vocabulary.hpp"
#include "indexer/people.hpp"
#include "schema/analyzer.hpp"
#include "schema/lexicon.hpp"
#include "schema/person_key.hpp"
#include "schema/schema.hpp"
#include "schema/story_rules.hpp"
#include "schema/text.hpp"
#include "searcher/query_parser.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

namespace fs = std::filesystem;
using namespace depeche;

namespace {

// Folded exact forms of the words of `s`, as the analyzer indexes them.
std::vector<std::string> exact_forms(std::string_view s) {
    Analyzer a;
    std::vector<std::string> out;
    for (const Token& t : a.tokens(s)) out.push_back(t.exact);
    return out;
}

std::string query_description(std::string_view q) {
    Analyzer a;
    QueryParser p(a, nullptr);
    return p.parse(q).query.get_description();
}

struct Case {
    const char* written;  // a name or word using the character
    const char* folded;   // what every consumer must make of it
};

// One row per character of the layer: the letters fold the same everywhere.
const Case kLetters[] = {
    {"Guðni", "gudni"},     // ð
    {"Þórir", "thorir"},    // þ
    {"Œdipe", "oedipe"},    // Œ
    {"cœur", "coeur"},      // œ
    {"Æsir", "aesir"},      // Æ
    {"Cæsar", "caesar"},    // æ
    {"Straße", "strasse"},  // ß
    {"Søren", "soren"},     // ø
    {"Øster", "oster"},     // Ø
    {"Łódź", "lodz"},       // Ł
    {"Wałęsa", "walesa"},   // ł
    {"Jóhannesson", "johannesson"},
};

}  // namespace

TEST_CASE("text layer: UTF-8 decoding, one decoder", "[text]") {
    std::size_t i = 0;
    CHECK(text::decode("é", i) == U'é');
    CHECK(i == 2);
    for (std::string_view bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xFF"}) {
        i = 0;
        CHECK(text::decode(bad, i) == text::kReplacement);
        CHECK(i == 1);  // one byte at a time
    }
    CHECK(text::invalid_utf8_at("abc") == std::string_view::npos);
    CHECK(text::invalid_utf8_at("ab\xC3") == 2);
    CHECK(text::invalid_utf8_at("\xEF\xBF\xBD") == std::string_view::npos);  // a real U+FFFD
    CHECK(text::sanitize_utf8("a\xFF"
                              "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(text::char_start("aé", 2) == 1);  // inside "é"
    CHECK(text::char_start("aé", 1) == 1);
    CHECK(text::char_start("aé", 3) == 3);  // the end
    CHECK(text::char_start("a€", 3) == 1);
}

TEST_CASE("text layer: character classes and elisions", "[text]") {
    for (char32_t c : {U'\'', U'\u2019', U'\u02BC', U'\u2018'}) CHECK(text::is_apostrophe(c));
    for (char32_t c : {U'-', U'\u2010', U'\u2011'}) CHECK(text::is_hyphen(c));
    CHECK_FALSE(text::is_hyphen(U'\u2013'));  // an en dash is a dash, not a hyphen
    for (char32_t c : {U' ', U'\u00A0', U'\u202F', U'\u2009', U'\n'}) CHECK(text::is_space(c));
    CHECK_FALSE(text::is_space(U'a'));
    for (const char* e : {"l", "d", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}) CHECK(text::is_elision(e));
    CHECK_FALSE(text::is_elision("aujourd"));
    CHECK_FALSE(text::is_elision("presqu"));  // "presqu'île" is one word
}

TEST_CASE("text layer: folding table", "[text]") {
    for (const Case& c : kLetters) CHECK(text::fold(c.written) == c.folded);
    CHECK(text::fold("ÉLYSÉE") == "elysee");
    CHECK(text::fold("l’Ukraine") == "l'ukraine");
    CHECK(text::fold("lʼUkraine") == "l'ukraine");
    CHECK(text::fold("Jean\u2010Yves") == "jean-yves");
    CHECK(text::fold("Jean\u2011Yves") == "jean-yves");
    CHECK(text::fold("a\u00A0b\u202Fc") == "a b c");
    CHECK(text::fold("ﬁn") == "fin");     // ligature, by case folding
    CHECK(text::fold("e\u0301") == "e");  // a combining accent alone
    CHECK(text::fold_case("Élysée Straße") == "élysée strasse");
}

TEST_CASE("text layer: analyzer, person keys and queries agree on letters", "[text]") {
    for (const Case& c : kLetters) {
        INFO(c.written);
        CHECK(exact_forms(c.written) == std::vector<std::string>{c.folded});
        CHECK(person_key(c.written) == c.folded);
        CHECK(query_description(c.written) == query_description(c.folded));
        CHECK(query_description(std::string("personne:\"") + c.written + "\"") ==
              query_description(std::string("personne:") + c.folded));
    }
    CHECK(person_key("Guðni Jóhannesson") == "gudni johannesson");
    CHECK(person_key("GUÐNI JÓHANNESSON") == person_key("Gudni Johannesson"));
}

TEST_CASE("text layer: apostrophes, hyphens and spaces agree everywhere", "[text]") {
    // Apostrophes: an elision goes, whichever apostrophe is typed.
    for (const char* s : {"l'Ukraine", "l’Ukraine", "lʼUkraine", "l‘Ukraine"}) {
        INFO(s);
        CHECK(exact_forms(s) == std::vector<std::string>{"ukraine"});
        CHECK(query_description(s) == query_description("ukraine"));
    }
    CHECK(person_key("Jean d’Ormesson") == "jean d'ormesson");
    CHECK(person_key("Jean dʼOrmesson") == "jean d'ormesson");
    CHECK(person_key("Jean d'Ormesson") == "jean d'ormesson");
    // Hyphens: the parts of a compound name are words joined by the hyphen.
    for (const char* s : {"Jean-Yves", "Jean\u2010Yves", "Jean\u2011Yves"}) {
        INFO(s);
        Analyzer a;
        std::vector<Token> t = a.tokens(s);
        REQUIRE(t.size() == 2);
        CHECK(t[0].exact == "jean");
        CHECK(t[1].exact == "yves");
        CHECK(t[1].joined);
        CHECK(person_key(std::string(s) + " Le Drian") == "jean-yves le drian");
        CHECK(query_description(s) == query_description("Jean-Yves"));
    }
    // Spaces: NBSP and U+202F separate words like a space.
    for (const char* s : {"Guðni\u00A0Jóhannesson", "Guðni\u202FJóhannesson"}) {
        INFO(s);
        CHECK(exact_forms(s) == std::vector<std::string>{"gudni", "johannesson"});
        CHECK(person_key(s) == "gudni johannesson");
        CHECK(query_description(std::string("\"") + s + "\"") == query_description("\"gudni johannesson\""));
    }
    CHECK(person_key("M.\u00A0Dupont") == "dupont");
}

TEST_CASE("text layer: date extraction folds and separates like the layer", "[text][dates]") {
    const auto pub = parse_date("2016-06-26");
    REQUIRE(pub);
    // Spaces of every kind between the parts of a date.
    for (const char* s :
         {"le 1er août 2016", "le 1er\u00A0août\u00A02016", "le 1er\u202Faoût\u202F2016", "le 1ᵉʳ AOÛT 2016"}) {
        INFO(s);
        const auto d = extract_dates(s, pub);
        REQUIRE(d.size() == 1);
        CHECK(iso_string(d[0]) == "2016-08-01");
    }
    // Apostrophes: "l'an dernier" whichever apostrophe.
    for (const char* s : {"l'an dernier", "l’an dernier", "lʼan dernier"}) {
        INFO(s);
        const auto d = extract_dates(s, pub);
        REQUIRE(d.size() == 1);
        CHECK(iso_string(d[0]) == "2015");
    }
    // Hyphens: "mi-mars" whichever hyphen.
    for (const char* s : {"à la mi-mars", "à la mi\u2010mars", "à la mi\u2011mars"}) {
        INFO(s);
        const auto d = extract_dates(s, pub);
        REQUIRE(d.size() == 1);
        CHECK(iso_string(d[0]) == "2016-03");
    }
    // Letters the layer folds stay word letters: a name glued to a number is no date.
    for (const Case& c : kLetters) {
        INFO(c.written);
        CHECK(extract_dates(std::string(c.written) + "2016", pub).empty());
        CHECK(extract_dates(std::string(c.written) + " en 2014", pub).size() == 1);
    }
}

TEST_CASE("text layer: the date vocabulary is data, checked when read", "[text][dates]") {
    const dates::Vocabulary& v = dates::vocabulary();
    REQUIRE(v.find("aout"));
    CHECK(v.find("aout")->month == 8);
    CHECK(v.find("march")->en_month == 3);
    CHECK(v.find("mar")->wday == 1);
    CHECK(v.find("mar")->wday_abbr);
    CHECK(v.find("cest")->zone == 120);
    CHECK(v.find("dernier")->word == dates::W_DERNIER);
    CHECK(v.find("sera")->tense == 1);
    const dates::Vocabulary mine = dates::parse_vocabulary("month 3 mars | mrs\nunit kg\n");
    CHECK(mine.find("mrs")->month_abbr);
    CHECK(mine.find("kg")->unit);
    CHECK_THROWS_WITH(dates::parse_vocabulary("month 13 smarch\n"),
                      Catch::Contains("entry 1") && Catch::Contains("out of range"));
    CHECK_THROWS_WITH(dates::parse_vocabulary("unit kg\ncue nope word\n"), Catch::Contains("entry 2"));
    CHECK_THROWS(dates::parse_vocabulary("unit abcdefghijklmnopq\n"));
    CHECK_THROWS(dates::parse_vocabulary("smurf 1 a\n"));
}

TEST_CASE("text layer: honorifics are one list", "[text][people]") {
    // Every form of honorifics.txt is dropped from the front of a person key, including
    // the ones the old hard-coded list missed.
    std::size_t forms = 0;
    lexicon::for_each_line(lexicon::embedded("honorifics.txt"), [&](std::string_view line) {
        const std::string form(line.substr(0, line.find_first_of(" \t")));
        INFO(form);
        CHECK(person_key(form + " Dupont") == "dupont");
        ++forms;
    });
    CHECK(forms >= 40);
    for (const char* f : {"Messrs", "Pre", "Mgrs", "Mesdemoiselles", "Docteurs", "Maîtres"})
        CHECK(person_key(std::string(f) + " Dupont") == "dupont");
    CHECK(person_key("Dupont") == "dupont");
    CHECK(person_key("Madame") == "madame");  // alone, an honorific stays
}

TEST_CASE("text layer: the fingerprint covers every component", "[text][analyzer]") {
    const auto components = Analyzer::fingerprint_components();
    const std::string label = Analyzer::fingerprint_label();
    CHECK(label.rfind("french-10 snowball-french unicode-", 0) == 0);
    CHECK(Analyzer::fingerprint() == Analyzer::fingerprint_of(label, components));
    CHECK(Analyzer::fingerprint().rfind(label + " rules-", 0) == 0);

    std::set<std::string> names;
    for (const auto& c : components) names.insert(c.name);
    for (const char* n :
         {"analyzer", "stopwords", "titles", "text", "person-key", "people", "dates", "stories", "schema"})
        CHECK(names.count(n) == 1);
    // The components are the real data: the schema contract, the text layer's rules, and
    // every lexicon file of the source tree, byte for byte.
    auto data_of = [&](const std::string& name) {
        for (const auto& c : components)
            if (c.name == name) return c.data;
        FAIL("no component " << name);
        return std::string();
    };
    CHECK(data_of("schema") == schema::describe(false));
    // Optional metadata keys (added within a schema version) stay out of it.
    for (const schema::MetaKey& k : schema::kMetaKeys)
        CHECK((data_of("schema").find("meta " + std::string(k.key) + (k.is_prefix ? "*" : "") + "\n") ==
               std::string::npos) == k.optional);
    CHECK(data_of("stories") == schema::story_rules::describe());
    CHECK(data_of("stories").find("jaccard=0.5") != std::string::npos);
    CHECK(data_of("text") == text::rules());
    CHECK(data_of("text").find("ð=d") != std::string::npos);
    CHECK(data_of("person-key").find(" maitres") != std::string::npos);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(fs::path(DEPECHE_SOURCE_DIR) / "indexer/lexicon")) {
        if (e.path().extension() != ".txt") continue;
        ++files;
        INFO(e.path());
        CHECK(data_of("lexicon " + e.path().filename().string()) == test::read_file(e.path()));
    }
    CHECK(files >= 10);

    // Changing any one component, by one byte, changes the fingerprint; so does moving a
    // byte from one component to the next.
    const std::string base = Analyzer::fingerprint_of(label, components);
    std::set<std::string> seen{base};
    for (std::size_t k = 0; k < components.size(); ++k) {
        INFO(components[k].name);
        auto changed = components;
        changed[k].data += "x";
        CHECK(seen.insert(Analyzer::fingerprint_of(label, changed)).second);
        changed = components;
        changed[k].name += "x";
        CHECK(seen.insert(Analyzer::fingerprint_of(label, changed)).second);
    }
    auto shifted = components;
    REQUIRE(shifted[0].data.size() > 1);
    shifted[1].data.insert(0, 1, shifted[0].data.back());
    shifted[0].data.pop_back();
    CHECK(Analyzer::fingerprint_of(label, shifted) != base);
    auto fewer = components;
    fewer.pop_back();
    CHECK(Analyzer::fingerprint_of(label, fewer) != base);
}

TEST_CASE("text layer: personne:\"Gudni Johannesson\" finds Guðni Jóhannesson", "[text][people][cli]") {
    test::TempDir tmp;
    const std::string db = (tmp.path / "db").string();
    const fs::path fixture = fs::path(DEPECHE_SOURCE_DIR) / "tests/text_fixtures/islande-gudni.txt";
    REQUIRE(fs::exists(fixture));
    Writer(db).index_paths({fixture.string()});
    Searcher s(db);
    auto count = [&](const std::string& q) {
        SearchRequest r;
        r.query = q;
        r.snippet.length = 0;
        return s.search(r).total;
    };
    const std::pair<const char*, std::size_t> expected[] = {
        {"Gudni", 1},
        {"Guðni", 1},
        {"personne:\"Gudni Johannesson\"", 1},
        {"personne:\"Guðni Jóhannesson\"", 1},
        {"personne:\"GUÐNI JÓHANNESSON\"", 1},
        {"personne:Johannesson", 1},
        {"personne:\"Gudni Johansson\"", 0},
    };
    for (const auto& [query, hits] : expected) {
        INFO(query);
        CHECK(count(query) == hits);
    }
    // The programs agree with the library.
    const auto r = test::run(std::string(DEPECHE_SEARCH_BIN) + " --db " + test::shell_quote(db) + " --format json " +
                             test::shell_quote("personne:\"Gudni Johannesson\""));
    CHECK(r.status == 0);
    CHECK(r.out.find("Guðni Jóhannesson") != std::string::npos);
}
