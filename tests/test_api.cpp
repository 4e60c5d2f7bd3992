// The public C++ API as an embedder sees it: this file is linked against the shared
// library (depeche::depeche), so it also checks that everything it uses is exported and
// that exceptions cross the library boundary with their types. Version, typed errors
// (and that nothing from Xapian escapes), and concurrent Searchers while a Writer
// commits.
#include "schema/schema.hpp"  // kMetaSchema only (constants)
#include "test_support.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <typeinfo>

using namespace depeche::test;

namespace {

const std::string kIndex = DEPECHE_INDEX_BIN;
const std::string kData = std::string(DEPECHE_SOURCE_DIR) + "/tests/data";

// An index of tests/data written through the API.
void build_data_index(const std::string& db) {
    depeche::Writer writer(db);
    depeche::IndexSummary s = writer.index_paths({kData});
    REQUIRE(s.articles == 11);
}

std::set<std::string> ids(const depeche::SearchResult& r) {
    std::set<std::string> out;
    for (const auto& h : r.hits) out.insert(h.id);
    return out;
}

depeche::SearchResult search(depeche::Searcher& s, const std::string& query, std::size_t limit = 1000) {
    depeche::SearchRequest req;
    req.query = query;
    req.limit = limit;
    req.exact_total = true;
    req.snippet.length = 80;
    return s.search(req);
}

// Runs f; it may succeed or throw a depeche::Error, nothing else (a Xapian::Error is not
// a std::exception: it would land in the last handler).
template <class F>
void only_depeche_errors(const std::string& what, F&& f) {
    INFO(what);
    try {
        f();
    } catch (const depeche::Error&) { SUCCEED(); } catch (const std::exception& e) {
        FAIL("non-depeche exception " << typeid(e).name() << ": " << e.what());
    } catch (...) { FAIL("an exception that is not a std::exception (Xapian?)"); }
}

}  // namespace

TEST_CASE("api: version() matches the header macros and the project version", "[api]") {
    std::string v = depeche::version();
    CHECK(v == DEPECHE_VERSION_STRING);
    CHECK(v == std::to_string(DEPECHE_VERSION_MAJOR) + "." + std::to_string(DEPECHE_VERSION_MINOR) + "." +
                   std::to_string(DEPECHE_VERSION_PATCH));
    CHECK(v == DEPECHE_PROJECT_VERSION);  // project(VERSION) in CMakeLists.txt
}

TEST_CASE("api: a missing index is IndexMissingError", "[api]") {
    TempDir dir;
    std::string nowhere = (dir.path / "nope").string();
    CHECK_THROWS_AS(depeche::Searcher(nowhere), depeche::IndexMissingError);
    CHECK_THROWS_AS(depeche::Searcher(dir.path.string()), depeche::IndexMissingError);  // a folder, no index
    depeche::WriterOptions no_create;
    no_create.create = false;
    CHECK_THROWS_AS(depeche::Writer(nowhere, no_create), depeche::IndexMissingError);
    // Caught through the base class too, with a message naming the folder.
    try {
        depeche::Searcher s(nowhere);
        FAIL("no exception");
    } catch (const depeche::Error& e) { CHECK(std::string(e.what()).find(nowhere) != std::string::npos); }
}

TEST_CASE("api: a malformed query is QueryError with its byte position", "[api]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    build_data_index(db);
    depeche::Searcher s(db);
    const std::map<std::string, std::size_t> cases = {
        {"\"unterminated", 0}, {"a AND", 2},           {"(a b", 0},          {"titre:", 0}, {"foo bar)", 7},
        {"bogus:x", 0},        {"date:2025-13..x", 5}, {"élection AND", 10},
    };
    for (const auto& [query, position] : cases) {
        INFO(query);
        try {
            search(s, query);
            FAIL("no exception");
        } catch (const depeche::QueryError& e) {
            CHECK(e.position() == position);
            CHECK(std::string(e.what()).find("position " + std::to_string(position + 1)) != std::string::npos);
        }
    }
    // The Searcher is still usable after errors.
    CHECK(search(s, "Ukraine").total == 3);
}

TEST_CASE("api: a second Writer on an index is IndexLockedError", "[api]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    {
        depeche::Writer first(db);
        CHECK_THROWS_AS(depeche::Writer(db), depeche::IndexLockedError);
        // Another process too: depeche-index reports the lock (exit status 3).
        RunResult r = run(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(kData));
        CHECK(r.status == 3);
        CHECK(r.err.find("being written") != std::string::npos);
        // Readers are not blocked by the writer.
        CHECK_NOTHROW(depeche::Searcher(db).stats());
    }
    // The lock goes with the Writer.
    CHECK_NOTHROW(depeche::Writer(db));
}

TEST_CASE("api: an index of another schema version is IndexIncompatibleError", "[api]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    build_data_index(db);
    {
        Xapian::WritableDatabase x(db);
        x.set_metadata(depeche::schema::kMetaSchema, "999");
        x.commit();
    }
    CHECK_THROWS_AS(depeche::Searcher(db), depeche::IndexIncompatibleError);
    CHECK_THROWS_AS(depeche::Writer(db), depeche::IndexIncompatibleError);
}

TEST_CASE("api: damaged or vanishing indexes throw depeche errors only", "[api]") {
    TempDir dir;
    // Not a Xapian index at all, though it looks like one.
    std::string fake = (dir.path / "fake").string();
    write_file(dir.path / "fake" / "iamglass", "not really");
    only_depeche_errors("fake iamglass", [&] {
        depeche::Searcher s(fake);
        search(s, "Ukraine");
    });
    only_depeche_errors("fake iamglass, writer", [&] { depeche::Writer w(fake); });

    // Tables cut short.
    std::string cut = (dir.path / "cut").string();
    build_data_index(cut);
    for (const auto& e : std::filesystem::directory_iterator(cut))
        if (e.path().extension() == ".glass") std::filesystem::resize_file(e.path(), 100);
    only_depeche_errors("truncated tables", [&] {
        depeche::Searcher s(cut);
        search(s, "Ukraine");
        s.stats();
    });

    // Removed while a Searcher has it open, then replaced by a new index.
    std::string gone = (dir.path / "gone").string();
    build_data_index(gone);
    depeche::Searcher s(gone);
    CHECK(search(s, "Ukraine").total == 3);
    std::filesystem::remove_all(gone);
    only_depeche_errors("removed: reopen", [&] { s.reopen(); });
    only_depeche_errors("removed: search", [&] { search(s, "Ukraine"); });
    only_depeche_errors("removed: stats", [&] { s.stats(); });
    {
        depeche::Writer w(gone);
        depeche::Article a;
        a.id = "new";
        a.title = "Un tout autre index";
        w.add(a);
    }
    only_depeche_errors("replaced: search", [&] { search(s, "autre"); });
    only_depeche_errors("replaced: reopen+search", [&] {
        s.reopen();
        CHECK(search(s, "autre").total == 1);
    });

    // A moved-from Searcher refuses politely.
    depeche::Searcher moved(std::move(s));
    CHECK_THROWS_AS(search(s, "Ukraine"), depeche::Error);
}

TEST_CASE("api: Writer add, remove and commit are seen by a Searcher after reopen", "[api]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    build_data_index(db);
    depeche::Searcher s(db);
    depeche::Writer w(db);
    depeche::Article a;
    a.id = "api-1";
    a.title = "Le zorglub arrive à Brest";
    a.body = "Un zorglub a été vu sur le port de Brest.";
    a.date = "2025-08-15";
    CHECK(w.add(a).empty());
    w.commit();
    s.reopen();
    depeche::SearchResult r = search(s, "zorglub");
    REQUIRE(r.hits.size() == 1);
    CHECK(r.hits[0].id == "api-1");
    CHECK(r.hits[0].title == a.title);
    CHECK(r.hits[0].snippet.find("**zorglub**") != std::string::npos);
    CHECK(w.remove("api-1"));
    CHECK_FALSE(w.remove("api-1"));
    w.commit();
    s.reopen();
    CHECK(search(s, "zorglub").total == 0);
    CHECK(s.stats().articles == 11);
    depeche::Article nameless;
    nameless.title = "Sans identifiant";
    CHECK_THROWS_AS(w.add(nameless), depeche::Error);
}

// People and date facets as one string, to compare two results.
std::string facets_of(const depeche::SearchResult& r) {
    std::string out;
    REQUIRE(r.facets);
    for (const auto* list : {&r.facets->people, &r.facets->dates, &r.facets->mentioned}) {
        for (const depeche::FacetCount& c : *list) out += c.value + "=" + std::to_string(c.count) + " ";
        out += "| ";
    }
    return out;
}

// A long-running Searcher keeps the facet values (and the people) of the revision it
// read. An index rebuilt in place (depeche-index --full: a new database swapped in) may
// have the very revision number of the one it replaced, and Xapian's reopen() then keeps
// the old tables: the Searcher must find, and count, the new index's articles. One
// database, and a sharded index (rebuilt whole, its lexicon with it).
TEST_CASE("api: a Searcher reopened on an index rebuilt in place answers from the new index", "[api]") {
    const std::string corpus = std::string(DEPECHE_SOURCE_DIR) + "/corpus";
    for (std::size_t shards : {0, 2}) {
        INFO("shards: " << shards);
        TempDir dir;
        const std::string db = (dir.path / "db").string();
        const std::string first = shards ? db + "/lexicon" : db;  // the database whose revision is compared
        depeche::WriterOptions options;
        options.shards = shards;
        {
            depeche::Writer w(db, options);
            REQUIRE(w.index_paths({corpus + "/json"}).articles == 3);
        }
        const Xapian::rev before = Xapian::Database(first).get_revision();
        depeche::Searcher s(db);
        depeche::SearchRequest req;
        req.query = "la";
        req.limit = 10;
        req.facets = true;
        req.snippet.length = 0;
        // Twice: the second facet query of a searcher keeps the facet values in memory.
        const depeche::SearchResult old_result = s.search(req);
        const std::string old_facets = facets_of(old_result);
        CHECK(facets_of(s.search(req)) == old_facets);
        {
            depeche::WriterOptions rebuild = options;
            rebuild.overwrite = true;
            depeche::Writer w(db, rebuild);
            REQUIRE(w.index_paths({corpus + "/markdown"}).articles == 3);
        }
        // The case this test is about: another database, the same revision number.
        REQUIRE(Xapian::Database(first).get_revision() == before);
        s.reopen();
        depeche::Searcher fresh(db);
        const depeche::SearchResult expected = fresh.search(req);
        CHECK(ids(expected) != ids(old_result));
        CHECK(ids(s.search(req)) == ids(expected));
        CHECK(facets_of(expected) != old_facets);
        CHECK(facets_of(s.search(req)) == facets_of(expected));
        for (const char* q : {"Macron", "personne:Macron", "Trump", "\"Notre-Dame\""}) {
            INFO(q);
            req.query = q;
            const depeche::SearchResult want = fresh.search(req);
            const depeche::SearchResult got = s.search(req);
            CHECK(got.total == want.total);
            CHECK(ids(got) == ids(want));
            CHECK(facets_of(got) == facets_of(want));
        }
    }
}

// Several threads, one Searcher each, search while a Writer in another thread adds
// articles in batches, one commit per batch. Each commit is atomic and commits are
// ordered, so every search must see exactly the first n batches for some n, n never
// decreasing within a thread; the articles of tests/data are found all along; and once
// the writer is done every Searcher sees everything after reopen(). Results are
// asserted, not timings: the checks hold however the threads interleave.
TEST_CASE("api: concurrent Searchers, one per thread, while a Writer commits", "[api][threads]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    build_data_index(db);

    constexpr int kBatches = 30, kPerBatch = 5, kSearchers = 4;
    auto article_id = [](int batch, int i) { return "zorglub-" + std::to_string(batch) + "-" + std::to_string(i); };

    std::set<std::string> base_ukraine, base_phrase;
    std::vector<depeche::AnalyzedToken> base_tokens;
    {
        depeche::Searcher s(db);
        base_ukraine = ids(search(s, "Ukraine"));
        base_phrase = ids(search(s, "\"Emmanuel Macron\""));
        REQUIRE(base_ukraine.size() == 3);
        REQUIRE(base_phrase.size() == 3);
    }
    const std::string sample = "L'Élysée a reçu le président ukrainien à Paris.";
    base_tokens = depeche::analyze(sample);

    std::atomic<bool> writer_done{false};
    std::atomic<int> committed{0};
    std::string writer_error;
    std::thread writer([&] {
        try {
            depeche::WriterOptions o;
            o.batch_size = 100000;  // commits only when asked
            depeche::Writer w(db, o);
            for (int b = 0; b < kBatches; ++b) {
                for (int i = 0; i < kPerBatch; ++i) {
                    depeche::Article a;
                    a.id = article_id(b, i);
                    a.title = "Zorglub, lot " + std::to_string(b);
                    a.body = "Le zorglub numéro " + std::to_string(i) + " du lot " + std::to_string(b) +
                             " a été livré à Quimper. " + std::string(200, 'x');
                    a.date = "2025-09-" + std::to_string(10 + i);
                    a.author = "Agence Zorglub " + std::to_string(b);  // a new author value per batch
                    w.add(a);
                }
                w.commit();
                committed = b + 1;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let readers interleave
            }
        } catch (const std::exception& e) { writer_error = e.what(); }
        writer_done = true;
    });

    struct Report {
        std::string failure;  // first inconsistency seen ("" if none)
        std::size_t searches = 0;
        std::set<int> seen;  // batch counts observed
    };
    std::vector<Report> reports(kSearchers);
    std::vector<std::thread> readers;
    for (int t = 0; t < kSearchers; ++t) {
        readers.emplace_back([&, t] {
            Report& rep = reports[t];
            auto fail = [&](const std::string& m) {
                if (rep.failure.empty()) rep.failure = m;
            };
            try {
                depeche::Searcher s(db);
                int last = 0;
                std::size_t last_articles = 0;
                for (int round = 0; rep.failure.empty(); ++round) {
                    bool done = writer_done;         // read before searching: then the final state is due
                    if (round % 2 == 0) s.reopen();  // odd rounds read whatever revision is open
                    depeche::SearchResult r = search(s, "zorglub");
                    ++rep.searches;
                    if (!r.total_exact || r.hits.size() != r.total) fail("inexact or truncated result");
                    if (r.total % kPerBatch != 0) fail("partial commit seen: " + std::to_string(r.total));
                    int n = static_cast<int>(r.total / kPerBatch);
                    if (n < last)
                        fail("went back from " + std::to_string(last) + " to " + std::to_string(n) + " batches");
                    if (n > committed.load() + 1) fail("saw more than was committed");
                    std::set<std::string> expected;
                    for (int b = 0; b < n; ++b)
                        for (int i = 0; i < kPerBatch; ++i) expected.insert(article_id(b, i));
                    if (ids(r) != expected) fail("hits are not the first " + std::to_string(n) + " batches");
                    for (const auto& h : r.hits)
                        if (h.snippet.find("**zorglub**") == std::string::npos)
                            fail("snippet without match: " + h.snippet);
                    last = n;
                    rep.seen.insert(n);
                    if (ids(search(s, "Ukraine")) != base_ukraine) fail("Ukraine hits changed");
                    if (ids(search(s, "\"Emmanuel Macron\"")) != base_phrase) fail("phrase hits changed");
                    // An author phrase lists the author values while commits add new ones
                    // (whole batches only, and never fewer than the batches already seen).
                    const std::size_t by_author = search(s, "auteur:\"Agence Zorglub\"").total;
                    if (by_author % kPerBatch != 0 || by_author < r.total)
                        fail("author phrase: " + std::to_string(by_author) + " articles after " +
                             std::to_string(r.total));
                    if (round % 7 == 0) {  // opening while commits go on
                        depeche::Searcher fresh(db);
                        std::size_t n_fresh = search(fresh, "zorglub").total;
                        if (n_fresh % kPerBatch != 0 || static_cast<int>(n_fresh / kPerBatch) < last)
                            fail("a new Searcher saw " + std::to_string(n_fresh) + " articles");
                    }
                    if (round % 5 == 0) {
                        depeche::IndexStats st = s.stats();
                        if (st.articles < last_articles || (st.articles - 11) % kPerBatch != 0)
                            fail("stats: " + std::to_string(st.articles) + " articles");
                        last_articles = st.articles;
                        auto tokens = depeche::analyze(sample);
                        if (tokens.size() != base_tokens.size()) fail("analyze differs");
                        for (std::size_t k = 0; k < tokens.size() && k < base_tokens.size(); ++k)
                            if (tokens[k].term != base_tokens[k].term || tokens[k].stem != base_tokens[k].stem)
                                fail("analyze differs");
                    }
                    if (done) {
                        s.reopen();
                        std::size_t final_total = search(s, "zorglub").total;
                        if (final_total != static_cast<std::size_t>(kBatches * kPerBatch))
                            fail("final state not seen after reopen: " + std::to_string(final_total));
                        if (search(s, "auteur:\"Agence Zorglub\"").total != final_total)
                            fail("the author phrase does not find every article at the end");
                        rep.seen.insert(static_cast<int>(final_total / kPerBatch));
                        break;
                    }
                }
            } catch (const std::exception& e) { fail(std::string("exception: ") + e.what()); }
        });
    }
    writer.join();
    for (auto& th : readers) th.join();

    CHECK(writer_error.empty());
    std::size_t total_searches = 0;
    for (int t = 0; t < kSearchers; ++t) {
        INFO("searcher thread " << t);
        CHECK(reports[t].failure == "");
        CHECK(reports[t].seen.count(kBatches) == 1);
        total_searches += reports[t].searches;
    }
    CHECK(total_searches >= static_cast<std::size_t>(kSearchers));
}

TEST_CASE("api: a moved-from Writer throws Error, and can be assigned to", "[api]") {
    TempDir dir;
    std::string db = (dir.path / "db").string();
    depeche::Writer w(db);
    depeche::Writer moved(std::move(w));
    depeche::Article a;
    a.id = "x";
    a.title = "Un titre";
    CHECK_THROWS_AS(w.add(a), depeche::Error);
    CHECK_THROWS_AS(w.remove("x"), depeche::Error);
    CHECK_THROWS_AS(w.commit(), depeche::Error);
    CHECK_THROWS_AS(w.index_paths({kData}), depeche::Error);
    try {
        w.commit();
    } catch (const depeche::Error& e) { CHECK(std::string(e.what()) == "depeche::Writer used after being moved from"); }
    // The moved-to Writer works; assigning a Writer back makes the source usable again.
    CHECK(moved.add(a).empty());
    w = std::move(moved);
    CHECK(w.remove("x"));
    w.commit();
    CHECK_THROWS_AS(moved.commit(), depeche::Error);
}

TEST_CASE("api: an exception from the progress callback comes out unchanged, threads joined", "[api]") {
    struct Stop {
        std::size_t files_done;
    };
    TempDir dir;
    std::string db = (dir.path / "db").string();
    auto stop_after = [](std::size_t n) {
        return [n](const depeche::Progress& p) {
            if (p.files_done >= n) throw Stop{p.files_done};
        };
    };
    depeche::WriterOptions two_threads;
    two_threads.threads = 2;
    depeche::Writer w(db, two_threads);
    // A first build (shard threads): stopped at the third file. Nothing is kept, and
    // the process goes on (a shard thread left running would end it).
    try {
        w.index_paths({kData}, stop_after(3));
        FAIL("no exception");
    } catch (const Stop& s) { CHECK(s.files_done == 3); }
    CHECK(depeche::Searcher(db).stats().articles == 0);
    for (const auto& e : std::filesystem::directory_iterator(dir.path))  // no build folder left
        CHECK(e.path().filename() == "db");
    // The Writer is still usable: the build runs to the end.
    CHECK(w.index_paths({kData}).articles == 11);

    // An update (worker threads): a non-depeche std::exception is not wrapped either.
    write_file(dir.path / "more" / "a.txt", "Titre: Zorglub\n\nUn zorglub à Brest.\n");
    write_file(dir.path / "more" / "b.txt", "Titre: Zorglub encore\n\nUn autre zorglub.\n");
    CHECK_THROWS_MATCHES(w.index_paths({(dir.path / "more").string()},
                                       [](const depeche::Progress&) { throw std::out_of_range("mine"); }),
                         std::out_of_range, Catch::Matchers::Message("mine"));
    // The file read before the exception was written, and is committed with the next commit.
    w.commit();
    depeche::Searcher s(db);
    CHECK(search(s, "zorglub").total == 1);
    // Files cut short are read by the next run: everything ends up indexed once.
    depeche::IndexSummary again = w.index_paths({(dir.path / "more").string()});
    s.reopen();
    CHECK(search(s, "zorglub").total == 2);
    CHECK(again.files_unchanged + again.files_added == 2);
}

TEST_CASE("api: a folder that cannot hold an index gives a depeche error naming it", "[api]") {
    TempDir dir;
    write_file(dir.path / "file", "not a folder");
    depeche::WriterOptions no_create;
    no_create.create = false;
    auto names = [](const depeche::Error& e, const std::string& path) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(path) != std::string::npos);
    };

    // Below a file.
    std::string below_file = (dir.path / "file" / "db").string();
    only_depeche_errors("below a file", [&] { depeche::Writer w(below_file); });
    CHECK_THROWS_AS(depeche::Writer(below_file), depeche::IoError);
    try {
        depeche::Writer w(below_file);
    } catch (const depeche::Error& e) { names(e, below_file); }
    CHECK_THROWS_AS(depeche::Writer(below_file, no_create), depeche::IndexMissingError);
    CHECK_THROWS_AS(depeche::Searcher(below_file), depeche::IndexMissingError);

    // A name longer than the system allows (ENAMETOOLONG from std::filesystem).
    std::string too_long = (dir.path / std::string(300, 'x') / "db").string();
    for (const depeche::WriterOptions& o : {depeche::WriterOptions{}, no_create}) {
        only_depeche_errors("name too long", [&] { depeche::Writer w(too_long, o); });
        try {
            depeche::Writer w(too_long, o);
        } catch (const depeche::Error& e) { names(e, too_long); }
    }
    only_depeche_errors("name too long, searcher", [&] { depeche::Searcher s(too_long); });

    // A parent folder without write permission (root may write anywhere: not testable).
    if (::geteuid() == 0) {
        WARN("skipped: running as root, a folder without write permission is still writable");
    } else {
        std::filesystem::path locked = dir.path / "locked";
        std::filesystem::create_directories(locked);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        std::string db = (locked / "db").string();
        CHECK_THROWS_AS(depeche::Writer(db), depeche::IoError);
        try {
            depeche::Writer w(db);
        } catch (const depeche::Error& e) { names(e, db); }
        std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
    }

    // The folder holding the index replaced by a file while a rebuild is set up: the
    // build folder next to the index cannot be created.
    std::filesystem::path parent = dir.path / "parent";
    std::string db = (parent / "db").string();
    std::filesystem::create_directories(parent);
    build_data_index(db);
    depeche::WriterOptions rebuild;
    rebuild.overwrite = true;
    depeche::Writer w(db, rebuild);
    std::filesystem::rename(parent, dir.path / "moved");
    write_file(parent, "now a file");
    try {
        w.index_paths({kData});
        FAIL("no exception");
    } catch (const depeche::IoError& e) {
        std::string what = e.what();
        INFO(what);
        CHECK(what.rfind("index " + db + ": ", 0) == 0);
        CHECK(what.find((parent / ".db.build-").string()) != std::string::npos);
    } catch (const std::exception& e) { FAIL("not an IoError: " << typeid(e).name() << ": " << e.what()); }
}
