// depeche::check_index: a read-only consistency check of an index folder (depeche-index
// --check). Xapian checks its tables' structure; we check what the schema promises.
#include "indexer/document.hpp"
#include "indexer/store.hpp"
#include "schema/analyzer.hpp"
#include "schema/schema.hpp"
#include "schema/shards.hpp"

#include <depeche/depeche.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace depeche {
namespace {

constexpr std::size_t kMaxListed = 100;

class Problems {
public:
    explicit Problems(CheckReport& report) : report_(report) {}
    ~Problems() {
        if (extra_ > 0)
            report_.problems.push_back("... and " + std::to_string(extra_) +
                                       (extra_ == 1 ? " more problem" : " more problems"));
    }
    void add(std::string message) {
        for (char& c : message)
            if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one line each
        if (report_.problems.size() < kMaxListed)
            report_.problems.push_back(std::move(message));
        else
            ++extra_;
    }
    std::size_t count() const { return report_.problems.size() + extra_; }

private:
    CheckReport& report_;
    std::size_t extra_ = 0;
};

// A term or data excerpt for messages: printable ASCII, the rest as \xNN.
std::string printable(std::string_view s, std::size_t max = 60) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s.substr(0, max)) {
        if (c >= 0x20 && c < 0x7f)
            out += static_cast<char>(c);
        else
            out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
    if (s.size() > max) out += "...";
    return out;
}

// Xapian's check writes its report here as it goes: straight into a pipe, so that what
// it said before crashing reaches the parent.
class PipeBuf : public std::streambuf {
public:
    explicit PipeBuf(int fd) : fd_(fd) {}

protected:
    int overflow(int c) override {
        if (c != traits_type::eof()) {
            const char ch = static_cast<char>(c);
            put(&ch, 1);
        }
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        put(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    void put(const char* s, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::write(fd_, s, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return;
            s += w;
            n -= static_cast<std::size_t>(w);
        }
    }
    int fd_;
};

// Ends the report of the child process: "<marker><errors> <failure>".
constexpr std::string_view kResultMarker =
    "\n\x01"
    "depeche-check-result ";

// Runs Xapian's check of every table in a child process: a damaged table can crash it
// (a segmentation fault on some flipped bytes), which then ends the child, reported as
// damage, not this process. Returns the child's report; `died` says how it ended when
// it did not report.
std::string run_table_check(const std::string& dir, std::string& died) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw IoError("cannot check index " + dir + ": pipe: " + std::strerror(errno));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw IoError("cannot check index " + dir + ": fork: " + std::strerror(errno));
    }
    if (pid == 0) {
        ::close(fds[0]);
        g_table_check_child = true;
        // A crash ends this child by its signal: no handler of the parent's (a sanitizer's)
        // turns it into a report.
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
        PipeBuf buf(fds[1]);
        std::ostream out(&buf);
        std::size_t errors = 0;
        std::string failure;
        try {
            // (Under AddressSanitizer this call reports a new-delete-type-mismatch inside
            // libxapian, a Xapian bug: see tests/CMakeLists.txt, [xapian-check].)
            errors = Xapian::Database::check(dir, 0, &out);
        } catch (const Xapian::Error& e) {
            failure = std::string(e.get_type()) + ": " + e.get_msg();
        } catch (const std::exception& e) { failure = e.what(); }
        out << kResultMarker << errors << ' ' << failure << std::flush;
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string report;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        report.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status))
        died = "Xapian's check crashed (signal " + std::to_string(WTERMSIG(status)) + ", " +
               strsignal(WTERMSIG(status)) + ")";
    else if (report.find(kResultMarker) == std::string::npos)
        died = "Xapian's check ended without a result (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
    return report;
}

// Xapian's check of every table. Its report names each table before checking it, so
// the last name seen is the table an exception (or a crash) came from.
void check_tables(const std::string& dir, Problems& problems) {
    std::string died;
    std::string out = run_table_check(dir, died);
    std::size_t errors = 0;
    std::string failure;
    if (const std::size_t mark = out.find(kResultMarker); mark != std::string::npos) {
        std::istringstream result(out.substr(mark + kResultMarker.size()));
        result >> errors;
        result.get();
        std::getline(result, failure);
        out.resize(mark);
    }
    if (!died.empty()) failure = died;
    std::string table, first_error;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > 1 && line.back() == ':' && line.find(' ') == std::string::npos) {
            table = line.substr(0, line.size() - 1);
            continue;
        }
        // Lines other than Xapian's progress and success notes describe errors.
        if (line.empty() || line.find("checked OK") != std::string::npos ||
            line.find("checked okay") != std::string::npos || line == "Continuing check anyway" ||
            line.rfind("Database couldn't be opened", 0) == 0 || line.rfind("No errors found", 0) == 0)
            continue;
        if (first_error.empty()) first_error = (table.empty() ? "" : table + " table: ") + line;
    }
    if (!failure.empty())
        problems.add((table.empty() ? "cannot open the index: " : table + " table (" + table + ".glass): ") + failure);
    else if (errors > 0)
        problems.add("Xapian found " + std::to_string(errors) + " error(s) in the tables" +
                     (first_error.empty() ? "" : ", first: " + first_error));
}

void check_metadata(const Xapian::Database& db, Problems& problems) {
    const std::string version = db.get_metadata(schema::kMetaSchema);
    const std::string analyzer = db.get_metadata(schema::kMetaAnalyzer);
    if (version.empty() && analyzer.empty() && db.get_doccount() == 0) return;  // new and empty
    if (version.empty())
        problems.add("no schema version recorded (metadata " + std::string(schema::kMetaSchema) + ")");
    else if (version != std::to_string(schema::kVersion))
        problems.add("schema version " + printable(version) + ", this build needs " + std::to_string(schema::kVersion) +
                     " (re-index with depeche-index --full)");
    if (analyzer.empty())
        problems.add("no analyzer fingerprint recorded (metadata " + std::string(schema::kMetaAnalyzer) + ")");
    else if (analyzer != Analyzer::fingerprint())
        problems.add("analyzer '" + printable(analyzer) + "', this build uses '" + Analyzer::fingerprint() +
                     "' (re-index with depeche-index --full)");
    // Compression dictionaries (schema 6): each one's id is derived from its content, so a
    // damaged dictionary no longer matches its key; the current one must be present.
    const std::string dict_prefix(schema::kMetaDictPrefix);
    for (auto it = db.metadata_keys_begin(dict_prefix); it != db.metadata_keys_end(dict_prefix); ++it) {
        const std::string id = (*it).substr(dict_prefix.size());
        if (id != std::to_string(StoredCodec::dictionary_id(db.get_metadata(*it))))
            problems.add("compression dictionary " + printable(id) + " does not match its id (damaged)");
    }
    const std::string current = db.get_metadata(schema::kMetaDictCurrent);
    if (!current.empty() && db.get_metadata(dict_prefix + current).empty())
        problems.add("compression dictionary " + printable(current) + ", the current one (metadata " +
                     schema::kMetaDictCurrent + "), is missing");
}

// Every document: exactly one id term, held by no other document, matching the id in
// its stored data, which must decode (decode_stored) and hold an id.
// `shards`: the number of shards `db` reads as one after the lexicon (0: one index,
// not sharded). An id held by one
// document in each of several shards is what a crash between the shards' commits
// leaves of an article moved to another shard (see commit_sharded()): a note, not damage.
void check_documents(const Xapian::Database& db, CheckReport& report, Problems& problems, bool positions_missing,
                     std::size_t shards = 0) {
    StoredCodec codec;
    try {
        codec.load(db);
    } catch (const std::runtime_error& e) { problems.add(std::string("stored data: ") + e.what()); }
    const std::string id_prefix(schema::kIdPrefix);
    bool positional_terms = false;
    std::size_t no_data = 0;
    Xapian::docid first_no_data = 0;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        const Xapian::docid did = *it;
        ++report.articles;
        const std::string where = "document " + std::to_string(did);
        Xapian::Document doc = db.get_document(did);
        std::vector<std::string> ids;
        auto t = doc.termlist_begin();
        for (t.skip_to(id_prefix); t != doc.termlist_end() && (*t).rfind(id_prefix, 0) == 0; ++t) {
            // Q followed by an upper-case letter would be another field's prefix: none is.
            ids.push_back(*t);
        }
        if (!positional_terms) {
            // Body and title words have no prefix (lower case, digits or non-ASCII first).
            for (auto u = doc.termlist_begin(); u != doc.termlist_end(); ++u) {
                const unsigned char c = static_cast<unsigned char>((*u)[0]);
                if (!(c >= 'A' && c <= 'Z')) {
                    positional_terms = true;
                    break;
                }
            }
        }
        if (ids.empty())
            problems.add(where + ": no id term");
        else if (ids.size() > 1)
            problems.add(where + ": " + std::to_string(ids.size()) + " id terms");
        else if (db.get_termfreq(ids[0]) != 1) {
            std::vector<Xapian::docid> copies(db.postlist_begin(ids[0]), db.postlist_end(ids[0]));
            std::set<Xapian::docid> in_shards;
            for (Xapian::docid c : copies)
                if (shards > 1) in_shards.insert((c - 1) % (shards + 1) - 1);  // the lexicon first
            if (in_shards.size() != copies.size()) {
                problems.add(where + ": id term " + printable(ids[0]) + " shared by " + std::to_string(copies.size()) +
                             " documents");
            } else if (did == copies.front()) {
                std::string names;
                for (Xapian::docid k : in_shards) names += (names.empty() ? "" : ", ") + shards::shard_name(k);
                report.notes.push_back("article " + printable(ids[0].substr(id_prefix.size())) + " is in " +
                                       std::to_string(copies.size()) + " shards (" + names +
                                       "): a move to another shard was interrupted; the next depeche-index run "
                                       "on the index deletes the old copy");
            }
        }
        const std::string data = doc.get_data();
        if (data.empty()) {  // reported once at the end (a missing docdata table empties them all)
            if (no_data++ == 0) first_no_data = did;
            continue;
        }
        std::optional<StoredArticle> stored = decode_stored(data, true, &codec);
        if (!stored && !codec.has(stored_dictionary(data))) {
            problems.add(where + ": stored data needs compression dictionary " +
                         std::to_string(stored_dictionary(data)) + ", which the index lacks");
            continue;
        }
        if (!stored) {
            problems.add(where + ": stored data is unreadable (" + printable(data, 40) + ")");
            continue;
        }
        if (stored->id.empty()) {
            problems.add(where + ": stored data has no id");
            continue;
        }
        if (ids.size() == 1 && id_term(stored->id) != ids[0])
            problems.add(where + ": id term " + printable(ids[0]) + " does not match the stored id '" +
                         printable(stored->id) + "'");
        if (problems.count() > 10 * kMaxListed) {
            problems.add("too many problems, document check stopped at " + where);
            return;
        }
    }
    if (no_data > 0 && no_data == report.articles)
        problems.add("no stored data for any of the " + std::to_string(no_data) +
                     " documents (docdata table missing or emptied): hits cannot be shown");
    else if (no_data > 0)
        problems.add(std::to_string(no_data) + " document(s) without stored data, the first is document " +
                     std::to_string(first_no_data));
    if (positional_terms && !db.has_positions() && !positions_missing)
        problems.add("no word positions (position table missing or empty): phrase and NEAR searches cannot match");
}

// The check itself; check_index() runs it inside the public API's error boundary.
CheckReport check(const std::string& index_dir) {
    require_index_folder(index_dir);
    CheckReport report;
    {
        Problems problems(report);
        check_tables(index_dir, problems);
        if (problems.count() == 0) {
            try {
                Xapian::Database db(index_dir);
                const std::vector<std::string> missing = missing_tables(db, index_dir);
                for (const std::string& table : missing)
                    problems.add(table + " table (" + table + ".glass) missing: " +
                                 (table == "position" ? "phrase and NEAR searches cannot match"
                                                      : "unaccented and variant spellings lose hits"));
                check_metadata(db, problems);
                check_documents(db, report, problems,
                                std::find(missing.begin(), missing.end(), "position") != missing.end());
            } catch (const Xapian::FeatureUnavailableError& e) {  // "Database has no termlist"
                problems.add(std::string(e.get_msg().find("termlist") != std::string::npos
                                             ? "termlist table (termlist.glass) missing: "
                                             : "reading the index failed: ") +
                             e.get_type() + ": " + e.get_msg());
            } catch (const Xapian::Error& e) {
                problems.add(std::string("reading the index failed: ") + e.get_type() + ": " + e.get_msg());
            } catch (const std::exception& e) { problems.add(std::string("reading the index failed: ") + e.what()); }
        }
    }
    return report;
}

// A sharded index (schema/shards.hpp): its stub, the lexicon (tables, contract,
// dictionaries, shard count) and each shard (tables, contract, place in this index),
// then every document of all shards read through the lexicon, as a search reads them.
// Problems are prefixed with the part they are in ("shard-01: ...").
CheckReport check_sharded(const std::string& index_dir) {
    const fs::path folder(index_dir);
    CheckReport report;
    // A year partition: problems name the shard with its period ("shard-03 [2023]: ...").
    auto part = [&](const std::string& name, CheckReport& sub) {
        for (const std::string& line : sub.problems) report.problems.push_back(name + ": " + line);
        for (const std::string& line : sub.notes) report.notes.push_back(name + ": " + line);
        report.articles += sub.articles;
    };
    std::vector<shards::StubEntry> entries;
    try {
        entries = shards::read_stub(folder / shards::kStubName);
    } catch (const Error& e) {
        report.problems.push_back(e.what());
        return report;
    }
    const std::string lex_path = (folder / shards::kLexiconName).string();
    std::size_t n = 0;
    shards::ShardRecord layout;
    {
        CheckReport sub;
        {
            Problems problems(sub);
            check_tables(lex_path, problems);
            if (problems.count() == 0) {
                try {
                    Xapian::Database lex(lex_path);
                    for (const std::string& table : missing_tables(lex, lex_path))
                        problems.add(table + " table (" + table + ".glass) missing");
                    check_metadata(lex, problems);
                    layout = shards::parse_record(lex.get_metadata(schema::kMetaShards), false);
                    if (!layout.ok)
                        problems.add("no shard count recorded (metadata " + std::string(schema::kMetaShards) + ")");
                    n = layout.ok ? layout.n : 0;
                    if (lex.get_doccount() != 0)
                        problems.add(std::to_string(lex.get_doccount()) + " documents (a lexicon holds none)");
                } catch (const Xapian::Error& e) {
                    problems.add(std::string("reading it failed: ") + e.get_type() + ": " + e.get_msg());
                }
            }
        }
        part(shards::kLexiconName, sub);
    }
    if (n == 0) return report;
    const bool partitioned = !layout.partition.empty();
    if (partitioned && entries.size() > n + 1) {
        // What a year's shard being added leaves when depeche-index stops between the
        // stub and the lexicon (add_period_shard): searchers take the shards the lexicon
        // records, the next depeche-index run rewrites the stub.
        report.notes.push_back(std::string(shards::kStubName) + " lists " + std::to_string(entries.size() - 1 - n) +
                               " shard(s) more than the index records (a year's shard was being added when "
                               "depeche-index stopped; it holds no article): the next depeche-index run on the "
                               "index removes the line");
    } else if (entries.size() != n + 1) {
        report.problems.push_back(std::string(shards::kStubName) + " lists " + std::to_string(entries.size()) +
                                  " databases, the index has a lexicon and " + std::to_string(n) + " shards" +
                                  (partitioned ? " (the next depeche-index run on the index rewrites it)" : ""));
    }
    Xapian::Database all(lex_path);
    bool all_open = true;
    for (std::size_t k = 0; k < n; ++k) {
        const std::string name = shards::shard_name(k);
        const std::string label = shards::shard_label(k, shards::period_of_shard(layout, k));
        const std::string path = (folder / name).string();
        CheckReport sub;
        {
            Problems problems(sub);
            std::error_code ec;
            if (!fs::exists(fs::path(path) / "iamglass", ec)) {
                problems.add("missing (" + path + ")");
            } else {
                check_tables(path, problems);
                if (problems.count() == 0) {
                    try {
                        Xapian::Database db(path);
                        // A table the shard records and no longer has: the documents
                        // check below reads all shards as one, which would not see it.
                        for (const std::string& table : missing_tables(db, path))
                            problems.add(table + " table (" + table + ".glass) missing: " +
                                         (table == "position" ? "phrase and NEAR searches cannot match its articles"
                                                              : "unaccented and variant spellings lose hits"));
                        check_metadata(db, problems);
                        const std::string record = db.get_metadata(schema::kMetaShard);
                        const shards::ShardRecord r = shards::parse_record(record, true);
                        if (!shards::belongs(r, layout, k)) {
                            problems.add("not shard " + std::to_string(k) + " of this index (it records '" +
                                         printable(record) + "', the index expects '" +
                                         shards::expected_record(layout, k) + "')");
                        } else {
                            all.add_database(db);
                            report.notes.push_back(label + ": " + std::to_string(db.get_doccount()) +
                                                   (db.get_doccount() == 1 ? " article" : " articles"));
                            // Each article in the shard of its year (the undated ones in theirs).
                            if (partitioned) {
                                std::size_t misplaced = 0;
                                std::string first;
                                for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
                                    const Xapian::Document doc = db.get_document(*it);
                                    const std::string period = shards::period_of_date(doc.get_value(schema::kSlotDate));
                                    if (period == r.period) continue;
                                    if (misplaced++ == 0)
                                        first = "document " + std::to_string(*it) + " of the shard, dated " + period;
                                }
                                if (misplaced)
                                    problems.add(std::to_string(misplaced) + " article(s) of another period (" + first +
                                                 ")");
                            }
                        }
                    } catch (const Xapian::Error& e) {
                        problems.add(std::string("reading it failed: ") + e.get_type() + ": " + e.get_msg());
                    }
                }
            }
            all_open &= problems.count() == 0;
        }
        part(label, sub);
    }
    if (!all_open) return report;
    CheckReport sub;
    {
        Problems problems(sub);
        try {
            check_documents(all, sub, problems, false, n);
        } catch (const Xapian::Error& e) {
            problems.add(std::string("reading the documents failed: ") + e.get_type() + ": " + e.get_msg());
        }
    }
    part("documents (numbered across the shards)", sub);
    return report;
}

}  // namespace

CheckReport check_index(const std::string& index_dir) {
    return guard_errors(
        [&] { return shards::is_sharded_folder(index_dir) ? check_sharded(index_dir) : check(index_dir); }, index_dir);
}

}  // namespace depeche
