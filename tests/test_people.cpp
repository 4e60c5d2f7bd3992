// Tests for depeche::PeopleExtractor and depeche::person_key (indexer/people.hpp).
// Golden sentences: input text next to the exact expected list of people, in order.
#include "indexer/people.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef DEPECHE_SOURCE_DIR
#define DEPECHE_SOURCE_DIR "."
#endif
#ifndef DEPECHE_SHARED_DIR
#define DEPECHE_SHARED_DIR "../shared"
#endif

using depeche::PeopleExtractor;
using depeche::person_key;
using People = std::vector<std::string>;

namespace {

const std::string kLexicon = std::string(DEPECHE_SOURCE_DIR) + "/indexer/lexicon";

// Loaded once: construction reads the lexicons and the hunspell dictionary.
const PeopleExtractor& extractor() {
    static const PeopleExtractor ex(kLexicon);
    return ex;
}

People people(const std::string& text) { return extractor().extract("", text); }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Golden {
    const char* text;
    People expected;
};

void check_all(const std::vector<Golden>& cases) {
    for (const auto& c : cases) {
        INFO("text: " << c.text);
        CHECK(people(c.text) == c.expected);
    }
}

}  // namespace

TEST_CASE("person_key folds case, accents, dots and honorifics", "[people]") {
    CHECK(person_key("Donald Trump") == "donald trump");
    CHECK(person_key("Édouard Philippe") == "edouard philippe");
    CHECK(person_key("  Jean-Yves   Le Drian ") == "jean-yves le drian");
    CHECK(person_key("JEAN-LUC MÉLENCHON") == "jean-luc melenchon");
    CHECK(person_key("Œdipe Cœur") == "oedipe coeur");
    CHECK(person_key("J.D. Vance") == "jd vance");
    CHECK(person_key("Valéry Giscard d’Estaing") == "valery giscard d'estaing");
    CHECK(person_key("M. Dupont") == "dupont");
    CHECK(person_key("Mme Borne") == "borne");
    CHECK(person_key("Madame Borne") == "borne");
    CHECK(person_key("Dr Martin") == "martin");
    CHECK(person_key("M.") == "m");  // an honorific alone is not removed
    CHECK(person_key("") == "");
    CHECK(person_key("Lech Wałęsa") == "lech walesa");
}

TEST_CASE("acceptance: the Trump-Poutine call article", "[people][shared]") {
    const std::string path = std::string(DEPECHE_SHARED_DIR) + "/corpus/seed/trump-poutine-appel.txt";
    std::string text = read_file(path);
    if (text.empty()) {
        WARN("skipped: " << path << " not found (shared data missing)");
        std::cout << "SKIPPED acceptance test: " << path << " not found\n";
        return;
    }
    // No title line handling: the whole file is the body (its first line acts as the title).
    auto got = extractor().extract("", text);
    std::set<std::string> got_set(got.begin(), got.end());
    std::set<std::string> expected = {"Donald Trump", "Vladimir Poutine", "Volodymyr Zelensky", "Joe Biden",
                                      "JD Vance"};
    CHECK(got_set == expected);
    CHECK(got.size() == expected.size());
    // Order of first mention.
    CHECK(got == People{"Donald Trump", "Vladimir Poutine", "Volodymyr Zelensky", "Joe Biden", "JD Vance"});
    // Same result when the first line is passed as the title.
    auto nl = text.find('\n');
    auto split = extractor().extract(text.substr(0, nl), text.substr(nl + 1));
    CHECK(std::set<std::string>(split.begin(), split.end()) == expected);
}

TEST_CASE("honorifics", "[people]") {
    check_all({
        {"M. Dupont a été élu maire de la commune.", {"M. Dupont"}},
        {"Mme Borne a présenté sa réforme devant les députés.", {"Mme Borne"}},
        {"Mlle Martin et Me Durand sont arrivés ensemble.", {"Mlle Martin", "Me Durand"}},
        {"Madame Dupont et le docteur Martin ont témoigné.", {"Mme Dupont", "Dr Martin"}},
        {"Monsieur Lefebvre est le nouveau directeur.", {"M. Lefebvre"}},
        {"Mgr Aupetit a célébré la messe, le Pr Raoult était présent.", {"Mgr Aupetit", "Pr Raoult"}},
        {"Maître Dupond-Moretti a plaidé l'acquittement.", {"Me Dupond-Moretti"}},
        {"Le Dr Jean Dupuis a été interrogé.", {"Jean Dupuis"}},
        {"M. de Villepin a pris la parole.", {"M. de Villepin"}},
        {"MM. Macron et Scholz se sont entretenus à Berlin.", {"M. Macron", "M. Scholz"}},
        {"MM. Dupont, Durand et Martin ont signé.", {"M. Dupont", "M. Durand", "M. Martin"}},
        {"Mmes Dupont et Durand ont signé.", {"Mme Dupont", "Mme Durand"}},
        // The honorific form is kept only when no full name appears in the article.
        {"Jean Dupont a été élu. M. Dupont a remercié ses électeurs.", {"Jean Dupont"}},
        {"M. Dupont a remercié ses électeurs. Jean Dupont avait été élu.", {"Jean Dupont"}},
    });
}

TEST_CASE("roles and demonyms", "[people]") {
    check_all({
        {"Le président Emmanuel Macron a reçu son homologue.", {"Emmanuel Macron"}},
        {"La ministre de la Culture Rachida Dati a inauguré le musée.", {"Rachida Dati"}},
        {"Le ministre de l'Intérieur Bernard Cazeneuve a réagi.", {"Bernard Cazeneuve"}},
        {"Le Premier ministre britannique Theresa May a démissionné.", {"Theresa May"}},
        {"Le vice-président JD Vance était présent.", {"JD Vance"}},
        {"Le président ukrainien Volodymyr Zelensky est attendu.", {"Volodymyr Zelensky"}},
        {"Le chancelier Scholz a répondu au président Poutine.", {"Scholz", "Poutine"}},
        {"Le pape François a célébré la messe.", {"François"}},
        {"Le secrétaire d'État Jean-Baptiste Lemoyne était à Paris.", {"Jean-Baptiste Lemoyne"}},
        {"Le Britannique Chris Froome a devancé l'Espagnol Alberto Contador.", {"Chris Froome", "Alberto Contador"}},
        {"L'ancien président Sarkozy a été condamné.", {"Sarkozy"}},
        {"l’ancien président Sarkozy a été condamné.", {"Sarkozy"}},
    });
}

TEST_CASE("names with particles, hyphens and elisions", "[people]") {
    check_all({
        {"Ursula von der Leyen préside la Commission européenne.", {"Ursula von der Leyen"}},
        {"Le général de Gaulle a lancé l'appel ; Charles de Gaulle est mort en 1970.", {"Charles de Gaulle"}},
        {"Jean-Luc Mélenchon a critiqué la réforme.", {"Jean-Luc Mélenchon"}},
        {"Marie-Claire Dupuis et Jean-Yves Le Drian sont arrivés.", {"Marie-Claire Dupuis", "Jean-Yves Le Drian"}},
        {"Jean-Yves Le Drian s'est rendu à Kiev. M. Le Drian a rencontré son homologue.", {"Jean-Yves Le Drian"}},
        {"M. Le Drian a rencontré son homologue. Jean-Yves Le Drian est rentré.", {"Jean-Yves Le Drian"}},
        {"La visite d'Emmanuel Macron est prévue.", {"Emmanuel Macron"}},
        {"La visite d’Emmanuel Macron est prévue.", {"Emmanuel Macron"}},
        {"Valéry Giscard d'Estaing est né à Coblence.", {"Valéry Giscard d'Estaing"}},
        {"Bachar al-Assad a rencontré Vladimir Poutine. Assad a remercié la Russie.",
         {"Bachar al-Assad", "Vladimir Poutine"}},
        {"L'entraîneur Didier Deschamps a retenu N'Golo Kanté.", {"Didier Deschamps", "N'Golo Kanté"}},
        {"Le tableau de Vincent van Gogh a été vendu.", {"Vincent van Gogh"}},
        {"Mohammed ben Salmane est arrivé à Paris.", {"Mohammed ben Salmane"}},
        {"Le pape Jean-Paul II et Benoît XVI sont cités.", {"Jean-Paul II", "Benoît XVI"}},
        {"Kim Jong-un a rencontré Moon Jae-in.", {"Kim Jong-un", "Moon Jae-in"}},
    });
}

TEST_CASE("lists and short mentions resolve to full names", "[people]") {
    check_all({
        {"Nicolas Sarkozy, François Hollande et Emmanuel Macron étaient présents.",
         {"Nicolas Sarkozy", "François Hollande", "Emmanuel Macron"}},
        {"Le président Emmanuel Macron a reçu MM. Trump et Scholz. Donald Trump et Olaf Scholz ont parlé.",
         {"Emmanuel Macron", "Donald Trump", "Olaf Scholz"}},
        {"Trump a appelé Poutine. Donald Trump et Vladimir Poutine se sont parlé.",
         {"Donald Trump", "Vladimir Poutine"}},
        {"Marine Le Pen a répondu. Jean-Marie Le Pen, son père, aussi. M. Le Pen a ensuite quitté la salle.",
         {"Marine Le Pen", "Jean-Marie Le Pen"}},
        {"François Fillon a démenti. Selon M. Fillon, rien n'était illégal.", {"François Fillon"}},
        // Longest full form wins.
        {"Vladimir Poutine a parlé. Vladimir Vladimirovitch Poutine est né en 1952.",
         {"Vladimir Vladimirovitch Poutine"}},
        {"EMMANUEL MACRON a parlé.", {"Emmanuel Macron"}},
    });
}

TEST_CASE("places, organisations and sentence-initial words are not people", "[people]") {
    check_all({
        {"La Maison Blanche et le Kremlin ont démenti.", {}},
        {"Truth Social a publié un message sur la plateforme.", {}},
        {"L'Alaska et l'Ukraine sont loin de la Russie.", {}},
        {"Selon l'Élysée, Matignon et Bercy travaillent avec l'Assemblée nationale et l'Union européenne.", {}},
        {"Les missiles Tomahawk ont été livrés. Confirmant l'information, Washington a réagi.", {}},
        {"Le Parti socialiste et Les Républicains ont présenté leurs candidats à Paris.", {}},
        {"Interrogé par France Inter, le porte-parole a répondu. Selon Le Monde, la décision est prise.", {}},
        {"Depuis lundi, la Banque centrale européenne et le Fonds monétaire international discutent.", {}},
        {"Mais Bruxelles et Berlin refusent. Pourtant Londres insiste.", {}},
        {"Le Conseil constitutionnel siège rue de Montpensier, près du Palais-Royal.", {}},
        {"La Coupe du monde de football aura lieu au Qatar, puis aux États-Unis.", {}},
        {"Airbus et Boeing se disputent le marché ; Google et Facebook aussi.", {}},
        {"L'aéroport Charles-de-Gaulle et la gare Saint-Lazare sont fermés.", {}},
        {"Le Front national et la France insoumise ont voté contre.", {}},
        {"Lundi, Paris. Mardi, Marseille.", {}},
        {"", {}},
    });
}

TEST_CASE("metadata people are always included and de-duplicated", "[people]") {
    const auto& ex = extractor();
    CHECK(ex.extract("Appel", "Donald Trump a parlé.", {"Jean Dupont"}) == People{"Jean Dupont", "Donald Trump"});
    CHECK(ex.extract("Appel", "Donald Trump a parlé.", {"Donald Trump"}) == People{"Donald Trump"});
    CHECK(ex.extract("Appel", "Donald Trump a parlé.", {"donald trump"}) == People{"donald trump"});
    // A short metadata name joins the full name found in the text.
    CHECK(ex.extract("Appel", "Donald Trump a parlé.", {"Trump"}) == People{"Donald Trump"});
    CHECK(ex.extract("", "", {"  ", ""}).empty());
    CHECK(ex.extract("", "", {"Zoé Leroy"}) == People{"Zoé Leroy"});
}

TEST_CASE("title and body are analysed together", "[people]") {
    const auto& ex = extractor();
    CHECK(ex.extract("Trump appelle Poutine", "Donald Trump a appelé Vladimir Poutine jeudi.") ==
          People{"Donald Trump", "Vladimir Poutine"});
    CHECK(ex.extract("Rencontre avec Jean Dupont", "Il est venu.") == People{"Jean Dupont"});
}

TEST_CASE("analyse reports mention offsets", "[people]") {
    const std::string text = "M. Trump a parlé. Donald Trump a ensuite appelé le président Poutine.";
    auto a = extractor().analyse(text);
    REQUIRE(a.people == People{"Donald Trump", "Poutine"});
    REQUIRE(a.mentions.size() == 3);
    CHECK(text.substr(a.mentions[0].begin, a.mentions[0].end - a.mentions[0].begin) == "Trump");
    CHECK(a.mentions[0].person == 0);
    CHECK(text.substr(a.mentions[1].begin, a.mentions[1].end - a.mentions[1].begin) == "Donald Trump");
    CHECK(text.substr(a.mentions[2].begin, a.mentions[2].end - a.mentions[2].begin) == "Poutine");
    CHECK(a.mentions[2].person == 1);
}

TEST_CASE("robust to odd input", "[people]") {
    const auto& ex = extractor();
    // Invalid UTF-8, control characters, lone punctuation, very long capitalised runs.
    std::string junk = "M. \xff\xfe Dupont \x01\x02 ' ’ -- MM. et , Mme";
    CHECK_NOTHROW(ex.extract("\xc3", junk));
    std::string caps;
    for (int i = 0; i < 2000; ++i) caps += "Abc ";
    CHECK_NOTHROW(ex.extract("", caps));
    CHECK(ex.extract("", "M.").empty());
    CHECK(ex.extract("", "Mme").empty());
    CHECK(ex.extract("", "MM. Dupont et").size() == 1);
    // Pseudo-random byte strings.
    unsigned seed = 12345;
    for (int r = 0; r < 200; ++r) {
        std::string s;
        for (int i = 0; i < 200; ++i) {
            seed = seed * 1103515245u + 12345u;
            const char alphabet[] =
                "Mm. Dupont-Le d'’ ,et\n\xc3\xa9\xe2\x80\x99"
                "ABCxyz";
            s.push_back(alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]);
        }
        CHECK_NOTHROW(ex.extract("", s));
    }
}

TEST_CASE("shared between threads", "[people]") {
    const auto& ex = extractor();
    const std::string text = "Le président Emmanuel Macron a reçu MM. Trump et Scholz. Donald Trump a parlé.";
    const People expected = ex.extract("", text);
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            int good = 0;
            for (int i = 0; i < 50; ++i) good += ex.extract("", text) == expected;
            ok[static_cast<std::size_t>(t)] = good;
        });
    for (auto& th : threads) th.join();
    for (int v : ok) CHECK(v == 50);
}

TEST_CASE("lexicon loading", "[people]") {
    CHECK_THROWS_AS(PeopleExtractor("/nonexistent/lexicon"), std::runtime_error);
    // Without hunspell the curated lists still find people.
    PeopleExtractor bare(kLexicon, "/nonexistent/fr_FR.dic");
    CHECK(bare.extract("", "Le président Emmanuel Macron a reçu Jean-Yves Le Drian.") ==
          People{"Emmanuel Macron", "Jean-Yves Le Drian"});
    auto sizes = extractor().lexicon_sizes();
    REQUIRE(sizes.size() == 7);
    CHECK(sizes[0] > 500);  // curated first names
}
