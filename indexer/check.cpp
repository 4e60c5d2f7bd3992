// depeche::check_index: a read-only consistency check of an index folder (depeche-index
// --check). Xapian checks its tables' structure; we check what the schema promises.
#include "indexer/document.hpp"
#include "indexer/store.hpp"
#include "schema/analyzer.hpp"
#include "schema/schema.hpp"

#include <depeche/depeche.hpp>

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace depeche {
namespace {

constexpr std::size_t kMaxListed = 100;

class Problems {
public:
    explicit Problems(CheckReport& report) : report_(report) {}
    ~Problems() {
        if (extra_ > 0) report_.problems.push_back("... and " + std::to_string(extra_) + (extra_ == 1 ? " more problem" : " more problems"));
    }
    void add(std::string message) {
        for (char& c : message)
            if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one line each
        if (report_.problems.size() < kMaxListed) report_.problems.push_back(std::move(message));
        else ++extra_;
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
        if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
    if (s.size() > max) out += "...";
    return out;
}

// Xapian's check of every table. Its report names each table before checking it, so
// the last name seen is the table an exception came from.
void check_tables(const std::string& dir, Problems& problems) {
    std::ostringstream out;
    std::size_t errors = 0;
    std::string failure;
    try {
        // (Under AddressSanitizer this call reports a new-delete-type-mismatch inside
        // libxapian, a Xapian bug: see tests/CMakeLists.txt, [xapian-check].)
        errors = Xapian::Database::check(dir, 0, &out);
    } catch (const Xapian::Error& e) {
        failure = std::string(e.get_type()) + ": " + e.get_msg();
    }
    std::string table, first_error;
    std::istringstream lines(out.str());
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
    if (version.empty()) problems.add("no schema version recorded (metadata " + std::string(schema::kMetaSchema) + ")");
    else if (version != std::to_string(schema::kVersion))
        problems.add("schema version " + printable(version) + ", this build needs " + std::to_string(schema::kVersion) +
                     " (re-index with depeche-index --full)");
    if (analyzer.empty())
        problems.add("no analyzer fingerprint recorded (metadata " + std::string(schema::kMetaAnalyzer) + ")");
    else if (analyzer != Analyzer::fingerprint())
        problems.add("analyzer '" + printable(analyzer) + "', this build uses '" + Analyzer::fingerprint() +
                     "' (re-index with depeche-index --full)");
}

// Every document: exactly one id term, held by no other document, matching the id in
// its stored data, which must decode (decode_stored) and hold an id.
void check_documents(const Xapian::Database& db, CheckReport& report, Problems& problems) {
    StoredCodec codec;
    try {
        codec.load(db);
    } catch (const std::runtime_error& e) {
        problems.add(std::string("stored data: ") + e.what());
    }
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
        if (ids.empty()) problems.add(where + ": no id term");
        else if (ids.size() > 1) problems.add(where + ": " + std::to_string(ids.size()) + " id terms");
        else if (db.get_termfreq(ids[0]) != 1)
            problems.add(where + ": id term " + printable(ids[0]) + " shared by " +
                         std::to_string(db.get_termfreq(ids[0])) + " documents");
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
    if (positional_terms && !db.has_positions())
        problems.add("no word positions (position table missing or empty): phrase and NEAR searches cannot match");
}

}  // namespace

CheckReport check_index(const std::string& index_dir) {
    std::error_code ec;
    if (!fs::exists(index_dir, ec)) throw IndexMissingError("no index at " + index_dir);
    if (!fs::exists(fs::path(index_dir) / "iamglass", ec) && !fs::exists(fs::path(index_dir) / "iamchert", ec))
        throw IndexMissingError(index_dir + " is not a Dépêche index (no iamglass file)");
    CheckReport report;
    {
        Problems problems(report);
        check_tables(index_dir, problems);
        if (problems.count() == 0) {
            try {
                Xapian::Database db(index_dir);
                check_metadata(db, problems);
                check_documents(db, report, problems);
            } catch (const Xapian::FeatureUnavailableError& e) {  // "Database has no termlist"
                problems.add(std::string(e.get_msg().find("termlist") != std::string::npos
                                             ? "termlist table (termlist.glass) missing: "
                                             : "reading the index failed: ") +
                             e.get_type() + ": " + e.get_msg());
            } catch (const Xapian::Error& e) {
                problems.add(std::string("reading the index failed: ") + e.get_type() + ": " + e.get_msg());
            } catch (const std::exception& e) {
                problems.add(std::string("reading the index failed: ") + e.what());
            }
        }
    }
    return report;
}

}  // namespace depeche
