// Tests for the article readers (indexer/readers.hpp). Every input file is created in a
// temporary directory by the test itself.
#include <catch2/catch.hpp>

#include "indexer/readers.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using depeche::Article;
using depeche::Format;
using depeche::ReadIssue;
using depeche::ReadStats;

namespace {

// A fresh directory under the system temporary directory, removed afterwards.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "depeche-readers-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) FAIL("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }

    fs::path write(const std::string& name, std::string_view bytes) const {
        const fs::path file = path_ / name;
        std::ofstream out(file, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(out.good());
        return file;
    }

private:
    fs::path path_;
};

struct Result {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    ReadStats stats;

    // True when an issue contains `fragment` (and is on `line`, unless line is -1).
    bool has_issue(std::string_view fragment, long line = -1) const {
        for (const ReadIssue& issue : issues) {
            if (issue.message.find(fragment) != std::string::npos &&
                (line < 0 || issue.line == static_cast<std::size_t>(line)))
                return true;
        }
        return false;
    }
    std::string issues_text() const {
        std::string text;
        for (const ReadIssue& issue : issues) text += issue.to_string() + "\n";
        return text;
    }
};

Result read(const fs::path& file) {
    Result result;
    result.stats = depeche::read_file(
        file, [&](Article&& a) { result.articles.push_back(std::move(a)); }, result.issues);
    INFO(result.issues_text());
    CHECK(result.stats.articles == result.articles.size());
    for (const ReadIssue& issue : result.issues) {
        // Issues are one line and name the file.
        CHECK(issue.message.find('\n') == std::string::npos);
        CHECK(issue.to_string().find('\n') == std::string::npos);
        CHECK(issue.path == file.generic_string());
    }
    for (const Article& article : result.articles) CHECK(article.path == file.generic_string());
    return result;
}

// Reads a file that must give exactly one article.
Article read_one(const fs::path& file, Result* out = nullptr) {
    Result result = read(file);
    INFO(result.issues_text());
    REQUIRE(result.articles.size() == 1);
    CHECK_FALSE(result.stats.failed);
    Article article = result.articles.front();
    if (out) *out = std::move(result);
    return article;
}

// UTF-16 bytes (with BOM) of an ASCII/BMP text given as a UTF-16 literal.
std::string utf16_bytes(std::u16string_view text, bool little_endian) {
    std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
    for (char16_t c : text) {
        const char lo = static_cast<char>(c & 0xFF), hi = static_cast<char>(c >> 8);
        out += little_endian ? std::string{lo, hi} : std::string{hi, lo};
    }
    return out;
}

struct Expected {
    std::string id, title, date, author, source, url, body;
    std::vector<std::string> people;
};

void check_article(const Article& a, const Expected& e) {
    CHECK(a.id == e.id);
    CHECK(a.title == e.title);
    CHECK(a.date == e.date);
    CHECK(a.author == e.author);
    CHECK(a.source == e.source);
    CHECK(a.url == e.url);
    CHECK(a.body == e.body);
    CHECK(a.people == e.people);
}

const char* const kPathId = "<path>";  // in Expected::id: the file's path

}  // namespace

TEST_CASE("format_for picks the format from the extension, case-insensitively", "[readers]") {
    const std::vector<std::pair<std::string, Format>> cases = {
        {"a.txt", Format::Text},
        {"A.TXT", Format::Text},
        {"b.md", Format::Markdown},
        {"b.Markdown", Format::Markdown},
        {"c.json", Format::Json},
        {"d.jsonl", Format::JsonLines},
        {"d.NDJSON", Format::JsonLines},
        {"e.html", Format::Html},
        {"dir/e.HTM", Format::Html},
        {"f.pdf", Format::Unknown},
        {"noext", Format::Unknown},
        {"g.json.gz", Format::Json},
        {"h.jsonl.zst", Format::JsonLines},
        {"i.HTML.XZ", Format::Html},
        {"j.tar.gz", Format::Unknown},
        {"k.gz", Format::Unknown},
        {"x.txt/y.xml", Format::Feed},
        {"z.pdf.gz", Format::Unknown},
    };
    for (const auto& [name, format] : cases) {
        INFO(name);
        CHECK(depeche::format_for(name) == format);
    }
}

TEST_CASE("ReadIssue::to_string gives path:line: message on one line", "[readers]") {
    CHECK(ReadIssue{"a/b.jsonl", 12, "malformed JSON"}.to_string() == "a/b.jsonl:12: malformed JSON");
    CHECK(ReadIssue{"a/b.txt", 0, "empty file, skipped"}.to_string() == "a/b.txt: empty file, skipped");
    CHECK(ReadIssue{"x.txt", 0, "two\nlines"}.to_string() == "x.txt: two lines");
}

TEST_CASE("Plain text articles, with and without a header", "[readers][txt]") {
    struct Case {
        const char* name;
        const char* content;
        Expected expected;
    };
    const std::vector<Case> cases = {
        {"english header",
         "Title: Hello world\nDate: 2024-03-01\nAuthor: Jean Dupont\nSource: AFP\n"
         "URL: https://ex.fr/a\nPeople: Emmanuel Macron, Gabriel Attal; Marine Le Pen\n"
         "Id: art-1\n\nFirst paragraph\non two lines.\n\n\n\nSecond paragraph.\n",
         {"art-1",
          "Hello world",
          "2024-03-01",
          "Jean Dupont",
          "AFP",
          "https://ex.fr/a",
          "First paragraph\non two lines.\n\nSecond paragraph.",
          {"Emmanuel Macron", "Gabriel Attal", "Marine Le Pen"}}},
        {"french keys, any case, unknown key ignored, id from URL",
         "TITRE : Réforme des retraites\nAuteur: Marie Curie\nRubrique: Politique\n"
         "Personnes: Élisabeth Borne; Olivier Dussopt\nUrl: https://ex.fr/b\nsource: Le Monde\n\n"
         "Le texte a été adopté.\n",
         {"https://ex.fr/b",
          "Réforme des retraites",
          "",
          "Marie Curie",
          "Le Monde",
          "https://ex.fr/b",
          "Le texte a été adopté.",
          {"Élisabeth Borne", "Olivier Dussopt"}}},
        {"no header: first line is the title",
         "\n\nGrand titre\nLigne deux du corps.\n\nParagraphe.\n",
         {kPathId, "Grand titre", "", "", "", "", "Ligne deux du corps.\n\nParagraphe.", {}}},
        {"first line with an unknown key is not a header",
         "Paris: la ville lumière\nSuite du texte.\n",
         {kPathId, "Paris: la ville lumière", "", "", "", "", "Suite du texte.", {}}},
        {"one line: title and body",
         "Une seule ligne",
         {kPathId, "Une seule ligne", "", "", "", "", "Une seule ligne", {}}},
        {"header without title: first body line is the title",
         "Date: 2024-01-01\n\nPremière ligne\nDeuxième ligne\n",
         {kPathId, "Première ligne", "2024-01-01", "", "", "", "Deuxième ligne", {}}},
        {"header ended by a line that is not key: value",
         "Titre: T\nLe corps commence sans ligne vide.\n",
         {kPathId, "T", "", "", "", "", "Le corps commence sans ligne vide.", {}}},
        {"CRLF and CR line ends",
         "Titre: T\r\n\r\nCorps\r\nsuite\rfin\r\n",
         {kPathId, "T", "", "", "", "", "Corps\nsuite\nfin", {}}},
    };
    TempDir dir;
    for (const Case& c : cases) {
        SECTION(c.name) {
            const fs::path file = dir.write("article.txt", c.content);
            Expected expected = c.expected;
            if (expected.id == kPathId) expected.id = file.generic_string();
            Result result;
            const Article a = read_one(file, &result);
            check_article(a, expected);
            CHECK(a.line == 0);
            CHECK(result.issues.empty());
        }
    }
}

TEST_CASE("Plain text with a header and no body keeps the title, with a warning", "[readers][txt]") {
    TempDir dir;
    Result result;
    const Article a = read_one(dir.write("t.txt", "Titre: Seul\nDate: 2024-01-01\n"), &result);
    CHECK(a.title == "Seul");
    CHECK(a.body.empty());
    CHECK(result.has_issue("no body"));
}

TEST_CASE("Markdown articles", "[readers][md]") {
    struct Case {
        const char* name;
        const char* content;
        Expected expected;
    };
    const std::vector<Case> cases = {
        {"front matter with quotes and inline list; syntax stripped",
         "---\ntitle: \"Le titre: sous-titre\"\ndate: 2024-05-02\nauthor: 'Jean d''Ormesson'\n"
         "source: Le Monde # a comment\nurl: https://ex.fr/md\n"
         "people: [Emmanuel Macron, \"Le Pen, Marine\"]\nid: md-7\ntags: [a, b]\n---\n"
         "# Intertitre\n\nDu **gras**, de l'_italique_, un [lien](https://x.fr/a_(b)) et du `code`.\n"
         "Une image ![la légende](img.png), un mot_composé, 2*3 et \\*étoiles\\*.\n\n"
         "```cpp\nint *p = a_b;\n```\n\n* * *\n\n> Une citation\n\n- un\n- deux\n",
         {"md-7",
          "Le titre: sous-titre",
          "2024-05-02",
          "Jean d'Ormesson",
          "Le Monde",
          "https://ex.fr/md",
          "Intertitre\n\nDu gras, de l'italique, un lien et du code.\n"
          "Une image la légende, un mot_composé, 2*3 et *étoiles*.\n\nint *p = a_b;\n\n"
          "Une citation\n\nun\ndeux",
          {"Emmanuel Macron", "Le Pen, Marine"}}},
        {"french keys and a block list of people",
         "---\nTitre: Titre FR\nAuteur: Marie\npersonnes:\n  - Alice Martin\n  - \"Bob\"\n"
         "Source: Libé\n---\nLe corps.\n",
         {kPathId, "Titre FR", "", "Marie", "Libé", "", "Le corps.", {"Alice Martin", "Bob"}}},
        {"no front matter: the first # heading is the title",
         "Une introduction.\n\n# Le vrai titre #\n\n## Partie\n\nTexte.\n",
         {kPathId, "Le vrai titre", "", "", "", "", "Une introduction.\n\nPartie\n\nTexte.", {}}},
        {"no heading: the first non-empty line is the title",
         "\nPremier paragraphe *important*.\n\nSuite.\n",
         {kPathId, "Premier paragraphe important.", "", "", "", "", "Suite.", {}}},
        {"setext heading, table and reference link",
         "Titre souligné\n==============\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n"
         "Voir [ce site][ref].\n\n[ref]: https://ex.fr\n",
         {kPathId, "Titre souligné", "", "", "", "", "a b\n1 2\n\nVoir ce site.", {}}},
        {"single heading only", "# Seul titre\n", {kPathId, "Seul titre", "", "", "", "", "Seul titre", {}}},
    };
    TempDir dir;
    for (const Case& c : cases) {
        SECTION(c.name) {
            const fs::path file = dir.write("article.md", c.content);
            Expected expected = c.expected;
            if (expected.id == kPathId) expected.id = file.generic_string();
            Result result;
            check_article(read_one(file, &result), expected);
            CHECK(result.issues.empty());
        }
    }
}

TEST_CASE("Markdown front matter that is not closed is read as text", "[readers][md]") {
    TempDir dir;
    Result result;
    const Article a = read_one(dir.write("a.markdown", "---\ntitle: T\n\nCorps.\n"), &result);
    CHECK(result.has_issue("front matter not closed"));
    CHECK(a.title == "title: T");
    CHECK(a.body == "Corps.");
}

TEST_CASE("JSON articles: fields, ids and arrays", "[readers][json]") {
    TempDir dir;

    SECTION("all fields, numeric id, author list") {
        const fs::path file = dir.write("a.json",
                                        R"({"id": 42, "title": "Titre", "date": "2024-01-02", "url": "https://ex.fr/j",
                "author": ["Ann", "Bob"], "source": "AFP", "body": "Para 1.\r\n\r\nPara 2.",
                "people": ["Emmanuel Macron", "Élisabeth Borne"], "extra": {"x": 1}})");
        Result result;
        check_article(read_one(file, &result), {"42",
                                                "Titre",
                                                "2024-01-02",
                                                "Ann, Bob",
                                                "AFP",
                                                "https://ex.fr/j",
                                                "Para 1.\n\nPara 2.",
                                                {"Emmanuel Macron", "Élisabeth Borne"}});
        CHECK(result.issues.empty());
    }

    SECTION("ids: string id, else url, else the path") {
        struct IdCase {
            const char* json;
            std::string id;
        };
        const std::vector<IdCase> cases = {
            {R"({"id": "abc", "url": "https://u", "title": "T", "body": "B"})", "abc"},
            {R"({"id": -7, "title": "T", "body": "B"})", "-7"},
            {R"({"id": 18446744073709551615, "title": "T", "body": "B"})", "18446744073709551615"},
            {R"({"url": "https://u", "title": "T", "body": "B"})", "https://u"},
            {R"({"title": "T", "body": "B"})", "<path>"},
        };
        for (const IdCase& c : cases) {
            INFO(c.json);
            const fs::path file = dir.write("id.json", c.json);
            CHECK(read_one(file).id == (c.id == "<path>" ? file.generic_string() : c.id));
        }
    }

    SECTION("body from body, else text, else content") {
        const std::vector<std::pair<const char*, const char*>> cases = {
            {R"({"title": "T", "body": "from body", "text": "from text"})", "from body"},
            {R"({"title": "T", "body": "", "text": "from text", "content": "c"})", "from text"},
            {R"({"title": "T", "content": "from content"})", "from content"},
        };
        for (const auto& [json, body] : cases) {
            INFO(json);
            CHECK(read_one(dir.write("b.json", json)).body == body);
        }
    }

    SECTION("an array of articles; ids by position when missing") {
        const fs::path file = dir.write("list.json",
                                        R"([{"title": "Un", "body": "x"}, {"id": "deux", "title": "Deux", "body": "y"},
                 "not an object", {"title": "Trois", "text": "z"}])");
        const Result result = read(file);
        REQUIRE(result.articles.size() == 3);
        CHECK(result.articles[0].id == file.generic_string() + "#1");
        CHECK(result.articles[1].id == "deux");
        CHECK(result.articles[2].id == file.generic_string() + "#4");
        CHECK(result.articles[2].body == "z");
        CHECK(result.has_issue("article 3: not a JSON object"));
    }
}

TEST_CASE("JSON fields of the wrong type are reported, the rest is used", "[readers][json]") {
    struct Case {
        const char* json;
        const char* issue;
        std::size_t articles;
    };
    const std::vector<Case> cases = {
        {R"({"title": 42, "body": "corps"})", "field 'title' is not a string (number 42)", 1},
        {R"({"title": "T", "body": "B", "people": 7})", "field 'people' is not a list or a string", 1},
        {R"({"title": "T", "body": "B", "people": ["A", 3]})", "field 'people' has an item that is not a string", 1},
        {R"({"title": "T", "body": "B", "author": {"nom": "A"}})", "field 'author' is not a string (object)", 1},
        {R"({"title": "T", "body": "B", "id": true})", "field 'id' is not a string or number", 1},
        {R"({"title": "T", "body": ["a", "b"]})", "field 'body' is not a string (array)", 1},
        {R"({"date": "2024-01-01"})", "no title and no body, skipped", 0},
        {R"({"title": "Seul"})", "warning: article has no body", 1},
        {R"({"title": "T", "body": "B",})", "malformed JSON at byte", 0},
        {R"(42)", "expected a JSON object or an array of objects, got number 42", 0},
        {R"([])", "no articles", 0},
    };
    TempDir dir;
    for (const Case& c : cases) {
        INFO(c.json);
        const Result result = read(dir.write("w.json", c.json));
        INFO(result.issues_text());
        CHECK(result.has_issue(c.issue));
        CHECK(result.articles.size() == c.articles);
        CHECK_FALSE(result.stats.failed);
    }

    SECTION("details of kept articles") {
        const Article a = read_one(dir.write("p.json", R"({"title": 42, "body": "corps", "people": "Jean Dupont"})"));
        CHECK(a.title.empty());
        CHECK(a.body == "corps");
        CHECK(a.people == std::vector<std::string>{"Jean Dupont"});
    }

    SECTION("malformed JSON names the line of the error") {
        const Result result = read(dir.write("m.json", "{\n  \"title\": \"T\",\n  oops\n}"));
        CHECK(result.has_issue("malformed JSON at byte", 3));
    }
}

TEST_CASE("JSON Lines: good lines read, bad lines reported with their number", "[readers][jsonl]") {
    TempDir dir;
    const fs::path file = dir.write("feed.jsonl",
                                    "{\"id\": \"a\", \"title\": \"A\", \"body\": \"x\"}\n"
                                    "{\"title\": \"B\", \"body\": \"y\", }\n"
                                    "\n"
                                    "{\"url\": \"https://u/c\", \"title\": \"C\", \"body\": \"z\"}\r\n"
                                    "not json at all\n"
                                    "   \n"
                                    "{\"title\": \"D\", \"text\": \"w\"}");  // no final newline
    const Result result = read(file);
    INFO(result.issues_text());
    REQUIRE(result.articles.size() == 3);
    CHECK(result.issues.size() == 2);
    CHECK(result.has_issue("malformed JSON at byte", 2));
    CHECK(result.has_issue("malformed JSON at byte", 5));
    CHECK_FALSE(result.stats.failed);

    const std::vector<std::pair<std::string, std::size_t>> expected = {
        {"a", 1}, {"https://u/c", 4}, {file.generic_string() + "#7", 7}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(result.articles[i].id == expected[i].first);
        CHECK(result.articles[i].line == expected[i].second);
    }
    CHECK(result.articles[2].body == "w");
}

TEST_CASE("JSON Lines: per-line problems", "[readers][jsonl]") {
    TempDir dir;
    const std::string bad_line = "{\"body\": \"caf\xc3\xa9 \xff et th\xc3\xa9\"}";
    const Result result = read(dir.write("p.ndjson",
                                         "[1, 2]\n"
                                         "{\"title\": 5, \"body\": \"b\"}\n" +
                                             bad_line +
                                             "\n"
                                             "{\"title\": \"\x92\xe9t\xe9\"}\n"
                                             "{}\n"
                                             "{\"title\": \"Été à l’Élysée : déjà émérite, très réputé\"}\n"));
    INFO(result.issues_text());
    const std::string position = std::to_string(bad_line.find('\xff') + 1);
    CHECK(result.has_issue("expected a JSON object, got array", 1));
    CHECK(result.has_issue("field 'title' is not a string", 2));
    CHECK(result.has_issue("invalid UTF-8 at byte " + position + " of the line", 3));
    CHECK(result.has_issue("read as windows-1252", 4));
    CHECK(result.has_issue("no title and no body", 5));
    REQUIRE(result.articles.size() == 4);
    CHECK(result.articles[0].line == 2);
    CHECK(result.articles[1].body == "café \xEF\xBF\xBD et thé");
    CHECK(result.articles[2].title == "’été");
    CHECK(result.articles[3].title == "Été à l’Élysée : déjà émérite, très réputé");
}

TEST_CASE("JSON Lines in a legacy encoding are converted as they stream", "[readers][jsonl]") {
    TempDir dir;
    const Result result = read(dir.write("cp1252.jsonl",
                                         "{\"title\": \"L\x92\xc9lys\xe9"
                                         "e\", \"body\": \"Une s\x9cur.\"}\n"
                                         "{\"title\": \"Un \x80 d\x92\xe9t\xe9\", \"body\": \"\x93"
                                         "Cit\xe9\x94\"}\n"));
    INFO(result.issues_text());
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[0].title == "L’Élysée");
    CHECK(result.articles[0].body == "Une sœur.");
    CHECK(result.articles[1].title == "Un € d’été");
    CHECK(result.articles[1].body == "“Cité”");
    CHECK(result.issues.empty());
}

TEST_CASE("JSON Lines: a 10 MB line is read", "[readers][jsonl]") {
    TempDir dir;
    std::string body;
    body.reserve(10u << 20);
    while (body.size() < (10u << 20)) body += "mot ";
    const fs::path file = dir.write(
        "big.jsonl", "{\"title\": \"Gros\", \"body\": \"" + body + "\"}\n{\"title\": \"Petit\", \"body\": \"b\"}\n");
    const Result result = read(file);
    INFO(result.issues_text());
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[0].body.size() == body.size() - 1);  // trailing space trimmed
    CHECK(result.articles[1].title == "Petit");
    CHECK(result.articles[1].line == 2);
    CHECK(result.issues.empty());
}

TEST_CASE("JSON Lines: a line over the limit is skipped, the rest is read", "[readers][jsonl]") {
    TempDir dir;
    // The first line is long enough for the zero bytes to start after the binary check.
    const fs::path file =
        dir.write("huge.jsonl", "{\"title\": \"Avant\", \"body\": \"" + std::string(10000, 'a') + "\"}\n{\"body\": \"");
    // A sparse hole of zero bytes makes the second line longer than the limit, cheaply.
    fs::resize_file(file, fs::file_size(file) + depeche::kMaxJsonLineBytes + 10);
    {
        std::ofstream out(file, std::ios::binary | std::ios::app);
        out << "\"}\n{\"title\": \"Après\", \"body\": \"c\"}\n";
    }
    const Result result = read(file);
    INFO(result.issues_text());
    REQUIRE(result.articles.size() == 2);
    CHECK(result.articles[1].title == "Après");
    CHECK(result.articles[1].line == 3);
    CHECK(result.has_issue("line longer than 64 MiB, skipped", 2));
}

TEST_CASE("Legacy encodings are detected and converted", "[readers][encoding]") {
    TempDir dir;

    SECTION("Windows-1252 with curly apostrophe, oe ligature and accents") {
        Result result;
        const Article a = read_one(dir.write("cp1252.txt",
                                             "Titre: L\x92\xc9lys\xe9"
                                             "e r\xe9pond\n\n"
                                             "Une s\x9cur, un c\x9cur \x96 \x93"
                                             "cit\xe9\x94 \x80 l\x92\xc9lys\xe9"
                                             "e.\n"),
                                   &result);
        CHECK(a.title == "L’Élysée répond");
        CHECK(a.body == "Une sœur, un cœur – “cité” € l’Élysée.");
        CHECK(result.issues.empty());
    }

    SECTION("Latin-1") {
        const Article a = read_one(dir.write("latin1.txt",
                                             "Le pr\xe9sident de la R\xe9publique s'est exprim\xe9 \xe0 l'\xc9lys\xe9"
                                             "e mardi soir.\n"
                                             "Il a \xe9voqu\xe9 la r\xe9"
                                             "forme des retraites et le budget de l'\xc9tat.\n"));
        CHECK(a.title == "Le président de la République s'est exprimé à l'Élysée mardi soir.");
        CHECK(a.body == "Il a évoqué la réforme des retraites et le budget de l'État.");
    }

    SECTION("to_utf8 names the encoding") {
        struct Case {
            std::string bytes, text, encoding;
        };
        const std::vector<Case> cases = {
            {"plain ASCII", "plain ASCII", "UTF-8"},
            {"d\xc3\xa9j\xc3\xa0", "déjà", "UTF-8"},
            {"\xEF\xBB\xBF"
             "d\xc3\xa9j\xc3\xa0",
             "déjà", "UTF-8"},
            {"D\xe9j\xe0 vu", "Déjà vu", "windows-1252"},
            {"L\x92\xc9lys\xe9"
             "e a publi\xe9 un communiqu\xe9.",
             "L’Élysée a publié un communiqué.", "windows-1252"},
            {"Le pr\xe9sident de la R\xe9publique s'est exprim\xe9 \xe0 l'\xc9lys\xe9"
             "e mardi soir.",
             "Le président de la République s'est exprimé à l'Élysée mardi soir.", "ISO-8859-1"},
            {utf16_bytes(u"Été", true), "Été", "UTF-16LE"},
            {utf16_bytes(u"Été", false), "Été", "UTF-16BE"},
            {std::string("H\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0", 22), "Hello world", "UTF-16LE"},
            {"caf\xc3\xa9 \xc3\xa0 \xff", "café à \xEF\xBF\xBD", "UTF-8"},
        };
        for (const Case& c : cases) {
            INFO(c.bytes);
            std::string encoding;
            CHECK(depeche::to_utf8(c.bytes, encoding) == c.text);
            CHECK(encoding == c.encoding);
        }
    }
}

TEST_CASE("Unicode files: BOMs, UTF-16, invalid bytes, NULs", "[readers][encoding]") {
    TempDir dir;

    SECTION("UTF-8 BOM is stripped before the header") {
        Result result;
        const Article a = read_one(dir.write("bom.txt", "\xEF\xBB\xBFTitre: \xC3\x89t\xC3\xA9\n\nCorps"), &result);
        CHECK(a.title == "Été");
        CHECK(a.body == "Corps");
        CHECK(result.issues.empty());
    }

    SECTION("UTF-16LE and UTF-16BE with BOM") {
        for (bool little : {true, false}) {
            INFO((little ? "LE" : "BE"));
            const Article a =
                read_one(dir.write("u16.txt", utf16_bytes(u"Titre: L’Élysée\r\n\r\nUne sœur.\r\n", little)));
            CHECK(a.title == "L’Élysée");
            CHECK(a.body == "Une sœur.");
            const Result lines =
                read(dir.write("u16.jsonl", utf16_bytes(u"{\"title\": \"Un\"}\n{\"title\": \"Deux €\"}\n", little)));
            REQUIRE(lines.articles.size() == 2);
            CHECK(lines.articles[1].title == "Deux €");
            CHECK(lines.articles[1].line == 2);
        }
    }

    SECTION("invalid UTF-8 is replaced and reported with its position") {
        const std::string content = "Titre: Café\n\nUn café \xff à Paris, l'été.\n";
        Result result;
        const Article a = read_one(dir.write("bad.txt", content), &result);
        CHECK(a.body == "Un café \xEF\xBF\xBD à Paris, l'été.");
        const std::string position = std::to_string(content.find('\xff') + 1);
        CHECK(result.has_issue("invalid UTF-8 at byte " + position + " (1 bad sequence(s)"));
    }

    SECTION("NUL bytes are removed and reported") {
        const char raw[] = "Titre: Nul\n\nAvant\0apr\xc3\xa8s\0 fin.\n";
        const std::string content(raw, sizeof raw - 1);
        Result result;
        const Article a = read_one(dir.write("nul.txt", content), &result);
        CHECK(a.body == "Avantaprès fin.");
        CHECK(result.has_issue("removed 2 NUL byte(s), first at byte 18"));
    }

    SECTION("binary files are skipped") {
        const char header[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
        std::string png(header, sizeof header - 1);
        png += std::string(2000, '\0');
        for (const char* name : {"image.txt", "image.jsonl", "image.html"}) {
            INFO(name);
            const Result result = read(dir.write(name, png));
            CHECK(result.articles.empty());
            CHECK(result.has_issue("binary file, skipped"));
            CHECK_FALSE(result.stats.failed);
        }
    }

    SECTION("empty files are skipped") {
        const std::vector<std::pair<const char*, std::string>> cases = {
            {"e.txt", ""},
            {"e.md", " \n\n\t\n"},
            {"e.json", ""},
            {"e.jsonl", "\n\n"},
            {"e.html", ""},
            {"e2.txt", "\xEF\xBB\xBF  \r\n"},
            {"e3.txt", utf16_bytes(u" \n", true)},
        };
        for (const auto& [name, content] : cases) {
            INFO(name);
            const Result result = read(dir.write(name, content));
            CHECK(result.articles.empty());
            CHECK(result.has_issue("empty file, skipped"));
            CHECK_FALSE(result.stats.failed);
        }
    }
}

TEST_CASE("HTML articles: metadata and article text", "[readers][html]") {
    TempDir dir;

    SECTION("a full page: boilerplate excluded, meta picked") {
        const char* page = R"(<!DOCTYPE html>
<html lang="fr"><head>
<meta charset="utf-8">
<title>Le vrai titre - Le Site</title>
<meta property="og:site_name" content="Le Site">
<meta name="author" content="Jeanne Martin">
<meta property="article:published_time" content="2024-02-03T10:00:00+01:00">
<meta property="og:url" content="https://site.fr/a">
<style>body { color: red }</style>
<script>var tracking = "script text";</script>
</head><body>
<nav><a href="/">Menu Accueil</a></nav>
<header>Bandeau du site</header>
<article>
  <h1>Le vrai   titre</h1>
  <p>Premier &amp; paragraphe, l&rsquo;&eacute;t&eacute;.</p>
  <script>document.write("no")</script>
  <p>Deuxième<br>ligne</p>
  <ul><li>un</li><li>deux</li></ul>
  <aside>Publicité</aside>
  <div hidden>caché</div><span aria-hidden="true">icône</span>
  <form><button>Envoyer</button></form>
  <figure><img src="x.jpg"><figcaption>Une légende</figcaption></figure>
  <noscript>Activez JavaScript</noscript>
  <table><tr><td>a</td><td>b</td></tr></table>
</article>
<footer>Mentions légales</footer>
</body></html>)";
        Result result;
        const fs::path file = dir.write("page.html", page);
        check_article(read_one(file, &result), {"https://site.fr/a",
                                                "Le vrai titre",
                                                "2024-02-03T10:00:00+01:00",
                                                "Jeanne Martin",
                                                "Le Site",
                                                "https://site.fr/a",
                                                "Le vrai titre\n\nPremier & paragraphe, l’été.\n\nDeuxième\nligne\n\n"
                                                "un\ndeux\n\nUne légende\n\na b",
                                                {}});
        CHECK(result.issues.empty());
    }

    SECTION("title choice") {
        struct Case {
            const char* head;
            const char* body;
            const char* title;
        };
        const std::vector<Case> cases = {
            {R"(<meta property="og:title" content="Titre OG"><title>Titre balise</title>)", "", "Titre OG"},
            {R"(<title>Titre | Le Site</title><meta property="og:site_name" content="Le Site">)", "", "Titre"},
            {R"(<title>Titre | Autre Site</title><meta property="og:site_name" content="Le Site">)", "",
             "Titre | Autre Site"},
            {R"(<title>Titre - Le Site</title>)", "", "Titre - Le Site"},
            {"", "<h1>Titre <em>H1</em></h1><h1>Second</h1>", "Titre H1"},
        };
        for (const Case& c : cases) {
            INFO(c.head << c.body);
            const std::string page =
                std::string("<html><head>") + c.head + "</head><body>" + c.body + "<p>Texte.</p></body></html>";
            CHECK(read_one(dir.write("t.html", page)).title == c.title);
        }
    }

    SECTION("date sources, in order of preference") {
        const std::vector<std::pair<const char*, const char*>> cases = {
            {R"(<meta property="og:published_time" content="D2"><meta property="article:published_time" content="D1">)",
             "D1"},
            {R"(<meta name="date" content="D4"><meta property="og:published_time" content="D2">)", "D2"},
            {R"(<meta name="date" content="D4"><span itemprop="datePublished" content="D3"></span>)", "D3"},
            {R"(<meta name="DC.date" content="D5"><meta name="date" content="D4">)", "D4"},
            {R"(<meta name="pubdate" content="D6"><meta name="dcterms.date" content="D5">)", "D5"},
            {R"(<meta name="parsely-pub-date" content="D7"><meta name="pubdate" content="D6">)", "D6"},
            {R"(<meta name="parsely-pub-date" content="D7"><article><time datetime="D8">8</time></article>)", "D7"},
            {R"(<article><p>x</p><time itemprop="datePublished" datetime="D3b">3</time></article>)", "D3b"},
            {R"(<time datetime="outside">x</time><article><p>x <time datetime="D8">8</time></p></article>)", "D8"},
            {R"(<time datetime="outside">x</time><p>no article</p>)", ""},
        };
        for (const auto& [html, date] : cases) {
            INFO(html);
            const std::string page =
                std::string("<html><head><title>T</title></head><body>") + html + "<p>Texte.</p></body></html>";
            CHECK(read_one(dir.write("d.html", page)).date == date);
        }
    }

    SECTION("author sources, in order of preference") {
        const std::vector<std::pair<const char*, const char*>> cases = {
            {R"(<meta property="article:author" content="A2"><meta name="author" content="A1">)", "A1"},
            {R"(<meta property="article:author" content="https://facebook.com/x"><span itemprop="author">A3</span>)",
             "A3"},
            {R"(<meta property="article:author" content="A2"><span itemprop="author">A3</span>)", "A2"},
            {R"(<a rel="author" href="/a">A4</a><div itemprop="author" itemscope><span itemprop="name">A3b</span></div>)",
             "A3b"},
            {R"(<p>Par <a rel="nofollow author" href="/a"> Jean   Dupont </a></p>)", "Jean Dupont"},
        };
        for (const auto& [html, author] : cases) {
            INFO(html);
            const std::string page =
                std::string("<html><head><title>T</title></head><body>") + html + "<p>Texte.</p></body></html>";
            CHECK(read_one(dir.write("a.html", page)).author == author);
        }
    }

    SECTION("url from og:url, else the canonical link; id from the url") {
        Article a = read_one(dir.write(
            "u.html",
            R"(<link rel="canonical" href="https://c/1"><meta property="og:url" content="https://og/1"><p>x</p>)"));
        CHECK(a.url == "https://og/1");
        CHECK(a.id == "https://og/1");
        a = read_one(dir.write("u.html", R"(<link rel="canonical" href="https://c/1"><p>x</p>)"));
        CHECK(a.url == "https://c/1");
        const fs::path file = dir.write("u.html", "<p>x</p>");
        CHECK(read_one(file).id == file.generic_string());
    }

    SECTION("body: the longest article, else main, else body") {
        struct Case {
            const char* html;
            const char* body;
        };
        const std::vector<Case> cases = {
            {"<article>court</article><div>hors</div><article>le plus long article</article>", "le plus long article"},
            {"<nav><article>menu menu menu menu menu</article></nav><article>vrai</article>", "vrai"},
            {"<div>hors</div><main><p>principal</p></main>", "principal"},
            {"<div>un</div><div>deux</div><footer>pied</footer>", "un\n\ndeux"},
            {"<article></article><main>repli</main>", "repli"},
        };
        for (const Case& c : cases) {
            INFO(c.html);
            CHECK(read_one(dir.write("b.html", c.html)).body == c.body);
        }
    }

    SECTION("broken markup and no <body>") {
        Result result;
        const Article a = read_one(dir.write("broken.htm",
                                             "<title>Cassé</title><p>Texte <b>gras <i>mal fermé</p>"
                                             "<p>Second &eacute;t&eacute; <div>bloc</span> fin"),
                                   &result);
        CHECK(a.title == "Cassé");
        CHECK(a.body == "Texte gras mal fermé\n\nSecond été\n\nbloc fin");
    }

    SECTION("no title and no text") {
        const Result result = read(dir.write("void.html", "<html><head><script>x()</script></head></html>"));
        CHECK(result.articles.empty());
        CHECK(result.has_issue("no title and no body"));
    }

    SECTION("declared charset when the bytes are not UTF-8") {
        const std::vector<std::pair<const char*, std::string>> cases = {
            {"meta charset",
             "<html><head><meta charset=\"windows-1252\"><title>L\x92\xc9lys\xe9"
             "e</title></head>"
             "<body><p>C\x9cur \x80</p></body></html>"},
            {"http-equiv, latin1 label with C1 bytes",
             "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
             "<title>L\x92\xc9lys\xe9"
             "e</title></head><body><p>C\x9cur \x80</p></body></html>"},
            {"no declaration",
             "<html><head><title>L\x92\xc9lys\xe9"
             "e</title></head><body><p>C\x9cur \x80</p></body></html>"},
        };
        for (const auto& [name, page] : cases) {
            INFO(name);
            Result result;
            const Article a = read_one(dir.write("cs.html", page), &result);
            CHECK(a.title == "L’Élysée");
            CHECK(a.body == "Cœur €");
            CHECK(result.issues.empty());
        }
    }

    SECTION("a declared charset that ICU does not know is reported") {
        Result result;
        const Article a = read_one(dir.write("unk.html", "<meta charset=\"x-nonsense\"><p>caf\xe9</p>"), &result);
        CHECK(a.body == "café");
        CHECK(result.has_issue("unknown charset 'x-nonsense'"));
    }

    SECTION("deeply nested markup is refused rather than parsed for minutes") {
        std::string page;
        for (int i = 0; i < 20000; ++i) page += "<div>";
        const Result result = read(dir.write("deep.html", page + "x"));
        CHECK(result.articles.empty());
        CHECK(result.has_issue("nested more than"));
        // Many siblings or self-closing paragraphs are fine.
        std::string flat;
        for (int i = 0; i < 20000; ++i) flat += "<div>x</div><p>y";
        CHECK(read(dir.write("flat.html", flat)).articles.size() == 1);
    }
}

TEST_CASE("Files that cannot be read are reported, never thrown or blocking", "[readers][files]") {
    TempDir dir;

    SECTION("missing file") {
        const Result result = read(dir.path() / "missing.txt");
        CHECK(result.stats.failed);
        CHECK(result.has_issue("No such file or directory"));
    }

    SECTION("directory") {
        fs::create_directory(dir.path() / "folder.json");
        const Result result = read(dir.path() / "folder.json");
        CHECK(result.stats.failed);
        CHECK(result.has_issue("Is a directory"));
    }

    SECTION("unsupported extension") {
        const Result result = read(dir.write("doc.pdf", "%PDF-1.4"));
        CHECK(result.stats.failed);
        CHECK(result.has_issue("unsupported file type '.pdf'"));
    }

    SECTION("FIFO does not block") {
        const fs::path fifo = dir.path() / "pipe.jsonl";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        auto pending = std::async(std::launch::async, [&] { return read(fifo); });
        if (pending.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            // Unblock the reader (opening the write end), then fail.
            const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd >= 0) ::close(fd);
            FAIL("read_file blocked on a FIFO");
        }
        const Result result = pending.get();
        CHECK(result.stats.failed);
        CHECK(result.has_issue("FIFO"));
    }

    SECTION("socket") {
        const fs::path path = dir.path() / "s.json";
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        REQUIRE(fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const std::string name = path.string();
        if (name.size() >= sizeof address.sun_path) {
            ::close(fd);
            WARN("temporary path too long for a socket; skipped");
            return;
        }
        name.copy(address.sun_path, name.size());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        const Result result = read(path);
        ::close(fd);
        CHECK(result.stats.failed);
        CHECK(result.has_issue("socket"));
    }

    SECTION("permission denied") {
        const fs::path file = dir.write("secret.txt", "Titre: x\n\ny");
        fs::permissions(file, fs::perms::none);
        if (::access(file.c_str(), R_OK) == 0) {
            WARN("running with privileges that bypass file permissions; skipped");
            return;
        }
        const Result result = read(file);
        CHECK(result.stats.failed);
        CHECK(result.has_issue("Permission denied"));
    }

    SECTION("single-article file over the size limit") {
        for (const char* name : {"huge.txt", "huge.md", "huge.json", "huge.html"}) {
            INFO(name);
            const fs::path file = dir.write(name, "Titre: trop gros\n\n");
            fs::resize_file(file, std::uintmax_t{200} << 20);  // sparse: fast to make
            const Result result = read(file);
            CHECK(result.stats.failed);
            CHECK(result.articles.empty());
            CHECK(result.has_issue("file too large: 200.0 MiB, limit 64 MiB for single-article files"));
        }
    }
}

TEST_CASE("Hostile inputs do not crash", "[readers][robustness]") {
    TempDir dir;
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"deep.json", std::string(200000, '[')},
        {"deep2.json", std::string(100000, '[') + std::string(100000, ']')},
        {"brackets.md", std::string(50000, '[') + "x" + std::string(50000, '`')},
        {"emph.md", std::string(100000, '*') + "x" + std::string(100000, '_')},
        {"fm.md", "---\npeople:\n" + std::string(1000, '-') + "\n---\n"},
        {"controls.txt", std::string("Titre: \x01\x02\x7f t\n\n\x1b[31mrouge")},
        {"tags.html", "<" + std::string(100000, 'a')},
        {"comment.html", "<!--" + std::string(1000, '<') + "<p>x"},
        {"lonecr.jsonl", "{\"title\": \"a\"}\r{\"title\": \"b\"}\r"},
    };
    for (const auto& [name, content] : cases) {
        INFO(name);
        const Result result = read(dir.write(name, content));
        CHECK_FALSE(result.stats.failed);
    }
}

TEST_CASE("Readers: an exception from the sink comes out unchanged, not as a reading problem", "[readers]") {
    TempDir dir;
    const std::vector<fs::path> files = {
        dir.write("a.txt", "Titre: Un\n\nUn texte.\n"),
        dir.write("b.md", "---\ntitle: Deux\n---\nUn texte.\n"),
        dir.write("c.json", R"({"id": "c", "title": "Trois", "body": "Un texte."})"),
        dir.write("d.jsonl", "{\"id\": \"d1\", \"body\": \"Un.\"}\n{\"id\": \"d2\", \"body\": \"Deux.\"}\n"),
        dir.write("e.html", "<html><head><title>Cinq</title></head><body><p>Un texte.</p></body></html>"),
    };
    // The writer's own errors are std::runtime_errors, like the readers' decoding errors.
    struct WriteFailed : std::runtime_error {
        using std::runtime_error::runtime_error;
    };
    for (const fs::path& f : files) {
        INFO(f.filename());
        std::vector<ReadIssue> issues;
        std::size_t calls = 0;
        CHECK_THROWS_AS(depeche::read_file(
                            f,
                            [&](Article&&) {
                                ++calls;
                                throw WriteFailed("disk full");
                            },
                            issues),
                        WriteFailed);
        CHECK(calls == 1);
        CHECK(issues.empty());
    }
}

TEST_CASE("JSON: French and schema.org keys are read out of the box", "[readers][json]") {
    TempDir dir;
    // French keys, a lede before the text.
    Article fr = read_one(dir.write("fr.json", R"({"identifiant": "a1", "titre": "Le titre", "chapo": "Le chapeau.",
        "texte": "Le texte.", "auteur": "Anne", "date_publication": "2018-03-16", "lien": "https://x.example/a1",
        "site": "Le Journal"})"));
    CHECK(fr.id == "a1");
    CHECK(fr.title == "Le titre");
    CHECK(fr.body == "Le chapeau.\n\nLe texte.");
    CHECK(fr.author == "Anne");
    CHECK(fr.date == "2018-03-16");
    CHECK(fr.url == "https://x.example/a1");
    CHECK(fr.source == "Le Journal");
    // schema.org NewsArticle: objects with a "name".
    Article org =
        read_one(dir.write("org.json", R"({"@type": "NewsArticle", "headline": "Titre", "articleBody": "Corps.",
        "datePublished": "2018-03-16T18:05:00+01:00", "author": [{"@type": "Person", "name": "Anne Martin"},
        {"@type": "Person", "name": "Luc Petit"}], "publisher": {"@type": "Organization", "name": "Le Journal"},
        "url": "https://x.example/b"})"));
    CHECK(org.title == "Titre");
    CHECK(org.body == "Corps.");
    CHECK(org.date == "2018-03-16T18:05:00+01:00");
    CHECK(org.author == "Anne Martin, Luc Petit");
    CHECK(org.source == "Le Journal");
    CHECK(org.id == "https://x.example/b");
    // Only a lede: it is the body.
    CHECK(read_one(dir.write("lede.json", R"({"titre": "T", "description": "Seul le résumé."})")).body ==
          "Seul le résumé.");
    // Nothing usable: the message says which keys were read.
    const Result none = read(dir.write("none.json", R"({"heading": "X", "corpus": "Y"})"));
    CHECK(none.articles.empty());
    CHECK(none.has_issue("title read from: title, titre, headline; body from: body, text, content"));
}
