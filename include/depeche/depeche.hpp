// Dépêche public C++ API: index French news articles and search them.
//
// No Xapian, ICU or Boost type appears here. Every class is a handle over a private
// implementation (pimpl).
//
// Thread safety: a Searcher is NOT safe to share between threads; open one Searcher
// per thread (opening is cheap). A Writer must be used from one thread at a time, and
// only one Writer (in any process) may have an index open at once; Searchers in other
// threads and processes keep answering while it writes and see each commit when they
// reopen (reopen(); search() also reopens by itself when a commit has made the
// revision it was reading unreadable). Distinct Searchers,
// a Writer and analyze() may run concurrently in any number of threads (tested by
// tests/test_api.cpp). A moved-from Searcher or Writer may only be assigned to or
// destroyed (its other calls throw Error).
//
// Errors: every function here reports failure by throwing a class derived from
// depeche::Error (listed below); nothing from Xapian, ICU or the standard library
// escapes, except std::bad_alloc when memory runs out.
//
// Versioning (semantic versioning, see README.md "Embedding"): DEPECHE_VERSION_* give
// the version of this header and version() that of the library it runs with. A
// breaking change to this API bumps the major version (while it is 0, the minor one);
// additions bump the minor version. The JSON printed by depeche-search has its own
// "format_version".
//
// Linking: find_package(depeche) -> depeche::depeche, or pkg-config depeche. Only what
// is marked DEPECHE_API is exported from the shared library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define DEPECHE_VERSION_MAJOR 0
#define DEPECHE_VERSION_MINOR 4
#define DEPECHE_VERSION_PATCH 0
#define DEPECHE_VERSION_STRING "0.4.0"

// Marks what the shared library exports (it is built with -fvisibility=hidden).
#ifndef DEPECHE_API
#if defined(__GNUC__) || defined(__clang__)
#define DEPECHE_API __attribute__((visibility("default")))
#else
#define DEPECHE_API
#endif
#endif

namespace depeche {

// Library version, "MAJOR.MINOR.PATCH" (the version the code was built from); equals
// DEPECHE_VERSION_STRING when the header and the library match.
DEPECHE_API std::string version();

// ---- Errors ------------------------------------------------------------------------
// Every error thrown by the library derives from Error. Nothing from the underlying
// libraries escapes.
class DEPECHE_API Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// A query that cannot be parsed. position() is the 0-based byte offset in the query.
class DEPECHE_API QueryError : public Error {
public:
    QueryError(const std::string& what, std::size_t position) : Error(what), position_(position) {}
    std::size_t position() const { return position_; }

private:
    std::size_t position_;
};
// No index at the given path.
class DEPECHE_API IndexMissingError : public Error {
public:
    using Error::Error;
};
// SearchRequest::like names an article the index does not hold (a QueryError at
// position 0: the request, not the index, is at fault).
class DEPECHE_API ArticleNotFoundError : public QueryError {
public:
    explicit ArticleNotFoundError(const std::string& what) : QueryError(what, 0) {}
};
// The index was built with another schema version or analyzer: re-index.
class DEPECHE_API IndexIncompatibleError : public Error {
public:
    using Error::Error;
};
// Another process is writing the index.
class DEPECHE_API IndexLockedError : public Error {
public:
    using Error::Error;
};
// The index is damaged, or reading or writing it failed.
class DEPECHE_API IoError : public Error {
public:
    using Error::Error;
};
// The index is damaged (a table file truncated, overwritten or missing): check it with
// check_index() (depeche-index --check), rebuild it with depeche-index --full.
class DEPECHE_API IndexCorruptError : public IoError {
public:
    using IoError::IoError;
};

// ---- Articles ------------------------------------------------------------------------
// An article to index. Only `id` and one of `title`/`body` are needed.
struct Article {
    std::string id;  // stable unique id (re-adding the same id replaces the article)
    std::string title;
    std::string date;  // publication date in any common form (ISO 8601, RFC 2822, "15 août 2025"...)
    std::string url;
    std::string author;
    std::string source;
    std::string body;                 // plain UTF-8 text
    std::vector<std::string> people;  // people named in the metadata
    std::string path;                 // file the article came from ("" if none)
    std::size_t line = 0;             // 1-based line in a JSONL file, 0 otherwise
};

// ---- Searching --------------------------------------------------------------------------
// Equal scores rank newest first, then by id; equal dates and times by id (ascending for
// DateDescending, descending for DateAscending). Never by indexing order, so one index
// and the same articles in shards give the same list.
enum class Sort { Relevance, DateAscending, DateDescending };

// Bucket size of the publication-date histogram (Facets::dates). Auto picks years over
// more than 3 years, months over more than 3 months, else days.
enum class DateInterval { Auto, Year, Month, Week, Day };

struct SnippetOptions {
    std::size_t length = 240;           // approximate snippet length in bytes (0 = no snippet)
    std::string highlight_open = "**";  // put around each matched word
    std::string highlight_close = "**";
};

struct SearchRequest {
    std::string query;  // query language: see docs/query-language.md
    std::size_t limit = 10;
    std::size_t offset = 0;
    Sort sort = Sort::Relevance;   // a query made only of filters sorts by date, newest first
    bool sort_given = false;       // true when `sort` was chosen explicitly
    bool facets = false;           // compute people and date facets over all matches
    std::size_t facet_limit = 10;  // people listed in the people facet
    // Count every match exactly (the default). false: Xapian's estimate from the
    // ranked pass only, with its bounds in SearchResult::total_lower/total_upper
    // (cheaper on huge result sets; depeche-search --estimate).
    bool exact_total = true;
    DateInterval date_interval = DateInterval::Auto;  // publication-date histogram buckets
    // When the query finds few or no articles, look for a better spelling of its words
    // and people in the index (SearchResult::suggestion).
    bool suggest = true;
    // One hit per story (near-duplicate versions of one article: reposts, updates), the
    // best ranked; Hit::other_versions counts the others, and totals count stories
    // (facets still count articles). See docs/cli.md, --collapse.
    bool collapse = false;
    // Articles like the one with this id ("" = none): its most telling words are searched,
    // and it and the other versions of its story are left out; `query` (may be empty)
    // then narrows or adds to that search. Throws ArticleNotFoundError for an unknown id.
    std::string like;
    SnippetOptions snippet;
    // A sharded index (docs/scale-out.md): search the shards that answer when one cannot
    // be reached, instead of failing (SearchResult::partial says what was left out).
    bool allow_partial = false;
};

struct Hit {
    std::size_t rank = 0;  // 1-based, counting from the first result (offset included)
    std::string id, title, date, url, path, author, source;
    double score = 0;
    std::string snippet;
    std::vector<std::string> people;
    // Story key: 16 hex digits shared by the versions of one story (story:KEY lists them).
    std::string story;
    // With SearchRequest::collapse, the number of other matching versions of this story.
    std::size_t other_versions = 0;
};

struct FacetCount {
    std::string value;  // person name, or date bucket "2025", "2025-08", "2025-08-15"
    std::size_t count = 0;
    // People: a surname alone that two or more people of the index share without one of
    // them dominating ("Le Pen": Marine or Jean-Marie), left unresolved.
    bool ambiguous = false;
};

struct Facets {
    std::vector<FacetCount> people;
    // Histogram of publication dates, from the first to the last bucket with a match,
    // empty buckets included (count 0), so that two histograms at the same interval can
    // be compared bucket by bucket. Buckets: "2025", "2025-08", "2025-W33" (ISO week) or
    // "2025-08-15", as date_interval says.
    std::vector<FacetCount> dates;
    std::string date_interval;          // "year", "month", "week" or "day" ("" when no dates)
    std::vector<FacetCount> mentioned;  // histogram of dates mentioned in the text
    bool exact = true;                  // false if counts were estimated
};

struct SearchResult {
    std::size_t total = 0;     // number of matching articles
    bool total_exact = false;  // whether total is exact or an estimate
    // Bounds of the number of matching articles (both equal total when it is exact).
    std::size_t total_lower = 0, total_upper = 0;
    // The query with misspelt words or people replaced by what the index holds
    // ("Makron" -> "Macron", "Putin" -> "Poutine"), when the query found few or no
    // articles and the replacement finds more; "" otherwise.
    std::string suggestion;
    // Remarks on how the query was read, one sentence each (e.g. that a lower-case "ou"
    // between two words was searched as a word, not as the operator OU).
    std::vector<std::string> notes;
    std::vector<Hit> hits;
    std::optional<Facets> facets;  // set when the request asked for facets
    // With SearchRequest::allow_partial on a sharded index: true when some shards could
    // not be reached, each named in missing_shards ("shard-01 (remote 10.0.0.2:33333)").
    bool partial = false;
    std::vector<std::string> missing_shards;
};

// One article as stored in the index, for reading it whole.
struct ArticleView {
    std::string id, title, date, url, path, author, source;  // as in Hit
    std::string story;                                       // story key, as in Hit
    std::string text;                                        // the body, NFC-normalised, as indexed
    // The body with the words of the query given to Searcher::article() wrapped in the
    // snippet markers (the same matching as snippets); "" without a query.
    std::string highlighted;
    std::vector<std::string> people;     // as in Hit
    std::vector<std::string> mentioned;  // dates mentioned: "2024", "2024-04" or "2024-04-15", in date order
};

// One shard of a sharded index, in IndexStats.
struct ShardStats {
    std::string name;      // "shard-03"
    std::string period;    // a year partition: "2023", or "undated"; "" for a hash layout
    std::string location;  // its folder, or the stub's line ("remote 10.0.0.2:33003")
    std::size_t articles = 0;
};

struct IndexStats {
    std::size_t articles = 0;
    std::size_t shards = 0;              // a sharded index: its number of shards (0: one database)
    std::string partition;               // "year": one shard per publication year; "" otherwise
    std::vector<ShardStats> shard_list;  // a sharded index: each shard, in the stub's order
    std::uint64_t size_bytes = 0;        // on disk
    int schema_version = 0;
    std::string analyzer;     // analyzer fingerprint
    std::string last_update;  // ISO 8601 UTC time of the last commit ("" if unknown)
    // The Searcher asked holds, or shares with another of its process, what facet and
    // person queries read from the index (people tables, facet values) for the revision
    // it has open: its next such query reads none of it first (see Searcher::warm()).
    bool facets_ready = false;
};

// Read-only access to an index. Any number of Searchers (in any threads and processes)
// may read an index while one Writer writes it; one Searcher is used by one thread at a
// time.
class DEPECHE_API Searcher {
public:
    // Opens the index folder, a sharded index's folder or a stub file listing its
    // lexicon and shards, local or remote (docs/scale-out.md). Throws IndexMissingError (no index there),
    // IndexIncompatibleError (built by another schema or analyzer version: re-index) or
    // IoError (unreadable or damaged).
    explicit Searcher(const std::string& index_dir);
    ~Searcher();
    // Moves the open index; the source may then only be assigned to or destroyed (other
    // calls on it throw Error).
    Searcher(Searcher&&) noexcept;
    Searcher& operator=(Searcher&&) noexcept;

    // Runs a query on the latest commit it can see (when a commit by a Writer
    // invalidates the revision being read, it reopens and runs again). Throws
    // QueryError (with position()) for a malformed query, IoError if the index cannot
    // be read (or keeps changing too fast to be read), IndexMissingError or
    // IndexIncompatibleError if it was removed or replaced by an incompatible one.
    SearchResult search(const SearchRequest& request);
    // The article with this id in the latest commit, nullopt if there is none. With a
    // query, `highlighted` holds its body with the query's words marked as in snippets
    // (markers from `markers`). Throws QueryError for a malformed query, and like
    // search() otherwise.
    std::optional<ArticleView> article(const std::string& id, const std::string& query = "",
                                       const SnippetOptions& markers = {});
    // Counts and metadata of the latest commit. Throws IoError (or IndexMissingError...)
    // like search().
    IndexStats stats();
    // Picks up the latest commit; cheap when nothing changed. Until then a Searcher
    // answers from the revision it has open (search() reopens by itself only when that
    // revision can no longer be read). Throws like stats().
    void reopen();
    // Reads now, for the revision open, what the first facet or person query would
    // otherwise read before answering: the index's people tables and its facet values,
    // kept in memory (at 1M articles, most of a second on one index and seconds over
    // remote shards). Nothing is read when they are current; searchers of one process
    // over a local index share them, so warming one warms the others. A long-running
    // program calls it after reopen() when idle (depeche-search --http does, every
    // second by default). Throws like stats().
    void warm();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ---- Analysis -------------------------------------------------------------------------
struct AnalyzedToken {
    std::string term;  // exact (folded) form, as used for phrases
    std::string stem;  // stemmed form ("" for stopwords)
    std::uint32_t position = 0;
    std::uint32_t begin = 0, end = 0;  // byte offsets in the NFC-normalised text
    bool stopword = false;
};
// Analyses text exactly as the indexer does (French rules). Offsets refer to the
// NFC-normalised form of `text`, returned in `normalized` if given. Invalid UTF-8 is
// replaced, not rejected. Thread-safe (one analyzer per thread).
DEPECHE_API std::vector<AnalyzedToken> analyze(const std::string& text, std::string* normalized = nullptr);

// ---- Writing ------------------------------------------------------------------------------
struct WriterOptions {
    std::size_t batch_size = 1000;  // articles per commit (bounds the writer's memory)
    bool create = true;             // create the index if missing
    // Rebuild from scratch: index_paths() builds a new index beside the old one and
    // swaps it in atomically at the end (the old one keeps answering until then);
    // add() on an overwriting Writer empties the index first.
    bool overwrite = false;
    std::size_t threads = 0;  // worker threads (0 = number of cores)
    // Polled between articles; when it returns true, index_paths() stops early and
    // commits what was done (see docs/cli.md for what "done" means in each mode).
    std::function<bool()> interrupted;
    // Read files that symbolic links found in the given folders lead to outside them
    // (by default such links are passed over with a warning: docs/cli.md).
    bool follow_symlinks = false;
    // JSON keys to read article fields from, before the keys known out of the box:
    // (field, key) pairs, a key may be a dotted path ("author.name"). See
    // parse_field_map() and docs/cli.md "--map".
    std::vector<std::pair<std::string, std::string>> field_map;
    // A sharded index (docs/scale-out.md): this many shards (1 to 100) for a new index
    // or a rebuild (overwrite); 0 keeps the layout of the existing index. Changing the
    // layout of an existing index needs overwrite.
    std::size_t shards = 0;
    // A sharded index with one shard per publication year of its articles, plus one for
    // the articles without a date (docs/scale-out.md, "Time partitions"): "year" for a
    // new index or a rebuild (overwrite); "" keeps the layout of the existing index.
    // Exclusive with `shards`. Changing the layout of an existing index needs overwrite.
    std::string partition;
};

// Parses "title=headline,body=articleBody,author=author.name" into (field, key) pairs
// appended to map (fields: id, title, date, url, source, author, body, lede, people).
// Returns "" or a one-line error.
DEPECHE_API std::string parse_field_map(std::string_view spec, std::vector<std::pair<std::string, std::string>>& map);
// The same from a file: one "field=key" per line, '#' comments and blank lines ignored.
// Returns "" or a one-line error naming the file and line.
DEPECHE_API std::string load_field_map(const std::string& file, std::vector<std::pair<std::string, std::string>>& map);

// One problem with one input: "path:line: message".
struct InputProblem {
    std::string path;
    std::size_t line = 0;
    std::string message;
    bool warning = false;  // the input was used anyway (e.g. a date that could not be parsed)
    // "path:line: message" ("path: message" when line is 0).
    DEPECHE_API std::string to_string() const;
};

// What index_paths() did. Files are compared with what the index recorded for them
// (size, modification time, then a content hash): unchanged files are not read again,
// changed files are re-read (articles no longer in them disappear), and files that
// vanished from the given folders have their articles removed.
struct IndexSummary {
    std::size_t files = 0;             // input files found
    std::size_t files_added = 0;       // new files indexed
    std::size_t files_updated = 0;     // changed files re-indexed
    std::size_t files_unchanged = 0;   // files skipped because they did not change
    std::size_t files_removed = 0;     // files gone from the given folders
    std::size_t skipped_files = 0;     // files that failed: could not be used at all, nothing of them
                                       // indexed, or unchanged since a run where they failed
    std::size_t articles = 0;          // articles indexed (added or replaced)
    std::size_t articles_removed = 0;  // articles deleted with their file, or gone from their changed file
    std::size_t errors = 0;            // problems that lost input (not warnings)
    std::size_t warnings = 0;          // problems that did not (the input was used anyway)
    std::vector<InputProblem> problems;
    bool interrupted = false;  // stopped early by WriterOptions::interrupted
    double seconds = 0;
};

// Progress of a running index_paths() call.
struct Progress {
    std::size_t files_done = 0, files_total = 0, articles = 0;
    double seconds = 0;
    // Bytes of input read, of all the files to read (compressed files count their size
    // on disk): advances within a large file too.
    std::uint64_t bytes_done = 0, bytes_total = 0;
};

// Write access. Only one Writer at a time per index (IndexLockedError otherwise).
class DEPECHE_API Writer {
public:
    // Opens the index folder for writing, creating it if options.create (the default).
    // Throws IndexLockedError (another Writer, in this or another process, has it
    // open), IndexMissingError (none there and options.create is false),
    // IndexIncompatibleError (another schema or analyzer version, unless
    // options.overwrite) or IoError.
    explicit Writer(const std::string& index_dir, const WriterOptions& options = {});
    ~Writer();  // commits pending changes (errors are swallowed: call commit() to see them)
    // Moves the open index; the source may then only be assigned to or destroyed (other
    // calls on it throw Error).
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;

    // Adds or replaces (same id) one article; returns problems found in it (e.g. an
    // unparseable date: the article is indexed without it). Throws Error if the article
    // has no id, url or path to identify it, IoError if writing fails.
    std::vector<InputProblem> add(const Article& article);
    // Removes the article with this id; false if there was none. Throws IoError.
    bool remove(const std::string& id);
    // Makes every change so far durable and visible to searchers, atomically. Throws
    // IoError.
    void commit();

    // Reads files and folders (recursively) in every supported format and indexes their
    // articles, committing every batch_size articles. `progress` is called after each
    // file and, at most ten times a second, while a file is read (Progress::bytes_done),
    // from the calling thread. Unreadable inputs are reported in the summary, not
    // thrown; throws IoError (IndexCorruptError for a damaged index) if the index
    // cannot be written. An exception thrown by `progress` stops the run and comes out
    // unchanged; the Writer stays usable. Articles an update had written are committed
    // by the next commit() (or the destructor); a first build or rebuild is dropped.
    IndexSummary index_paths(const std::vector<std::string>& paths,
                             const std::function<void(const Progress&)>& progress = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ---- Checking ------------------------------------------------------------------------------
struct CheckReport {
    std::size_t articles = 0;  // documents checked
    // What is wrong, one line each ("" when none): damaged tables, missing or
    // mismatched schema version or analyzer fingerprint, documents without an id term
    // or with unreadable stored data. At most 100 are listed; the last line then says
    // how many more were found.
    std::vector<std::string> problems;
    // A sharded index: one line per shard checked ("shard-03 [2023]: 41 articles"), and
    // remarks that are not damage.
    std::vector<std::string> notes;
    bool ok() const { return problems.empty(); }
};

// Read-only consistency check of an index folder: Xapian's structural check of every
// table, then the index metadata (schema version, analyzer fingerprint), then every
// document (one id term, matching its stored data, which must be readable). Run it
// when no Writer is committing (a commit during the check may be reported as damage).
// Damage is reported in the CheckReport, never thrown; throws IndexMissingError when
// there is no index at index_dir.
DEPECHE_API CheckReport check_index(const std::string& index_dir);

// ---- Cold shards ---------------------------------------------------------------------------
struct CompactionReport {
    // Shards compacted ("shard-03 [2021]"), and their size on disk before and after.
    std::vector<std::string> compacted;
    std::uint64_t bytes_before = 0, bytes_after = 0;
    std::size_t unchanged = 0;  // cold shards left as they were (not written since their last compaction)
};
// Compacts, one at a time, every cold shard of a year-partitioned index (a year before
// the current one, by the local clock) written to since its last compaction, each
// replaced atomically by its compacted copy: searchers keep answering (docs/scale-out.md,
// "Time partitions"). Holds the index like a Writer (IndexLockedError if one is open).
// Throws IndexMissingError, IndexIncompatibleError (not a year-partitioned index), IoError.
DEPECHE_API CompactionReport compact_cold_shards(const std::string& index_dir);

}  // namespace depeche
