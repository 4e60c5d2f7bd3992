#include "indexer/store.hpp"

#include "schema/analyzer.hpp"
#include "schema/schema.hpp"
#include "schema/shards.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace depeche {

namespace {

// A folder left by a creation that was killed before Xapian wrote its version file
// (iamglass): only Xapian's own files, no version file. Such a folder holds no data.
bool interrupted_creation(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || fs::exists(dir / "iamglass", ec)) return false;
    bool any = false;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        bool xapian = name == "flintlock" || name.ends_with(".glass") || name.ends_with(".tmp") ||
                      name.ends_with(".baseA") || name.ends_with(".baseB");
        if (!xapian) return false;
        any = true;
    }
    return any && !ec;
}

}  // namespace

Xapian::WritableDatabase open_writable(const std::string& dir, bool check, bool overwrite) {
    std::error_code ec;
    if (interrupted_creation(dir)) {
        for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove(e.path(), ec);
    } else if (fs::is_directory(dir, ec) && !fs::exists(fs::path(dir) / "iamglass", ec) && !fs::is_empty(dir, ec)) {
        // Never build an index into (and later swap away) a folder holding other files.
        throw IoError("refusing to create an index in " + dir +
                      ": the folder is not empty and is not a Dépêche index; choose another --db");
    }
    try {
        Xapian::WritableDatabase db(dir, overwrite ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN);
        if (!check) return db;
        check_compatible(db, dir);
        if (db.get_metadata(schema::kMetaSchema).empty()) {
            stamp_contract(db);
            db.commit();
        }
        return db;
    } catch (const Xapian::Error& e) { rethrow_xapian(e, dir); }
}

fs::path index_path(const std::string& dir) {
    const std::string tidy = tidy_path(dir);
    std::error_code ec;
    if (fs::path(tidy).is_relative() && fs::current_path(ec).empty() && ec)
        throw IoError("index " + dir + ": the current folder is gone (" + ec.message() +
                      "; a build or rebuild with --db . replaces it): cd to it again");
    return tidy_path(fs::absolute(tidy).string());
}

std::string tidy_path(const std::string& dir) {
    fs::path p = fs::path(dir.empty() ? "." : dir).lexically_normal();
    while (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
    return p.empty() ? "." : p.string();
}

namespace {
// Opens `folder` and takes its lock: -1 if it cannot be opened (errno says why), throws
// IndexLockedError if another writer holds it.
int lock_folder(const fs::path& folder, const std::string& dir) {
    for (;;) {
        const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return -1;
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK) throw IndexLockedError("index " + dir + " is being written by another process");
            errno = error;
            return -1;
        }
        // Still the folder at that path? A rebuild may have swapped it away while we
        // waited for its lock: then take the lock of the one now in place.
        struct stat locked, now;
        if (::fstat(fd, &locked) == 0 && ::stat(folder.c_str(), &now) == 0 && locked.st_dev == now.st_dev &&
            locked.st_ino == now.st_ino)
            return fd;
        ::close(fd);
        if (!fs::exists(folder)) return -1;
    }
}
}  // namespace

WriterLock::WriterLock(const std::string& dir) : dir_(dir) { also_lock(index_path(dir)); }

void WriterLock::also_lock(const fs::path& folder) {
    const int fd = lock_folder(folder, dir_);
    if (fd >= 0) fds_.push_back(fd);
}

WriterLock::~WriterLock() {
    for (int fd : fds_) ::close(fd);
}

void replace_directory(const fs::path& target, const fs::path& replacement) {
    std::error_code ec;
    if (fs::exists(target, ec)) {
        // renameat2(RENAME_EXCHANGE): searchers never see a missing index.
        if (::renameat2(AT_FDCWD, replacement.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
            throw IoError("cannot replace index " + target.string() + ": " + std::strerror(errno));
        fs::remove_all(replacement, ec);  // now the old index
        return;
    }
    fs::rename(replacement, target, ec);
    if (ec) throw IoError("cannot create index " + target.string() + ": " + ec.message());
}

bool g_table_check_child = false;

bool record_tables(Xapian::WritableDatabase& db, const fs::path& folder, bool exactly) {
    const std::string recorded = db.get_metadata(schema::kMetaTables);
    std::string now;
    std::error_code ec;
    for (const char* table : kRecordedTables) {
        const bool listed =
            !exactly && (" " + recorded + " ").find(std::string(" ") + table + " ") != std::string::npos;
        if (listed || fs::exists(folder / (std::string(table) + ".glass"), ec))
            now += (now.empty() ? "" : " ") + std::string(table);
    }
    if (now == recorded) return false;
    db.set_metadata(schema::kMetaTables, now);
    return true;
}

void stamp_updated(Xapian::WritableDatabase& db) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    db.set_metadata(schema::kMetaUpdated, buf);
}

std::string lexicon_dir() {
    if (const char* env = std::getenv("DEPECHE_LEXICON_DIR"); env && *env) return env;
    std::error_code ec;
#ifdef DEPECHE_SOURCE_LEXICON_DIR
    if (fs::exists(DEPECHE_SOURCE_LEXICON_DIR, ec)) return DEPECHE_SOURCE_LEXICON_DIR;
#endif
#ifdef DEPECHE_INSTALLED_LEXICON_DIR
    if (fs::exists(DEPECHE_INSTALLED_LEXICON_DIR, ec)) return DEPECHE_INSTALLED_LEXICON_DIR;
#endif
    return "indexer/lexicon";
}

}  // namespace depeche

namespace depeche {

void stamp_contract(Xapian::WritableDatabase& db) {
    db.set_metadata(schema::kMetaSchema, std::to_string(schema::kVersion));
    db.set_metadata(schema::kMetaAnalyzer, Analyzer::fingerprint());
}

void create_sharded_layout(const fs::path& folder, std::size_t n, const std::string& index_id) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_empty(folder, ec))
        throw IoError("refusing to create a sharded index in " + folder.string() + ": the folder is not empty");
    fs::create_directories(folder);
    try {
        {
            Xapian::WritableDatabase lex((folder / shards::kLexiconName).string(), Xapian::DB_CREATE_OR_OVERWRITE);
            stamp_contract(lex);
            lex.set_metadata(schema::kMetaShards, shards::lexicon_record(n, index_id));
            stamp_updated(lex);
            lex.commit();
        }
        for (std::size_t k = 0; k < n; ++k) {
            Xapian::WritableDatabase s((folder / shards::shard_name(k)).string(), Xapian::DB_CREATE_OR_OVERWRITE);
            stamp_contract(s);
            s.set_metadata(schema::kMetaShard, shards::shard_record(k, n, index_id));
            s.commit();
        }
    } catch (const Xapian::Error& e) { rethrow_xapian(e, folder.string()); }
    shards::write_stub(folder, n);
}

void create_partitioned_layout(const fs::path& folder, const std::string& index_id) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_empty(folder, ec))
        throw IoError("refusing to create a sharded index in " + folder.string() + ": the folder is not empty");
    fs::create_directories(folder);
    try {
        {
            Xapian::WritableDatabase s((folder / shards::shard_name(0)).string(), Xapian::DB_CREATE_OR_OVERWRITE);
            stamp_contract(s);
            s.set_metadata(schema::kMetaShard, shards::period_shard_record(0, index_id, shards::kUndated, 0));
            s.commit();
        }
        Xapian::WritableDatabase lex((folder / shards::kLexiconName).string(), Xapian::DB_CREATE_OR_OVERWRITE);
        stamp_contract(lex);
        lex.set_metadata(schema::kMetaShards, shards::lexicon_record(index_id, {shards::kUndated}));
        stamp_updated(lex);
        lex.commit();
    } catch (const Xapian::Error& e) { rethrow_xapian(e, folder.string()); }
    shards::write_stub(folder, 1);
}

std::size_t ShardRouting::shard_for(const std::string& id_term, const Xapian::Document& doc) const {
    if (partition.empty()) return shards::shard_of(id_term, shards);
    const std::string period = shards::period_of_date(doc.get_value(schema::kSlotDate));
    const auto at = std::find(periods.begin(), periods.end(), period);
    return at == periods.end() ? std::string::npos : static_cast<std::size_t>(at - periods.begin());
}

Xapian::WritableDatabase open_writable_sharded(const fs::path& folder, const std::string& dir, ShardRouting& w) {
    w = ShardRouting{};
    Xapian::WritableDatabase db;
    const std::string lexicon = (folder / shards::kLexiconName).string();
    try {
        // Each shard's highest id is read before the writable handle takes the locks.
        std::vector<std::string> paths;
        {
            Xapian::Database lex(lexicon);
            check_compatible(lex, dir + " (lexicon)");
            const shards::ShardRecord r = shards::parse_record(lex.get_metadata(schema::kMetaShards), false);
            if (!r.ok) throw IndexCorruptError("index " + dir + ": its lexicon does not record its shards");
            w.shards = r.n;
            w.index_id = r.index_id;
            w.partition = r.partition;
            w.periods = r.periods;
            for (std::size_t k = 0; k < w.shards; ++k) {
                const std::string name = shards::shard_name(k);
                const std::string label = shards::shard_label(k, shards::period_of_shard(r, k));
                const std::string path = (folder / name).string();
                if (!fs::exists(folder / name / "iamglass"))
                    throw IndexCorruptError("index " + dir + ": shard " + label + " is missing");
                Xapian::Database s(path);
                check_compatible(s, dir + "/" + label);
                const std::string record = s.get_metadata(schema::kMetaShard);
                if (!shards::belongs(shards::parse_record(record, true), r, k))
                    throw IndexCorruptError("index " + dir + ": " + label + " is not shard " + std::to_string(k) +
                                            " of this index (it records '" + record + "', the index expects '" +
                                            shards::expected_record(r, k) + "')");
                w.last.push_back(s.get_lastdocid());
                paths.push_back(path);
            }
        }
        // A year's shard whose addition stopped after the stub was written and before the
        // lexicon recorded it (add_period_shard): the stub loses its extra line.
        if (!w.partition.empty()) {
            std::size_t listed = 0;
            try {
                listed = shards::read_stub(folder / shards::kStubName).size();
            } catch (const Error&) {}
            if (listed != w.shards + 1) shards::write_stub(folder, w.shards);
        }
        db = Xapian::WritableDatabase(lexicon, Xapian::DB_OPEN);
        for (const std::string& p : paths) {
            w.handles.emplace_back(p, Xapian::DB_OPEN);
            db.add_database(w.handles.back());
        }
        // Articles moved to another shard by a writer that stopped before deleting their
        // old copies: deleted now.
        finish_moves(db, w);
    } catch (const Xapian::Error& e) { rethrow_xapian(e, dir); }
    return db;
}

Xapian::docid put_sharded(Xapian::WritableDatabase& db, ShardRouting& w, const std::string& id_term,
                          const Xapian::Document& doc, std::size_t k) {
    const Xapian::docid n_dbs = static_cast<Xapian::docid>(w.shards + 1), sub = static_cast<Xapian::docid>(k + 1);
    std::vector<Xapian::docid> copies(db.postlist_begin(id_term), db.postlist_end(id_term));
    Xapian::docid keep = 0;
    for (Xapian::docid did : copies) {
        const bool here = (did - 1) % n_dbs == sub;
        if (here && !keep)
            keep = did;
        else if (here)
            db.delete_document(did);
        else  // in another shard: deleted once this one is committed (commit_sharded())
            w.moved_in[id_term] = k;
    }
    if (!keep) keep = (++w.last[k] - 1) * n_dbs + sub + 1;
    db.replace_document(keep, doc);
    return keep;
}

namespace {
// schema::kMetaMovedIn's value: each id term as its length, ':' and its bytes.
std::string encode_ids(const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += std::to_string(id.size()) + ":" + id;
    return out;
}
std::vector<std::string> decode_ids(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < s.size();) {
        const std::size_t colon = s.find(':', at);
        if (colon == std::string::npos) break;
        std::size_t n = 0;
        for (std::size_t i = at; i < colon; ++i) {
            if (s[i] < '0' || s[i] > '9' || n > s.size()) return out;  // not ours: what was read
            n = n * 10 + static_cast<std::size_t>(s[i] - '0');
        }
        if (colon == at || n > s.size() - colon - 1) break;
        out.push_back(s.substr(colon + 1, n));
        at = colon + 1 + n;
    }
    return out;
}
// Deletes the copies of `ids` that are not in shard k (combined ids over the lexicon
// and w.shards shards).
void delete_other_copies(Xapian::WritableDatabase& db, const ShardRouting& w, const std::vector<std::string>& ids,
                         std::size_t k) {
    const Xapian::docid n_dbs = static_cast<Xapian::docid>(w.shards + 1), sub = static_cast<Xapian::docid>(k + 1);
    for (const std::string& id : ids) {
        std::vector<Xapian::docid> copies(db.postlist_begin(id), db.postlist_end(id));
        if (copies.size() < 2) continue;
        for (Xapian::docid did : copies)
            if ((did - 1) % n_dbs != sub) db.delete_document(did);
    }
}
}  // namespace

void commit_sharded(Xapian::WritableDatabase& db, ShardRouting& w) {
    // The articles moved into each shard are recorded in it, with them.
    std::vector<std::vector<std::string>> moved_in(w.handles.size());
    for (const auto& [id, k] : w.moved_in) moved_in[k].push_back(id);
    for (std::size_t k = 0; k < moved_in.size(); ++k)
        if (!moved_in[k].empty()) w.handles[k].set_metadata(schema::kMetaMovedIn, encode_ids(moved_in[k]));
    for (Xapian::WritableDatabase& shard : w.handles) shard.commit();
    // Then their old copies go, and then the records: what a writer does on opening an
    // index that a crash left here.
    w.moved_in.clear();
    finish_moves(db, w);
    db.commit();
}

bool finish_moves(Xapian::WritableDatabase& db, ShardRouting& w) {
    std::vector<std::size_t> recorded;
    for (std::size_t k = 0; k < w.handles.size(); ++k) {
        const std::string record = w.handles[k].get_metadata(schema::kMetaMovedIn);
        if (record.empty()) continue;
        delete_other_copies(db, w, decode_ids(record), k);
        recorded.push_back(k);
    }
    if (recorded.empty()) return false;
    for (Xapian::WritableDatabase& shard : w.handles) shard.commit();
    for (std::size_t k : recorded) {
        w.handles[k].set_metadata(schema::kMetaMovedIn, "");
        w.handles[k].commit();
    }
    return true;
}

std::size_t add_period_shard(const fs::path& folder, const std::string& dir, Xapian::WritableDatabase& db,
                             ShardRouting& w, const std::string& period) {
    const std::size_t k = w.shards;
    if (k >= shards::kMaxShards)
        throw IoError("index " + dir + ": an article of " + period + " needs a new shard, and the index has " +
                      std::to_string(k) + ", the most a year partition may have (every year's articles, and the " +
                      "undated ones, take one)");
    std::vector<std::string> periods = w.periods;
    periods.push_back(period);
    const fs::path shard = folder / shards::shard_name(k);
    try {
        // 1. The new database. A folder of that name is what an interrupted addition
        // left: the lexicon does not record it, so it holds no article.
        std::error_code ec;
        fs::remove_all(shard, ec);
        if (ec) throw IoError("index " + dir + ": cannot remove " + shard.string() + ": " + ec.message());
        {
            Xapian::WritableDatabase s(shard.string(), Xapian::DB_CREATE_OR_OVERWRITE);
            stamp_contract(s);
            s.set_metadata(schema::kMetaShard, shards::period_shard_record(k, w.index_id, period, 0));
            s.commit();
        }
        if (fs::exists(folder / shards::shard_name(0), ec))
            fs::permissions(shard, fs::status(folder / shards::shard_name(0)).permissions(), ec);
        // 2. The stub, listing it (ignored by readers until the lexicon records it).
        shards::write_stub(folder, k + 1);
        // 3. The lexicon's record: from now on the shard is part of the index (the shards
        // hold nothing uncommitted: the writer committed before adding a shard).
        db.set_metadata(schema::kMetaShards, shards::lexicon_record(w.index_id, periods));
        stamp_updated(db);
        commit_sharded(db, w);
    } catch (const Xapian::Error& e) { rethrow_xapian(e, dir); }
    db.close();
    db = open_writable_sharded(folder, dir, w);
    return k;
}

}  // namespace depeche
