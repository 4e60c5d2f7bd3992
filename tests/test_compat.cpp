// Indexes built by earlier releases (tests/data/compat/schema-N, made by
// scripts/compat-fixture.sh): the current schema's fixture opens and answers; every
// older one is refused with exit 3 and the re-index hint, never read as if it were current.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "schema/schema.hpp"
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using namespace depeche::test;

namespace {

const std::string kSearch = DEPECHE_SEARCH_BIN;
const fs::path kCompat = fs::path(DEPECHE_SOURCE_DIR) / "tests" / "data" / "compat";

}  // namespace

TEST_CASE("compat: the current schema's fixture opens, older ones are refused with the re-index hint",
          "[cli][compat]") {
    const int current = depeche::schema::kVersion;
    REQUIRE(fs::is_directory(kCompat));
    // The fixture of the current version must exist (scripts/compat-fixture.sh makes it).
    CHECK(fs::exists(kCompat / ("schema-" + std::to_string(current)) / "iamglass"));
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(kCompat)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("schema-", 0) != 0) continue;
        const int version = std::stoi(name.substr(7));
        ++seen;
        // A copy: the fixture in the source tree is never opened by a writer.
        TempDir tmp;
        const fs::path db = tmp.path / "db";
        fs::copy(entry.path(), db, fs::copy_options::recursive);
        const RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " --format json incendie");
        INFO(name << ": " << r.err);
        if (version == current) {
            REQUIRE(r.status == 0);
            const auto j = nlohmann::json::parse(r.out);
            REQUIRE(j["total"] == 1);
            CHECK(j["hits"][0]["title"].get<std::string>().find("Notre-Dame") != std::string::npos);
            CHECK(j.at("hits")[0].at("date").get<std::string>().rfind("2019-04-16", 0) == 0);
        } else {
            CHECK(version < current);
            CHECK(r.status == 3);
            CHECK(r.out.empty());
            CHECK(r.err.find("schema version " + std::to_string(version)) != std::string::npos);
            CHECK(r.err.find("depeche-index --full --db") != std::string::npos);
        }
    }
    CHECK(seen >= 2);  // schema 5 and the current one at least
}
