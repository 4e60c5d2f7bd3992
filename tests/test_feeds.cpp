// RSS and Atom feeds (indexer/readers_feed.cpp): one article per item or entry, with
// title, link, id, date, author, source and text; malformed and hostile XML is one
// issue, never a crash, an expansion or a file read.
#include "indexer/readers.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace depeche;
using depeche::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct Read {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
};

Read read_text(const TempDir& dir, const std::string& name, const std::string& xml) {
    const fs::path p = dir.path / name;
    std::ofstream(p, std::ios::binary) << xml;
    Read r;
    read_file(
        p, [&](Article&& a) { r.articles.push_back(std::move(a)); }, r.issues);
    return r;
}

}  // namespace

TEST_CASE("feeds: RSS 2.0 items are articles", "[readers][feeds]") {
    TempDir dir;
    CHECK(format_for("a.rss") == Format::Feed);
    CHECK(format_for("b.ATOM") == Format::Feed);
    CHECK(format_for("c.xml.gz") == Format::Feed);
    const Read r = read_text(dir, "fil.rss", R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Le Fil d'essai</title><link>https://fil.example/</link>
<item><title>Sommet de l'Union européenne</title><link>https://fil.example/ue</link>
<guid>https://fil.example/ue-guid</guid><pubDate>Fri, 16 Mar 2018 18:05:00 +0100</pubDate>
<dc:creator>Anne Martin</dc:creator><dc:creator>Luc Petit</dc:creator>
<description>&lt;p&gt;Un résumé.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Les dirigeants de l'<b>Union européenne</b> se réunissent.</p><p>Second paragraphe.</p>]]></content:encoded></item>
<item><title>Brève</title><link>https://fil.example/breve</link><description>Texte &amp; brève.</description></item>
<item><link>https://fil.example/vide</link></item>
</channel></rss>)");
    REQUIRE(r.articles.size() == 2);
    const Article& a = r.articles[0];
    CHECK(a.title == "Sommet de l'Union européenne");
    CHECK(a.id == "https://fil.example/ue-guid");
    CHECK(a.url == "https://fil.example/ue");
    CHECK(a.date == "Fri, 16 Mar 2018 18:05:00 +0100");
    CHECK(a.author == "Anne Martin, Luc Petit");
    CHECK(a.source == "Le Fil d'essai");
    // content:encoded (the full text) wins over the description; HTML becomes text.
    CHECK(a.body == "Les dirigeants de l'Union européenne se réunissent.\n\nSecond paragraphe.");
    CHECK(a.line == 4);
    const Article& b = r.articles[1];
    CHECK(b.id == "https://fil.example/breve");  // no guid: the link
    CHECK(b.body == "Texte & brève.");
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].message == "item without title or text, skipped");
    CHECK(r.issues[0].line == 10);
}

TEST_CASE("feeds: Atom entries are articles", "[readers][feeds]") {
    TempDir dir;
    const Read r = read_text(dir, "fil.atom", R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom d'essai</title>
<entry><title type="html">Grève &amp;amp; retraites</title><id>urn:uuid:1</id>
<link rel="self" href="https://atom.example/self"/><link rel="alternate" href="https://atom.example/1"/>
<published>2018-01-01T00:15:00+01:00</published><updated>2018-01-02T10:00:00Z</updated>
<author><name>Paul Durand</name></author>
<summary>Résumé.</summary>
<content type="html">&lt;p&gt;La grève contre la réforme.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</content></entry>
<entry><title>Mise à jour</title><id>urn:uuid:2</id><updated>2018-02-03T04:05:06Z</updated><summary>Texte court.</summary></entry>
</feed>)");
    REQUIRE(r.issues.empty());
    REQUIRE(r.articles.size() == 2);
    const Article& a = r.articles[0];
    CHECK(a.title == "Grève & retraites");
    CHECK(a.id == "urn:uuid:1");
    CHECK(a.url == "https://atom.example/1");
    CHECK(a.date == "2018-01-01T00:15:00+01:00");
    CHECK(a.author == "Paul Durand");
    CHECK(a.source == "Atom d'essai");
    CHECK(a.body == "La grève contre la réforme.");  // the script is not text
    CHECK(r.articles[1].date == "2018-02-03T04:05:06Z");
    CHECK(r.articles[1].body == "Texte court.");
}

TEST_CASE("feeds: malformed, foreign and hostile XML is one issue", "[readers][feeds]") {
    TempDir dir;
    const Read broken = read_text(dir, "broken.rss", "<rss><channel><item><title>cassé\n");
    CHECK(broken.articles.empty());
    REQUIRE(broken.issues.size() == 1);
    CHECK(broken.issues[0].message.rfind("malformed XML (", 0) == 0);
    const Read page = read_text(dir, "page.xml", "<html><body>x</body></html>");
    REQUIRE(page.issues.size() == 1);
    CHECK(page.issues[0].message ==
          "not an RSS or Atom feed, NewsML-G2 or NITF document (root element <html>), skipped");
    CHECK(read_text(dir, "empty.rss", "<rss><channel><title>t</title></channel></rss>").issues.at(0).message ==
          "feed without items, skipped");
    // Billion laughs: refused by the parser, nothing expanded.
    std::string lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">";
    for (char c = 'b'; c <= 'j'; ++c) {
        lol += "<!ENTITY ";
        lol += c;
        lol += " \"";
        for (int k = 0; k < 10; ++k) lol += std::string("&") + static_cast<char>(c - 1) + ";";
        lol += "\">";
    }
    lol += "]>\n<rss><channel><item><title>Bombe &j;</title><description>x</description></item></channel></rss>";
    const Read bomb = read_text(dir, "lol.rss", lol);
    for (const Article& a : bomb.articles) CHECK(a.title.size() < 1000);
    // An external entity is never read.
    const Read xxe =
        read_text(dir, "xxe.rss",
                  "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n"
                  "<rss><channel><item><title>A &x; B</title><description>texte</description></item></channel></rss>");
    for (const Article& a : xxe.articles) CHECK(a.title == "A B");  // nothing of the file
}
