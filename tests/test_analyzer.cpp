// The French analyzer, stage by stage: text in, terms with positions out.
#include "schema/analyzer.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>

using depeche::Analyzer;
using depeche::Token;

namespace {

// "pos:exact" for each token, stems after '/', joined by spaces; '+' marks a token joined
// to the previous one by a hyphen, '!' a stopword.
std::string terms(Analyzer& a, const std::string& text, bool with_stems = false) {
    std::string out;
    for (const Token& t : a.tokens(text)) {
        if (!out.empty()) out += ' ';
        out += std::to_string(t.pos) + ":" + (t.joined ? "+" : "") + t.exact;
        if (t.stop) out += "!";
        if (with_stems && !t.stem.empty()) out += "/" + t.stem;
    }
    return out;
}

}  // namespace

TEST_CASE("analyzer: elisions are stripped, aujourd'hui stays one word", "[analyzer]") {
    Analyzer a;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"l'Ukraine", "0:ukraine"},
        {"L'Ukraine", "0:ukraine"},
        {"l’Ukraine", "0:ukraine"},  // U+2019
        {"lʼUkraine", "0:ukraine"},  // U+02BC
        {"l‘Ukraine", "0:ukraine"},  // U+2018 between letters
        {"d'Emmanuel Macron", "0:emmanuel 1:macron"},
        {"j'ai m'a n'est s'est t'as c'est", "0:ai! 1:a! 2:est! 3:est! 4:as 5:est!"},
        {"qu'il jusqu'à lorsqu'elle puisqu'on quoiqu'il", "0:il! 1:a! 2:elle! 3:on! 4:il!"},
        {"aujourd'hui", "0:aujourd'hui"},
        {"d'aujourd'hui", "0:aujourd'hui"},
        {"aujourd’hui", "0:aujourd'hui"},
        {"prud'hommes quelqu'un", "0:prud'hommes 1:quelqu'un"},
        {"l' Ukraine", "0:ukraine"},  // pre-tokenised text
        {"état d'urgence", "0:etat 1:urgence"},
        {"L'ÉTAT D'URGENCE", "0:etat 1:urgence"},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(terms(a, text) == expected);
    }
}

TEST_CASE("analyzer: normalisation, case, accents and ligatures", "[analyzer]") {
    Analyzer a;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"E\xcc\x81lyse\xcc\x81\x65", "0:elysee"},  // NFD input
        {"Élysée", "0:elysee"},
        {"ÉLYSÉE", "0:elysee"},
        {"œuvre Œuvre oeuvre", "0:oeuvre 1:oeuvre 2:oeuvre"},
        {"ex æquo", "0:ex 1:aequo"},
        {"Straße", "0:strasse"},
        {"Noël naïf ça", "0:noel 1:naif 2:ca!"},
        {"Łódź", "0:lodz"},
        {"2 500 km, 14h30, 3,5 %", "0:2 1:500 2:km 3:14h30 4:3,5"},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(terms(a, text) == expected);
    }
}

TEST_CASE("analyzer: hyphenated words are kept as joined parts", "[analyzer]") {
    Analyzer a;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"tête-à-tête", "0:tete 1:+a! 2:+tete"},   {"Jean-Yves Le Drian", "0:jean 1:+yves 2:le! 3:drian"},
        {"vice-président", "0:vice 1:+president"}, {"Notre-Dame", "0:notre! 1:+dame"},
        {"a-t-il", "0:a! 1:+t! 2:+il!"},           {"États-Unis", "0:etats 1:+unis"},
        {"c'est-à-dire", "0:est! 1:+a! 2:+dire"},  {"Paris - Lyon", "0:paris 1:lyon"},  // a spaced dash joins nothing
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(terms(a, text) == expected);
    }
}

TEST_CASE("analyzer: glued sentences are split at '.' and ':'", "[analyzer]") {
    Analyzer a;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"l'Union européenne.Cette semaine", "0:union 1:europeenne 3:cette! 4:semaine"},
        {"jeudi.Le gouvernement", "0:jeudi 2:le! 3:gouvernement"},
        {"a déclaré:l'accord", "0:a! 1:declare 3:accord"},
        {"fr.wikinews.org", "0:fr 2:wikinews 4:org"},
        {"Emmanuel. Macron", "0:emmanuel 2:macron"},
        {"Quoi ? Rien !", "0:quoi 2:rien"},
        {"3.5 et 1.000", "0:3.5 1:et! 2:1.000"},
        {"M.Macron", "0:m! 1:macron"},  // a title: see below
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(terms(a, text) == expected);
    }
}

TEST_CASE("analyzer: a period after an initial or a title ends no sentence", "[analyzer]") {
    Analyzer a;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"George W. Bush", "0:george 1:w 2:bush"},
        {"George W Bush", "0:george 1:w 2:bush"},
        {"John F. Kennedy", "0:john 1:f 2:kennedy"},
        {"J.D. Vance", "0:j! 1:d! 2:vance"},
        {"George H. W. Bush", "0:george 1:h 2:w 3:bush"},
        {"selon M. Cocq", "0:selon 1:m! 2:cocq"},
        {"Mme. Borne et MM. Dupont", "0:mme 1:borne 2:et! 3:mm 4:dupont"},
        {"le Dr. Martin, Mgr. Aupetit", "0:le! 1:dr 2:martin 3:mgr 4:aupetit"},
        {"Émile É. Zola", "0:emile 1:e 2:zola"},
        // Still sentence ends: a lower-case letter or word, other punctuation, a
        // capitalised word of two letters or more that is no title.
        {"le plan b. Ensuite", "0:le! 1:plan 2:b 4:ensuite"},
        {"George W! Bush", "0:george 1:w 3:bush"},
        {"George W: Bush", "0:george 1:w 3:bush"},
        {"à Paris. Macron", "0:a! 1:paris 3:macron"},
        {"il me. Macron", "0:il! 1:me! 3:macron"},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(terms(a, text) == expected);
    }
}

TEST_CASE("analyzer: stems come from the accented word, then are folded", "[analyzer]") {
    Analyzer a;
    CHECK(terms(a, "Élections élection elections", true) == "0:elections/elect 1:election/elect 2:elections/elect");
    CHECK(terms(a, "présidents président", true) == "0:presidents/president 1:president/president");
    // Stemming after folding would put "abandonnée" in another class than "abandonner".
    CHECK(a.snowball("abandonnée") == "abandon");
    CHECK(a.snowball("abandonnee") == "abandonne");
    auto t = a.tokens("abandonnée");
    REQUIRE(t.size() == 1);
    CHECK(t[0].stem == "abandon");
    CHECK(t[0].alt_stem == "abandonne");  // what the unaccented spelling stems to
    CHECK(a.tokens("abandonnee")[0].stem == "abandonne");
    CHECK(a.tokens("abandonnee")[0].alt_stem.empty());
}

TEST_CASE("analyzer: offsets point into the normalised text", "[analyzer]") {
    Analyzer a;
    std::string n = a.normalize("Selon l’Élysée, M. Macron");
    std::vector<Token> t;
    a.analyze(n, t);
    REQUIRE(t.size() == 4);
    CHECK(n.substr(t[1].begin, t[1].end - t[1].begin) == "Élysée");
    CHECK(n.substr(t[3].begin, t[3].end - t[3].begin) == "Macron");
    // Invalid UTF-8 never breaks analysis.
    CHECK(terms(a, std::string("caf\xc3") + " cr\xff\xfe" + "me") == "0:caf 1:cr 2:me!");
    CHECK(a.tokens("").empty());
    CHECK(a.tokens("  ,;. ").empty());
}

TEST_CASE("analyzer: fingerprint is stable and names the analyzer", "[analyzer]") {
    CHECK(Analyzer::fingerprint() == Analyzer::fingerprint());
    CHECK(Analyzer::fingerprint().rfind("french-", 0) == 0);
}

// Snowball French, checked over its whole published vocabulary (Debian's snowball-data).
TEST_CASE("analyzer: Snowball French vocabulary gives the published stems", "[analyzer][snowball]") {
    std::ifstream voc("/usr/share/snowball/data/french/voc.txt");
    std::ifstream out("/usr/share/snowball/data/french/output.txt");
    REQUIRE(voc.good());  // installed by scripts/install-deps.sh (snowball-data)
    REQUIRE(out.good());
    Analyzer a;
    std::string word, stem;
    std::size_t n = 0, wrong = 0;
    while (std::getline(voc, word) && std::getline(out, stem)) {
        ++n;
        if (a.snowball(word) != stem) {
            if (++wrong <= 5) WARN(word << " -> " << a.snowball(word) << ", expected " << stem);
        }
    }
    CHECK(n == 20805);
    CHECK(wrong == 0);
}

// Accented and unaccented spellings must reach each other: for every vocabulary word,
// the folded query form either stems to the same class, or the index records the
// spelling (alt_stem) so the synonym table can bridge it.
TEST_CASE("analyzer: every vocabulary word bridges its unaccented spelling", "[analyzer][snowball]") {
    std::ifstream voc("/usr/share/snowball/data/french/voc.txt");
    REQUIRE(voc.good());
    Analyzer a;
    std::string word;
    std::size_t accented = 0, differ = 0;
    while (std::getline(voc, word)) {
        auto t = a.tokens(word);
        if (t.size() != 1 || t[0].stop || t[0].stem.empty()) continue;
        if (t[0].exact == word) continue;  // no accent
        ++accented;
        auto plain = a.tokens(t[0].exact);
        REQUIRE(plain.size() == 1);
        if (plain[0].stem != t[0].stem) {
            ++differ;
            INFO(word);
            CHECK(t[0].alt_stem == plain[0].stem);
        }
    }
    // About 29% of the vocabulary changes class when folded before stemming; here we
    // count among accented words, where the effect lives.
    CHECK(accented > 3000);
    CHECK(differ > 1000);
}
