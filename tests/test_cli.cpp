// The two programs end to end on tests/data: options, output formats, exit codes.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "schema/schema.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <regex>
#include <set>

using namespace depeche::test;
using nlohmann::json;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

json search_json(const std::string& query, const std::string& options = "--limit 1000") {
    RunResult r =
        run(kSearch + " --db " + shell_quote(data_db()) + " --format json " + options + " " + shell_quote(query));
    INFO(query << "\n" << r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
}

// Labels (last path part of each id: "t01"...) of the hits of a JSON result, which
// must hold every match.
std::set<std::string> labels_of(const json& j) {
    std::set<std::string> out;
    for (const auto& h : j["hits"]) {
        std::string id = h["id"];
        out.insert(id.substr(id.rfind('/') + 1));
    }
    CHECK(j["total"].get<std::size_t>() == out.size());
    return out;
}

std::set<std::string> labels(const std::string& query) { return labels_of(search_json(query)); }

}  // namespace

TEST_CASE("cli: indexing tests/data reports a summary and is idempotent", "[cli]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    std::string cmd = kIndex + " --db " + shell_quote(db) + " " + shell_quote(kData);
    RunResult first = run(cmd);
    INFO(first.err);
    REQUIRE(first.status == 0);
    CHECK(first.out.find("indexed 11 articles from 9 files (9 added, 0 updated, 0 unchanged, 0 removed, 0 failed)") !=
          std::string::npos);
    RunResult again = run(cmd);
    REQUIRE(again.status == 0);
    CHECK(again.out.find("indexed 0 articles from 9 files (0 added, 0 updated, 9 unchanged, 0 removed, 0 failed)") !=
          std::string::npos);
    RunResult stats = run(kSearch + " --db " + shell_quote(db) + " --stats --format json");
    REQUIRE(stats.status == 0);
    json s = json::parse(stats.out);
    CHECK(s["articles"] == 11);
    CHECK(s["schema_version"] == depeche::schema::kVersion);
    CHECK(s["size_bytes"].get<long>() > 0);
    CHECK(!s["last_update"].get<std::string>().empty());
}

TEST_CASE("cli: depeche-index shows progress on a terminal only, and never with --quiet", "[cli][progress]") {
    TempDir dir;
    const std::string out = (dir.path / "stdout").string(), err = (dir.path / "stderr").string();
    auto db = [&](const std::string& name) { return (dir.path / name).string(); };
    const std::string summary =
        "indexed 11 articles from 9 files (9 added, 0 updated, 0 unchanged, 0 removed, 0 failed) in ";

    // Standard error is the terminal: one line redrawn after each file (files done, articles,
    // rate, ETA), erased at the end. The summary goes to standard output.
    PtyProcess p({kIndex, "--db", db("a"), kData}, {{1, out}});
    REQUIRE(p.started());
    CHECK(p.wait() == 0);
    const std::string screen = p.output();
    INFO(screen);
    static const std::regex progress(
        "\r([0-9]+)/([0-9]+) files, ([0-9]+) articles?, ([0-9]+) articles/s, "
        "[0-9.]+/[0-9.]+ MB \\([0-9]+%\\), ETA ([0-9]+) s\033\\[K");
    std::vector<std::array<unsigned long, 5>> lines;
    for (std::sregex_iterator it(screen.begin(), screen.end(), progress), end; it != end; ++it) {
        std::array<unsigned long, 5> v{};
        for (std::size_t k = 0; k < 5; ++k) v[k] = std::stoul((*it)[k + 1].str());
        lines.push_back(v);
    }
    REQUIRE(lines.size() == 9);  // one per file
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i][0] == i + 1);                       // files done
        CHECK(lines[i][1] == 9);                           // of all files
        if (i > 0) CHECK(lines[i][2] >= lines[i - 1][2]);  // articles
    }
    CHECK(lines.back()[2] == 11);
    CHECK(lines.back()[4] == 0);  // ETA once every file is done
    // Nothing else on the terminal, and the last line is erased.
    CHECK(std::regex_replace(screen, progress, "") == "\r\033[K");
    CHECK(read_file(out).rfind(summary, 0) == 0);

    // Standard error is not a terminal (standard output is): no progress at all.
    PtyProcess q({kIndex, "--db", db("b"), kData}, {{2, err}});
    CHECK(q.wait() == 0);
    CHECK(read_file(err).empty());
    CHECK(q.output().rfind(summary, 0) == 0);
    CHECK(q.output().find("articles/s") == std::string::npos);
    RunResult piped = run(kIndex + " --db " + shell_quote(db("c")) + " " + shell_quote(kData));
    CHECK(piped.status == 0);
    CHECK(piped.err.empty());
    CHECK(piped.out.rfind(summary, 0) == 0);

    // --quiet on a terminal: nothing on standard error; the summary is still printed.
    PtyProcess quiet({kIndex, "--quiet", "--db", db("d"), kData}, {{1, out}});
    CHECK(quiet.wait() == 0);
    CHECK(quiet.output().empty());
    CHECK(read_file(out).rfind(summary, 0) == 0);

    // One file, one article: singular words.
    write_file(dir.path / "one" / "a.txt", "Titre: Seul\n\nUn seul article dans un seul fichier.\n");
    PtyProcess one({kIndex, "--db", db("e"), (dir.path / "one").string()}, {{1, out}});
    CHECK(one.wait() == 0);
    CHECK(std::regex_search(
        one.output(),
        std::regex("^\r1/1 file, 1 article, [0-9]+ articles/s, 0.0/0.0 MB \\(100%\\), ETA 0 s\033\\[K\r\033\\[K$")));
    CHECK(read_file(out).rfind(
              "indexed 1 article from 1 file (1 added, 0 updated, 0 unchanged, 0 removed, 0 failed) in ", 0) == 0);
}

TEST_CASE("cli: the summary says 1 article, 1 file, 1 warning", "[cli][xapian-check]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    std::string cmd = kIndex + " --db " + shell_quote(db) + " " + shell_quote((dir.path / "in").string());
    write_file(dir.path / "in" / "a.txt", "Titre: Premier\n\nLe premier article.\n");
    write_file(dir.path / "in" / "b.txt", "Titre: Second\n\nLe second article.\n");
    RunResult r = run(cmd);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("indexed 2 articles from 2 files (2 added, 0 updated, 0 unchanged, 0 removed, 0 failed) in ",
                      0) == 0);
    std::filesystem::remove(dir.path / "in" / "b.txt");
    write_file(dir.path / "in" / "a.txt", "Titre: Premier\nDate: le jour d'après\n\nLe premier article, revu.\n");
    r = run(cmd);
    // A warning (the date cannot be parsed): counted, listed with --verbose, exit 0.
    CHECK(r.status == 0);
    CHECK(r.out.rfind("indexed 1 article from 1 file (0 added, 1 updated, 0 unchanged, 1 removed, 0 failed); "
                      "1 article removed; 1 warning in ",
                      0) == 0);
    CHECK(r.err == "depeche-index: 1 warning (--verbose lists them): cannot parse date (1)\n");
    RunResult check = run(kIndex + " --check --db " + shell_quote(db));
    CHECK(check.status == 0);
    CHECK(check.out == "index " + db + ": OK (1 article checked)\n");
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

TEST_CASE("cli: --color colours text only, never JSON", "[cli]") {
    ::unsetenv("NO_COLOR");  // inherited by the programs run here
    const std::string highlighted = "\033[1;33mMaison Blanche\033[0m";
    // Standard output is a terminal, where --color auto colours text output.
    auto on_terminal = [&](std::vector<std::string> args) {
        std::vector<std::string> argv{kSearch, "--db", data_db()};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back("\"Maison Blanche\"");
        PtyProcess p(argv);
        REQUIRE(p.started());
        CHECK(p.wait() == 0);
        return p.output();
    };
    // No escape character, raw or as JSON writes it in a string (\u001b).
    auto no_escape = [](const std::string& text) {
        return text.find('\033') == std::string::npos && text.find("\\u001b") == std::string::npos &&
               text.find("\\u001B") == std::string::npos;
    };
    for (const char* color : {"always", "auto", "never"}) {
        INFO("--color " << color);
        std::string text = on_terminal({"--format", "json", "--facets", "--color", color});
        CHECK(no_escape(text));
        REQUIRE(text.size() > 2);
        CHECK(text.substr(text.size() - 2) == "\r\n");  // one line (the terminal adds \r)
        json j = json::parse(text.substr(0, text.size() - 2));
        REQUIRE(j["hits"].size() == 2);
        CHECK(j["hits"][0]["snippet"].get<std::string>().find("**Maison Blanche**") != std::string::npos);
        RunResult piped =
            run(kSearch + " --db " + shell_quote(data_db()) + " --format json --color " + color + " Ukraine");
        CHECK(piped.status == 0);
        CHECK(no_escape(piped.out));
        json pj = json::parse(piped.out);
        CHECK(pj["total"] == 3);
        CHECK(pj["hits"][0]["snippet"].get<std::string>().find("**Ukraine**") != std::string::npos);
    }
    CHECK(on_terminal({}).find(highlighted) != std::string::npos);
    CHECK(on_terminal({"--color", "always"}).find(highlighted) != std::string::npos);
    std::string plain = on_terminal({"--color", "never"});
    CHECK(plain.find('\033') == std::string::npos);
    CHECK(plain.find("**Maison Blanche**") != std::string::npos);
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

TEST_CASE("cli: query words anywhere among the options, even when they start with '-'", "[cli]") {
    const std::string db = shell_quote(data_db());
    auto ids_of = [&](const std::string& args) {
        RunResult r = run(kSearch + " --db " + db + " --format json " + args);
        INFO(args << "\n" << r.err);
        REQUIRE(r.status == 0);
        return labels_of(json::parse(r.out));
    };
    using S = std::set<std::string>;
    // "-t06" would be the short option -t with a value if options were taken greedily.
    CHECK(ids_of("Ukraine -id:t06") == S{"t01", "t02"});
    CHECK(ids_of("-id:t06 Ukraine") == S{"t01", "t02"});
    S undated = ids_of("Ukraine");
    for (const std::string& dated : ids_of("date:2020..2030 Ukraine")) undated.erase(dated);
    CHECK(ids_of("-date:2020..2030 Ukraine") == undated);
    // -n stays an option, alone or with its digits attached.
    CHECK(run(kSearch + " --db " + db + " Ukraine -n 1").out.rfind("3 articles, 1-1:\n", 0) == 0);
    CHECK(run(kSearch + " --db " + db + " Ukraine -n1").out.rfind("3 articles, 1-1:\n", 0) == 0);
    CHECK(ids_of("-- -n Ukraine") == S{"t01", "t02", "t06"});  // after --, -n is the word "n" excluded
    RunResult unknown = run(kSearch + " --db " + db + " --limt 3 Ukraine");
    CHECK(unknown.status == 2);
    CHECK(unknown.err.find("limt") != std::string::npos);
}

TEST_CASE("cli: the first line gives the exact count and the ranks shown", "[cli]") {
    const std::string db = shell_quote(data_db());
    auto first_line = [&](const std::string& args) {
        RunResult r = run(kSearch + " --db " + db + " " + args);
        INFO(args << "\n" << r.err);
        REQUIRE(r.status == 0);
        return r.out.substr(0, r.out.find('\n'));
    };
    CHECK(first_line("Ukraine") == "3 articles, 1-3:");
    CHECK(first_line("-n 1 --offset 1 Ukraine") == "3 articles, 2-2:");
    CHECK(first_line("-n 0 Ukraine") == "3 articles");
    CHECK(first_line("--offset 10 Ukraine") == "3 articles (none shown from 11)");
    CHECK(first_line("-n 0 '\"Emmanuel Macron\"'") == "3 articles");
    CHECK(first_line("zzzxqj") == "0 articles");
    CHECK(first_line("-n 1 id:t06") == "1 article, 1-1:");
    // --estimate: Xapian's estimate, said to be one, with its bounds.
    std::string estimated = first_line("--estimate -n 1 '\"Emmanuel Macron\"'");
    CHECK(std::regex_match(estimated,
                           std::regex(R"((about \d+ articles \(estimated: between \d+ and \d+\)|3 articles), 1-1:)")));
    json j = search_json("\"Emmanuel Macron\"", "--estimate --limit 0");
    CHECK(j["total_lower"].get<std::size_t>() <= 3);
    CHECK(j["total_upper"].get<std::size_t>() >= 3);
    json exact = search_json("\"Emmanuel Macron\"", "--limit 0");
    CHECK(exact["total"] == 3);
    CHECK(exact["total_exact"] == true);
    CHECK(exact["total_lower"] == 3);
    CHECK(exact["total_upper"] == 3);
    CHECK(run(kSearch + " --db " + db + " --exact --estimate x").status == 2);
    CHECK(run(kSearch + " --db " + db + " --date-interval fortnight x").status == 2);
}

TEST_CASE("cli: a misspelt word gets a suggestion, a lower-case operator a note", "[cli]") {
    const std::string db = shell_quote(data_db());
    RunResult r = run(kSearch + " --db " + db + " Ukrayne");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("0 articles\nVouliez-vous dire : Ukraine ?\n") == 0);
    json j = search_json("Ukrayne Macron");
    CHECK(j["total"] == 0);
    CHECK(j["suggestion"] == "Ukraine Macron");
    json none = search_json("Ukraine");
    CHECK(none["suggestion"] == "");
    CHECK(none["notes"].empty());
    json ou = search_json("Ukraine ou Macron");
    REQUIRE(ou["notes"].size() == 1);
    CHECK(ou["notes"][0].get<std::string>().find("écrivez OU") != std::string::npos);
    CHECK(search_json("Ukraine OU Macron")["notes"].empty());
    RunResult help = run(kSearch + " --help");
    CHECK(help.out.find("Examples:") != std::string::npos);
    CHECK(help.out.find("capitals") != std::string::npos);
}
