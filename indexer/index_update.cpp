// depeche::Writer: updating an existing index: new and changed files are read in
// order, worker threads build documents and this thread writes them in that order.
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

// ---- Updating an existing index -----------------------------------------------------------
IndexSummary Writer::Impl::index_update(const Input& in, IndexSummary summary,
                                        const std::function<void(const Progress&)>& progress, Clock::time_point start) {
    Progress prog;
    prog.files_total = in.files.size();
    auto tick = [&] {
        prog.articles = summary.articles;
        prog.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) progress(prog);
    };
    ProgressPacer pacer;

    train_dictionary_if_due();

    // Which files need reading: new ones, and those whose size, time and content changed.
    struct Job {
        fs::path path;
        FileState state;
        bool known;
    };
    std::vector<Job> jobs;
    std::set<std::string> present;
    for (const fs::path& f : in.files) {
        std::string p = f.string();
        present.insert(p);
        FileState now, before;
        std::string stored_path;
        bool known = decode_state(db.get_metadata(file_meta_key(p)), before, stored_path);
        if (!stat_file(f, now)) {
            jobs.push_back({f, now, known});
            continue;
        }  // the reader reports it
        if (known && now.size == before.size && now.mtime == before.mtime) {
            count_unchanged(p, before, summary);
            ++prog.files_done;
            continue;
        }
        now.hash = hash_file(f);
        if (known && now.size == before.size && now.hash == before.hash) {
            now.failure = before.failure;
            db.set_metadata(file_meta_key(p), encode_state(now, p));  // touched, not changed
            count_unchanged(p, before, summary);
            ++prog.files_done;
            continue;
        }
        jobs.push_back({f, now, known});
        prog.bytes_total += now.size;
    }

    // Articles about to be deleted with their file, and the other files that hold them:
    // read again at the end those whose article is then gone.
    std::vector<std::pair<std::string, std::string>> shadowed;  // (id term, shadow term)
    auto note_shadows_of = [&](Xapian::docid did) {
        std::string id;
        for (auto t = db.termlist_begin(did); t != db.termlist_end(did); ++t) {
            const std::string& s = *t;
            if (s.rfind(schema::kIdPrefix, 0) == 0)
                id = s;  // one id term per document
            else if (s.rfind(kShadowTermPrefix, 0) == 0 && !id.empty())
                shadowed.emplace_back(id, s);
        }
    };
    auto note_shadows = [&](const std::string& term) {
        for (auto d = db.postlist_begin(term); d != db.postlist_end(term); ++d) note_shadows_of(*d);
    };

    // Files gone from the folders given this time: their articles go too.
    for (auto it = db.metadata_keys_begin(std::string(kFileMetaPrefix));
         it != db.metadata_keys_end(std::string(kFileMetaPrefix)); ++it) {
        FileState st;
        std::string path;
        if (!decode_state(db.get_metadata(*it), st, path) || path.empty()) continue;
        if (present.count(path) || !under(fs::path(path), in.roots)) continue;
        std::error_code ec;
        if (fs::exists(path, ec)) continue;  // still there, just ignored or filtered now
        std::string term = file_term(path);
        summary.articles_removed += db.get_termfreq(term);
        note_shadows(term);
        db.delete_document(term);
        db.set_metadata(*it, "");
        ++summary.files_removed;
    }

    // Worker threads build documents; this thread writes them in input order.
    struct Item {
        std::size_t seq;
        Article article;
    };
    struct Result {
        BuiltDocument built;
        InputProblem problem;        // the article could not be built (message set)
        std::exception_ptr failure;  // the index cannot be written: stops the run
    };
    const std::size_t workers = std::max<std::size_t>(1, worker_count(options.threads) - 1);
    BoundedQueue<Item> todo(256);
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::map<std::size_t, Result> done;
    std::vector<std::thread> pool;
    // However this function is left, the workers are stopped and joined first.
    OnExit join_pool{[&] {
        todo.close();
        for (auto& t : pool)
            if (t.joinable()) t.join();
    }};
    for (std::size_t w = 0; w < workers; ++w) {
        pool.emplace_back([&] {
            Analyzer an;
            while (auto item = todo.pop()) {
                Result r;
                try {
                    r.built = build(item->article, an, codec.get());
                } catch (const Xapian::Error& e) { r.failure = translated(e, dir); } catch (const std::exception& e) {
                    r.problem = {item->article.path, item->article.line, e.what(), false};
                } catch (...) { r.failure = std::current_exception(); }
                std::lock_guard lock(done_mutex);
                done.emplace(item->seq, std::move(r));
                done_cv.notify_all();
            }
        });
    }
    std::size_t next_seq = 0, written = 0;
    // The id terms written from the changed file being read (see run_job).
    std::unordered_set<std::string> written_ids;
    bool track_ids = false;
    auto write_ready = [&](bool wait_all) {
        for (;;) {
            Result r;
            {
                std::unique_lock lock(done_mutex);
                if (wait_all) done_cv.wait(lock, [&] { return written == next_seq || done.count(written); });
                if (written == next_seq || !done.count(written)) return;
                r = std::move(done[written]);
                done.erase(written);
            }
            ++written;
            if (r.failure) std::rethrow_exception(r.failure);
            if (!r.problem.message.empty()) {
                summary.problems.push_back(std::move(r.problem));
                continue;
            }
            for (auto& p : r.built.problems) {
                p.warning = true;
                summary.problems.push_back(std::move(p));
            }
            if (track_ids) written_ids.insert(r.built.id_term);
            write(r.built);
            ++summary.articles;
        }
    };

    // `again`: read once more to bring back an article whose last file went (counted
    // in no summary figure).
    auto run_job = [&](const Job& job, bool again) {
        std::string p = job.path.string();
        // A changed file is read again; each article it still holds replaces its old
        // version in place, and those it no longer holds are deleted once it is read
        // to its end. So a commit in between (every --batch-size articles, or before a
        // year's new shard) shows each article in its old or its new version, never
        // missing, and an article also held by other files keeps their shadow terms.
        if (job.known) write_ready(true);  // the files before it written first
        written_ids.clear();
        track_ids = job.known;
        std::vector<ReadIssue> issues;
        const std::uint64_t bytes_before = prog.bytes_done;
        ReadOptions ro = read_options([&](std::uintmax_t n) {
            prog.bytes_done = bytes_before + n;
            if (pacer.due()) tick();
        });
        const std::size_t problems_before = summary.problems.size();
        ReadStats stats = read_file(
            job.path,
            [&](Article&& a) {
                if (stop_requested()) return;
                todo.push({next_seq++, std::move(a)});
                write_ready(false);
            },
            issues, ro);
        for (const ReadIssue& i : issues) summary.problems.push_back(problem_of(i));
        write_ready(true);
        // A file that could not be read (an I/O error, no longer a regular file...: said
        // in its problem) keeps the old articles it was not read far enough to replace,
        // as an interrupted run does; its state is not recorded, so the next run reads it.
        if (job.known && !stop_requested() && !stats.failed) {
            // The old articles not read again: still holding the file's term, ids not written.
            const std::string term = file_term(p);
            std::vector<Xapian::docid> gone;
            for (auto d = db.postlist_begin(term); d != db.postlist_end(term); ++d)
                if (!written_ids.count(
                        schema::first_term_with(db.termlist_begin(*d), db.termlist_end(*d), schema::kIdPrefix)))
                    gone.push_back(*d);
            for (Xapian::docid did : gone) {
                note_shadows_of(did);
                db.delete_document(did);
            }
            summary.articles_removed += gone.size();
        }
        if (again) return;
        const FileOutcome outcome = outcome_of(stats, summary.problems, problems_before);
        if (outcome.failed)
            ++summary.skipped_files;
        else if (job.known)
            ++summary.files_updated;
        else
            ++summary.files_added;
        if (!stats.failed && !stop_requested()) {
            FileState st = job.state;
            if (st.hash == 0) st.hash = hash_file(job.path);
            st.failure = outcome.failure;
            db.set_metadata(file_meta_key(p), encode_state(st, p));
        }
        prog.bytes_done = bytes_before + job.state.size;
        ++prog.files_done;
        tick();
    };
    for (const Job& job : jobs) {
        if (stop_requested()) {
            summary.interrupted = true;
            break;
        }
        run_job(job, false);
    }
    // Articles deleted with a file but held by another one still there: read that one
    // again (the article comes back, as a rebuild would keep it).
    std::set<std::string> reread;  // file terms
    for (const auto& [id, shadow] : shadowed)
        if (db.get_termfreq(id) == 0)
            reread.insert(std::string(kFileTermPrefix) + shadow.substr(kShadowTermPrefix.size()));
    for (const fs::path& f : in.files) {
        if (reread.empty() || stop_requested()) break;
        if (reread.erase(file_term(f.string())) == 0) continue;
        run_job({f, FileState{}, true}, true);
    }
    todo.close();
    for (auto& t : pool) t.join();
    write_ready(true);  // what the workers built last
    commit();
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
}

}  // namespace depeche
