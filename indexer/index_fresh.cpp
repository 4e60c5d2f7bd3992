// depeche::Writer: building a new index (first build or --full) in one shard per
// worker thread, merged by Xapian's compaction and swapped in atomically.
#include "indexer/queue.hpp"
#include "indexer/writer_impl.hpp"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

namespace depeche {

// ---- Building a new index in parallel shards ------------------------------------------------
IndexSummary Writer::Impl::index_fresh(const Input& in, IndexSummary summary,
                                       const std::function<void(const Progress&)>& progress, Clock::time_point start) {
    // A sharded index is built one worker per shard, each article in its own shard.
    const std::size_t shards = target_shards ? target_shards : worker_count(options.threads);
    const fs::path& target = folder;
    const fs::path work = build_folder();
    check_build_space(in.files, target.parent_path(), dir);
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work);
    fs::permissions(work, fs::perms::others_all, fs::perm_options::remove);
    struct Cleanup {
        fs::path p;
        ~Cleanup() {
            std::error_code e;
            fs::remove_all(p, e);
        }
    } cleanup{work};

    struct Shard {
        BoundedQueue<Article> queue{128};
        std::thread thread;
        std::vector<InputProblem> problems;
        std::size_t articles = 0;
        std::exception_ptr failure;  // writing the shard failed
        // The databases it wrote, (period, path): one (period "") unless the index is a
        // year partition, where each worker writes one database per period it meets.
        std::vector<std::pair<std::string, std::string>> outputs;
    };
    const bool partitioned = !target_partition.empty();
    std::vector<std::unique_ptr<Shard>> parts;
    // The new index's compression dictionary, trained on its first articles while the
    // shards build them; they write documents once it is ready, so every article of a
    // large build uses it. The promise is kept on every path before the shards are
    // joined (they wait for it).
    auto fresh_codec = std::make_shared<StoredCodec>();
    std::string dictionary;
    std::promise<void> dictionary_promise;
    std::shared_future<void> dictionary_ready = dictionary_promise.get_future().share();
    bool trained = false;
    auto publish_dictionary = [&] {
        if (trained) return;
        trained = true;
        dictionary_promise.set_value();
    };
    // However this function is left (an exception while reading included), the shard
    // threads are stopped and joined first; then Cleanup removes their files.
    OnExit join_shards{[&] {
        publish_dictionary();
        for (auto& s : parts) s->queue.close();
        for (auto& s : parts)
            if (s->thread.joinable()) s->thread.join();
    }};
    for (std::size_t k = 0; k < shards; ++k) {
        auto shard = std::make_unique<Shard>();
        Shard* s = shard.get();
        std::string path = (work / ("shard-" + std::to_string(k))).string();
        parts.push_back(std::move(shard));
        s->thread = std::thread([this, s, path, partitioned, fresh_codec, dictionary_ready] {
            try {
                // The shard is new: an id seen before in this batch is found here, one
                // from an earlier (committed) batch by its term's frequency; a new one is
                // added without a lookup (replace_document by term looks the term up in
                // the pending changes, which costs more than building the document). The
                // map is emptied at each commit, so memory is bounded by the batch size,
                // not by the number of articles.
                struct Output {
                    std::string period;
                    Xapian::WritableDatabase db;
                    std::unordered_map<std::string, Xapian::docid> batch_ids;
                    bool committed = false;  // some batch was committed while it existed
                };
                std::vector<std::unique_ptr<Output>> outs;
                auto output = [&](const std::string& period) -> Output& {
                    for (auto& o : outs)
                        if (o->period == period) return *o;
                    const std::string at = partitioned ? path + "-" + period : path;
                    auto o = std::make_unique<Output>();
                    o->period = period;
                    o->db = Xapian::WritableDatabase(at, Xapian::DB_CREATE_OR_OVERWRITE);
                    s->outputs.emplace_back(period, at);
                    outs.push_back(std::move(o));
                    return *outs.back();
                };
                if (!partitioned) output("");
                // A year partition: the hashes of the ids written, to find an earlier copy
                // of an article that a later one (the one kept) moves to another year.
                std::unordered_set<std::uint64_t> seen;
                Analyzer an;
                PendingSynonyms synonyms;
                std::size_t n = 0;
                auto write = [&](BuiltDocument& built) {
                    built.doc.set_data(compress_stored(built.doc.get_data(), *fresh_codec));
                    Output& out =
                        partitioned ? output(shards::period_of_date(built.doc.get_value(schema::kSlotDate))) : *outs[0];
                    if (partitioned && !seen.insert(schema::fnv1a64(built.id_term)).second) {
                        for (auto& other : outs) {
                            if (other.get() == &out) continue;
                            Xapian::docid did = 0;
                            if (auto at = other->batch_ids.find(built.id_term); at != other->batch_ids.end()) {
                                did = at->second;
                                other->batch_ids.erase(at);
                            } else if (other->committed && other->db.get_termfreq(built.id_term) > 0) {
                                did = *other->db.postlist_begin(built.id_term);
                            }
                            if (!did) continue;
                            carry_shadows(other->db, did, built.doc);
                            other->db.delete_document(did);
                        }
                    }
                    auto at = out.batch_ids.find(built.id_term);
                    if (at != out.batch_ids.end()) {
                        carry_shadows(out.db, at->second, built.doc);
                        out.db.replace_document(at->second, built.doc);
                    } else if (out.committed && out.db.get_termfreq(built.id_term) > 0) {
                        const Xapian::docid did = *out.db.postlist_begin(built.id_term);
                        carry_shadows(out.db, did, built.doc);
                        out.db.replace_document(did, built.doc);
                        out.batch_ids.emplace(built.id_term, did);
                    } else {
                        out.batch_ids.emplace(built.id_term, out.db.add_document(built.doc));
                    }
                    record_synonyms(built, synonyms);
                    for (auto& p : built.problems) {
                        p.warning = true;
                        s->problems.push_back(std::move(p));
                    }
                    ++s->articles;
                    if (++n % options.batch_size == 0) {
                        flush_synonyms(outs.front()->db, synonyms);
                        for (auto& o : outs) {
                            o->db.commit();
                            o->batch_ids = {};
                            o->committed = true;
                        }
                    }
                };
                // Documents are built (with plain stored data) while the dictionary is
                // trained, and written once it is ready, in the order they came.
                std::vector<BuiltDocument> waiting;
                bool ready = false;
                while (auto a = s->queue.pop()) {
                    BuiltDocument built;
                    try {
                        built = build(*a, an, nullptr);
                    } catch (const std::exception& e) {  // this article only, as in an update
                        s->problems.push_back({a->path, a->line, e.what(), false});
                        continue;
                    }
                    if (!ready && dictionary_ready.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                        waiting.push_back(std::move(built));
                        continue;
                    }
                    ready = true;
                    for (BuiltDocument& w : waiting) write(w);
                    waiting = {};
                    write(built);
                }
                dictionary_ready.wait();  // set before the queues are closed
                for (BuiltDocument& w : waiting) write(w);
                if (!outs.empty()) flush_synonyms(outs.front()->db, synonyms);
                for (auto& o : outs) o->db.commit();
            } catch (const Xapian::Error& e) {
                // The new shard could not be written (a full disk...): the index is intact.
                s->failure = translated(e, dir);
                try {
                    std::rethrow_exception(s->failure);
                } catch (const IndexCorruptError&) {  // a shard, not the index, failed
                    s->failure = std::make_exception_ptr(
                        IoError("building index " + dir + ": " + e.get_type() + ": " + e.get_msg()));
                } catch (...) {}
            } catch (...) { s->failure = std::current_exception(); }
            // Keep draining so the reader never blocks on a failed shard.
            while (s->queue.pop()) {}
        });
    }

    // Read every file here and deal articles out by id, so that copies of one article
    // meet in the same shard (the last copy wins there).
    Progress prog;
    prog.files_total = in.files.size();
    std::vector<std::uintmax_t> sizes;
    for (const fs::path& f : in.files) {
        std::error_code size_ec;
        const std::uintmax_t size = fs::file_size(f, size_ec);
        sizes.push_back(size_ec ? 0 : size);
        prog.bytes_total += sizes.back();
    }
    ProgressPacer pacer;
    std::size_t dealt = 0;
    auto tick = [&] {
        prog.articles = dealt;
        prog.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) progress(prog);
    };
    std::vector<std::pair<std::string, FileState>> states;
    auto deal = [&](Article&& a) {
        std::size_t k =
            target_shards ? shards::shard_of(id_term(a.id), shards) : std::hash<std::string>{}(a.id) % shards;
        parts[k]->queue.push(std::move(a));
        ++dealt;
    };
    std::vector<std::string> samples;
    auto train = [&] {
        if (trained) return;
        dictionary = StoredCodec::train(samples);
        if (!dictionary.empty()) fresh_codec->add(dictionary, true);
        samples = {};
        publish_dictionary();
    };
    for (std::size_t file_no = 0; file_no < in.files.size(); ++file_no) {
        const fs::path& f = in.files[file_no];
        if (stop_requested()) {
            summary.interrupted = true;
            break;
        }
        std::vector<ReadIssue> issues;
        FileState st;
        bool statted = stat_file(f, st);
        const std::uint64_t bytes_before = prog.bytes_done;
        ReadOptions ro = read_options([&](std::uintmax_t n) {
            prog.bytes_done = bytes_before + n;
            if (pacer.due()) tick();
        });
        const std::size_t problems_before = summary.problems.size();
        ReadStats stats = read_file(
            f,
            [&](Article&& a) {
                if (stop_requested()) return;
                assign_id(a);
                if (!trained) {
                    samples.push_back(stored_sample(a));
                    if (samples.size() >= kTrainArticles) train();
                }
                deal(std::move(a));
            },
            issues, ro);
        for (const ReadIssue& i : issues) summary.problems.push_back(problem_of(i));
        const FileOutcome outcome = outcome_of(stats, summary.problems, problems_before);
        if (outcome.failed)
            ++summary.skipped_files;
        else
            ++summary.files_added;
        // A file cut short by an interruption is not recorded: the next run reads it;
        // nor is one that could not be read at all.
        if (!stats.failed && statted && !stop_requested()) {
            st.hash = hash_file(f);
            st.failure = outcome.failure;
            states.emplace_back(f.string(), st);
        }
        prog.bytes_done = bytes_before + sizes[file_no];
        ++prog.files_done;
        tick();
    }
    train();
    for (auto& s : parts) s->queue.close();
    for (auto& s : parts) s->thread.join();
    for (auto& s : parts) {
        if (s->failure) std::rethrow_exception(s->failure);
        summary.articles += s->articles;
        for (auto& p : s->problems) summary.problems.push_back(std::move(p));
    }

    // An interrupted rebuild leaves the old index as it was; an interrupted first build
    // keeps what was read.
    if (summary.interrupted && db.get_doccount() > 0) {
        summary.articles = 0;
        summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return summary;
    }

    // Merge the shards into a new index, record its schema and file states, then swap it
    // in place of the old one.
    fs::path merged = work / "merged";
    {
        // Story keys across the shards, before they are compacted (indexer/story.hpp).
        std::vector<std::string> shard_paths;
        for (auto& s : parts)
            for (const auto& [period, path] : s->outputs) shard_paths.push_back(path);
        story::group_shards(shard_paths);
        if (target_shards || partitioned) {
            // The layout's shards: one per worker (hash), or the databases of each period
            // merged (year partition): shard-00 for the undated articles, then the years.
            std::vector<std::vector<std::string>> groups;
            std::vector<std::string> periods;
            if (partitioned) {
                std::map<std::string, std::vector<std::string>> by_period{{shards::kUndated, {}}};
                for (auto& s : parts)
                    for (const auto& [period, path] : s->outputs) by_period[period].push_back(path);
                periods.push_back(shards::kUndated);
                groups.push_back(by_period[shards::kUndated]);
                for (auto& [period, paths] : by_period)
                    if (period != shards::kUndated) {
                        periods.push_back(period);
                        groups.push_back(paths);
                    }
            } else {
                for (const std::string& p : shard_paths) groups.push_back({p});
            }
            finish_sharded(groups, periods, work / "sharded", dictionary, states);
            codec = fresh_codec;
            fresh_pending = false;
            summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            return summary;
        }
        Xapian::Database all;
        for (const std::string& p : shard_paths) all.add_database(Xapian::Database(p));
        ShardCompactor compactor;
        all.compact(merged.string(), Xapian::Compactor::FULL, 0, compactor);
    }
    {
        Xapian::WritableDatabase m(merged.string(), Xapian::DB_OPEN);
        stamp_contract(m);
        if (!dictionary.empty()) StoredCodec::publish(m, dictionary);
        for (const auto& [path, st] : states) m.set_metadata(file_meta_key(path), encode_state(st, path));
        stamp_updated(m);
        record_tables(m, merged);
        m.commit();
    }
    // Xapian's lock on the old index goes with it; `lock`, on both folders, keeps other
    // writers out until the new index is open (a writer let in now would update the old
    // index, and its work would be thrown away with it).
    lock->also_lock(merged);
    fs::permissions(merged, fs::status(target).permissions());  // the folder's mode is kept
    db.close();
    replace_directory(target, merged);
    db = open_writable(target.string(), true);
    codec = fresh_codec;
    fresh_pending = false;
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
}

// The shards of a sharded build, grouped into stories, become the new index: their
// metadata and synonyms are united into the lexicon (and taken out of them), each is
// compacted into place, and the layout replaces the old index in one rename. `groups`
// holds the databases of each shard (several for a year's shard, one per worker that met
// that year; none for a year partition's undated shard when no article lacks a date);
// `periods` each shard's period for a year partition, and is empty for a hash layout.
void Writer::Impl::finish_sharded(const std::vector<std::vector<std::string>>& groups,
                                  const std::vector<std::string>& periods, const fs::path& out,
                                  const std::string& dictionary,
                                  const std::vector<std::pair<std::string, FileState>>& states) {
    const std::size_t n = groups.size();
    if (n > shards::kMaxShards)
        throw IoError("building index " + dir + ": its articles span " + std::to_string(n - 1) +
                      " years, and a year partition may have at most " + std::to_string(shards::kMaxShards) +
                      " shards (one per year and one for the undated articles); nothing was changed");
    const bool partitioned = !periods.empty();
    const std::string index_id = shards::new_index_id();
    auto record = [&](std::size_t k, unsigned long long compacted) {
        return partitioned ? shards::period_shard_record(k, index_id, periods[k], compacted)
                           : shards::shard_record(k, n, index_id);
    };
    fs::create_directories(out);
    {
        const fs::path lex_path = out / shards::kLexiconName;
        Xapian::WritableDatabase lex(lex_path.string(), Xapian::DB_CREATE_OR_OVERWRITE);
        std::map<std::string, std::vector<std::string>> meta;
        for (std::size_t k = 0; k < n; ++k) {
            for (const std::string& path : groups[k]) {
                Xapian::WritableDatabase s(path, Xapian::DB_OPEN);
                std::vector<std::string> keys(s.metadata_keys_begin(), s.metadata_keys_end());
                for (const std::string& key : keys) meta[key].push_back(s.get_metadata(key));
                std::vector<std::string> syn_keys(s.synonym_keys_begin(), s.synonym_keys_end());
                for (const std::string& key : syn_keys) {
                    for (auto v = s.synonyms_begin(key); v != s.synonyms_end(key); ++v) lex.add_synonym(key, *v);
                    s.clear_synonyms(key);
                }
                for (const std::string& key : keys) s.set_metadata(key, "");
                stamp_contract(s);
                s.set_metadata(schema::kMetaShard, record(k, 0));
                s.commit();
            }
        }
        ShardCompactor unite;
        for (const auto& [key, values] : meta)
            lex.set_metadata(key, values.size() == 1
                                      ? values[0]
                                      : unite.resolve_duplicate_metadata(key, values.size(), values.data()));
        stamp_contract(lex);
        lex.set_metadata(schema::kMetaShards,
                         partitioned ? shards::lexicon_record(index_id, periods) : shards::lexicon_record(n, index_id));
        if (!dictionary.empty()) StoredCodec::publish(lex, dictionary);
        for (const auto& [path, st] : states) lex.set_metadata(file_meta_key(path), encode_state(st, path));
        stamp_updated(lex);
        lex.commit();
        if (record_tables(lex, lex_path)) lex.commit();
    }
    // Each shard compacted into place (its databases merged), two at a time (the
    // machine's cores). A year's shard then records that it is compact, so that
    // --compact-cold leaves it alone until it is written to.
    std::vector<std::exception_ptr> failures(n);
    auto compact = [&](std::size_t k) {
        try {
            const std::string dest = (out / shards::shard_name(k)).string();
            if (groups[k].empty()) {
                Xapian::WritableDatabase s(dest, Xapian::DB_CREATE_OR_OVERWRITE);
                stamp_contract(s);
                s.set_metadata(schema::kMetaShard, record(k, 0));
                s.commit();
                return;
            }
            Xapian::Database src;
            for (const std::string& path : groups[k]) src.add_database(Xapian::Database(path));
            src.compact(dest, Xapian::Compactor::FULL);
            // The shard records its tables (the searcher then notices one gone missing).
            Xapian::WritableDatabase s(dest, Xapian::DB_OPEN);
            record_tables(s, dest, true);
            if (partitioned) s.set_metadata(schema::kMetaShard, record(k, s.get_revision() + 1));
            s.commit();
        } catch (const Xapian::Error& e) { failures[k] = translated(e, dir); } catch (...) {
            failures[k] = std::current_exception();
        }
    };
    for (std::size_t k = 0; k < n; k += 2) {
        std::thread second;
        if (k + 1 < n) second = std::thread(compact, k + 1);
        compact(k);
        if (second.joinable()) second.join();
    }
    for (const std::exception_ptr& f : failures)
        if (f) std::rethrow_exception(f);
    shards::write_stub(out, n);
    lock->also_lock(out);
    std::error_code ec;
    if (fs::exists(folder, ec)) fs::permissions(out, fs::status(folder).permissions());
    db.close();
    replace_directory(folder, out);
    db = open_writable_sharded(folder, dir, routing);
    target_shards = routing.partition.empty() ? routing.shards : 0;
    target_partition = routing.partition;
}

}  // namespace depeche
