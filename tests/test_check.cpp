// depeche::check_index and depeche-index --check; damaged indexes give a clear one-line
// error and exit status 3 from both programs, never a crash.
#include "schema/stored.hpp"
#include "schema/terms.hpp"
#include "schema/schema.hpp"
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <xapian.h>

#include <algorithm>

namespace fs = std::filesystem;
using namespace depeche;
using namespace depeche::test;

namespace {

StoredArticle stored_with_id(const std::string& id) {
    StoredArticle a;
    a.id = id;
    return a;
}

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kSearch = DEPECHE_SEARCH_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// A sound index of tests/data, built once per process, copied by each test that breaks it.
const fs::path& pristine() {
    static TempDir dir;
    static const fs::path db = [] {
        fs::path p = dir.path / "db";
        Writer w(p.string());
        REQUIRE(w.index_paths({kData}).articles == 11);
        return p;
    }();
    return db;
}

fs::path copy_of_pristine(const TempDir& tmp) {
    fs::path db = tmp.path / "db";
    fs::copy(pristine(), db, fs::copy_options::recursive);
    return db;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

bool any_mentions(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

// check_index and depeche-index --check agree that the index is damaged.
void expect_damaged(const fs::path& db, const std::string& what) {
    CheckReport r = check_index(db.string());
    INFO("problems:\n"
         << [&] {
                std::string s;
                for (auto& p : r.problems) s += p + "\n";
                return s;
            }());
    CHECK(!r.ok());
    CHECK(any_mentions(r.problems, what));
    for (const std::string& p : r.problems) CHECK(p.find('\n') == std::string::npos);
    RunResult cli = run(kIndex + " --check --db " + shell_quote(db.string()));
    INFO(cli.err);
    CHECK(cli.status == 3);
    CHECK(cli.out.find("DAMAGED") != std::string::npos);
    CHECK(count_lines(cli.err) == r.problems.size());
    CHECK(cli.err.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("check: a sound index passes", "[check][xapian-check]") {
    CheckReport r = check_index(pristine().string());
    INFO((r.problems.empty() ? std::string() : r.problems[0]));
    CHECK(r.ok());
    CHECK(r.articles == 11);
    RunResult cli = run(kIndex + " --check --db " + shell_quote(pristine().string()));
    CHECK(cli.status == 0);
    CHECK(cli.out.find("OK (11 articles checked)") != std::string::npos);
    CHECK(cli.err.empty());

    TempDir tmp;  // a new, empty index is sound too
    { Writer w((tmp.path / "empty").string()); }
    CHECK(check_index((tmp.path / "empty").string()).ok());
}

TEST_CASE("check: usage and missing indexes", "[check][xapian-check]") {
    TempDir tmp;
    CHECK_THROWS_AS(check_index((tmp.path / "nope").string()), IndexMissingError);
    CHECK_THROWS_AS(check_index(tmp.path.string()), IndexMissingError);  // a folder, not an index
    RunResult missing = run(kIndex + " --check --db " + shell_quote((tmp.path / "nope").string()));
    CHECK(missing.status == 3);
    CHECK(count_lines(missing.err) == 1);
    CHECK(run(kIndex + " --check --db " + shell_quote(pristine().string()) + " " + shell_quote(kData)).status == 2);
}

TEST_CASE("check: a truncated table is named by both programs, exit 3", "[check][xapian-check]") {
    TempDir tmp;
    fs::path db = copy_of_pristine(tmp);
    fs::resize_file(db / "postlist.glass", 0);
    expect_damaged(db, "postlist");

    // depeche-search: one line, exit 3, whatever the query.
    for (const char* q : {"Ukraine", "\"Maison Blanche\"", "date:2020.."}) {
        RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " " + shell_quote(q));
        INFO(q << ": " << r.err);
        CHECK(r.status == 3);
        CHECK(count_lines(r.err) == 1);
        CHECK(r.err.find("is damaged") != std::string::npos);
        CHECK(r.err.find("--check") != std::string::npos);
    }
    RunResult stats = run(kSearch + " --db " + shell_quote(db.string()) + " --stats");
    CHECK(stats.status == 3);
    // depeche-index refuses to add to it: one line, exit 3.
    RunResult index = run(kIndex + " --quiet --db " + shell_quote(db.string()) + " " + shell_quote(kData));
    INFO(index.err);
    CHECK(index.status == 3);
    CHECK(count_lines(index.err) == 1);
    CHECK(index.err.find("damaged") != std::string::npos);
    // The library: a typed error.
    CHECK_THROWS_AS(Searcher(db.string()), IndexCorruptError);
}

TEST_CASE("check: other kinds of damage", "[check][xapian-check]") {
    SECTION("a table file missing") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        fs::remove(db / "postlist.glass");
        expect_damaged(db, "postlist");
        RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " Ukraine");
        CHECK(r.status == 3);
        CHECK(r.err.find("postlist.glass is missing") != std::string::npos);
    }
    SECTION("the position table missing: phrases would silently fail") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        fs::remove(db / "position.glass");
        expect_damaged(db, "position table (position.glass) missing: phrase and NEAR searches cannot match");
    }
    SECTION("the document data table missing") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        fs::remove(db / "docdata.glass");
        expect_damaged(db, "no stored data for any of the 11 documents");
    }
    SECTION("the version file damaged") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        fs::resize_file(db / "iamglass", 50);
        expect_damaged(db, "cannot open the index");
        RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " Ukraine");
        CHECK(r.status == 3);
        CHECK(count_lines(r.err) == 1);
    }
    SECTION("a block overwritten with zeros") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        const auto size = fs::file_size(db / "position.glass");
        REQUIRE(size >= 8192);
        {
            std::fstream f(db / "position.glass", std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(size - 8192));
            const std::string zeros(8192, '\0');
            f.write(zeros.data(), 8192);
        }
        expect_damaged(db, "position");
        RunResult r = run(kSearch + " --db " + shell_quote(db.string()) + " '\"Maison Blanche\"'");
        CHECK((r.status == 0 || r.status == 3));  // never a crash
    }
}

TEST_CASE("check: metadata and documents", "[check][xapian-check]") {
    SECTION("schema version and analyzer") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        {
            Xapian::WritableDatabase w(db.string());
            w.set_metadata(schema::kMetaSchema, "999");
            w.set_metadata(schema::kMetaAnalyzer, "");
            w.commit();
        }
        expect_damaged(db, "schema version 999");
        CHECK(any_mentions(check_index(db.string()).problems, "no analyzer fingerprint"));
    }
    SECTION("documents without id, with a foreign id, unreadable data, a duplicate id") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        {
            Xapian::WritableDatabase w(db.string());
            Xapian::Document no_id;
            no_id.add_term("orphelin");
            no_id.set_data(encode_stored(stored_with_id("orphelin")));
            w.add_document(no_id);
            Xapian::Document bad_data;
            bad_data.add_boolean_term(id_term("mauvais"));
            bad_data.set_data("pas des données stockées");
            w.add_document(bad_data);
            Xapian::Document mismatch;
            mismatch.add_boolean_term(id_term("un"));
            mismatch.set_data(encode_stored(stored_with_id("autre")));
            w.add_document(mismatch);
            Xapian::Document twin;
            twin.add_boolean_term(id_term("un"));
            twin.set_data(encode_stored(stored_with_id("un")));
            w.add_document(twin);
            w.commit();
        }
        CheckReport r = check_index(db.string());
        CHECK(r.articles == 15);
        CHECK(any_mentions(r.problems, "document 12: no id term"));
        CHECK(any_mentions(r.problems, "document 13: stored data is unreadable"));
        CHECK(any_mentions(r.problems, "does not match the stored id 'autre'"));
        CHECK(any_mentions(r.problems, "shared by 2 documents"));
        expect_damaged(db, "no id term");
    }
    SECTION("many problems are summed up") {
        TempDir tmp;
        fs::path db = copy_of_pristine(tmp);
        {
            Xapian::WritableDatabase w(db.string());
            for (int i = 0; i < 150; ++i) {
                Xapian::Document d;
                d.add_term("x" + std::to_string(i));
                d.set_data(encode_stored(stored_with_id("x")));
                w.add_document(d);
            }
            w.commit();
        }
        CheckReport r = check_index(db.string());
        CHECK(r.problems.size() == 101);
        CHECK(r.problems.back() == "... and 50 more problems");
    }
}
