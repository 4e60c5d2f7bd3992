// Exact facet counts over the whole result set, computed by a Xapian match spy.
//
// The spy sees every matching document when the search runs with check_at_least equal
// to the document count. Its counts serialise and merge, so the same facets can be
// computed over several shards (local or remote databases) and added up.
#pragma once

#include <depeche/depeche.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <xapian.h>

namespace depeche {

class PeopleResolver;

// The facet values of every article of one revision of an index, read once from the
// value slots into arrays indexed by document id, so that counting a match costs a few
// array reads instead of reading and parsing three values (the column layout of Lucene's
// doc values). Worth building when a searcher answers many facet queries or one query
// matches a good part of the index.
struct FacetColumns {
    // people (optional) resolves each display name to the person it stands for; without
    // it, a person is a person key.
    explicit FacetColumns(const Xapian::Database& db, const PeopleResolver* people = nullptr);
    // The facet values of one part fetched as they are, in document order: a remote
    // shard's (fetch()), which has no value streams to read.
    struct Values {
        Xapian::docid last = 0;  // the shard's highest document id
        // One slot's values: the documents with a value, in document order, each pointing
        // into `bytes`, which holds each distinct value once (equal values arrive next to
        // each other, sorted by value): 16 bytes a document instead of a string each.
        struct Column {
            struct Entry {
                Xapian::docid did = 0;
                std::uint32_t size = 0;
                std::uint64_t at = 0;
            };
            std::vector<Entry> entries;
            std::string bytes;
            std::string_view value(const Entry& e) const { return std::string_view(bytes).substr(e.at, e.size); }
        };
        Column day, people, mentioned;  // slots kSlotDay, kSlotPeople, kSlotMentioned
    };
    // The values of a database over Xapian's remote backend, whose value lists Xapian
    // 1.4 reads one document (one round trip) at a time: one match of every document
    // per slot, sorted by that slot, whose items bring the value along as their sort
    // key (three requests in all).
    static Values fetch(const Xapian::Database& db);
    // How many times this process has called fetch() (tests).
    static std::size_t fetches();
    // How many columns this process has built (tests).
    static std::size_t builds();
    // The parts of a sharded index (each a database counted on its own: a match spy over
    // several databases sees each one's own document ids), with names and days numbered
    // across them all; FacetSpy::set_part() says which part is being counted. A part is a
    // database read through its value streams, or values fetched.
    struct Source {
        const Xapian::Database* db = nullptr;
        const Values* values = nullptr;
        // Or part `part` of columns read before: a remote shard unchanged since, read
        // again from them instead of fetched (names and days numbered anew).
        const FacetColumns* columns = nullptr;
        std::size_t part = 0;
    };
    // The parts are given one at a time, in order: next(k, part) sets part k and returns
    // true, or returns false after the last. The caller may then fetch remote parts a
    // few at a time and free each one's values once it has been read.
    FacetColumns(const std::function<bool(std::size_t, Source&)>& next, const PeopleResolver* people);

    std::vector<std::string> items;       // distinct display names of people
    std::vector<std::uint32_t> item_key;  // per item: its person, numbered from 0
    std::uint32_t keys = 0;               // number of distinct people
    std::vector<std::string> key_person;  // per person: its normalised key (with a resolver)
    std::vector<std::uint8_t> item_own;   // per item: 1 if spelled as its person's own key
    std::vector<std::uint32_t> days{0};   // distinct publication days (YYYYMMDD); [0]: none
    struct Part {
        Xapian::docid last = 0;                   // highest document id covered
        std::vector<std::uint32_t> day_of;        // per document: index into days
        std::vector<std::uint32_t> people_at;     // per document: its people in people_ids
        std::vector<std::uint32_t> people_ids;    //   [people_at[d], people_at[d + 1]): indexes into
                                                  //   items, one item per person key
        std::vector<std::uint32_t> mentioned_at;  // per document: its mentioned days in mentioned
        std::vector<std::uint32_t> mentioned;     //   (YYYYMMDD numbers, as in the value)
        bool operator==(const Part&) const = default;
    };
    std::vector<Part> parts;  // one per database
    std::size_t bytes() const;
    // Same content (columns read from remote shards are shared by content).
    bool operator==(const FacetColumns&) const = default;
    std::size_t content_hash() const;

    // Columns shared by the searchers of one process (the workers of `--http`, the
    // threads of an embedding program) over the same databases: `key` must name their
    // content (Xapian's UUID and revision of each local database). shared() returns the
    // columns some searcher still holds for `key`, or those build() makes; callers with
    // the same key at the same time wait for one build. Columns no searcher holds are
    // freed. find_shared() never builds.
    using Ptr = std::shared_ptr<const FacetColumns>;
    static Ptr shared(const std::string& key, const std::function<Ptr()>& build);
    static Ptr find_shared(const std::string& key);

private:
    // While reading: the numbering of days, names and people across parts.
    struct Numbering;
    void read(const Xapian::Database& db, const PeopleResolver* people, Numbering& numbering);
    void read(const Values& values, const PeopleResolver* people, Numbering& numbering);
    void read(const FacetColumns& old, std::size_t part, const PeopleResolver* people, Numbering& numbering);
    // One part from each(column, f), which calls f(document id, value) for the documents
    // with a value in column 0 (dates), 1 (people) or 2 (mentioned), in document order.
    template <class Each>
    void read_part(Xapian::docid last, Each&& each, const PeopleResolver* people, Numbering& numbering);
};

class FacetSpy : public Xapian::MatchSpy {
public:
    FacetSpy() = default;
    // Counts from `columns` (which must cover the revision searched) instead of values.
    // With `people`, names are resolved to people (people_resolver.hpp): an article counts
    // once per person, under the person's display name; the columns must then have been
    // built with the same resolver.
    explicit FacetSpy(std::shared_ptr<const FacetColumns> columns,
                      std::shared_ptr<const PeopleResolver> people = nullptr);
    void operator()(const Xapian::Document& doc, double wt) override;
    Xapian::MatchSpy* clone() const override { return new FacetSpy(columns_, people_resolver_); }
    std::string name() const override { return "depeche::FacetSpy"; }
    // The part of the columns (FacetColumns::parts) the documents shown next belong to.
    void set_part(std::size_t k) { part_ = k; }
    // Counts document `did` of the current part as operator() does, for a match whose
    // documents come as ids (the items of a remote shard's match): from the columns,
    // or from the document read from `part` when they do not cover it.
    void count(const Xapian::Database& part, Xapian::docid did);
    // Counts document `did` of the current part from the columns if they cover it;
    // false (nothing counted) if they do not.
    bool count_from_columns(Xapian::docid did);
    // Adds the counts of `other`, a spy over the same columns that counted from them
    // only (count_from_columns()): the matches of one shard counted on a thread of its own.
    void add_column_counts(const FacetSpy& other);
    // A spy over the same columns with no counts, for add_column_counts().
    std::unique_ptr<FacetSpy> column_counter() const { return std::make_unique<FacetSpy>(columns_, people_resolver_); }
    std::string serialise() const override { return {}; }
    Xapian::MatchSpy* unserialise(const std::string&, const Xapian::Registry&) const override { return new FacetSpy; }
    std::string serialise_results() const override;
    void merge_results(const std::string& serialised) override;

    // Top `people_limit` people by count; the publication-date histogram at `interval`
    // (publication_histogram), the mentioned-dates one at a granularity that suits their
    // span (years over more than 3 years, months over more than 3 months, days).
    // Every count is a number of articles.
    Facets facets(std::size_t people_limit, bool exact, DateInterval interval = DateInterval::Auto) const;

    Xapian::doccount seen() const { return seen_; }

    // The facets of `matches` articles from Xapian's built-in ValueCountMatchSpy on the
    // people, date and mentioned slots (schema::kSlotPeople, kSlotDate, kSlotMentioned):
    // what a search over remote shards can count, since a custom spy cannot run there.
    // The same facets as this spy shown the articles one by one.
    void add_value_counts(Xapian::doccount matches, const Xapian::ValueCountMatchSpy& people,
                          const Xapian::ValueCountMatchSpy& dates, const Xapian::ValueCountMatchSpy& mentioned);

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using Counts = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;

    using DateCounts = std::unordered_map<std::uint32_t, std::size_t>;  // YYYYMMDD as a number

    // Display name -> (the person it stands for, whether it is the person's own name):
    // person_of() once per name for as long as the resolver stays, shared by the
    // searches of a Searcher (facets without FacetColumns: a sharded index).
    struct PersonMemo {
        struct Entry {
            std::string person;      // the person a name stands for (a resolved key, else its key)
            bool own = false;        // whether the name is the person's own spelling
            std::uint32_t id = 0;    // the person, numbered from 0 in this memo
            std::uint32_t name = 0;  // the name, numbered from 0 in this memo
        };
        std::unordered_map<std::string, Entry, Hash, std::equal_to<>> names;
        std::vector<const std::string*> name_of;  // name number -> the name (a key of names)
        std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids;  // person -> id
    };
    void set_person_memo(std::shared_ptr<PersonMemo> memo) { memo_ = std::move(memo); }
    // The database a person's display name is read from when only surnames resolved to
    // the person were seen (PeopleResolver::display()): the caller's own handle on the
    // database the resolver was built from. Without one, such a person is shown under
    // its key.
    void set_names_from(const Xapian::Database& db) { names_db_ = &db; }

private:
    // One document counted from its values (not covered by the columns).
    void count_values(const Xapian::Document& doc);
    void count_mentioned(const std::uint32_t* days, std::size_t ndays, std::size_t n);
    // One article's values (or n articles with the same value in one slot).
    void add_values(std::string_view people, std::string_view date, std::string_view mentioned, std::size_t n);
    // Adds the column counts into the maps below (serialise_results() and facets() call
    // them; facets() ranks people straight from the column counts when it can).
    void fold_people() const;
    void fold_dates() const;
    std::vector<FacetCount> people_from_columns(std::size_t limit) const;
    std::vector<FacetCount> people_from_maps(std::size_t limit) const;

    // The person a display name stands for: its resolved key, else its person key; and
    // whether the name is the person's own spelling (not a surname resolved to it).
    const PersonMemo::Entry& person_of(std::string_view name) const;
    std::string resolve(std::string_view name, bool* own) const;  // person_of() without the memo
    // The name a person's entry is shown under, from the best of its own names seen.
    std::string shown(std::string_view person, std::string_view best_own) const;
    // Whether a person (a resolved key) is a surname several people share.
    bool ambiguous(std::string_view person) const;

    mutable std::shared_ptr<PersonMemo> memo_;  // made on first use when none is given
    std::vector<std::uint32_t> persons_;        // scratch: the people of one value
    std::shared_ptr<const FacetColumns> columns_;
    std::size_t part_ = 0;
    std::shared_ptr<const PeopleResolver> people_resolver_;
    const Xapian::Database* names_db_ = nullptr;
    mutable std::vector<std::uint32_t> item_counts_, day_counts_;  // by index into columns_
    mutable std::vector<std::size_t> name_counts_;                 // by the memo's name number
    Xapian::doccount seen_ = 0;
    mutable Counts people_;  // display name -> articles; a person's count is the sum over its names

    mutable DateCounts dates_;  // publication day -> articles
    // Dates mentioned, per article at each granularity (year, month, day buckets, with
    // a value known only to a coarser level kept at its own: 20240400 is a month), so
    // that an article counts once per bucket.
    std::array<DateCounts, 3> mentioned_;
    std::uint32_t mentioned_first_ = 0, mentioned_last_ = 0;  // span of the values
};

// Publication days (YYYYMMDD numbers) counted into buckets at `interval` (Auto: years
// over more than 3 years, months over more than 3 months, else days), every bucket from
// the first to the last that holds a day, empty ones with 0. More than 20,000 buckets
// take the next coarser interval. `interval_used` receives "year", "month", "week" or
// "day" ("" when there is no date).
std::vector<FacetCount> publication_histogram(const FacetSpy::DateCounts& days, DateInterval interval,
                                              std::string* interval_used);

// Groups "YYYYMMDD" counts into year, month or day buckets chosen by the span.
std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days);

}  // namespace depeche
