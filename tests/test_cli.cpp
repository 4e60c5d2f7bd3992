// The two programs end to end on tests/data: options, output formats, exit codes.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "schema/schema.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// An index of tests/data built once by depeche-index.
const std::string& data_db() {
    static TempDir dir;
    static std::string db = (dir.path / "db").string();
    static bool built = false;
    if (!built) {
        RunResult r = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
        INFO(r.err);
        REQUIRE(r.status == 0);
        built = true;
    }
    return db;
}

json search_json(const std::string& query, const std::string& options = "--limit 1000") {
    RunResult r = run(kSearch + " --db " + shell_quote(data_db()) + " --format json " + options + " " + shell_quote(query));
    INFO(query << "\n" << r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
}

// Labels (last path part of each id: "t01"...) of the hits.
std::set<std::string> labels(const std::string& query) {
    json j = search_json(query);
    std::set<std::string> out;
    for (const auto& h : j["hits"]) {
        std::string id = h["id"];
        out.insert(id.substr(id.rfind('/') + 1));
    }
    CHECK(j["total"].get<std::size_t>() == out.size());
    return out;
}

}  // namespace

TEST_CASE("cli: indexing tests/data reports a summary and is idempotent", "[cli]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    std::string cmd = kIndex + " --db " + shell_quote(db) + " " + shell_quote(kData);
    RunResult first = run(cmd);
    INFO(first.err);
    REQUIRE(first.status == 0);
    CHECK(first.out.find("indexed 11 articles from 9 files (9 added, 0 updated, 0 unchanged, 0 removed, 0 failed)") != std::string::npos);
    RunResult again = run(cmd);
    REQUIRE(again.status == 0);
    CHECK(again.out.find("indexed 0 articles from 9 files (0 added, 0 updated, 9 unchanged, 0 removed, 0 failed)") != std::string::npos);
    RunResult stats = run(kSearch + " --db " + shell_quote(db) + " --stats --format json");
    REQUIRE(stats.status == 0);
    json s = json::parse(stats.out);
    CHECK(s["articles"] == 11);
    CHECK(s["schema_version"] == depeche::schema::kVersion);
    CHECK(s["size_bytes"].get<long>() > 0);
    CHECK(!s["last_update"].get<std::string>().empty());
}

TEST_CASE("cli: expected results on tests/data (tests/data/EXPECTED.md)", "[cli]") {
    using S = std::set<std::string>;
    CHECK(labels("Ukraine") == S{"t01", "t02", "t06"});
    CHECK(labels("\"Emmanuel Macron\"") == S{"t01", "t03", "t07"});
    CHECK(labels("\"état d'urgence\"") == S{"t04", "t08"});
    CHECK(labels("\"etat d'urgence\"") == S{"t04", "t08"});
    CHECK(labels("\"la Maison Blanche\"") == S{"t02", "t06"});
    CHECK(labels("\"mettre fin à la guerre\"") == S{"t06"});
    CHECK(labels("électricité") == labels("electricite"));
    CHECK(labels("œuvre") == labels("oeuvre"));
    CHECK(labels("Élections") == labels("elections"));
    CHECK(labels("tête-à-tête") == S{"t01"});
    CHECK(labels("Abonnez-vous").empty());  // HTML navigation is not indexed
}

TEST_CASE("cli: JSON output has the documented fields", "[cli]") {
    json j = search_json("Ukraine", "--limit 2");
    CHECK(j["format_version"] == 1);
    CHECK(j["query"] == "Ukraine");
    CHECK(j["total"] == 3);
    CHECK(j["total_exact"] == true);
    REQUIRE(j["hits"].size() == 2);
    for (const auto& h : j["hits"])
        for (const char* k : {"rank", "id", "score", "title", "date", "url", "path", "author", "source", "snippet"})
            CHECK(h.contains(k));
    CHECK(j["hits"][0]["rank"] == 1);
    CHECK(j["hits"][1]["rank"] == 2);
    CHECK(j["hits"][0]["score"].get<double>() >= j["hits"][1]["score"].get<double>());
    CHECK(j["hits"][0]["snippet"].get<std::string>().find("**") != std::string::npos);
    json page = search_json("Ukraine", "--limit 2 --offset 2");
    REQUIRE(page["hits"].size() == 1);
    CHECK(page["hits"][0]["rank"] == 3);
}

TEST_CASE("cli: text output shows rank, title, id and a highlighted snippet", "[cli]") {
    RunResult r = run(kSearch + " --db " + shell_quote(data_db()) + " '\"Maison Blanche\"'");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("2 articles") != std::string::npos);
    CHECK(r.out.find(" 1. ") != std::string::npos);
    CHECK(r.out.find("**Maison Blanche**") != std::string::npos);
    CHECK(r.out.find("\033[") == std::string::npos);  // no colour when piped
    RunResult c = run(kSearch + " --db " + shell_quote(data_db()) + " --color always '\"Maison Blanche\"'");
    CHECK(c.out.find("\033[1;33mMaison Blanche\033[0m") != std::string::npos);
}

TEST_CASE("cli: exit codes", "[cli]") {
    std::string db = shell_quote(data_db());
    CHECK(run(kSearch + " --db " + db + " zzzxqj").status == 0);  // no hits is success
    RunResult bad = run(kSearch + " --db " + db + " '\"unterminated'");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("unterminated quote at position 1") != std::string::npos);
    CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
    CHECK(run(kSearch + " --db " + db + " --limit abc x").status == 2);
    CHECK(run(kSearch + " --db " + db + " --format xml x").status == 2);
    CHECK(run(kSearch + " --db " + db).status == 2);
    TempDir empty;
    RunResult missing = run(kSearch + " --db " + shell_quote((empty.path / "nope").string()) + " x");
    CHECK(missing.status == 3);
    CHECK(missing.err.find("no index at") != std::string::npos);
    CHECK(run(kIndex + " --db " + db).status == 2);
    CHECK(run(kIndex + " --bogus").status == 2);
}
