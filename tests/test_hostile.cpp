// Hostile queries: whatever string reaches depeche-search or Searcher::search, the
// answer is results or a one-line error (exit 2, QueryError): never a crash, a hang,
// another exception type or unbounded memory.
#include "searcher/query_parser.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>

using namespace depeche;
using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::string numbered(const std::string& before, const std::string& after, std::size_t n) {
    std::string out;
    for (std::size_t i = 1; i <= n; ++i) out += before + std::to_string(i) + after;
    return out;
}

// Printable form of a query for failure messages (control and non-ASCII bytes escaped,
// long queries cut).
std::string shown(const std::string& q) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : q.substr(0, 200)) {
        if (c >= 0x20 && c < 0x7f)
            out += static_cast<char>(c);
        else
            out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
    if (q.size() > 200) out += "... (" + std::to_string(q.size()) + " bytes)";
    return out;
}

// The hostile strings, with a name each.
std::vector<std::pair<std::string, std::string>> hostile_queries() {
    using namespace std::string_literals;
    std::vector<std::pair<std::string, std::string>> q = {
        {"empty", ""},
        {"spaces", "   "},
        {"whitespace", "\t\n\r\v\f"},
        {"lone quote", "\""},
        {"unterminated quote", "\"Union europeenne"},
        {"quote at end", "Macron\""},
        {"three quotes", "\"a\" \"b"},
        {"unbalanced (", "((Macron"},
        {"unbalanced )", "Macron))"},
        {"reversed parens", ")("},
        {"lone (", "("},
        {"lone )", ")"},
        {"empty parens", "()"},
        {"nested empty", "(())"},
        {"OR", "OR"},
        {"AND", "AND"},
        {"NOT", "NOT"},
        {"NEAR", "NEAR"},
        {"OU", "OU"},
        {"ET", "ET"},
        {"SAUF", "SAUF"},
        {"trailing OR", "Macron OR"},
        {"leading OR", "OR Macron"},
        {"trailing AND", "Macron AND"},
        {"double OR", "a OR OR b"},
        {"NOT NOT", "NOT NOT a"},
        {"trailing NOT", "Macron NOT"},
        {"lone -", "-"},
        {"lone +", "+"},
        {"- space", "- a"},
        {"--", "--a"},
        {"+-", "+-a"},
        {"-+", "-+a"},
        {"only exclusions", "-Macron -Ukraine"},
        {"star", "*"},
        {"two stars", "**"},
        {"star word", "*a"},
        {"word stars", "a**"},
        {"minus star", "-*"},
        {"star in phrase", "\"a* b\""},
        {"star OR", "* OR *"},
        {"trailing NEAR", "a NEAR"},
        {"leading NEAR", "NEAR b"},
        {"NEAR/999", "a NEAR/999 b"},
        {"NEAR/1000", "a NEAR/1000 b"},
        {"NEAR/0", "a NEAR/0 b"},
        {"NEAR/-1", "a NEAR/-1 b"},
        {"NEAR/huge", "a NEAR/99999999999999999999 b"},
        {"NEAR/", "a NEAR/ b"},
        {"NEAR/x", "a NEAR/x b"},
        {"NEAR phrase", "\"a b\" NEAR c"},
        {"NEAR group", "(a OR b) NEAR c"},
        {"NEAR field", "titre:a NEAR b"},
        {"NEAR NEAR", "a NEAR NEAR b"},
        {"NEAR chain", "a NEAR b NEAR/3 c NEAR/999 d"},
        {"field no value", "titre:"},
        {"field )", "titre:)"},
        {"field (", "titre:("},
        {"field ()", "titre:()"},
        {"field unclosed", "titre:(a"},
        {"unknown field", "foo:bar"},
        {"unknown field case", "FOO:bar"},
        {"accented field", "é:bar"},
        {"underscore field", "_:x"},
        {"field in field", "titre:(titre:a)"},
        {"field chain", "titre:titre:a"},
        {"date:2025-13", "date:2025-13"},
        {"date:..", "date:.."},
        {"date:...", "date:..."},
        {"date:abc..def", "date:abc..def"},
        {"reversed range", "date:2025-10..2025-01"},
        {"year 0", "date:0000"},
        {"year 9999", "date:9999-12-31"},
        {"feb 30", "date:2025-02-30"},
        {"date -1", "date:-1"},
        {"date huge", "date:99999999999999999999"},
        {"date open end", "date:2025-08-01.."},
        {"date open start", "date:..2025"},
        {"date group", "date:(2025)"},
        {"date quoted", "date:\"2025\""},
        {"date spaces", "date:\"2025 .. 2026\""},
        {"date NUL", "date:2025\0-08"s},
        {"mentioned bad", "mentionne:2025-13"},
        {"mentioned wide", "mentionné:1800..2200"},
        {"mentioned days", "mentionne:1800-01-02..2200-12-30"},
        {"person empty", "personne:\"\""},
        {"person apostrophe", "personne:'"},
        {"person group", "personne:(a)"},
        {"person comma", "personne:,"},
        {"id empty", "id:\"\""},
        {"url colons", "url:http://x:y/z"},
        {"colon", ":"},
        {"colons", "::"},
        {"trailing colon", "a:"},
        {"leading colon", ":a"},
        {"colon space", "a: b"},
        {"guillemets", "«"},
        {"guillemet open", "«Macron"},
        {"guillemets pair", "«Emmanuel Macron»"},
        {"curly open", "\u201CMacron"},
        {"curly pair", "\u201CMaison Blanche\u201D"},
        {"mixed quotes", "\u201CMacron\""},
        {"empty phrase", "\"\""},
        {"apostrophes", "''"},
        {"elision only", "l'"},
        {"elision quote", "l'\""},
        {"stopwords only", "le la les de"},
        {"punctuation only", "!?;,./"},
        // Bytes: NUL, control characters, escapes, invalid UTF-8, odd Unicode.
        {"NUL inside", "Mac\0ron"s},
        {"NUL alone", "\0"s},
        {"NULs", "\0\0\0 \0"s},
        {"NUL in phrase", "\"Maison\0Blanche\""s},
        {"NUL in field", "titre:\0"s},
        {"controls", "\x01\x02\x03 a \x1f"},
        {"escape sequence", "\x1b[31mrouge\x1b[0m"},
        {"DEL", "\x7f"},
        {"backspace", "a\bb"},
        {"invalid byte", "\xff"},
        {"cut sequence", "Macron \xc3"},
        {"cut 3-byte", "\xe2\x80"},
        {"lone continuation", "\x80\x80"},
        {"surrogate", "\xed\xa0\x80"},
        {"beyond U+10FFFF", "\xf4\x90\x80\x80"},
        {"overlong NUL", "\xc0\x80"},
        {"overlong slash", "\xe0\x80\xaf"},
        {"latin-1", "\xc9lys\xe9\x65"},
        {"BOM", "\xef\xbb\xbfMacron"},
        {"combining only", "\u0301\u0301"},
        {"zero width", "\u200b\u200b"},
        {"bidi override", "\u202eMacron"},
        {"replacement char", "\ufffd"},
        {"private use", "\ue000"},
        {"emoji", "\U0001F600 Macron"},
        {"noncharacter", "\xef\xbf\xbf"},
        // Sizes.
        {"100 KB", std::string(100 * 1024, 'a')},
        {"64 KB word", std::string(QueryParser::kMaxQueryBytes, 'a')},
        {"64 KB + 1", std::string(QueryParser::kMaxQueryBytes + 1, 'a')},
        {"10,000 terms", numbered("w", " ", 10000).substr(0, QueryParser::kMaxQueryBytes)},
        {"999 terms", numbered("mot", " ", 999)},
        {"1,001 terms", numbered("mot", " ", 1001)},
        {"10,000 OR", numbered("w", " OR ", 10000).substr(0, 60000) + "x"},
        {"deep nesting", repeat("(", 10000) + "a" + repeat(")", 10000)},
        {"nesting 64", repeat("(", 64) + "a" + repeat(")", 64)},
        {"nesting 65", repeat("(", 65) + "a" + repeat(")", 65)},
        {"unclosed nesting", repeat("(", 30000)},
        {"many )", repeat(")", 30000)},
        {"many -", repeat("-", 30000) + "a"},
        {"many +", repeat("+", 30000) + "a"},
        {"many NOT", repeat("NOT ", 10000) + "a"},
        {"many -(", repeat("-(", 5000) + "a"},
        {"many quotes", repeat("\"", 30001)},
        {"many stars", repeat("*", 60000)},
        {"many colons", repeat(":", 60000)},
        {"NEAR chain 2000", numbered("w", " NEAR/999 ", 2000).substr(0, 60000) + "x"},
        {"1,000 wildcards", numbered("a", "* ", 1000)},
        {"many wildcards", repeat("a* ", 20000)},
        {"long phrase", "\"" + numbered("w", " ", 2000) + "\""},
        {"many fields", repeat("titre:a ", 7000)},
        {"many persons", repeat("personne:Macron ", 4000)},
        {"many dates", repeat("date:2025 ", 6000)},
        {"many mentioned", repeat("mentionne:1800-01-02..2200-12-30 ", 1900)},
        {"many mentioned OR", repeat("mentionne:1800-01-02..2200-12-30 OR ", 1700) + "x"},
        {"long wildcard", std::string(1000, 'a') + "*"},
        {"long field value", "url:" + std::string(1000, 'u')},
        {"long person", "personne:" + std::string(1000, 'p')},
        {"long id", "id:" + std::string(1000, 'i')},
        {"long NEAR", std::string(1000, 'a') + " NEAR b"},
        {"many words one token", repeat("a-", 20000) + "a"},
        {"many elisions", repeat("l'", 30000) + "a"},
    };
    return q;
}

// Checks one search through the library: results that hold together, or a QueryError
// with a one-line message and a position inside the query.
void check_search(Searcher& s, const SearchRequest& req) {
    INFO("query: " << shown(req.query) << " limit " << req.limit << " offset " << req.offset);
    static const bool verbose = std::getenv("DEPECHE_TEST_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "search %s\n", shown(req.query).c_str());
    try {
        SearchResult r = s.search(req);
        CHECK(r.hits.size() <= req.limit);
        CHECK(r.hits.size() <= r.total);
        for (std::size_t i = 0; i < r.hits.size(); ++i) CHECK(r.hits[i].rank == req.offset + i + 1);
        if (req.facets) CHECK(r.facets.has_value());
    } catch (const QueryError& e) {
        std::string what = e.what();
        CHECK(!what.empty());
        CHECK(what.find('\n') == std::string::npos);
        CHECK(e.position() <= req.query.size());
    } catch (const std::exception& e) { FAIL("unexpected exception (not a QueryError): " << e.what()); }
}

// The parser alone (no index), and its syntax stage.
void check_parse(const std::string& query) {
    INFO("query: " << shown(query));
    Analyzer analyzer;
    try {
        QueryParser(analyzer, nullptr).parse(query);
    } catch (const QueryError& e) {
        CHECK(std::string(e.what()).find('\n') == std::string::npos);
        CHECK(e.position() <= query.size());
    } catch (const std::exception& e) { FAIL("parse: unexpected exception: " << e.what()); }
    try {
        describe(*parse_syntax(query));
    } catch (const QueryError& e) { CHECK(e.position() <= query.size()); } catch (const std::exception& e) {
        FAIL("parse_syntax: unexpected exception: " << e.what());
    }
}

// A random query made of pieces of the language and of hostile bytes.
std::string random_query(std::mt19937& rng) {
    using namespace std::string_literals;
    static const std::vector<std::string> pieces = {
        " ",          " ",           " ",      "\"",       "(",           ")",         "-",           "+",
        "*",          "OR",          "AND",    "NOT",      "NEAR",        "NEAR/2",    "NEAR/999",    "NEAR/0",
        "OU",         "SAUF",        "titre:", "auteur:",  "source:",     "personne:", "id:",         "url:",
        "date:",      "mentionne:",  "foo:",   ":",        "..",          "2025",      "2025-08",     "2025-13",
        "2025-08-15", "«",           "»",      "\u201C",   "\u201D",      "'",         "l'",          "d'",
        "Macron",     "Ukraine",     "Élysée", "elysee",   "électricité", "œuvre",     "tête-à-tête", "Maison",
        "Blanche",    "le",          "de",     "a",        "é",           "\0"s,       "\x01",        "\x1b",
        "\x7f",       "\xff",        "\xc3",   "\xe2\x80", "\u0301",      "\ufffd",    "Jean-Yves",   "12",
        "3,5",        "aujourd'hui", "x*",     "Ma*",      "-x",          "+y"};
    std::uniform_int_distribution<std::size_t> count(1, 24), pick(0, pieces.size() - 1);
    std::string q;
    for (std::size_t n = count(rng); n > 0; --n) q += pieces[pick(rng)];
    return q;
}

}  // namespace

TEST_CASE("hostile queries: the library answers with results or a QueryError", "[hostile]") {
    Searcher s(data_db());
    for (const auto& [name, query] : hostile_queries()) {
        INFO(name);
        SearchRequest req;
        req.query = query;
        check_search(s, req);
        req.facets = true;
        req.sort = Sort::DateAscending;
        req.sort_given = true;
        req.limit = 3;
        check_search(s, req);
    }
}

TEST_CASE("hostile queries: the parser alone never fails otherwise", "[hostile]") {
    for (const auto& [name, query] : hostile_queries()) {
        INFO(name);
        check_parse(query);
    }
}

TEST_CASE("hostile queries: limits on size, terms and nesting are errors", "[hostile]") {
    Searcher s(data_db());
    auto error = [&](const std::string& q) -> std::string {
        SearchRequest req;
        req.query = q;
        try {
            s.search(req);
        } catch (const QueryError& e) { return e.what(); }
        return "";
    };
    CHECK(error(std::string(100 * 1024, 'a')).find("query too long") != std::string::npos);
    CHECK(error(numbered("mot", " ", 1001)).find("too many terms") != std::string::npos);
    CHECK(error(numbered("mot", " ", 999)).empty());
    CHECK(error(repeat("(", 10000) + "a" + repeat(")", 10000)).find("nested too deeply") != std::string::npos);
    CHECK(error("\"Union europeenne").find("unterminated quote") != std::string::npos);
    CHECK(error("date:2025-13").find("month 13") != std::string::npos);
    CHECK(error("date:..").find("date range") != std::string::npos);
    CHECK(error("foo:bar").find("unknown field 'foo'") != std::string::npos);
    CHECK(error("*").find("'*'") != std::string::npos);
    CHECK(error("a\xff").find("invalid UTF-8") != std::string::npos);
    CHECK(error("a NEAR/1000 b").find("NEAR") != std::string::npos);
    // Control characters and NUL bytes separate words like spaces.
    SearchRequest req;
    req.query = std::string("Maison\0Blanche", 14);
    CHECK(s.search(req).total == 2);
    req.query =
        "Maison\x01\x1b"
        "Blanche";
    CHECK(s.search(req).total == 2);
}

TEST_CASE("hostile queries: extreme limits and offsets", "[hostile]") {
    Searcher s(data_db());
    const std::size_t max = std::numeric_limits<std::size_t>::max();
    SearchRequest req;
    req.query = "Ukraine";
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, max - 1, max})
        for (std::size_t offset : {std::size_t{0}, std::size_t{2}, std::size_t{3}, max - 1, max}) {
            INFO("limit " << limit << " offset " << offset);
            req.limit = limit;
            req.offset = offset;
            for (bool exact : {false, true}) {
                req.exact_total = exact;
                SearchResult r = s.search(req);
                CHECK(r.total == 3);
                CHECK(r.hits.size() == std::min<std::size_t>(limit, offset >= 3 ? 0 : 3 - offset));
                if (!r.hits.empty()) CHECK(r.hits[0].rank == offset + 1);
            }
        }
    req.limit = max;
    req.offset = 0;
    req.facets = true;
    req.facet_limit = max;
    req.snippet.length = max;
    SearchResult r = s.search(req);
    CHECK(r.hits.size() == 3);
    REQUIRE(r.facets);
}

TEST_CASE("hostile queries: random mixes of operators and bytes", "[hostile]") {
    Searcher s(data_db());
    std::mt19937 rng(20250815);
    for (int i = 0; i < 3000; ++i) {
        SearchRequest req;
        req.query = random_query(rng);
        req.limit = 5;
        req.facets = i % 7 == 0;
        check_search(s, req);
        if (i % 5 == 0) check_parse(req.query);
    }
}

TEST_CASE("hostile queries: depeche-search exits 0 or 2 with one line", "[hostile][cli]") {
    const std::string db = data_db();
    // Address space is capped (outside sanitizer builds, whose shadow memory needs
    // terabytes of it) so that runaway memory fails instead of swapping; `timeout`
    // turns a hang into a failure.
    const std::string prefix = std::string(kSanitized ? "" : "ulimit -v 2000000; ") + "timeout 120 " + kSearch +
                               " --db " + shell_quote(db) + " --format json ";
    std::size_t errors = 0, answers = 0;
    TempDir tmp;
    const std::string file = (tmp.path / "query").string();
    for (const auto& [name, query] : hostile_queries()) {
        if (query.find('\0') != std::string::npos) continue;  // cannot be an argument
        INFO(name << ": " << shown(query));
        // Through a file: a quoted long query could exceed the kernel's limit on the
        // length of one argument of `sh -c`.
        write_file(file, query);
        RunResult r = run(prefix + "-- \"$(cat " + shell_quote(file) + ")\"");
        INFO("exit status " << r.status << ", stderr: " << r.err.substr(0, 500));
        REQUIRE((r.status == 0 || r.status == 2));
        if (r.status == 2) {
            ++errors;
            CHECK(r.out.empty());
            CHECK(r.err.rfind("depeche-search: ", 0) == 0);
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK(r.err.back() == '\n');
        } else {
            ++answers;
            CHECK(r.err.empty());
            json j = json::parse(r.out, nullptr, false);
            CHECK(j.is_object());
        }
    }
    CHECK(errors > 50);
    CHECK(answers > 30);
}

TEST_CASE("hostile queries: depeche-search numeric options", "[hostile][cli]") {
    const std::string base = "timeout 120 " + kSearch + " --db " + shell_quote(data_db()) + " --format json ";
    auto total_hits = [&](const std::string& options) {
        RunResult r = run(base + options + " Ukraine");
        INFO(options << "\n" << r.err);
        REQUIRE(r.status == 0);
        json j = json::parse(r.out);
        CHECK(j["total"] == 3);
        return j["hits"].size();
    };
    CHECK(total_hits("--limit 18446744073709551615") == 3);
    CHECK(total_hits("--offset 18446744073709551615") == 0);
    CHECK(total_hits("--limit 18446744073709551615 --offset 18446744073709551615") == 0);
    CHECK(total_hits("--limit 18446744073709551615 --offset 1") == 2);
    CHECK(total_hits("--limit 0") == 0);
    CHECK(total_hits("--limit 0 --exact --facets --facet-limit 18446744073709551615") == 0);
    CHECK(total_hits("--snippet-length 18446744073709551615") == 3);
    for (const char* bad :
         {"--limit -1", "--limit 18446744073709551616", "--offset -5", "--limit ''", "--limit 1e3", "--limit 0x10",
          "--facet-limit -1", "--snippet-length -1", "--limit ' 5'", "--limit 99999999999999999999999"}) {
        RunResult r = run(base + bad + " Ukraine");
        INFO(bad << "\n" << r.err);
        CHECK(r.status == 2);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}
