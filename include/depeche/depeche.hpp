// Dépêche public C++ API: index French news articles and search them.
//
// No Xapian, ICU or Boost type appears here. Every class is a handle over a private
// implementation (pimpl).
//
// Thread safety: a Searcher is NOT safe to share between threads; open one Searcher
// per thread (opening is cheap). A Writer must be used from one thread at a time, and
// only one Writer (in any process) may have an index open at once; Searchers in other
// threads and processes keep answering while it writes and see each commit when they
// reopen (search() reopens automatically when the index changed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#define DEPECHE_VERSION_MAJOR 0
#define DEPECHE_VERSION_MINOR 1
#define DEPECHE_VERSION_PATCH 0
#define DEPECHE_VERSION_STRING "0.1.0"

namespace depeche {

// Library version, "MAJOR.MINOR.PATCH" (the version the code was built from).
std::string version();

// ---- Errors ------------------------------------------------------------------------
// Every error thrown by the library derives from Error. Nothing from the underlying
// libraries escapes.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// A query that cannot be parsed. position() is the 0-based byte offset in the query.
class QueryError : public Error {
public:
    QueryError(const std::string& what, std::size_t position)
        : Error(what), position_(position) {}
    std::size_t position() const { return position_; }
private:
    std::size_t position_;
};
// No index at the given path.
class IndexMissingError : public Error { public: using Error::Error; };
// The index was built with another schema version or analyzer: re-index.
class IndexIncompatibleError : public Error { public: using Error::Error; };
// Another process is writing the index.
class IndexLockedError : public Error { public: using Error::Error; };
// The index is damaged, or reading or writing it failed.
class IoError : public Error { public: using Error::Error; };

// ---- Articles ------------------------------------------------------------------------
// An article to index. Only `id` and one of `title`/`body` are needed.
struct Article {
    std::string id;      // stable unique id (re-adding the same id replaces the article)
    std::string title;
    std::string date;    // publication date in any common form (ISO 8601, RFC 2822, "15 août 2025"...)
    std::string url;
    std::string author;
    std::string source;
    std::string body;    // plain UTF-8 text
    std::vector<std::string> people;  // people named in the metadata
    std::string path;    // file the article came from ("" if none)
    std::size_t line = 0;  // 1-based line in a JSONL file, 0 otherwise
};

// ---- Searching --------------------------------------------------------------------------
enum class Sort { Relevance, DateAscending, DateDescending };

struct SnippetOptions {
    std::size_t length = 240;        // approximate snippet length in bytes (0 = no snippet)
    std::string highlight_open = "**";   // put around each matched word
    std::string highlight_close = "**";
};

struct SearchRequest {
    std::string query;               // query language: see docs/query-language.md
    std::size_t limit = 10;
    std::size_t offset = 0;
    Sort sort = Sort::Relevance;     // a query made only of filters sorts by date, newest first
    bool sort_given = false;         // true when `sort` was chosen explicitly
    bool facets = false;             // compute people and date facets over all matches
    std::size_t facet_limit = 10;    // people listed in the people facet
    bool exact_total = false;        // count every match exactly (slower on huge result sets)
    SnippetOptions snippet;
};

struct Hit {
    std::size_t rank = 0;            // 1-based, counting from the first result (offset included)
    std::string id, title, date, url, path, author, source;
    double score = 0;
    std::string snippet;
    std::vector<std::string> people;
};

struct FacetCount {
    std::string value;   // person name, or date bucket "2025", "2025-08", "2025-08-15"
    std::size_t count = 0;
};

struct Facets {
    std::vector<FacetCount> people;
    std::vector<FacetCount> dates;      // histogram of publication dates
    std::vector<FacetCount> mentioned;  // histogram of dates mentioned in the text
    bool exact = true;                  // false if counts were estimated
};

struct SearchResult {
    std::size_t total = 0;         // number of matching articles
    bool total_exact = false;      // whether total is exact or an estimate
    std::vector<Hit> hits;
    std::optional<Facets> facets;  // set when the request asked for facets
};

struct IndexStats {
    std::size_t articles = 0;
    std::uint64_t size_bytes = 0;  // on disk
    int schema_version = 0;
    std::string analyzer;          // analyzer fingerprint
    std::string last_update;       // ISO 8601 UTC time of the last commit ("" if unknown)
};

// Read-only access to an index. Throws IndexMissingError, IndexIncompatibleError or
// IoError from the constructor.
class Searcher {
public:
    explicit Searcher(const std::string& index_dir);
    ~Searcher();
    Searcher(Searcher&&) noexcept;
    Searcher& operator=(Searcher&&) noexcept;

    // Runs a query. Throws QueryError for a malformed query.
    SearchResult search(const SearchRequest& request);
    IndexStats stats();
    // Picks up the latest commit (search() also does this when needed).
    void reopen();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ---- Analysis -------------------------------------------------------------------------
struct AnalyzedToken {
    std::string term;     // exact (folded) form, as used for phrases
    std::string stem;     // stemmed form ("" for stopwords)
    std::uint32_t position = 0;
    std::uint32_t begin = 0, end = 0;  // byte offsets in the NFC-normalised text
    bool stopword = false;
};
// Analyses text exactly as the indexer does (French rules). Offsets refer to the
// NFC-normalised form of `text`, returned in `normalized` if given.
std::vector<AnalyzedToken> analyze(const std::string& text, std::string* normalized = nullptr);

// ---- Writing ------------------------------------------------------------------------------
struct WriterOptions {
    std::size_t batch_size = 1000;   // articles per commit
    bool create = true;              // create the index if missing
    bool overwrite = false;          // start from an empty index
    std::size_t threads = 0;         // analysis threads (0 = number of cores)
};

// One problem with one input: "path:line: message".
struct InputProblem {
    std::string path;
    std::size_t line = 0;
    std::string message;
    std::string to_string() const;
};

struct IndexSummary {
    std::size_t files = 0;            // input files read
    std::size_t articles = 0;         // articles indexed (added or replaced)
    std::size_t skipped_files = 0;    // files that could not be used at all
    std::vector<InputProblem> problems;
    double seconds = 0;
};

// Progress of a running index_paths() call.
struct Progress {
    std::size_t files_done = 0, files_total = 0, articles = 0;
    double seconds = 0;
};

// Write access. Only one Writer at a time per index (IndexLockedError otherwise).
class Writer {
public:
    explicit Writer(const std::string& index_dir, const WriterOptions& options = {});
    ~Writer();  // commits pending changes
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;

    // Adds or replaces (same id) one article; returns problems found in it (e.g. an
    // unparseable date: the article is indexed without it).
    std::vector<InputProblem> add(const Article& article);
    // Removes the article with this id; false if there was none.
    bool remove(const std::string& id);
    // Makes every change so far durable and visible to searchers, atomically.
    void commit();

    // Reads files and folders (recursively) in every supported format and indexes their
    // articles, committing every batch_size articles. `progress` is called now and then.
    IndexSummary index_paths(const std::vector<std::string>& paths,
                             const std::function<void(const Progress&)>& progress = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace depeche
