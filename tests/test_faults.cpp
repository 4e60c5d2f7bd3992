// The faults a server meets (issue 13), each reproduced on a small index: requests built
// to hurt --serve, prefixes that expand without end, writers racing a rebuild's swap,
// searches during back-to-back commits, odd --db spellings, a full disk (through
// tests/fault_shim.cpp, LD_PRELOAD'ed), damaged and unreadable indexes, symbolic links.
#include "test_support.hpp"

#include "searcher/request_limits.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kShim = DEPECHE_FAULT_SHIM;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// The shim comes before the sanitizer runtime in the sanitizer build: ASan must not
// insist on being first.
std::string with_shim(const std::string& env) {
    return "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:verify_asan_link_order=0\" LD_PRELOAD=" + shell_quote(kShim) + " " + env +
           " ";
}

std::string index_cmd(const std::string& db, const std::string& args) {
    return kIndex + " --quiet --db " + shell_quote(db) + " " + args;
}

// Response lines of depeche-search --serve for the request lines in `input`.
std::vector<json> serve(const std::string& db, const std::string& input) {
    TempDir tmp;
    write_file(tmp.path / "requests", input);
    RunResult r = run(kSearch + " --serve --db " + shell_quote(db) + " < " + shell_quote((tmp.path / "requests").string()));
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
}

const std::string& data_db() {
    static TempDir dir;
    static std::string db = (dir.path / "db").string();
    static bool built = false;
    if (!built) {
        RunResult r = run(index_cmd(db, shell_quote(kData)));
        INFO(r.err);
        REQUIRE(r.status == 0);
        built = true;
    }
    return db;
}

}  // namespace

// ---- Hostile requests -------------------------------------------------------------------

TEST_CASE("faults: a request nested 60,000 levels is refused and serving goes on", "[faults][serve]") {
    namespace rl = depeche::request_limits;
    const std::size_t deep = 60000;
    std::string hostile = "{\"id\": " + std::string(deep, '[') + std::string(deep, ']') + ", \"query\": \"marché\"}\n";
    // At the limit: the object and 63 arrays.
    std::string limit = "{\"id\": " + std::string(rl::kMaxRequestDepth - 1, '[') +
                        std::string(rl::kMaxRequestDepth - 1, ']') + ", \"query\": \"marché\"}\n";
    std::string over = "{\"id\": " + std::string(rl::kMaxRequestDepth, '[') +
                       std::string(rl::kMaxRequestDepth, ']') + ", \"query\": \"marché\"}\n";
    // Brackets inside strings are text, not nesting.
    std::string quoted = "{\"id\": \"" + std::string(deep, '[') + "\\\"{{\", \"query\": \"marché\"}\n";
    std::vector<json> out = serve(data_db(), hostile + "{\"id\": 2, \"query\": \"marché\"}\n" + limit + over + quoted);
    REQUIRE(out.size() == 5);
    CHECK(out[0]["error"]["code"] == 2);
    CHECK(out[0]["error"]["message"] == "request nested too deeply (the limit is 64 levels of arrays and objects)");
    CHECK(out[1]["id"] == 2);
    CHECK(out[1].contains("hits"));
    CHECK(out[2].contains("hits"));
    CHECK(out[3]["error"]["code"] == 2);
    CHECK(out[4].contains("hits"));
    CHECK(out[4]["id"].get<std::string>().size() == deep + 3);

    CHECK(rl::json_depth("{\"a\": [1, {\"b\": [[]]}]}") == 5);
    CHECK(rl::json_depth("\"[[[\"") == 0);
    CHECK(rl::json_depth("]]]][") == 1);
    CHECK(rl::json_depth(std::string(1000, '{'), 10) == 11);
}

TEST_CASE("faults: a request line over the length limit is an error, skipped without keeping it", "[faults][serve]") {
    namespace rl = depeche::request_limits;
    // 3 MiB of one JSON string: read to its end, answered with an error, then the next
    // line is answered.
    std::string huge = "{\"id\": 1, \"query\": \"" + std::string(3 * rl::kMaxRequestBytes, 'a') + "\"}\n";
    std::string at_limit = "{\"id\": 3, \"query\": \"marché\", \"x\": \"";
    at_limit += std::string(rl::kMaxRequestBytes - at_limit.size() - 2, 'b') + "\"}\r\n";  // the limit, plus \r\n
    std::vector<json> out = serve(data_db(), huge + "{\"id\": 2, \"query\": \"marché\"}\n" + at_limit + huge);
    REQUIRE(out.size() == 4);
    CHECK(out[0]["error"]["code"] == 2);
    CHECK(out[0]["error"]["message"] == "request line longer than 1048576 bytes");
    CHECK_FALSE(out[0].contains("id"));  // the line was not parsed
    CHECK(out[1]["id"] == 2);
    CHECK(out[1].contains("hits"));
    CHECK(out[2]["id"] == 3);  // exactly at the limit: parsed (an unknown field here)
    CHECK(out[2]["error"]["message"].get<std::string>().rfind("unknown field \"x\"", 0) == 0);
    CHECK(out[3]["error"]["message"] == "request line longer than 1048576 bytes");

    // The reader itself: bounded, line ends, a last line without '\n'.
    std::stringbuf in("abc\r\n" + std::string(10, 'x') + "\nlast");
    std::string line;
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::Line);
    CHECK(line == "abc");
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::TooLong);
    CHECK(line.size() == 5);
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::Line);
    CHECK(line == "last");
    CHECK(rl::read_line(in, line, 5) == rl::LineStatus::End);
}

TEST_CASE("faults: prefixes are capped in total, a repeated prefix is merged", "[faults][query]") {
    TempDir dir;
    const std::string db = (dir.path / "db").string();
    {
        // Words p<a..l><aa..zz>: 676 words for each of 12 two-letter prefixes.
        Writer w(db);
        for (char second = 'a'; second <= 'l'; ++second) {
            std::string body;
            for (char x = 'a'; x <= 'z'; ++x)
                for (char y = 'a'; y <= 'z'; ++y) body += std::string("p") + second + x + y + " ";
            w.add(Article{.id = std::string("words-") + second, .body = body});
        }
        w.commit();
    }
    Searcher s(db);
    auto search = [&](const std::string& q) {
        SearchRequest r;
        r.query = q;
        r.limit = 1;
        r.exact_total = true;
        r.facets = true;
        return s.search(r);
    };
    // 10 prefixes of 500 words each: 5000, the limit.
    CHECK(search("pa* OR pb* OR pc* OR pd* OR pe* OR pf* OR pg* OR ph* OR pi* OR pj*").total == 10);
    // An 11th: refused at its position.
    const std::string eleven = "pa* OR pb* OR pc* OR pd* OR pe* OR pf* OR pg* OR ph* OR pi* OR pj* OR pk*";
    try {
        search(eleven);
        FAIL("no error");
    } catch (const QueryError& e) {
        CHECK(std::string(e.what()) == "the prefixes match too many words (the limit is 5000 in all) at position 71");
        CHECK(e.position() == 70);
    }
    // The same prefix 999 times, in AND and OR groups, counts once.
    std::string repeated, alternatives;
    for (int i = 0; i < 999; ++i) {
        repeated += "pa* ";
        alternatives += i ? " OR pb*" : "pb*";
    }
    CHECK(search(repeated).total == 1);
    CHECK(search(alternatives).total == 1);
    CHECK(search(repeated + "pb* -pc* -pc*").total == 0);
    // In different groups, copies do count.
    std::string groups;
    for (int i = 0; i < 11; ++i) groups += "(pa* OR x" + std::to_string(i) + ") ";
    CHECK_THROWS_AS(search(groups), QueryError);
}
