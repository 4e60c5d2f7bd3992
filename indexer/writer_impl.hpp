// depeche::Writer's implementation, shared by writer.cpp (opening, add, remove, commit,
// index_paths) and the two pipelines of index_paths(): index_update.cpp and
// index_fresh.cpp. Internal.
#pragma once

#include "indexer/document.hpp"
#include "indexer/file_state.hpp"
#include "indexer/input_walk.hpp"
#include "indexer/people.hpp"
#include "indexer/readers.hpp"
#include "indexer/spelling_tables.hpp"
#include "indexer/store.hpp"
#include "indexer/story.hpp"
#include "schema/hash.hpp"
#include "schema/schema.hpp"
#include "schema/shards.hpp"

#include <depeche/depeche.hpp>
#include <xapian.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace depeche {

namespace writer_detail {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline InputProblem problem_of(const ReadIssue& i) { return {i.path, i.line, i.message, i.warning}; }

// Compression dictionaries are trained on the stored data of this many articles (the
// first ones of a new index); an index without one gets one once it holds
// kTrainFromIndexAt articles.
inline constexpr std::size_t kTrainArticles = 1000;
inline constexpr Xapian::doccount kTrainFromIndexAt = 1000;

// Paces the progress reports made while a file is read: at most 10 a second.
struct ProgressPacer {
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    bool due() {
        const auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::milliseconds(100)) return false;
        last = now;
        return true;
    }
};

// Runs f when leaving the scope, also by an exception: used to close the queues and
// join the worker threads (a std::thread destroyed while joinable calls std::terminate).
template <class F>
struct OnExit {
    F f;
    ~OnExit() { f(); }
};
template <class F>
OnExit(F) -> OnExit<F>;

// An exception thrown by the caller's progress callback, carried through the library's
// error translation and rethrown unchanged by index_paths().
struct CallbackException {
    std::exception_ptr error;
};

// Free space a first build or rebuild needs: the index comes to about 3 times the size
// of its input, and building it takes about 3 times the size of the index (the shards,
// their merged copy, and the old index kept until the swap): 9 bytes per byte of input.
inline constexpr std::uintmax_t kBuildSpacePerInputByte = 9;

// The most of an article's body that is indexed (and stored for snippets): indexing
// takes tens of bytes of memory per byte of body (a 41 MB body took 953 MB and 10 s
// whole, 279 MB and 2 s cut to this). The rest is reported as a warning.
inline constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

// An article read from several files is kept from the last one read, whose file term
// ("XF" + hash of its path) it holds. Each other file that holds it is remembered by a
// term "XD" + the same hash, so that when the last file goes (deleted, or changed without
// it) the article is read again from one of the others, as a rebuild would keep it.
inline constexpr std::string_view kFileTermPrefix = schema::field("file").prefix,
                                  kShadowTermPrefix = schema::kShadowFilePrefix;

// Fills in a missing id: URL, else path (with #line for JSONL).
void assign_id(Article& a);

// The public error for a Xapian error met in a worker thread, to be rethrown by the
// thread that collects the results.
std::exception_ptr translated(const Xapian::Error& e, const std::string& dir);

// Build folders (.NAME.build-PID) left next to the index by a depeche-index that was
// killed or aborted (second Ctrl-C) while building: removed when that process is gone.
void remove_stale_builds(const std::filesystem::path& target);

std::string megabytes(std::uintmax_t bytes);

// Refuses to start a build that cannot fit on the file system of `where`.
void check_build_space(const std::vector<std::filesystem::path>& files, const std::filesystem::path& where,
                       const std::string& dir);

// Cuts a body to at most kMaxBodyBytes, at a space when there is one near the limit,
// never inside a UTF-8 sequence.
void cut_body(std::string& body);

// Adds to `doc`, about to replace document `did` of `db`, the shadow terms of the files
// that held the article before: `did`'s own file and its shadows, but not doc's file.
void carry_shadows(const Xapian::Database& db, Xapian::docid did, Xapian::Document& doc);

std::size_t worker_count(std::size_t requested);

}  // namespace writer_detail

using namespace writer_detail;

struct Writer::Impl {
    std::string dir;
    WriterOptions options;
    // The index folder, absolute: `dir` may be relative to a current folder that a
    // rebuild swaps away ("--db .").
    fs::path folder;
    std::optional<WriterLock> lock;  // held from before the index is opened until after it is closed
    Xapian::WritableDatabase db;
    // A sharded index (schema/shards.hpp): `db` is then the lexicon and the shards, and
    // routing says where new articles go. target_shards: the layout index_paths() and
    // a rebuild make (0: one database).
    ShardRouting routing;
    std::size_t target_shards = 0;
    // A year partition (schema/shards.hpp): what index_paths() and a rebuild make
    // (kPartitionYear; target_shards is then 0), "" otherwise.
    std::string target_partition;
    Analyzer analyzer;
    std::unique_ptr<PeopleExtractor> people;
    std::string people_error;
    PendingSynonyms synonyms;
    story::Stories stories;  // story keys of the articles written (indexer/story.hpp)
    // Compresses stored data with the index's dictionary (shared with the worker threads,
    // which only read it once it is set up).
    std::shared_ptr<StoredCodec> codec = std::make_shared<StoredCodec>();
    std::size_t pending = 0;
    bool fresh_pending;  // overwrite requested and not yet done

    Impl(const std::string& d, const WriterOptions& o) : dir(tidy_path(d)), options(o), fresh_pending(o.overwrite) {
        if (!options.create && !fs::exists(dir)) throw IndexMissingError("no index at " + dir);
        // Xapian would create the folder anyway: it is created here to be locked first, and
        // without any access for others (its files are then out of their reach).
        folder = index_path(dir);
        if (!fs::exists(folder)) {
            fs::create_directories(folder);
            fs::permissions(folder, fs::perms::others_all, fs::perm_options::remove);
        }
        if (::access(dir.c_str(), R_OK | X_OK) != 0)
            throw IoError("cannot read index " + dir + ": " + std::strerror(errno));
        if (::access(dir.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
            throw IoError("index " + dir + " is read-only (" + std::strerror(errno) + "): it cannot be updated");
        lock.emplace(dir);
        remove_stale_builds(folder);
        if (options.batch_size == 0) options.batch_size = 1;
        open_layout();
        if (!options.overwrite) codec->load(db);
        try {
            people = std::make_unique<PeopleExtractor>(lexicon_dir());
        } catch (const std::exception& e) { people_error = std::string("people extraction disabled: ") + e.what(); }
    }

    // add()/remove() on an overwriting writer: empty the index first.
    void start_fresh_if_needed() {
        if (!fresh_pending) return;
        fresh_pending = false;
        if (target_shards || !target_partition.empty()) {
            // An empty layout built beside the index, swapped in.
            const fs::path work = build_folder();
            std::error_code ec;
            fs::remove_all(work, ec);
            if (target_shards)
                create_sharded_layout(work, target_shards, shards::new_index_id());
            else
                create_partitioned_layout(work, shards::new_index_id());
            lock->also_lock(work);
            db.close();
            replace_directory(folder, work);
            db = open_writable_sharded(folder, dir, routing);
        } else {
            db.close();
            db = open_writable(dir, true, /*overwrite=*/true);
            routing = ShardRouting{};
        }
        codec = std::make_shared<StoredCodec>();
    }

    // The folder a rebuild is made in, beside the index (.NAME.build-PID).
    fs::path build_folder() const {
        return folder.parent_path() / ("." + folder.filename().string() + ".build-" + std::to_string(::getpid()));
    }

    // Opens the index as it is laid out (one database, or sharded), making a new sharded
    // layout in an empty folder when options.shards asks for one. A rebuild keeps the
    // old index (and its lock) until the new one replaces it.
    void open_layout() {
        if (options.shards > shards::kMaxShards)
            throw Error("--shards must be between 1 and " + std::to_string(shards::kMaxShards));
        if (!options.partition.empty() && options.partition != shards::kPartitionYear)
            throw Error("--partition must be '" + std::string(shards::kPartitionYear) + "', not '" + options.partition +
                        "'");
        if (options.shards && !options.partition.empty())
            throw Error("--shards and --partition cannot be combined: a year partition makes one shard per year");
        std::error_code ec;
        if (options.shards && fs::is_empty(folder, ec))
            create_sharded_layout(folder, options.shards, shards::new_index_id());
        else if (!options.partition.empty() && fs::is_empty(folder, ec))
            create_partitioned_layout(folder, shards::new_index_id());
        const bool sharded = shards::is_sharded_folder(folder);
        if (sharded) {
            try {
                db = open_writable_sharded(folder, dir, routing);
            } catch (const Error&) {
                if (!options.overwrite) throw;
                // A rebuild replaces an index that cannot be opened any more.
                db = Xapian::WritableDatabase();
                routing = ShardRouting{};
            }
        } else {
            db = open_writable(dir, /*check=*/!options.overwrite);
        }
        // The layout now (hash shards, a year partition, one database) and the one asked for.
        const bool partitioned = !routing.partition.empty();
        const std::size_t now = sharded && !partitioned ? std::max<std::size_t>(routing.shards, 1) : 0;
        const bool keep = !options.shards && options.partition.empty();
        target_shards = keep ? now : options.shards;
        target_partition = keep ? routing.partition : options.partition;
        const bool change = target_shards != now || target_partition != routing.partition;
        if (!options.overwrite && change && db.get_doccount() > 0) {
            const std::string has = partitioned ? " has one shard per year"
                                    : sharded   ? " has " + std::to_string(now) + " shards"
                                                : " is not sharded";
            const std::string wanted = target_shards ? std::to_string(target_shards) + " shards" : "one shard per year";
            const std::string option =
                target_shards ? "--shards " + std::to_string(target_shards) : "--partition " + target_partition;
            throw IndexIncompatibleError("index " + dir + has + "; making it " + wanted +
                                         " needs a rebuild: depeche-index --full " + option + " --db " + dir +
                                         " PATH...");
        }
        // An empty index takes the new layout at once.
        if (!options.overwrite && change) fresh_pending = true;
    }

    // The shard an article goes to; a year partition's shard for a year that has none
    // yet is added first (add_period_shard), after a commit of what is pending: the
    // handle is opened again with one more database, which renumbers documents.
    std::size_t shard_for(const BuiltDocument& built) {
        std::size_t k = routing.shard_for(built.id_term, built.doc);
        if (k != std::string::npos) return k;
        commit();
        k = add_period_shard(folder, dir, db, routing, shards::period_of_date(built.doc.get_value(schema::kSlotDate)));
        stories = story::Stories{};
        return k;
    }

    // An index without a compression dictionary (it started small, or was filled by
    // add()) gets one once it holds enough articles to train it: from a sample of the
    // stored data of its newest articles. Articles written from then on use it; older
    // ones keep theirs. Recorded with the next commit, with the first articles using it.
    bool dictionary_tried = false;
    void train_dictionary_if_due() {
        if (dictionary_tried || codec->compression_id() != 0 || db.get_doccount() < kTrainFromIndexAt) return;
        dictionary_tried = true;
        std::vector<std::string> samples;
        const Xapian::docid last = db.get_lastdocid();
        for (Xapian::docid did = last; did > 0 && samples.size() < kTrainArticles; --did) {
            std::string data;
            try {
                data = db.get_document(did, Xapian::DOC_ASSUME_VALID).get_data();
            } catch (const Xapian::DocNotFoundError&) { continue; }
            if (auto a = decode_stored(data, true, codec.get())) samples.push_back(stored_record(*a));
        }
        std::string dict = StoredCodec::train(samples);
        if (dict.empty()) return;
        codec->add(dict, true);
        StoredCodec::publish(db, dict);
    }

    void write(BuiltDocument& built) {
        const std::size_t k = routing.shards ? shard_for(built) : 0;
        if (db.get_termfreq(built.id_term) > 0) carry_shadows(db, *db.postlist_begin(built.id_term), built.doc);
        stories.join(db, built.doc);
        stories.added(routing.shards ? put_sharded(db, routing, built.id_term, built.doc, k)
                                     : db.replace_document(built.id_term, built.doc),
                      built.doc);
        record_synonyms(built, synonyms);
        if (++pending >= options.batch_size) commit();
    }

    void commit() {
        flush_synonyms(db, synonyms);
        stamp_updated(db);
        commit_sharded(db, routing);
        pending = 0;
        // A table file that appeared with this commit is recorded (one more commit, once):
        // in the index, or in the lexicon and in each shard, which the searcher checks.
        bool recorded = record_tables(db, routing.shards ? folder / shards::kLexiconName : folder);
        for (std::size_t k = 0; k < routing.handles.size(); ++k)
            recorded |= record_tables(routing.handles[k], folder / shards::shard_name(k));
        if (recorded) commit_sharded(db, routing);
    }

    BuiltDocument build(Article& a, Analyzer& an, const StoredCodec* c) {
        assign_id(a);
        if (a.id.empty()) throw Error("article has no id, url or path");
        const std::size_t body = a.body.size();
        if (body > kMaxBodyBytes) cut_body(a.body);
        BuiltDocument built = build_document(a, an, people.get(), c);
        if (body > kMaxBodyBytes)
            built.problems.push_back({a.path, a.line,
                                      "warning: article " + a.id + ": body too long, only its first " +
                                          megabytes(a.body.size()) + " of " + megabytes(body) +
                                          " indexed (the limit is " + std::to_string(kMaxBodyBytes) + " bytes)",
                                      true});
        return built;
    }

    bool stop_requested() const { return options.interrupted && options.interrupted(); }

    ReadOptions read_options(std::function<void(std::uintmax_t)> on_bytes) const {
        ReadOptions ro;
        ro.field_map = options.field_map;
        ro.on_bytes = std::move(on_bytes);
        return ro;
    }

    // The two pipelines of index_paths(): index_update.cpp (an existing index, file by
    // file, in input order) and index_fresh.cpp (an empty index or a rebuild, in shards).
    IndexSummary index_update(const Input& in, IndexSummary summary,
                              const std::function<void(const Progress&)>& progress, Clock::time_point start);
    IndexSummary index_fresh(const Input& in, IndexSummary summary,
                             const std::function<void(const Progress&)>& progress, Clock::time_point start);
    void finish_sharded(const std::vector<std::vector<std::string>>& groups, const std::vector<std::string>& periods,
                        const fs::path& out, const std::string& dictionary,
                        const std::vector<std::pair<std::string, FileState>>& states);
};

}  // namespace depeche
