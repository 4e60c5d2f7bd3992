// depeche::Searcher: read-only access, queries, hits, snippets and facets.
#include "indexer/story.hpp"
#include "schema/errors.hpp"
#include "schema/schema.hpp"
#include "schema/shards.hpp"
#include "schema/store.hpp"
#include "schema/stored.hpp"
#include "schema/terms.hpp"
#include "searcher/facets.hpp"
#include "searcher/people_resolver.hpp"
#include "searcher/shared_by_key.hpp"
#include "searcher/query_parser.hpp"
#include "searcher/snippet.hpp"
#include "searcher/suggest.hpp"

#include <depeche/depeche.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace fs = std::filesystem;

namespace depeche {

namespace {

// A revision being read is discarded when a writer commits twice meanwhile
// (Xapian::DatabaseModifiedError): reopen and run again. A writer committing small
// batches back to back can outpace a slow search (a big one, or a sanitizer build), so
// after a few immediate retries the searcher waits a little, longer each time (at most
// 50 ms, about 2 s over all attempts), for the burst of commits to end.
constexpr int kModifiedAttempts = 50;

// Words of an article searched for the articles like it (SearchRequest::like).
constexpr Xapian::termcount kLikeTerms = 40;

// The index's version file (Xapian rewrites it at each commit): two different reads mean
// a commit happened in between.
std::string version_stamp(const std::string& dir) {
    std::ifstream in(fs::path(dir) / "iamglass", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void modified_backoff(int attempt) {
    if (attempt < 3) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1 << std::min(attempt - 2, 6), 50)));
}

}  // namespace

// Moves the stored fields that a Hit and an ArticleView share.
template <class T>
void take_fields(StoredArticle& a, T& out) {
    out.id = std::move(a.id);
    out.title = std::move(a.title);
    out.date = std::move(a.date);
    out.url = std::move(a.url);
    out.path = std::move(a.path);
    out.author = std::move(a.author);
    out.source = std::move(a.source);
    out.people = std::move(a.people);
}

// One shard of a sharded index, as its stub file names it.
struct ShardHandle {
    std::string label;   // "shard-01 (remote 127.0.0.1:4000)", "shard-03 [2023] (/srv/news.db/shard-03)", in messages
    std::string period;  // a year partition: the shard's period
    shards::StubEntry entry;
    Xapian::Database db;
    bool up = false;
    // A year's shard that the lexicon records and the stub (a copy, with remote lines)
    // does not list yet: always down, and refused as the stub's fault unless allow_partial.
    bool unlisted = false;
    std::string error;  // why it is down
    // A remote shard: changes with each connection and each reopen() that found a newer
    // revision (Xapian 1.4 gives no revision of a remote database).
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point tried;     // the last attempt to open it began
    std::chrono::steady_clock::time_point retry_at;  // down: not tried again before
    bool remote() const { return entry.kind != shards::StubEntry::Kind::Local; }
};

// Remote shards: a request waits this long for an answer, a connection this long, and a
// server's greeting this long (kGreetingTimeoutMs: see connect()).
constexpr unsigned kRemoteTimeoutMs = 30000, kConnectTimeoutMs = 5000, kGreetingTimeoutMs = 5000;
// A shard found down is tried again by the next request at most this often.
constexpr auto kRetryDownEvery = std::chrono::seconds(2);

struct Searcher::Impl {
    std::string dir;
    std::string where;  // `dir` made absolute, its links resolved (shared_key())
    // One database, or a sharded index: the lexicon (metadata, synonyms) and the shards
    // that are up, as one Xapian database (schema/shards.hpp).
    Xapian::Database db;
    bool sharded = false;
    fs::path stub;
    Xapian::Database lexicon;
    shards::ShardRecord layout;  // the lexicon's record
    std::string layout_value;    // as read (a year's shard added since changes it)
    std::vector<ShardHandle> shard_list;
    Analyzer analyzer;
    StoredCodec codec;  // the index's compression dictionaries
    // Facet values in memory (FacetColumns) for the revision they were read from: built
    // by the second facet query of a searcher (one that keeps answering: --serve, an
    // embedding program) or by one that matches a quarter of the index or more.
    std::shared_ptr<const FacetColumns> columns;
    std::string columns_revision;
    std::size_t facet_queries = 0;
    // Over remote shards, what the columns were read from, per shard: its generation
    // then, and its part of the columns (kNoPart: none, down). A shard whose generation
    // has not changed since is read again from the columns it is in, not fetched.
    static constexpr std::size_t kNoPart = SIZE_MAX;
    struct ReadFrom {
        std::uint64_t generation = 0;
        std::size_t part = kNoPart;
    };
    std::vector<ReadFrom> columns_from;
    std::shared_ptr<const FacetColumns> previous_columns;  // while new ones are read

    // People resolved across the index (people_resolver.hpp), for the revision read:
    // built by the first query that filters on a person or asks for facets.
    std::shared_ptr<const PeopleResolver> resolver;
    std::string resolver_revision;
    std::shared_ptr<FacetSpy::PersonMemo> person_memo;  // names resolved with `resolver`

    std::atomic<std::uint64_t> generations{0};  // the last ShardHandle::generation given

    // The revision read: Xapian's UUID and revision of one database; for shards, the
    // lexicon's and each shard's (a remote shard's generation). The UUID tells a rebuilt
    // index from the one it replaced (`depeche-index --full` swaps a new database in,
    // whose revision number may well be the old one's).
    static std::string revision_of(const Xapian::Database& d) {
        return d.get_uuid() + ':' + std::to_string(d.get_revision());
    }
    std::string revision() {
        if (!sharded) return revision_of(db);
        std::string r = revision_of(lexicon);
        for (const ShardHandle& sh : shard_list) {
            r += '/';
            if (!sh.up)
                r += '-';
            else if (sh.remote())
                r.append(1, 'g').append(std::to_string(sh.generation));
            else
                r += revision_of(sh.db);
        }
        return r;
    }

    // What objects built from the index read (FacetColumns, PeopleResolver) are shared
    // under: the folder or stub opened and the revision read. A copy of a database keeps
    // its UUID, and a copy and its original written to since may reach the same revision
    // with different articles: the path keeps them apart.
    std::string shared_key(const std::string& revision) const { return where + '\n' + revision; }

    // Over local databases, named by their UUIDs and revisions, the searchers of this
    // process share one resolver (a resolver holds no database: each reads display names
    // through its own). Over remote shards, whose revisions are not known, each searcher
    // reads the keys and shares an equal resolver if there is one (SharedByKey::adopt):
    // the same keys and frequencies, so the same people; a name shown for a person whose
    // own spelling a query's matches lack may then be the one the other searcher read
    // (display(): the commonest spelling of the person's first articles).
    std::shared_ptr<const PeopleResolver> people() {
        const std::string revision = this->revision();
        if (!resolver || resolver_revision != revision) {
            resolver.reset();
            auto build = [this] { return std::make_shared<const PeopleResolver>(person_keys()); };
            if (any_remote()) {
                resolver = build();
                resolver = SharedByKey<PeopleResolver>::adopt(
                    shared_key("content " + std::to_string(resolver->content_hash())), resolver);
            } else {
                resolver = SharedByKey<PeopleResolver>::get(shared_key(revision), build);
            }
            resolver_revision = revision;
            person_memo = std::make_shared<FacetSpy::PersonMemo>();
        }
        return resolver;
    }

    std::shared_ptr<const FacetColumns> facet_columns(Xapian::doccount matches, Xapian::doccount docs) {
        ++facet_queries;
        const std::string revision = this->revision();
        if (columns && columns_revision == revision) return columns;
        // Over remote shards, the old columns hold the values of the shards unchanged.
        if (any_remote()) previous_columns = std::move(columns);
        columns.reset();
        // Local databases are named by their UUIDs and revisions: the searchers of this
        // process share their columns. A remote shard's generation is this searcher's own:
        // its columns are shared by content once read (build_columns()).
        const bool shareable = !any_remote();
        if (shareable) {
            if ((columns = FacetColumns::find_shared(shared_key(revision)))) {
                columns_revision = revision;
                return columns;
            }
        }
        if (facet_queries < 2 && matches < docs / 4) {
            previous_columns.reset();
            return nullptr;
        }
        columns = shareable ? FacetColumns::shared(shared_key(revision), [this] { return build_columns(); })
                            : build_columns();
        previous_columns.reset();
        columns_revision = revision;
        return columns;
    }

    // Searcher::warm(): the people and the facet columns of the revision open, read now.
    void warm() {
        people();
        const Xapian::doccount docs = db.get_doccount();
        facet_columns(docs, docs);  // as for a query matching everything: built
    }

    // IndexStats::facets_ready: held, or shared by another searcher of this process.
    bool facets_ready() {
        const std::string revision = this->revision();
        const bool people_ready = (resolver && resolver_revision == revision) ||
                                  (!any_remote() && SharedByKey<PeopleResolver>::find(shared_key(revision)));
        const bool columns_ready = (columns && columns_revision == revision) ||
                                   (!any_remote() && FacetColumns::find_shared(shared_key(revision)));
        return people_ready && columns_ready;
    }

    // The facet columns of the revision open, built one at a time in this process: a
    // build holds its values twice over for a while (remote shards: several hundred MB at
    // 1M articles), and searchers building theirs at once (an HTTP server's, at its start)
    // would add those peaks up. The memory freed afterwards is given back to the system
    // (glibc keeps it otherwise, and a long-running searcher may have been told to keep
    // freed memory: depeche-search --serve and --http).
    std::shared_ptr<const FacetColumns> build_columns() {
        static std::mutex building;
        std::lock_guard<std::mutex> lock(building);
        std::shared_ptr<const FacetColumns> built = read_columns();
        if (any_remote())
            built =
                SharedByKey<FacetColumns>::adopt(shared_key("content " + std::to_string(built->content_hash())), built);
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        return built;
    }

    std::shared_ptr<const FacetColumns> read_columns() {
        if (sharded) {
            // One part per shard that is up, as count_shards() counts them. The values of
            // remote shards are fetched each on its own connection, as many at the same
            // time as this machine has cores (reading a fetched result set is this
            // process's work, and each one in flight is held twice over, by libxapian and
            // by us), and freed as soon as the columns have read them. A remote shard
            // whose generation is the one the previous columns were read from (no newer
            // revision, same connection: a year's shard that a commit left alone) is read
            // from them instead.
            auto remote = [&](std::size_t k) { return shard_list[k].up && shard_list[k].remote(); };
            auto unchanged = [&](std::size_t k) {
                return previous_columns && remote(k) && k < columns_from.size() && columns_from[k].part != kNoPart &&
                       columns_from[k].part < previous_columns->parts.size() &&
                       columns_from[k].generation == shard_list[k].generation;
            };
            auto to_fetch = [&](std::size_t k) { return remote(k) && !unchanged(k); };
            std::vector<std::size_t> up;
            std::vector<ReadFrom> from(shard_list.size());
            for (std::size_t k = 0; k < shard_list.size(); ++k)
                if (shard_list[k].up) {
                    from[k] = {shard_list[k].generation, up.size()};
                    up.push_back(k);
                }
            std::vector<FacetColumns::Values> fetched(shard_list.size());
            const std::size_t at_once = std::max<std::size_t>(1, std::thread::hardware_concurrency());
            std::size_t fetched_to = 0;  // parts before this one (in `up`) are fetched or local
            auto next = [&](std::size_t i, FacetColumns::Source& part) {
                if (i > 0) fetched[up[i - 1]] = {};
                if (i >= up.size()) return false;
                if (to_fetch(up[i]) && i >= fetched_to) {
                    std::vector<std::size_t> batch;
                    for (fetched_to = i; fetched_to < up.size() && batch.size() < at_once; ++fetched_to)
                        if (to_fetch(up[fetched_to])) batch.push_back(up[fetched_to]);
                    run_each(
                        batch.size(), [](std::size_t) { return true; },
                        [&](std::size_t b) { fetched[batch[b]] = FacetColumns::fetch(shard_list[batch[b]].db); });
                }
                const std::size_t k = up[i];
                if (unchanged(k))
                    part = FacetColumns::Source{nullptr, nullptr, previous_columns.get(), columns_from[k].part};
                else if (remote(k))
                    part = FacetColumns::Source{nullptr, &fetched[k]};
                else
                    part = FacetColumns::Source{&shard_list[k].db, nullptr};
                return true;
            };
            auto built = std::make_shared<const FacetColumns>(next, people().get());
            columns_from = std::move(from);
            return built;
        }
        return std::make_shared<const FacetColumns>(db, people().get());
    }

    explicit Impl(const std::string& d) : dir(d) {
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(d, ec);
        where = ec ? d : canonical.string();
        if (shards::is_sharded_folder(d)) {
            sharded = true;
            stub = fs::path(d) / shards::kStubName;
        } else if (fs::is_regular_file(d, ec)) {
            sharded = true;
            stub = d;
        }
        open();
    }

    // ---- A sharded index ----
    std::string lexicon_path;
    std::vector<bool> sub_remote;  // per sub-database of `db` (0: the lexicon)

    void open_sharded() {
        std::vector<shards::StubEntry> entries = shards::read_stub(stub);
        if (entries.empty()) throw IndexMissingError(stub.string() + " lists no database");
        const shards::StubEntry first = entries[0];  // a copy: `entries` may be read again
        const std::string where = stub.string() + ":" + std::to_string(first.line);
        if (first.kind != shards::StubEntry::Kind::Local)
            throw IndexIncompatibleError(where +
                                         ": the first database must be the index's lexicon, on this machine (Xapian "
                                         "reads metadata from the first database only, and no synonyms remotely)");
        lexicon_path = first.path;
        lexicon = open_readonly(first.path);
        const std::string record = lexicon.get_metadata(schema::kMetaShards);
        const shards::ShardRecord rec = shards::parse_record(record, false);
        if (!rec.ok)
            throw IndexIncompatibleError(first.path + " (" + where + ") is not the lexicon of a sharded Dépêche index");
        // A year partition's own stub may list a year's shard being added (written before
        // the lexicon records it, and empty until then): only the recorded shards are read.
        const bool own_stub =
            fs::path(first.path) == (fs::absolute(stub).parent_path() / shards::kLexiconName).lexically_normal();
        // A year's shard added between the reading of the stub and that of the lexicon:
        // the stub, written first, now lists it.
        if (!rec.partition.empty() && own_stub && entries.size() - 1 < rec.n) {
            entries = shards::read_stub(stub);
            if (entries.empty()) throw IndexMissingError(stub.string() + " lists no database");
        }
        std::size_t listed = entries.size() - 1;
        if (!rec.partition.empty() && own_stub && listed > rec.n) listed = rec.n;
        const std::string mismatch = stub.string() + " lists " + std::to_string(entries.size() - 1) +
                                     " shards, the index of " + first.path + " has " + std::to_string(rec.n);
        // A year partition's copy of the stub that lacks the newest years' shards: they
        // are left out as unavailable (with allow_partial, the listed shards answer).
        const bool years_unlisted = !rec.partition.empty() && !own_stub && listed < rec.n;
        if (listed != rec.n && !years_unlisted)
            throw IndexIncompatibleError(mismatch +
                                         (rec.partition.empty()
                                              ? std::string()
                                              : " (one per year: a year's shard was added, give the stub its line)"));
        layout = rec;
        layout_value = record;
        std::vector<ShardHandle> list;
        for (std::size_t k = 1; k <= rec.n; ++k) {
            ShardHandle h;
            h.period = shards::period_of_shard(rec, k - 1);
            if (k <= listed) {
                h.entry = entries[k];
                h.label = shards::shard_label(k - 1, h.period) + " (" +
                          (h.entry.kind == shards::StubEntry::Kind::Local ? h.entry.path : h.entry.text) + ")";
            } else {
                h.unlisted = true;
                h.label = shards::shard_label(k - 1, h.period) + " (not in " + stub.string() + ")";
                h.error = mismatch + " (one per year: a year's shard was added, give the stub its line)";
            }
            list.push_back(std::move(h));
        }
        shard_list = std::move(list);
        connect_all([](std::size_t) { return true; });
        combine();
    }

    // Whether the lexicon now records another layout than the one open (a year
    // partition's new shard): the index is then opened again from its stub.
    bool layout_changed() { return sharded && lexicon.get_metadata(schema::kMetaShards) != layout_value; }

    // An index rebuilt in place (`depeche-index --full` swaps a new folder in) is another
    // database, with another UUID. Xapian's reopen() reads its version file, but keeps the
    // tables it has open when the revision numbers are the same (a first build and its
    // rebuild are often both at revision 1): such an index must be opened afresh. A
    // sharded index is rebuilt whole, its lexicon with it.
    std::string opened_uuid;  // as read when opened
    std::string current_uuid() const { return sharded ? lexicon.get_uuid() : db.get_uuid(); }
    bool replaced() const { return current_uuid() != opened_uuid; }

    // Opens shard k and checks it: the contract (schema, analyzer) and its place in this
    // index. A remote shard that cannot be reached is marked down (search() then fails,
    // or leaves it out with allow_partial); anything else is an error naming it.
    void connect(std::size_t k) {
        ShardHandle& sh = shard_list[k];
        sh.tried = std::chrono::steady_clock::now();
        sh.up = false;
        if (sh.unlisted) return;
        try {
            Xapian::Database d;
            switch (sh.entry.kind) {
                case shards::StubEntry::Kind::Local:
                    require_index_folder(sh.entry.path);
                    d = Xapian::Database(sh.entry.path);
                    break;
                case shards::StubEntry::Kind::Tcp:
                    // Xapian's remote backend has one timeout for the greeting and for every
                    // request after it: a server that accepts connections and never answers
                    // (stopped, swapping) would cost the whole remote timeout. A first
                    // connection, closed at once, waits kGreetingTimeoutMs for it.
                    Xapian::Remote::open(sh.entry.host, sh.entry.port, kGreetingTimeoutMs, kConnectTimeoutMs).close();
                    d = Xapian::Remote::open(sh.entry.host, sh.entry.port, kRemoteTimeoutMs, kConnectTimeoutMs);
                    break;
                case shards::StubEntry::Kind::Program:
                    d = Xapian::Remote::open(sh.entry.program, sh.entry.args, kRemoteTimeoutMs);
                    break;
            }
            check_compatible(d, sh.label);
            // A table the shard records and no longer has (position.glass deleted: phrases
            // would silently lose that shard's hits).
            if (!sh.remote())
                require_tables(d, sh.entry.path,
                               "index " + fs::path(lexicon_path).parent_path().string() + ": " + sh.label);
            const std::string record = d.get_metadata(schema::kMetaShard);
            if (!shards::belongs(shards::parse_record(record, true), layout, k))
                throw IndexIncompatibleError(sh.label + " is not shard " + std::to_string(k) + " of the index of " +
                                             lexicon_path + " (it records '" + record + "', the index expects '" +
                                             shards::expected_record(layout, k) + "')");
            sh.db = d;
            sh.up = true;
            sh.generation = ++generations;
            sh.error.clear();
        } catch (const Xapian::NetworkError& e) {
            if (!sh.remote()) rethrow_xapian(e, sh.label);
            sh.error = std::string(e.get_type()) + ": " + e.get_msg();
            retry_later(sh);
        } catch (const Xapian::DatabaseOpeningError& e) {
            if (!sh.remote()) rethrow_xapian(e, sh.label);
            sh.error = std::string(e.get_type()) + ": " + e.get_msg();
            retry_later(sh);
        } catch (const Xapian::Error& e) {
            const std::string type = e.get_type();
            if (!sh.remote() && (type == "DatabaseCorruptError" || type == "DatabaseError")) {
                // The hint names the index folder, which --check and --full take.
                const std::string folder = fs::path(lexicon_path).parent_path().string();
                throw IndexCorruptError("index " + folder + ": " + sh.label + " is damaged (" + type + ": " +
                                        e.get_msg() + "); see depeche-index --check --db " + folder +
                                        ", rebuild it with depeche-index --full");
            }
            rethrow_xapian(e, sh.label);
        }
    }

    // A shard that could not be opened is tried again by a request kRetryDownEvery after
    // the attempt ended, or four times as long as the attempt took: a server that accepts
    // connections and never answers costs a request the greeting timeout (5 s) at most
    // once every 20 seconds, not once every 2 seconds.
    static void retry_later(ShardHandle& sh) {
        const auto now = std::chrono::steady_clock::now();
        sh.retry_at = now + std::max<std::chrono::steady_clock::duration>(kRetryDownEvery, 4 * (now - sh.tried));
    }

    // `db`: the lexicon first, then the shards that are up.
    void combine() {
        Xapian::Database all(lexicon);
        sub_remote.assign(1, false);
        sub_db.assign(1, lexicon);
        for (const ShardHandle& sh : shard_list)
            if (sh.up) {
                all.add_database(sh.db);
                sub_remote.push_back(sh.remote());
                sub_db.push_back(sh.db);
            }
        db = all;
    }
    std::vector<Xapian::Database> sub_db;  // the sub-databases of `db`, in its order

    // The stored data and story key of each hit of `mset`, in its order: one document
    // read per hit. Xapian 1.4's remote backend reads a document with one round trip and
    // has no prefetch (MSet::fetch() does nothing there), so the hits of each remote
    // shard are read by a thread of their own on that shard's connection (no other
    // thread touches it meanwhile): a page waits for its busiest shard, not for the sum
    // of its hits' round trips.
    struct HitDocument {
        std::string data, story;
    };
    std::vector<HitDocument> read_hits(const Xapian::MSet& mset) {
        std::vector<HitDocument> out(mset.size());
        auto read = [](const Xapian::Database& from, Xapian::docid did, HitDocument& into) {
            const Xapian::Document doc = from.get_document(did);
            into.data = doc.get_data();
            into.story = doc.get_value(schema::kSlotStory);
        };
        if (!sharded || !any_remote()) {
            std::size_t i = 0;
            for (auto it = mset.begin(); it != mset.end(); ++it) read(db, *it, out[i++]);
            return out;
        }
        // Hits by sub-database of `db`, with their document ids there.
        const std::size_t n = sub_db.size();
        std::vector<std::vector<std::pair<std::size_t, Xapian::docid>>> on(n);
        std::size_t i = 0;
        for (auto it = mset.begin(); it != mset.end(); ++it, ++i) on[(*it - 1) % n].emplace_back(i, (*it - 1) / n + 1);
        run_each(
            n, [&](std::size_t k) { return sub_remote[k] && !on[k].empty() && on[k].size() < out.size(); },
            [&](std::size_t k) {
                for (const auto& [at, did] : on[k]) read(sub_db[k], did, out[at]);
            });
        return out;
    }

    // Runs work(k) for each k < n (a sub-database of `db`, a shard): those for which
    // own_thread(k) is true each on a thread of its own (a remote shard's connection is
    // used by that thread alone meanwhile), the others on this one. The failure of the
    // lowest k is rethrown once all are done.
    static void run_each(std::size_t n, const std::function<bool(std::size_t)>& own_thread,
                         const std::function<void(std::size_t)>& work) {
        std::vector<std::thread> threads;
        std::vector<std::exception_ptr> failed(n);
        for (std::size_t k = 0; k < n; ++k) {
            auto run = [&, k] {
                try {
                    work(k);
                } catch (...) { failed[k] = std::current_exception(); }
            };
            if (own_thread(k)) {
                try {
                    threads.emplace_back(run);
                    continue;
                } catch (const std::system_error&) {}  // no thread to be had: on this one
            }
            run();
        }
        for (std::thread& t : threads) t.join();
        for (const std::exception_ptr& e : failed)
            if (e) std::rethrow_exception(e);
    }

    // The person keys of the index and their term frequencies. A remote shard sends its
    // term list one message per term (33,000 on OrangeSum), so remote shards are read
    // each by a thread of its own on its own connection, as read_hits() does, and their
    // sorted lists merged, summing the frequencies of a key that several shards hold.
    // A remote shard's list is kept for its generation: after a commit, only the shards
    // it changed are read again (a year's shard; 350 ms for the 9 year shards of
    // OrangeSum).
    using KeyList = std::vector<std::pair<std::string, std::size_t>>;
    struct KeysRead {
        std::uint64_t generation = 0;  // 0: none read (generations start at 1)
        KeyList keys;
    };
    std::vector<KeysRead> shard_keys;  // per entry of shard_list
    KeyList person_keys() {
        if (!sharded || !any_remote()) return PeopleResolver::read_keys(db);
        // The shard of each sub-database (combine(): the lexicon, then the shards up).
        std::vector<std::size_t> shard_of(sub_db.size(), kNoPart);
        for (std::size_t k = 0, i = 1; k < shard_list.size() && i < sub_db.size(); ++k)
            if (shard_list[k].up) shard_of[i++] = k;
        shard_keys.resize(shard_list.size());
        auto kept = [&](std::size_t i) {
            const std::size_t k = shard_of[i];
            return sub_remote[i] && k != kNoPart && shard_keys[k].generation != 0 &&
                   shard_keys[k].generation == shard_list[k].generation;
        };
        std::vector<KeyList> lists(sub_db.size());
        run_each(
            sub_db.size(), [&](std::size_t i) { return sub_remote[i] && !kept(i); },
            [&](std::size_t i) {
                if (!kept(i)) lists[i] = PeopleResolver::read_keys(sub_db[i]);
            });
        for (std::size_t i = 0; i < sub_db.size(); ++i) {
            if (!sub_remote[i] || shard_of[i] == kNoPart) continue;
            KeysRead& r = shard_keys[shard_of[i]];
            if (kept(i)) {
                lists[i] = r.keys;
            } else {
                r = {shard_list[shard_of[i]].generation, lists[i]};
            }
        }
        std::vector<std::pair<std::string, std::size_t>> all;
        for (auto& list : lists)
            all.insert(all.end(), std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()));
        std::sort(all.begin(), all.end());
        std::vector<std::pair<std::string, std::size_t>> merged;
        merged.reserve(all.size());
        for (auto& [key, df] : all) {
            if (!merged.empty() && merged.back().first == key)
                merged.back().second += df;
            else
                merged.emplace_back(std::move(key), df);
        }
        return merged;
    }

    // Before a request: shards found down are tried again (when retry_later() says);
    // one still down fails the request unless allow_partial.
    void require_shards(bool allow_partial) {
        bool changed = false;
        const auto now = std::chrono::steady_clock::now();
        std::size_t unlisted = 0;
        bool read_stub_again = false;
        for (ShardHandle& sh : shard_list)
            if (sh.unlisted) {
                ++unlisted;
                if (now - sh.tried < kRetryDownEvery) continue;
                read_stub_again = true;
                sh.tried = now;
            }
        std::vector<bool> retried(shard_list.size());
        for (std::size_t k = 0; k < shard_list.size(); ++k)
            retried[k] = !shard_list[k].unlisted && !shard_list[k].up && now >= shard_list[k].retry_at;
        connect_all([&](std::size_t k) { return bool(retried[k]); });
        for (std::size_t k = 0; k < shard_list.size(); ++k) changed |= retried[k] && shard_list[k].up;
        // Shards the stub did not list: read it again, and open the index again from it
        // once it lists more (its owner gave it the new years' lines).
        if (read_stub_again && shards::read_stub(stub).size() > shard_list.size() - unlisted + 1) {  // + the lexicon
            open_sharded();
            load_dictionaries();
            changed = false;
        }
        if (changed) combine();
        if (!allow_partial) refuse_missing();
    }

    // A shard left out (not listed by the stub, or down) fails a request that does not
    // allow partial answers.
    void refuse_missing() const {
        for (const ShardHandle& sh : shard_list)
            if (sh.unlisted) throw IndexIncompatibleError(sh.error);
        for (const ShardHandle& sh : shard_list)
            if (!sh.up)
                throw IoError(sh.label + " is unavailable: " + sh.error +
                              " (with --allow-partial, the other shards answer)");
    }

    // After a lost connection (a server restarted, or one that closed an idle
    // connection): every remote shard is connected again.
    void reconnect() {
        connect_all([&](std::size_t k) { return shard_list[k].remote(); });
        combine();
    }

    // connect() for each shard that `which` takes: the remote ones at the same time, each
    // on a thread of its own (opening one is a few round trips, up to kConnectTimeoutMs
    // for a server that does not answer), the local ones on this thread; the error of the
    // lowest numbered shard is the one thrown.
    void connect_all(const std::function<bool(std::size_t)>& which) {
        run_each(
            shard_list.size(), [&](std::size_t k) { return which(k) && shard_list[k].remote(); },
            [&](std::size_t k) {
                if (which(k)) connect(k);
            });
    }

    // A read error that looks like damage in a sharded index: each shard on this machine
    // is opened and checked again (its contract, its place, its recorded tables), and one
    // found damaged is named (connect() throws its error). Otherwise the caller's error
    // stands (depeche-index --check then names the part).
    void name_damaged_shard() {
        for (std::size_t k = 0; k < shard_list.size(); ++k)
            if (!shard_list[k].remote()) connect(k);
        combine();
    }

    std::vector<std::string> missing_shards() const {
        std::vector<std::string> out;
        for (const ShardHandle& sh : shard_list)
            if (!sh.up) out.push_back(sh.label);
        return out;
    }

    // Whether some shard searched is remote (our own match spy cannot run there).
    bool any_remote() const { return std::find(sub_remote.begin(), sub_remote.end(), true) != sub_remote.end(); }

    // Whether document `did` of `db` lives on a remote shard.
    bool on_remote(Xapian::docid did) const {
        return sharded && sub_remote.size() > 1 && sub_remote[(did - 1) % sub_remote.size()];
    }

    // The folder whose version file changes with each commit.
    std::string stamp_folder() const { return sharded ? lexicon_path : dir; }

    template <class F>
    auto call(bool reopen_first, bool allow_partial, F&& f) -> decltype(f()) {
        for (int round = 1;; ++round) {
            if (sharded) require_shards(allow_partial);
            try {
                auto out = with_retry(reopen_first, f);
                // The index opened again meanwhile (a year's shard added) may lack a shard.
                if (sharded && !allow_partial) refuse_missing();
                return out;
            } catch (const Xapian::NetworkError&) {
                if (!sharded || round >= 3) throw;
                reconnect();
            } catch (const Xapian::DatabaseError&) {
                if (sharded) name_damaged_shard();
                throw;
            }
        }
    }

    // db.reopen(): for shards, each part reopened (the same databases as db's), the
    // remote ones at the same time, each on its own connection (one round trip each); a
    // remote shard whose server found a newer revision, or another database (rebuilt:
    // its UUID changed), gets a new generation.
    void reopen_db() {
        if (!sharded) {
            db.reopen();
            return;
        }
        lexicon.reopen();
        run_each(
            shard_list.size(), [&](std::size_t k) { return shard_list[k].up && shard_list[k].remote(); },
            [&](std::size_t k) {
                ShardHandle& sh = shard_list[k];
                if (!sh.up) return;
                const std::string uuid = sh.remote() ? sh.db.get_uuid() : std::string();
                const bool newer = sh.db.reopen();
                if (sh.remote() && (newer || sh.db.get_uuid() != uuid)) sh.generation = ++generations;
            });
    }

    // Runs f, reopening and retrying when a commit by another writer invalidates the
    // revision being read (Xapian::DatabaseModifiedError, which reopen() itself may throw
    // while commits follow each other). With reopen_first, f always runs on the latest
    // revision. The reopen is inside the try, so its failures are retried or translated.
    template <class F>
    auto with_retry(bool reopen_first, F&& f) -> decltype(f()) {
        for (int attempt = 1;; ++attempt) {
            try {
                if (attempt > 1 || reopen_first) {
                    reopen_db();
                    if (replaced() || layout_changed()) open_index();
                }
                return f();
            } catch (const Xapian::DatabaseModifiedError&) {
                if (attempt >= kModifiedAttempts) throw IoError("index " + dir + " keeps changing; try again");
                modified_backoff(attempt);
            } catch (const Xapian::DatabaseError&) {
                // Read errors that look like damage are retried when a commit happened
                // meanwhile (a newer revision): a live index is not called damaged.
                const std::string seen = revision();
                bool newer = false;
                try {
                    reopen_db();
                    newer = revision() != seen;
                } catch (const Xapian::Error&) {}
                if (!newer || attempt >= kModifiedAttempts) throw;
                modified_backoff(attempt);
            }
        }
    }

    // The index's current compression dictionary; the others are read when a record
    // names one (load_dictionary): dictionaries are looked up by id, never listed.
    void load_dictionaries() {
        const std::string current = db.get_metadata(schema::kMetaDictCurrent);
        if (current.empty()) return;
        std::uint32_t id = 0;
        try {
            id = static_cast<std::uint32_t>(std::stoul(current));
        } catch (const std::exception&) {
            throw IndexCorruptError("index " + dir + ": metadata " + schema::kMetaDictCurrent +
                                    " is not a dictionary id (run depeche-index --check)");
        }
        load_dictionary(id);
    }

    void load_dictionary(std::uint32_t id) {
        try {
            codec.load_one(db, id);
        } catch (const std::runtime_error& e) {  // zstd refused a dictionary: damaged metadata
            throw IndexCorruptError("index " + dir + ": " + e.what() + " (run depeche-index --check)");
        }
    }

    // Stored data of a hit; a dictionary added since the index was opened is read first.
    std::optional<StoredArticle> stored(const std::string& data, bool with_text) {
        std::optional<StoredArticle> a = decode_stored(data, with_text, &codec);
        if (!a && !codec.has(stored_dictionary(data))) {
            load_dictionary(stored_dictionary(data));
            a = decode_stored(data, with_text, &codec);
        }
        return a;
    }

    // The stored data of a document; unreadable data is damage.
    StoredArticle stored_or_damaged(Xapian::docid did, const std::string& data, bool with_text) {
        std::optional<StoredArticle> a = stored(data, with_text);
        if (!a)
            throw IndexCorruptError("index " + dir + ": document " + std::to_string(did) +
                                    " has unreadable stored data (run depeche-index --check)");
        return std::move(*a);
    }

    // Opening reads the index's metadata and its dictionaries; a writer committing twice
    // meanwhile discards that revision (Xapian::DatabaseModifiedError, which
    // open_readonly reports as an IoError naming it): open again then. What looks like
    // damage while the version file changes under us (a commit replacing tables we were
    // reading) is a commit too, not damage: open again.
    // Opens the index (again), with its dictionaries, and notes which databases it is.
    void open_index() {
        if (sharded)
            open_sharded();
        else
            db = open_readonly(dir);
        load_dictionaries();
        opened_uuid = current_uuid();
    }

    void open() {
        for (int attempt = 1;; ++attempt) {
            const std::string before = version_stamp(stamp_folder());
            try {
                open_index();
                return;
            } catch (const Xapian::DatabaseModifiedError&) {
                if (attempt >= kModifiedAttempts) throw IoError("index " + dir + " keeps changing; try again");
            } catch (const IoError& e) {
                const bool modified =
                    std::string_view(e.what()).find("DatabaseModifiedError") != std::string_view::npos;
                const bool changed =
                    dynamic_cast<const IndexCorruptError*>(&e) && version_stamp(stamp_folder()) != before;
                if (attempt >= kModifiedAttempts || !(modified || changed)) throw;
            }
            modified_backoff(attempt);
        }
    }

    // SearchRequest::like: the query of the article's most telling words (Xapian's
    // expand set over its text terms, relevance set = the article), without it and the
    // other versions of its story.
    Xapian::Query like_query(const std::string& id) {
        const std::string term = id_term(id);
        Xapian::PostingIterator p = db.postlist_begin(term);
        if (p == db.postlist_end(term)) throw ArticleNotFoundError("no article with id '" + id + "' (like)");
        const Xapian::docid did = *p;
        Xapian::RSet rset;
        rset.add_document(did);
        // Body words only: no prefixed term, stopword or number.
        struct Words : Xapian::ExpandDecider {
            bool operator()(const std::string& t) const override {
                if (t.size() < 3 || (t[0] >= 'A' && t[0] <= 'Z') || Analyzer::is_stopword(t)) return false;
                return t.find_first_not_of("0123456789") != std::string::npos;
            }
        } words;
        Xapian::Enquire e(db);
        // Exact term frequencies: with shards, Xapian would otherwise take them from the
        // article's own shard alone.
        const Xapian::ESet eset = e.get_eset(kLikeTerms, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &words);
        std::vector<Xapian::Query> qs;
        for (auto t = eset.begin(); t != eset.end(); ++t) qs.emplace_back(*t);
        Xapian::Query like(Xapian::Query::OP_OR, qs.begin(), qs.end());
        Xapian::Query self(term);
        const std::string key = db.get_document(did).get_value(schema::kSlotStory);
        if (!key.empty()) self = Xapian::Query(Xapian::Query::OP_OR, self, Xapian::Query(story::story_term(key)));
        return Xapian::Query(Xapian::Query::OP_AND_NOT, like, self);
    }

    SearchResult run(const SearchRequest& req) {
        QueryParser parser(analyzer, &db, [this] { return people(); });
        const bool like = !req.like.empty();
        const bool blank = req.query.find_first_not_of(" \t\r\n") == std::string::npos;
        ParsedQuery parsed = like && blank ? ParsedQuery{} : parser.parse(req.query);
        if (like) {
            Xapian::Query similar = like_query(req.like);
            parsed.query = blank ? similar : Xapian::Query(Xapian::Query::OP_AND, parsed.query, similar);
            parsed.filters_only = false;
        }

        Xapian::Enquire enquire(db);
        enquire.set_query(parsed.query);
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        // One hit per story; every match is then checked so that the counts of other
        // versions and the number of stories are exact.
        if (req.collapse) enquire.set_collapse_key(schema::kSlotStory);
        Sort sort = req.sort;
        if (!req.sort_given && parsed.filters_only) sort = Sort::DateDescending;
        // Ties never fall to document ids, which differ between one index and shards: the
        // rank slot (newest first, then by id; schema::kSlotRank) orders equal scores, and
        // is the date order itself (reversed: oldest first, articles without a date first).
        if (sort == Sort::DateDescending)
            enquire.set_sort_by_value_then_relevance(schema::kSlotRank, false);
        else if (sort == Sort::DateAscending)
            enquire.set_sort_by_value_then_relevance(schema::kSlotRank, true);
        else
            enquire.set_sort_by_relevance_then_value(schema::kSlotRank, false);

        // Offsets and limits up to SIZE_MAX are fine: everything is clamped to the
        // number of documents (and the sum cannot wrap around).
        const std::size_t docs = db.get_doccount();
        const std::size_t first = std::min(req.offset, docs);
        const std::size_t wanted = std::min(req.limit, docs - first);
        Xapian::doccount check = static_cast<Xapian::doccount>(req.collapse && req.exact_total ? docs : first + wanted);
        Xapian::MSet mset =
            enquire.get_mset(static_cast<Xapian::doccount>(first), static_cast<Xapian::doccount>(wanted), check);
        SearchResult result;
        result.total = mset.get_matches_estimated();
        result.total_lower = mset.get_matches_lower_bound();
        result.total_upper = mset.get_matches_upper_bound();
        result.total_exact = result.total_lower == result.total_upper;
        // Facets need every match seen by the spy, exact totals every match counted: a
        // second pass without weights does both. The ranked match above stops early on
        // its top hits (Xapian's max-weight pruning), and visiting every match with
        // BoolWeight costs less than weighing them all with BM25.
        std::unique_ptr<FacetSpy> spy;
        // Collapsed, the ranked pass has counted the stories (exactly, unless estimating).
        if (req.facets || (req.exact_total && !result.total_exact && !req.collapse)) {
            // Shards count with Xapian's built-in ValueCountMatchSpy, which runs on
            // remote shards too (our spy cannot: Xapian 1.4 does not send it), one per
            // facet slot; their counts are merged into our spy's facets. Dates are counted
            // by day (slot 3: a few thousand values), not by the full date of slot 0,
            // which is nearly one value per article and all of them sent and merged.
            Xapian::ValueCountMatchSpy by_people(schema::kSlotPeople), by_date(schema::kSlotDay),
                by_mentioned(schema::kSlotMentioned);
            std::vector<Xapian::MatchSpy*> spies;
            bool counted = false;  // by count_shards()
            bool value_counts = false;
            // Our spy over facet columns, when they are worth having, else values. Shards
            // are counted one at a time (count_shards()), one part of the columns each; a
            // remote shard, which our spy cannot run on, sends the ids of its matches.
            std::shared_ptr<const FacetColumns> columns;
            if (req.facets) columns = facet_columns(mset.get_matches_estimated(), static_cast<Xapian::doccount>(docs));
            if (req.facets && any_remote() && !columns) {
                spy = std::make_unique<FacetSpy>(nullptr, people());
                spy->set_person_memo(person_memo);
                spy->set_names_from(db);
                spies = {&by_people, &by_date, &by_mentioned};
                value_counts = true;
            } else if (req.facets) {
                spy = std::make_unique<FacetSpy>(columns, people());
                spy->set_person_memo(person_memo);
                spy->set_names_from(db);
                if (sharded) {
                    counted = true;
                    const Xapian::doccount matched =
                        count_shards(parsed.query, *spy, mset.get_uncollapsed_matches_upper_bound());
                    if (!req.collapse) {
                        result.total = result.total_lower = result.total_upper = matched;
                        result.total_exact = true;
                    }
                } else {
                    spies = {spy.get()};
                }
            }
            if (!counted) {
                Xapian::MSet counted = count_all(parsed.query, spies);
                if (value_counts)
                    spy->add_value_counts(counted.get_matches_estimated(), by_people, by_date, by_mentioned);
                if (!req.collapse) {
                    result.total = counted.get_matches_estimated();
                    result.total_lower = counted.get_matches_lower_bound();
                    result.total_upper = counted.get_matches_upper_bound();
                    result.total_exact = result.total_lower == result.total_upper;
                }
            }
        }
        // Xapian 1.4 counts collapsed matches exactly only when the page holds them all
        // (with a short page, `"Emmanuel Macron" date:2020-06` gave "about 300" for 250
        // stories): then the stories are counted by one unweighted pass that keeps them.
        if (req.collapse && req.exact_total && !result.total_exact) {
            const std::size_t stories = stories_matching(parsed.query);
            result.total = result.total_lower = result.total_upper = stories;
            result.total_exact = true;
        }
        // Over remote shards, Xapian 1.4 undercounts the other versions of a story that
        // several shards hold (each server collapses its own matches): they are counted
        // by one unweighted pass with Xapian's ValueCountMatchSpy on the story slot.
        std::unordered_map<std::string, Xapian::doccount> versions;
        if (req.collapse && !mset.empty() && sub_remote.size() > 2 && any_remote()) {
            Xapian::ValueCountMatchSpy by_story(schema::kSlotStory);
            count_all(parsed.query, {&by_story});
            for (auto v = by_story.values_begin(); v != by_story.values_end(); ++v) versions[*v] = v.get_termfreq();
        }
        std::size_t rank = req.offset;
        const bool snippets = req.snippet.length > 0;
        std::vector<HitDocument> documents = read_hits(mset);
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            HitDocument& document = documents[static_cast<std::size_t>(it.get_rank() - mset.get_firstitem())];
            StoredArticle a = stored_or_damaged(*it, document.data, snippets);
            Hit h;
            h.rank = ++rank;
            take_fields(a, h);
            h.score = it.get_weight();
            h.story = std::move(document.story);
            if (req.collapse) h.other_versions = it.get_collapse_count();
            if (auto v = versions.find(h.story); v != versions.end()) h.other_versions = v->second - 1;
            if (snippets && !a.text.empty())
                h.snippet =
                    make_snippet(analyzer, a.text, parsed.highlights, req.snippet.length, req.snippet.highlight_open,
                                 req.snippet.highlight_close,
                                 on_remote(*it) ? snippet_region(analyzer, a, parsed.highlights, req.snippet.length)
                                                : snippet_region(db, *it, a, parsed.highlights, req.snippet.length));
            result.hits.push_back(std::move(h));
        }
        if (spy) result.facets = spy->facets(req.facet_limit, result.total_exact, req.date_interval);
        result.notes = operator_notes(req.query);
        if (req.suggest && !like && result.total_upper <= kSuggestBelow)
            result.suggestion = suggestion(req.query, result.total);
        result.missing_shards = missing_shards();
        result.partial = !result.missing_shards.empty();
        return result;
    }

    // Every match of `query` visited without weights (exact counts), shown to `spies`.
    Xapian::MSet count_all(const Xapian::Query& query, const std::vector<Xapian::MatchSpy*>& spies) {
        Xapian::Enquire counter(db);
        counter.set_query(query);
        counter.set_weighting_scheme(Xapian::BoolWeight());
        counter.set_docid_order(Xapian::Enquire::DONT_CARE);
        for (Xapian::MatchSpy* spy : spies) counter.add_matchspy(spy);
        return counter.get_mset(0, 0, db.get_doccount());
    }

    // Every match of `query` counted into `spy`, one shard at a time, telling the spy
    // which part of its columns the shard is (a match spy over several databases sees
    // each one's own document ids). Our spy cannot run on a remote shard: the ids of its
    // matches are fetched instead (one unweighted match of at most `at_most` items) and
    // counted from the columns, the remote shards at the same time, each on a thread of
    // its own with its own connection and a spy of its own, added to `spy` at the end.
    // Returns the exact number of matches.
    Xapian::doccount count_shards(const Xapian::Query& query, FacetSpy& spy, Xapian::doccount at_most) {
        const std::size_t n = shard_list.size();
        auto remote = [&](std::size_t k) { return shard_list[k].up && shard_list[k].remote(); };
        std::vector<std::size_t> part(n);  // the part of the columns of each shard that is up
        for (std::size_t k = 0, next = 0; k < n; ++k)
            if (shard_list[k].up) part[k] = next++;
        // A copy of the query per thread, made here: copying a Xapian::Query shares its
        // parts, whose reference counts are not atomic.
        std::vector<Xapian::Query> queries(n);
        const std::string serialised = query.serialise();
        for (std::size_t k = 0; k < n; ++k)
            if (remote(k)) queries[k] = Xapian::Query::unserialise(serialised);
        struct Counted {
            Xapian::doccount matches = 0;
            std::unique_ptr<FacetSpy> spy;
            std::vector<Xapian::docid> uncovered;  // not in the columns: counted afterwards
        };
        std::vector<Counted> counted(n);
        run_each(n, remote, [&](std::size_t k) {
            if (!remote(k)) return;
            const Xapian::Database& shard = shard_list[k].db;
            const Xapian::doccount docs = shard.get_doccount();
            Xapian::Enquire matches(shard);
            matches.set_query(queries[k]);
            matches.set_weighting_scheme(Xapian::BoolWeight());
            matches.set_docid_order(Xapian::Enquire::ASCENDING);
            // The server sets room aside for as many items as asked: no more than the
            // matches of the whole index (asked again should that be too few).
            Xapian::MSet ids = matches.get_mset(0, std::min(at_most, docs));
            if (ids.get_matches_upper_bound() > ids.size() && ids.size() < docs) ids = matches.get_mset(0, docs);
            Counted& c = counted[k];
            c.matches = ids.size();
            c.spy = spy.column_counter();
            c.spy->set_part(part[k]);
            for (auto it = ids.begin(); it != ids.end(); ++it)
                if (!c.spy->count_from_columns(*it)) c.uncovered.push_back(*it);
        });
        Xapian::doccount matched = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const ShardHandle& sh = shard_list[k];
            if (!sh.up) continue;
            spy.set_part(part[k]);
            if (remote(k)) {
                spy.add_column_counts(*counted[k].spy);
                for (const Xapian::docid did : counted[k].uncovered) spy.count(sh.db, did);
                matched += counted[k].matches;
                continue;
            }
            Xapian::Enquire counter(sh.db);
            counter.set_query(query);
            counter.set_weighting_scheme(Xapian::BoolWeight());
            counter.set_docid_order(Xapian::Enquire::DONT_CARE);
            counter.add_matchspy(&spy);
            matched += counter.get_mset(0, 0, sh.db.get_doccount()).get_matches_estimated();
        }
        return matched;
    }

    // Exact number of stories (collapse keys) among the matches of a query.
    std::size_t stories_matching(const Xapian::Query& query) {
        Xapian::Enquire counter(db);
        counter.set_query(query);
        counter.set_weighting_scheme(Xapian::BoolWeight());
        counter.set_docid_order(Xapian::Enquire::DONT_CARE);
        counter.set_collapse_key(schema::kSlotStory);
        return counter.get_mset(0, db.get_doccount()).size();
    }

    // Exact number of articles matching a query.
    std::size_t count(const std::string& query) {
        QueryParser parser(analyzer, &db, [this] { return people(); });
        return count_all(parser.parse(query).query, {}).get_matches_estimated();
    }

    std::string suggestion(const std::string& query, std::size_t found) {
        SuggestSources sources{db, analyzer, {}, {}, {}};
        sources.from_forms_table = any_remote();
        sources.text_of = [this](Xapian::docid id) {
            std::optional<StoredArticle> a = stored(db.get_document(id).get_data(), true);
            std::string text;
            if (a) {
                text = std::move(a->title);
                text.append("\n\n").append(a->text);
            }
            return text;
        };
        sources.count = [this](const std::string& q) { return count(q); };
        // "Putin" -> "Poutine": the French form of a person's name (the alias list and the
        // spellings the index merges, people_resolver.hpp).
        sources.person_form = [this](std::string_view w) { return people()->canonical_person(w, db); };
        return suggest(query, found, sources);
    }
};

Searcher::Searcher(const std::string& index_dir)
    : impl_(guard_errors([&] { return std::make_unique<Impl>(index_dir); }, index_dir)) {}
Searcher::~Searcher() = default;
Searcher::Searcher(Searcher&&) noexcept = default;
Searcher& Searcher::operator=(Searcher&&) noexcept = default;

namespace {
[[noreturn]] void moved_from() { throw Error("depeche::Searcher used after being moved from"); }
}  // namespace

SearchResult Searcher::search(const SearchRequest& request) {
    if (!impl_) moved_from();
    // The index may change under us (another process commits): reopen and retry.
    return guard_errors([&] { return impl_->call(false, request.allow_partial, [&] { return impl_->run(request); }); },
                        impl_->dir);
}

void Searcher::reopen() {
    if (!impl_) moved_from();
    guard_errors([&] { return impl_->call(true, true, [] { return true; }); }, impl_->dir);
}

void Searcher::warm() {
    if (!impl_) moved_from();
    guard_errors(
        [&] {
            return impl_->call(false, true, [&] {
                impl_->warm();
                return true;
            });
        },
        impl_->dir);
}

std::optional<ArticleView> Searcher::article(const std::string& id, const std::string& query,
                                             const SnippetOptions& markers) {
    if (!impl_) moved_from();
    return guard_errors(
        [&] {
            return impl_->call(true, false, [&]() -> std::optional<ArticleView> {
                Impl& m = *impl_;
                const std::string term = id_term(id);
                Xapian::PostingIterator p = m.db.postlist_begin(term);
                if (p == m.db.postlist_end(term)) return std::nullopt;
                const Xapian::Document doc = m.db.get_document(*p);
                StoredArticle a = m.stored_or_damaged(*p, doc.get_data(), true);
                if (a.id != id) return std::nullopt;  // another id with the same hashed term
                ArticleView v;
                take_fields(a, v);
                v.story = doc.get_value(schema::kSlotStory);
                if (!query.empty()) {
                    QueryParser parser(m.analyzer, &m.db);
                    const ParsedQuery parsed = parser.parse(query);
                    // Paragraph by paragraph (a snippet folds line breaks into spaces): phrases
                    // never span two paragraphs, which are separated by sentence ends or blank lines.
                    for (std::size_t start = 0; start < a.text.size();) {
                        std::size_t end = a.text.find("\n\n", start);
                        if (end == std::string::npos) end = a.text.size();
                        const std::string para = a.text.substr(start, end - start);
                        if (!v.highlighted.empty()) v.highlighted += "\n\n";
                        v.highlighted += make_snippet(m.analyzer, para, parsed.highlights, para.size() + 1,
                                                      markers.highlight_open, markers.highlight_close);
                        start = end + 2;
                    }
                }
                v.text = std::move(a.text);
                // Mentioned dates: YYYYMMDD numbers joined by U+001F, 00 for an unknown day or month.
                const std::string list = doc.get_value(schema::kSlotMentioned);
                for_each_item(list, [&](std::string_view d) {
                    if (d.size() != 8) return;
                    std::string shown(d.substr(0, 4));
                    if (d.substr(4, 2) != "00") shown.append("-").append(d.substr(4, 2));
                    if (d.substr(4, 2) != "00" && d.substr(6, 2) != "00") shown.append("-").append(d.substr(6, 2));
                    v.mentioned.push_back(std::move(shown));
                });
                std::sort(v.mentioned.begin(), v.mentioned.end());
                return v;
            });
        },
        impl_->dir);
}

IndexStats Searcher::stats() {
    if (!impl_) moved_from();
    return guard_errors(
        [&] {
            return impl_->call(true, false, [&] {
                IndexStats s;
                s.articles = impl_->db.get_doccount();
                // On disk here: the index folder, or a sharded index's lexicon and local shards.
                std::vector<std::string> folders{impl_->dir};
                if (impl_->sharded) {
                    folders = {impl_->lexicon_path};
                    for (const ShardHandle& sh : impl_->shard_list) {
                        if (!sh.remote()) folders.push_back(sh.entry.path);
                        ShardStats one;
                        one.name = shards::shard_name(s.shard_list.size());
                        one.period = sh.period;
                        one.location = sh.remote() ? sh.entry.text : sh.entry.path;
                        one.articles = sh.up ? sh.db.get_doccount() : 0;
                        s.shard_list.push_back(std::move(one));
                    }
                    s.shards = impl_->shard_list.size();
                    s.partition = impl_->layout.partition;
                }
                for (const std::string& folder : folders) {
                    std::error_code ec;
                    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
                        std::error_code fe;
                        if (!it->is_regular_file(fe)) continue;
                        std::uintmax_t size = it->file_size(fe);
                        if (!fe) s.size_bytes += size;  // a file replaced by a commit meanwhile: skipped
                    }
                }
                s.schema_version = std::atoi(impl_->db.get_metadata(schema::kMetaSchema).c_str());
                s.analyzer = impl_->db.get_metadata(schema::kMetaAnalyzer);
                s.last_update = impl_->db.get_metadata(schema::kMetaUpdated);
                s.facets_ready = impl_->facets_ready();
                return s;
            });
        },
        impl_->dir);
}

}  // namespace depeche
