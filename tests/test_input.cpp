// Input: JSON field mapping (--map), web pages' JSON-LD and site names, TOML front matter,
// the exit status and warnings policy, failures remembered by the file state, progress
// within a large file.
#include "indexer/readers.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

using namespace depeche;
using depeche::test::run;
using depeche::test::RunResult;
using depeche::test::shell_quote;
using depeche::test::TempDir;
using depeche::test::write_file;
namespace fs = std::filesystem;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;

struct Read {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    bool has_issue(std::string_view fragment, long line = -1, int warning = -1) const {
        for (const ReadIssue& i : issues)
            if (i.message.find(fragment) != std::string::npos &&
                (line < 0 || i.line == static_cast<std::size_t>(line)) && (warning < 0 || i.warning == (warning == 1)))
                return true;
        return false;
    }
    std::string text() const {
        std::string out;
        for (const ReadIssue& i : issues) out += i.to_string() + "\n";
        return out;
    }
};

Read read_text(const TempDir& dir, const std::string& name, const std::string& content,
               const ReadOptions& options = {}) {
    const fs::path p = dir.path / name;
    std::ofstream(p, std::ios::binary) << content;
    Read r;
    read_file(
        p, [&](Article&& a) { r.articles.push_back(std::move(a)); }, r.issues, options);
    return r;
}

std::string index_cmd(const fs::path& db, const std::string& args) {
    return kIndex + " --quiet --db " + shell_quote(db.string()) + " " + args;
}

}  // namespace

// ---- News agencies' XML: NewsML-G2 and NITF ---------------------------------------------------------

TEST_CASE("input: NewsML-G2 items and NITF documents are articles (corpus/agencies)", "[input][xml]") {
    const fs::path agencies = fs::path(DEPECHE_SOURCE_DIR) / "corpus" / "agencies";
    std::vector<Article> g2;
    std::vector<ReadIssue> issues;
    read_file(
        agencies / "2024-02-01-agriculteurs-blocages.xml", [&](Article&& a) { g2.push_back(std::move(a)); }, issues);
    INFO(issues.size());
    CHECK(issues.empty());
    REQUIRE(g2.size() == 2);
    CHECK(g2[0].id == "urn:newsml:depeche.example:20240201:agri-blocages-1");
    CHECK(g2[0].title == "Colère agricole : les barrages levés autour de Paris après les annonces du gouvernement");
    CHECK(g2[0].date == "2024-02-01T16:55:00+01:00");  // firstCreated, not versionCreated
    CHECK(g2[0].author == "Claire Vasseur, Julien Morel");
    CHECK(g2[0].source == "Agence Dépêche");
    CHECK(g2[0].people == std::vector<std::string>{"Gabriel Attal"});
    CHECK(g2[0].body.rfind("PARIS, 1er février 2024 (Agence Dépêche) - Les agriculteurs ont commencé jeudi soir", 0) ==
          0);
    CHECK(g2[0].body.find("Colère agricole\n") == std::string::npos);    // the XHTML head is not text
    CHECK(std::count(g2[0].body.begin(), g2[0].body.end(), '\n') == 4);  // three paragraphs
    CHECK(g2[0].line == 9);
    CHECK(g2[1].author == "Nadia Benali");  // creator literal
    CHECK(g2[1].source == "DEPECHE");       // the provider's qcode
    CHECK(g2[1].body.find("17 heures.\n\nLes grossistes") != std::string::npos);

    std::vector<Article> nitf;
    read_file(
        agencies / "2023-11-24-cop28-dubai.xml", [&](Article&& a) { nitf.push_back(std::move(a)); }, issues);
    CHECK(issues.empty());
    REQUIRE(nitf.size() == 1);
    const Article& a = nitf[0];
    CHECK(a.id == "DEPECHE-20231124-COP28-0007");
    CHECK(a.title == "COP28 : Paris plaide pour une sortie « ordonnée » des énergies fossiles");  // hl1
    CHECK(a.date == "2023-11-24T09:30:00+01:00");  // date.issue's norm, made ISO 8601
    CHECK(a.author == "Thomas Lemaire");
    CHECK(a.source == "Agence Dépêche");
    CHECK(a.people == std::vector<std::string>{"Agnès Pannier-Runacher"});
    CHECK(a.body.rfind("PARIS, 24 novembre 2023 (Agence Dépêche) - À quelques jours de l'ouverture", 0) == 0);
    CHECK(a.body.find("« difficiles jusqu'au dernier jour ».") != std::string::npos);  // inside <block>

    // The whole folder indexes without a remark.
    TempDir dir;
    RunResult r = run(index_cmd(dir.path / "db", shell_quote(agencies.string())));
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.rfind("indexed 3 articles from 2 files", 0) == 0);
}

TEST_CASE("input: NewsML-G2 and NITF: malformed, foreign and hostile XML", "[input][xml]") {
    TempDir dir;
    // Malformed: one issue naming the line.
    const Read broken = read_text(dir, "cassé.xml",
                                  "<?xml version=\"1.0\"?>\n<newsItem guid=\"a\">\n<contentMeta>\n"
                                  "<headline>Titre</headline>\n</newsItem>\n");
    CHECK(broken.articles.empty());
    REQUIRE(broken.issues.size() == 1);
    CHECK(broken.issues[0].message.rfind("malformed XML (", 0) == 0);
    CHECK(broken.issues[0].line == 5);
    CHECK(!broken.issues[0].warning);
    // Truncated.
    const Read cut =
        read_text(dir, "coupé.xml", "<nitf><head><title>Dépêche coupée</title></head><body><body.content><p>Le te");
    CHECK(cut.articles.empty());
    CHECK(cut.has_issue("malformed XML (", 1, 0));
    // An unknown root names itself.
    const Read other = read_text(dir, "autre.xml", "<catalogue><livre/></catalogue>");
    CHECK(other.has_issue("not an RSS or Atom feed, NewsML-G2 or NITF document (root element <catalogue>), skipped"));
    // A message without items, an item without headline or text.
    CHECK(read_text(dir, "vide.xml", "<newsMessage><header/></newsMessage>").has_issue("without newsItem"));
    CHECK(read_text(dir, "rien.xml", "<newsItem guid=\"x\"><contentMeta/></newsItem>")
              .has_issue("news item without headline or text, skipped", 1, 0));
    // Huge nesting: refused by libxml2's depth limit, no crash.
    std::string deep = "<nitf><body><body.content>";
    for (int i = 0; i < 100000; ++i) deep += "<block>";
    const Read nested = read_text(dir, "profond.xml", deep);
    CHECK(nested.articles.empty());
    CHECK(nested.has_issue("malformed XML ("));
    // Entity bomb and external entity: never expanded, never read.
    std::string lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [<!ENTITY a \"aaaaaaaaaa\">";
    for (char c = 'b'; c <= 'j'; ++c) {
        lol += std::string("<!ENTITY ") + c + " \"";
        for (int k = 0; k < 10; ++k) lol += std::string("&") + static_cast<char>(c - 1) + ";";
        lol += "\">";
    }
    lol +=
        "]>\n<nitf><body><body.head><hedline><hl1>Bombe &j;</hl1></hedline></body.head><body.content><p>x "
        "&j;</p></body.content></body></nitf>";
    const Read bomb = read_text(dir, "lol.xml", lol);
    for (const Article& a : bomb.articles) CHECK(a.title.size() + a.body.size() < 1000);
    const Read xxe =
        read_text(dir, "xxe.xml",
                  "<?xml version=\"1.0\"?>\n<!DOCTYPE newsItem [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n"
                  "<newsItem guid=\"x\"><contentMeta><headline>A &x; B</headline></contentMeta>"
                  "<contentSet><inlineData>Texte &x;</inlineData></contentSet></newsItem>");
    REQUIRE(xxe.articles.size() == 1);
    CHECK(xxe.articles[0].title == "A B");
    CHECK(xxe.articles[0].body == "Texte");
    // Wrong encoding: Latin-1 bytes declared as UTF-8 are refused by the parser; declared
    // as ISO-8859-1 they are read.
    const std::string latin1 =
        "<nitf><body><body.head><hedline><hl1>R\xe9"
        "forme</hl1></hedline></body.head>"
        "<body.content><p>\xc9t\xe9</p></body.content></body></nitf>";
    CHECK(read_text(dir, "mal.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + latin1)
              .has_issue("malformed XML (", -1, 0));
    const Read good = read_text(dir, "bon.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + latin1);
    REQUIRE(good.articles.size() == 1);
    CHECK(good.articles[0].title == "Réforme");
    CHECK(good.articles[0].body == "Été");
}

// ---- --map ------------------------------------------------------------------------------------

TEST_CASE("input: --map reads fields from other keys, dotted paths included", "[input][map]") {
    TempDir dir;
    ReadOptions options;
    REQUIRE(parse_field_map("title=titre_principal,body=contenu_html.texte,author=signataires.nom,date=meta.publie_le",
                            options.field_map) == "");
    const std::string line =
        R"({"ref": 7, "titre_principal": "Grève à la SNCF", "contenu_html": {"texte": "Les cheminots ont cessé le travail."},)"
        R"( "signataires": [{"nom": "Jeanne Martin"}, {"nom": "Paul Durand"}], "meta": {"publie_le": "2024-03-05"}})";
    const Read mapped = read_text(dir, "a.jsonl", line + "\n", options);
    INFO(mapped.text());
    REQUIRE(mapped.articles.size() == 1);
    CHECK(mapped.articles[0].title == "Grève à la SNCF");
    CHECK(mapped.articles[0].body == "Les cheminots ont cessé le travail.");
    CHECK(mapped.articles[0].author == "Jeanne Martin, Paul Durand");
    CHECK(mapped.articles[0].date == "2024-03-05");
    CHECK(mapped.issues.empty());

    // Without the mapping the same line has no title nor body; the message lists the keys
    // looked for, the mapped ones first when there is a mapping.
    const Read plain = read_text(dir, "b.jsonl", line + "\n");
    CHECK(plain.articles.empty());
    CHECK(plain.has_issue("title read from: title, titre, headline;", 1, 0));
    ReadOptions other;
    REQUIRE(parse_field_map("title=entete,body=corps_du_texte", other.field_map) == "");
    const Read still = read_text(dir, "c.jsonl", line + "\n", other);
    CHECK(still.has_issue("title read from: entete, title, titre, headline; body from: corps_du_texte, body,", 1, 0));

    // Front matter (YAML and TOML) reads the mapped plain keys too.
    ReadOptions front;
    REQUIRE(parse_field_map("title=headline,author=signature.nom,author=byline", front.field_map) == "");
    const Read yaml = read_text(dir, "y.md", "---\nheadline: Titre YAML\nbyline: Léa Petit\n---\nCorps.\n", front);
    REQUIRE(yaml.articles.size() == 1);
    CHECK(yaml.articles[0].title == "Titre YAML");
    CHECK(yaml.articles[0].author == "Léa Petit");
    const Read toml = read_text(dir, "t.md", "+++\nheadline = \"Titre TOML\"\n+++\nCorps.\n", front);
    REQUIRE(toml.articles.size() == 1);
    CHECK(toml.articles[0].title == "Titre TOML");
    CHECK(read_text(dir, "u.md", "+++\nheadline = \"Titre TOML\"\n+++\nCorps.\n").articles.at(0).title == "Corps.");

    // The mapped key comes before the usual ones.
    ReadOptions first;
    REQUIRE(parse_field_map("title=headline", first.field_map) == "");
    const Read r =
        read_text(dir, "d.json", R"({"title": "Rubrique", "headline": "Le vrai titre", "body": "x"})", first);
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].title == "Le vrai titre");
}

TEST_CASE("input: bad --map syntax is one line and exit status 2", "[input][map]") {
    std::vector<std::pair<std::string, std::string>> map;
    CHECK(parse_field_map("title", map).find("expected FIELD=KEY") != std::string::npos);
    CHECK(parse_field_map("titel=headline", map).find("unknown field 'titel'") != std::string::npos);
    CHECK(parse_field_map("title=", map).find("no key") != std::string::npos);
    CHECK(parse_field_map("author=author..name", map).find("bad key path") != std::string::npos);
    CHECK(parse_field_map("", map).find("empty mapping") != std::string::npos);
    CHECK(map.empty());

    TempDir dir;
    write_file(dir.path / "a.json", R"({"entete": "Titre", "texte": "Corps"})");
    RunResult bad = run(index_cmd(dir.path / "db", "--map title " + shell_quote((dir.path / "a.json").string())));
    CHECK(bad.status == 2);
    CHECK(bad.err == "depeche-index: --map title: expected FIELD=KEY, got 'title'\n");
    CHECK(!fs::exists(dir.path / "db"));

    // A mapping file: '#' comments, blank lines; an error names its line.
    write_file(dir.path / "map.txt", "# en-têtes de l'agence\n\ntitle = entete\nbody=texte\n");
    RunResult good = run(index_cmd(dir.path / "db", "--map-file " + shell_quote((dir.path / "map.txt").string()) + " " +
                                                        shell_quote((dir.path / "a.json").string())));
    INFO(good.err);
    CHECK(good.status == 0);
    CHECK(good.out.rfind("indexed 1 article from 1 file", 0) == 0);
    write_file(dir.path / "bad.txt", "title=entete\nsection: rubrique\n");
    RunResult bad_file = run(index_cmd(dir.path / "db2", "--map-file " + shell_quote((dir.path / "bad.txt").string()) +
                                                             " " + shell_quote((dir.path / "a.json").string())));
    CHECK(bad_file.status == 2);
    CHECK(bad_file.err == "depeche-index: --map-file " + (dir.path / "bad.txt").string() +
                              ":2: expected FIELD=KEY, got 'section: rubrique'\n");
}

// ---- Web pages: JSON-LD, then Open Graph, then the page; site names cut ---------------------------

TEST_CASE("input: a page's JSON-LD NewsArticle gives title, date and author first", "[input][html]") {
    TempDir dir;
    const Read r = read_text(dir, "page.html", R"(<!doctype html><html><head>
<title>Inondations dans le Gard : l'alerte rouge levée | Midi Info</title>
<meta property="og:title" content="Inondations : l'alerte levée">
<meta property="article:published_time" content="2024-10-18T09:00:00+02:00">
<meta name="author" content="La rédaction">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Midi Info", "url": "https://www.midi-info.fr/"},
  {"@type": ["NewsArticle"], "headline": "Inondations dans le Gard : l'alerte rouge levée",
   "datePublished": "2024-10-17T18:30:00+02:00", "dateModified": "2024-10-18T08:00:00+02:00",
   "author": [{"@type": "Person", "name": "Claire Vidal"}, {"@type": "Person", "name": "Marc Roux"}],
   "articleSection": "Société", "publisher": {"@type": "Organization", "name": "Midi Info"},
   "mainEntityOfPage": {"@id": "https://www.midi-info.fr/gard-alerte-levee"}}]}</script>
</head><body><article><h1>Inondations</h1><p>Météo-France a levé l'alerte rouge dans le Gard.</p></article></body></html>)");
    INFO(r.text());
    REQUIRE(r.articles.size() == 1);
    const Article& a = r.articles[0];
    CHECK(a.title == "Inondations dans le Gard : l'alerte rouge levée");
    CHECK(a.date == "2024-10-17T18:30:00+02:00");  // datePublished, not dateModified nor the meta
    CHECK(a.author == "Claire Vidal, Marc Roux");
    CHECK(a.url == "https://www.midi-info.fr/gard-alerte-levee");
    CHECK(a.source == "Midi Info");  // the publisher, without og:site_name
    CHECK(r.issues.empty());

    // A list at the top, and a ReportageNewsArticle; a plain string author.
    const Read list = read_text(dir, "list.html", R"(<html><head><title>x</title>
<script type="application/ld+json">[{"@type": "BreadcrumbList"}, {"@type": "ReportageNewsArticle",
 "headline": "Au cœur des vendanges", "author": "Luc Perrin", "datePublished": "2023-09-12"}]</script></head>
<body><p>Reportage dans le Bordelais.</p></body></html>)");
    REQUIRE(list.articles.size() == 1);
    CHECK(list.articles[0].title == "Au cœur des vendanges");
    CHECK(list.articles[0].author == "Luc Perrin");
    CHECK(list.articles[0].date == "2023-09-12");
}

TEST_CASE("input: malformed or too deep JSON-LD is ignored with a warning", "[input][html]") {
    TempDir dir;
    const Read bad = read_text(dir, "bad.html", R"(<html><head><title>Le titre de la page</title>
<meta property="og:title" content="Titre Open Graph">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Jamais lu",</script></head>
<body><p>Le texte.</p></body></html>)");
    INFO(bad.text());
    REQUIRE(bad.articles.size() == 1);
    CHECK(bad.articles[0].title == "Titre Open Graph");  // then Open Graph
    CHECK(bad.has_issue("warning: malformed JSON-LD, ignored", -1, 1));

    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const Read nested = read_text(dir, "deep.html",
                                  "<html><head><title>Profond</title><script type=\"application/ld+json\">" + deep +
                                      "</script></head><body><p>Texte.</p></body></html>");
    REQUIRE(nested.articles.size() == 1);
    CHECK(nested.articles[0].title == "Profond");
    CHECK(nested.has_issue("JSON-LD nested more than 64 deep, ignored", -1, 1));
}

TEST_CASE("input: site names are cut from titles, real title parts are kept", "[input][html]") {
    TempDir dir;
    auto title_of = [&](const std::string& head) {
        const Read r = read_text(dir, "t.html", "<html><head>" + head + "</head><body><p>Le texte.</p></body></html>");
        REQUIRE(r.articles.size() == 1);
        return r.articles[0].title;
    };
    // No og:site_name: a short name after a long title.
    CHECK(title_of("<title>Le conseil municipal vote le budget 2025 | Le Journal</title>") ==
          "Le conseil municipal vote le budget 2025");
    // The host of the canonical URL.
    CHECK(title_of("<title>Grève : trafic perturbé - LeParisien.fr</title>"
                   "<link rel=\"canonical\" href=\"https://www.leparisien.fr/greve\">") == "Grève : trafic perturbé");
    // The publisher's name in JSON-LD, or application-name; several suffixes.
    CHECK(title_of("<title>Retraites : le texte adopté - Politique | Le Quotidien du Nord-Est</title>"
                   "<meta name=\"application-name\" content=\"Le Quotidien du Nord-Est\">") ==
          "Retraites : le texte adopté - Politique");
    CHECK(title_of("<meta property=\"og:title\" content=\"Le pont rouvre — Gazette\">"
                   "<meta property=\"og:site_name\" content=\"Gazette\">") == "Le pont rouvre");
    // Kept: the part after the dash belongs to the title.
    CHECK(title_of("<title>Paris - Berlin : le train de nuit relancé</title>") ==
          "Paris - Berlin : le train de nuit relancé");
    CHECK(title_of("<title>Macron - Le retour</title>") == "Macron - Le retour");  // title too short to guess
    // A JSON-LD headline is cut only of a name the page gives.
    CHECK(title_of("<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"headline\": "
                   "\"Cinq questions sur la réforme des retraites - Décryptage\"}</script>") ==
          "Cinq questions sur la réforme des retraites - Décryptage");
    CHECK(title_of(
              "<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"headline\": "
              "\"Cinq questions sur la réforme - Le Journal\", \"publisher\": {\"name\": \"Le Journal\"}}</script>") ==
          "Cinq questions sur la réforme");
    CHECK(title_of("<title>Ligue 1 : Lens bat Lille au terme d'un match fou - 2-1</title>") ==
          "Ligue 1 : Lens bat Lille au terme d'un match fou - 2-1");
}

// ---- Markdown TOML front matter -------------------------------------------------------------------

TEST_CASE("input: Markdown with TOML front matter", "[input][md]") {
    TempDir dir;
    const Read r = read_text(dir, "billet.md", R"(+++
title = "Le marché de Noël ouvre ses portes"
date = 2024-11-29T10:00:00+01:00
authors = ["Anne Leroy", "Hugo Blanc"]
tags = ["Strasbourg", "fêtes"]
url = "https://blog.example/marche-noel"
draft = false

[params]
title = "Pas ce titre"
+++

Le marché de Noël de Strasbourg accueille ses premiers visiteurs.
)");
    INFO(r.text());
    REQUIRE(r.articles.size() == 1);
    const Article& a = r.articles[0];
    CHECK(a.title == "Le marché de Noël ouvre ses portes");
    CHECK(a.date == "2024-11-29T10:00:00+01:00");
    CHECK(a.author == "Anne Leroy, Hugo Blanc");
    CHECK(a.url == "https://blog.example/marche-noel");
    CHECK(a.body == "Le marché de Noël de Strasbourg accueille ses premiers visiteurs.");
    CHECK(r.issues.empty());

    // A malformed line is named (file line 3); the body is still indexed, the title
    // then taken from the text.
    const Read bad =
        read_text(dir, "bad.md", "+++\ntitle = \"Bon\"\ndate = 2024-13-45 oops\n+++\n\n# Titre du texte\n\nCorps.\n");
    INFO(bad.text());
    CHECK(bad.has_issue("malformed TOML front matter", 3, 0));
    REQUIRE(bad.articles.size() == 1);
    CHECK(bad.articles[0].title == "Titre du texte");

    // Hostile: arrays nested 100,000 deep, a string cut short, invalid UTF-8 (repaired
    // before parsing): one issue or a warning each, never a crash.
    const Read deep = read_text(dir, "profond.md", "+++\ntags = " + std::string(100000, '[') + "\n+++\nCorps.\n");
    CHECK(deep.has_issue("malformed TOML front matter", -1, 0));
    REQUIRE(deep.articles.size() == 1);
    const Read cut = read_text(dir, "coupé.md", "+++\ntitle = \"Sans fin\n+++\nCorps.\n");
    CHECK(cut.has_issue("malformed TOML front matter", 2, 0));
    const Read bytes = read_text(dir, "octets.md", "+++\ntitle = \"Caf\xe9 \xff\"\n+++\nCorps.\n");
    REQUIRE(bytes.articles.size() == 1);
    CHECK(bytes.articles[0].title.rfind("Caf", 0) == 0);

    const Read open = read_text(dir, "open.md", "+++\ntitle = \"Jamais fermé\"\n\nCorps du texte.\n");
    CHECK(open.has_issue("front matter not closed by '+++', read as text", -1, 1));
    REQUIRE(open.articles.size() == 1);
}

// ---- Exit status, warnings, failures remembered ---------------------------------------------------

TEST_CASE("input: warnings leave exit status 0, counted by kind; --verbose lists them", "[input][exit]") {
    TempDir dir;
    std::string lines;
    for (int i = 1; i <= 5; ++i)
        lines += nlohmann::json{{"id", std::to_string(i)}, {"title", "Sans corps " + std::to_string(i)}}.dump() + "\n";
    lines +=
        nlohmann::json{{"id", "6"}, {"title", "Daté"}, {"body", "Texte."}, {"date", "au petit matin"}}.dump() + "\n";
    write_file(dir.path / "in" / "a.jsonl", lines);
    RunResult r =
        run("(" + index_cmd(dir.path / "db", shell_quote((dir.path / "in").string())) + " && echo next-step)");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(
        r.out.find(
            "indexed 6 articles from 1 file (1 added, 0 updated, 0 unchanged, 0 removed, 0 failed); 6 warnings in ") ==
        0);
    CHECK(r.out.find("next-step\n") != std::string::npos);
    CHECK(r.err ==
          "depeche-index: 6 warnings (--verbose lists them): article has no body (5), cannot parse date (1)\n");

    RunResult v = run(index_cmd(dir.path / "db2", "--verbose " + shell_quote((dir.path / "in").string())));
    CHECK(v.status == 0);
    CHECK(std::count(v.err.begin(), v.err.end(), '\n') == 6);
    CHECK(v.err.find("a.jsonl:3: warning: article has no body, indexed by its title\n") != std::string::npos);
}

TEST_CASE("input: a file that failed is reported again until it changes or goes", "[input][exit]") {
    TempDir dir;
    const fs::path in = dir.path / "in";
    write_file(in / "ok.txt", "Titre: Bon\n\nUn article sans histoire.\n");
    write_file(in / "binaire.txt", std::string("\x00\x01\x02"
                                               "binary\xff\xfe\x00\x00\x00",
                                               14));
    write_file(in / "lignes.jsonl", "{\"id\": \"1\", \"title\": \"Un\", \"body\": \"x\"}\n{mauvais\n");
    const std::string cmd = index_cmd(dir.path / "db", shell_quote(in.string()));
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        RunResult r = run(cmd);
        INFO(r.err);
        CHECK(r.status == 1);
        CHECK(r.err.find((in / "binaire.txt").string() + ": ") != std::string::npos);
        CHECK(r.err.find((in / "lignes.jsonl").string() +
                         (round == 0 ? ":2: malformed JSON"
                                     : ": failed on an earlier run, unchanged since: line 2: malformed JSON")) !=
              std::string::npos);
        if (round == 0)
            CHECK(r.out.find("(2 added, 0 updated, 0 unchanged, 0 removed, 1 failed)") != std::string::npos);
        else
            CHECK(r.out.find("(0 added, 0 updated, 1 unchanged, 0 removed, 2 failed)") != std::string::npos);
        if (round == 1) {
            // A new mtime without a change of content: still reported.
            fs::last_write_time(in / "lignes.jsonl",
                                fs::last_write_time(in / "lignes.jsonl") + std::chrono::seconds(5));
        }
    }
    // Mended and removed: exit 0.
    write_file(
        in / "lignes.jsonl",
        "{\"id\": \"1\", \"title\": \"Un\", \"body\": \"x\"}\n{\"id\": \"2\", \"title\": \"Deux\", \"body\": \"y\"}\n");
    fs::remove(in / "binaire.txt");
    RunResult fixed = run(cmd);
    INFO(fixed.err);
    CHECK(fixed.status == 0);
    CHECK(fixed.err.empty());
    CHECK(fixed.out.find("(0 added, 1 updated, 1 unchanged, 1 removed, 0 failed)") != std::string::npos);
    CHECK(run(cmd).status == 0);
}

// ---- Progress within one large file ---------------------------------------------------------------

TEST_CASE("input: --progress advances within a single large file, compressed or not", "[input][progress]") {
    TempDir dir;
    std::string lines;
    // 1 MB (about 7,000 articles): progress is reported every 100 ms, so its indexing
    // gives lines before the end of the file even on a machine many times faster than CI.
    for (int i = 0; lines.size() < (1u << 20); ++i)
        lines += nlohmann::json{{"id", std::to_string(i)},
                                {"title", "Dépêche numéro " + std::to_string(i)},
                                {"body", "Le conseil des ministres a examiné le projet de loi de finances " +
                                             std::to_string(i * 7919 % 100003) + " ce mercredi matin."}}
                     .dump() +
                 "\n";
    write_file(dir.path / "gros.jsonl", lines);
    REQUIRE(run("gzip -k -1 " + shell_quote((dir.path / "gros.jsonl").string())).status == 0);
    for (const char* name : {"gros.jsonl", "gros.jsonl.gz"}) {
        INFO(name);
        const fs::path db = dir.path / (std::string("db-") + name);
        RunResult r = run(kIndex + " --progress --db " + shell_quote(db.string()) + " " +
                          shell_quote((dir.path / name).string()));
        INFO(r.err);
        REQUIRE(r.status == 0);
        static const std::regex line(
            "depeche-index: ([0-9]+)/1 file, ([0-9]+) articles?, [0-9]+ articles/s, "
            "([0-9.]+)/([0-9.]+) MB \\(([0-9]+)%\\), ETA [0-9]+ s\n");
        std::vector<std::smatch> seen;
        for (std::sregex_iterator it(r.err.begin(), r.err.end(), line), end; it != end; ++it) seen.push_back(*it);
        REQUIRE(seen.size() >= 2);
        // Before the end of the file: some bytes, some articles; at the end, all of them.
        const std::smatch& first = seen.front();
        CHECK(first[1] == "0");
        CHECK(std::stoul(first[5]) < 100);
        CHECK(std::stoul(first[2]) > 0);
        CHECK(seen.back()[1] == "1");
        CHECK(seen.back()[5] == "100");
        CHECK(std::stod(seen.back()[3]) == std::stod(seen.back()[4]));
        CHECK(std::regex_replace(r.err, line, "").empty());
    }
    // Not asked for, not a terminal: nothing (a small file is enough to show it).
    write_file(dir.path / "petit.jsonl", lines.substr(0, lines.find('\n', 64 << 10) + 1));
    CHECK(run(kIndex + " --db " + shell_quote((dir.path / "db-none").string()) + " " +
              shell_quote((dir.path / "petit.jsonl").string()))
              .err.empty());
}
