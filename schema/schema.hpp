// The index contract: every term prefix, value slot, metadata key and query field, and
// how each field is indexed and queried, as data.
//
// The indexer builds documents by walking kFields (indexer/document.cpp) and the query
// parser resolves a field name to its row and dispatches on the row's Indexing
// (searcher/query_parser.cpp): no code names a field, so the two cannot disagree. Adding
// a field is one row of kFields; a value slot one row of kSlots (and a constant to name
// it); a metadata key one row of kMetaKeys. The uniqueness rules below are checked at
// compile time. Value slots are never renumbered: a change of meaning bumps kVersion.
#pragma once

#include "schema/stored.hpp"

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <xapian.h>

namespace depeche::schema {

// Bumped whenever terms, slots or stored data change meaning: older indexes are refused.
inline constexpr int kVersion = 6;

// ---- Metadata keys ------------------------------------------------------------------------
inline constexpr const char* kMetaSchema = "depeche.schema";
inline constexpr const char* kMetaAnalyzer = "depeche.analyzer";
inline constexpr const char* kMetaUpdated = "depeche.updated";
// Tables that Xapian creates only once they hold something, recorded when they first
// appear ("position synonym"): one of them missing later is damage, not an index
// without phrases or accents (docs/schema.md).
inline constexpr const char* kMetaTables = "depeche.tables";
// What the index knows about an input file: kMetaFilePrefix + absolute path (or "#" and
// a hash of it when long) -> "SIZE MTIME_NS HASH\nPATH".
inline constexpr const char* kMetaFilePrefix = "depeche.file:";
// Compression dictionaries of the stored data: kMetaDictPrefix + decimal id, the id
// being derived from the dictionary's content (dictionary_id, schema 6), so that the
// same id names the same dictionary in every index or shard.
inline constexpr const char* kMetaDictPrefix = "depeche.zdict.";
// The id (decimal) of the dictionary new records are compressed with (schema 6).
inline constexpr const char* kMetaDictCurrent = "depeche.compression";
// The forms table: kFormsKey + stem -> every exact form indexed with that stem, joined
// by U+001F ("Zelect" -> "elect\x1felection\x1felections..."); a query word searches
// those forms as one term (OP_SYNONYM). The spelling table (Xapian's synonym table) maps
// a folded word to the stems of its accented spellings.
inline constexpr std::string_view kFormsKey = "Z";
// The texts of whole-value terms: kFieldValueKey + term -> the field's normalised text.
inline constexpr std::string_view kFieldValueKey = "V";
// A sharded index (schema/shards.hpp): its lexicon database records "N INDEX-ID" (the
// number of shards and an id drawn when the layout was made), each shard "K N INDEX-ID"
// (its number from 0), so that a shard from another index or in the wrong place is seen.
inline constexpr const char* kMetaShards = "depeche.shards";
inline constexpr const char* kMetaShard = "depeche.shard";
// In a year partition's shard: the id terms of articles just moved into it whose copy in
// their former shard may still be there (deleted once this shard is committed). Set in
// the commit that brings them, cleared once their old copies are deleted; a writer that
// finds it set (a crash in between) deletes those copies when it opens the index.
inline constexpr const char* kMetaMovedIn = "depeche.moved_in";

struct MetaKey {
    std::string_view key;
    bool is_prefix;  // a family of keys: this prefix and a suffix
    std::string_view holds;
    // Added within a schema version: an index made before it lacks the key, which reads
    // as empty and changes no term, so the key stays out of the analyzer fingerprint
    // (describe(false)) and such indexes are not refused.
    bool optional = false;
};
inline constexpr MetaKey kMetaKeys[] = {
    {kMetaSchema, false, "schema version (kVersion)"},
    {kMetaAnalyzer, false, "analyzer fingerprint"},
    {kMetaUpdated, false, "UTC time of the last commit"},
    {kMetaTables, false, "optional Xapian tables the index has held"},
    {kMetaFilePrefix, true, "+path: size, mtime and content hash of an input file"},
    {kMetaDictPrefix, true, "+id: a zstd dictionary of the stored data"},
    {kMetaDictCurrent, false, "id of the dictionary new records use"},
    {kFormsKey, true, "+stem: the exact forms indexed with that stem"},
    {kFieldValueKey, true, "+whole-value term: the field's text"},
    {kMetaShards, false, "sharded index, in its lexicon: shard count and index id"},
    {kMetaShard, false, "sharded index, in each shard: its number, the count and the index id"},
    {kMetaMovedIn, false, "sharded index, in a shard: articles moved in, their old copies not yet deleted", true},
};

// Lists in value slots (people, mentioned dates), the forms table and the stored people:
// items joined by U+001F (schema/terms.hpp: append_item, for_each_item).
inline constexpr char kListSeparator = '\x1f';

// ---- Value slots --------------------------------------------------------------------------
struct SlotInfo {
    Xapian::valueno slot;
    std::string_view name;
    std::string_view holds;
};
inline constexpr SlotInfo kSlots[] = {
    {0, "date", "publication date, YYYYMMDD or YYYYMMDDhhmmss, the source's local time: sorts as text"},
    {1, "people", "display names joined by U+001F, one per person key (facets)"},
    {2, "mentioned", "dates mentioned in the text, YYYYMMDD joined by U+001F (facets)"},
    {3, "day", "publication day YYYYMMDD (schema 6: ValueCountMatchSpy facets)"},
    {4, "rank", "tie-break key: 14 inverted date digits then the id (schema 6: newest first, then id)"},
    {5, "story", "story key, 16 hex digits (collapse key; indexer/story.hpp)"},
    {6, "story-signature", "MinHash signature of the body's shingles (indexer/story.hpp)"},
};
// The slot named `name` (a compile-time error if there is none).
consteval Xapian::valueno slot(std::string_view name) {
    for (const SlotInfo& s : kSlots)
        if (s.name == name) return s.slot;
    throw "schema: no such value slot";
}
inline constexpr Xapian::valueno kSlotDate = slot("date");
inline constexpr Xapian::valueno kSlotPeople = slot("people");
inline constexpr Xapian::valueno kSlotMentioned = slot("mentioned");
inline constexpr Xapian::valueno kSlotDay = slot("day");
inline constexpr Xapian::valueno kSlotRank = slot("rank");
inline constexpr Xapian::valueno kSlotStory = slot("story");
inline constexpr Xapian::valueno kSlotStorySignature = slot("story-signature");
inline constexpr Xapian::valueno kNoSlot = Xapian::BAD_VALUENO;

// ---- Terms ----------------------------------------------------------------------------------
// How a field is indexed, and so how a query on it is built.
enum class Indexing {
    // Analysed text: exact forms under the prefix (stems through the forms table), with
    // positions (phrases and NEAR by Xapian's operators). With body_wdf, the words go to
    // the unprefixed space as well, so that unfielded queries match them.
    Words,
    // Analysed text without positions, and one whole-value term (value_prefix and a hash
    // of the text; the metadata kFieldValueKey + term holds the text): phrases and NEAR
    // are matched on the index's distinct values.
    WordsAndValue,
    // The value as one term, byte for byte, cut to the term-length limit (bounded_term).
    Exact,
    // The prefix and an 11-character hash of the value (hashed_term).
    Hashed,
    // One term per person named in the article: the prefix and the person key; a query
    // is resolved across the index (searcher/people_resolver.hpp).
    PersonKey,
    // The publication date: year, month and day terms, and value slot `slot`; queried by
    // a range over the slot.
    PublicationDate,
    // Dates mentioned in the title and body: year, month and day terms; queried by a
    // range covered with whole years, months and days.
    MentionedDates,
    // The story key (indexer/story.hpp): one term, the prefix and 16 hex digits, and
    // value slot `slot` (Xapian's collapse key). The writer sets it from the signature of
    // the body (slot kSlotStorySignature); a query names one key.
    StoryKey,
};

// Weight of a title word relative to a body word (within-document frequency increment).
inline constexpr Xapian::termcount kTitleWdf = 4;
// Position gap between title and body so phrases never span them.
inline constexpr Xapian::termpos kBodyFirstPos = 1000;

struct Field {
    std::string_view id;      // internal name
    std::string_view prefix;  // term prefix ("" = the unprefixed space)
    Indexing indexing;
    std::string StoredArticle::*value = nullptr;  // the stored text the terms come from
    bool stemmed = false;                         // a query word matches every form of its stem
    bool positions = false;                       // Words: terms carry positions
    Xapian::termpos first_pos = 0;                // Words: position of the first word
    Xapian::termcount body_wdf = 0;               // Words: also in the unprefixed space with this wdf
    bool highlight = false;                       // matches are highlighted in snippets
    bool marks = false;                           // stored marks (every kMarkEvery-th word) locate its words
    std::string_view value_prefix{};              // WordsAndValue: prefix of the whole-value term
    Xapian::valueno slot = kNoSlot;               // the value slot it fills (PublicationDate: ranges over it)
    std::array<std::string_view, 3> names{};      // names users type before ':' ("" = unused)
};

// Year, month and day tags of date terms: under a date field's prefix, "Y"+YYYY,
// "M"+YYYYMM and "D"+YYYYMMDD (e.g. "DY2025", "DM202508", "DD20250815"; "XMD20250815" for
// mentioned dates).
inline constexpr std::string_view kYearTag = "Y";
inline constexpr std::string_view kMonthTag = "M";
inline constexpr std::string_view kDayTag = "D";
inline constexpr std::string_view kDateTags[] = {kYearTag, kMonthTag, kDayTag};

inline constexpr Field kFields[] = {
    {.id = "id", .prefix = "Q", .indexing = Indexing::Exact, .value = &StoredArticle::id, .names = {"id", "", ""}},
    {.id = "title",
     .prefix = "S",
     .indexing = Indexing::Words,
     .value = &StoredArticle::title,
     .stemmed = true,
     .positions = true,
     .body_wdf = kTitleWdf,
     .highlight = true,
     .names = {"title", "titre", ""}},
    {.id = "text",
     .prefix = "",
     .indexing = Indexing::Words,
     .value = &StoredArticle::text,
     .stemmed = true,
     .positions = true,
     .first_pos = kBodyFirstPos,
     .highlight = true,
     .marks = true,
     .names = {"", "", ""}},
    {.id = "author",
     .prefix = "A",
     .indexing = Indexing::WordsAndValue,
     .value = &StoredArticle::author,
     .stemmed = true,
     .value_prefix = "XVA",
     .names = {"author", "auteur", ""}},
    {.id = "source",
     .prefix = "XSRC",
     .indexing = Indexing::WordsAndValue,
     .value = &StoredArticle::source,
     .stemmed = true,
     .value_prefix = "XVS",
     .names = {"source", "", ""}},
    {.id = "person",
     .prefix = "XP",
     .indexing = Indexing::PersonKey,
     .slot = kSlotPeople,
     .names = {"person", "personne", ""}},
    {.id = "date", .prefix = "D", .indexing = Indexing::PublicationDate, .slot = kSlotDate, .names = {"date", "", ""}},
    {.id = "mentioned",
     .prefix = "XM",
     .indexing = Indexing::MentionedDates,
     .slot = kSlotMentioned,
     .names = {"mentioned", "mentionne", "mentionné"}},
    {.id = "url", .prefix = "U", .indexing = Indexing::Hashed, .value = &StoredArticle::url, .names = {"url", "", ""}},
    // absolute path of the input file
    {.id = "file",
     .prefix = "XF",
     .indexing = Indexing::Hashed,
     .value = &StoredArticle::path,
     .names = {"file", "fichier", ""}},
    {.id = "story", .prefix = "XK", .indexing = Indexing::StoryKey, .slot = kSlotStory, .names = {"story", "", ""}},
};

// Terms outside the fields: the files that also held an article kept from another one
// ("XD" + the hash of their path, as in their "XF" term; not searchable).
inline constexpr std::string_view kShadowFilePrefix = "XD";
inline constexpr std::string_view kOtherPrefixes[] = {kShadowFilePrefix};

// Field by query name ("titre", "Title"...), case-insensitive; nullptr if unknown.
const Field* field_by_name(std::string_view name);
// Field by internal id (a compile-time error if absent).
consteval const Field& field(std::string_view id) {
    for (const Field& f : kFields)
        if (f.id == id) return f;
    throw "schema: no such field";
}
// The field of unfielded queries: the unprefixed space.
inline constexpr const Field& kBodyField = field("text");
inline constexpr std::string_view kBodyPrefix = kBodyField.prefix;
inline constexpr std::string_view kIdPrefix = field("id").prefix;

// The first term of a term list that starts with `prefix`, "" when none: a document's id
// term (kIdPrefix), its file term.
inline std::string first_term_with(Xapian::TermIterator it, const Xapian::TermIterator& end, std::string_view prefix) {
    it.skip_to(std::string(prefix));
    return it != end && (*it).rfind(prefix, 0) == 0 ? *it : std::string();
}

// Names users can type, for error messages: "title, titre, author, ...".
std::string field_names();

// The whole index contract as canonical text, one rule per line: every field with every
// member of its row, every value slot, term prefix, tag, weight and metadata key. It goes
// into the analyzer fingerprint, so any change to the contract makes older indexes refused;
// the fingerprint takes it without the optional metadata keys (with_optional false).
std::string describe(bool with_optional = true);

// ---- Compile-time checks ----------------------------------------------------------------------
// Xapian's prefix convention: a prefix is capital letters, and the term's own text starts
// with something else (our words are case-folded; hashes and ids may start with a
// capital, which is why the set of prefixes must also be prefix-free: with "XS" and
// "XSRC" both in use, "XSRCx" could be either). So: every prefix is A-Z only, and no
// prefix that a term can follow with arbitrary text is a prefix of another. Date fields
// are checked with their tags ("DY", "XMD"...), since their terms always carry one. The
// unprefixed space holds case-folded words only, which never start with A-Z.
namespace detail {
constexpr bool capitals(std::string_view p) {
    for (char c : p)
        if (c < 'A' || c > 'Z') return false;
    return true;
}
constexpr bool is_date(const Field& f) {
    return f.indexing == Indexing::PublicationDate || f.indexing == Indexing::MentionedDates;
}
// Every prefix a term can start with, tags included: calls f on each.
template <class F>
constexpr void each_prefix(F&& f) {
    for (const Field& x : kFields) {
        if (x.prefix.empty()) continue;  // the unprefixed space: checked by the rule above
        if (!is_date(x))
            f(x.prefix, std::string_view{});
        else
            for (std::string_view tag : kDateTags) f(x.prefix, tag);
        if (!x.value_prefix.empty()) f(x.value_prefix, std::string_view{});
    }
    for (std::string_view p : kOtherPrefixes) f(p, std::string_view{});
}
constexpr bool starts(std::string_view a1, std::string_view a2, std::string_view b1, std::string_view b2) {
    // Whether a1+a2 starts with b1+b2, without building strings.
    if (a1.size() + a2.size() < b1.size() + b2.size()) return false;
    auto at = [&](std::size_t i, std::string_view x1, std::string_view x2) {
        return i < x1.size() ? x1[i] : x2[i - x1.size()];
    };
    for (std::size_t i = 0; i < b1.size() + b2.size(); ++i)
        if (at(i, a1, a2) != at(i, b1, b2)) return false;
    return true;
}
constexpr bool prefixes_ok() {
    bool ok = true;
    std::size_t i = 0;
    each_prefix([&](std::string_view a1, std::string_view a2) {
        ok = ok && capitals(a1) && capitals(a2) && !a1.empty();
        std::size_t j = 0;
        each_prefix([&](std::string_view b1, std::string_view b2) {
            if (j++ != i && starts(a1, a2, b1, b2)) ok = false;
        });
        ++i;
    });
    return ok;
}
constexpr bool body_unique() {
    std::size_t unprefixed = 0;
    for (const Field& f : kFields) unprefixed += f.prefix.empty();
    return unprefixed == 1 && kBodyField.prefix.empty();
}
constexpr bool names_unique() {
    constexpr std::size_t per = std::tuple_size_v<decltype(Field::names)>;
    for (std::size_t i = 0; i < std::size(kFields) * per; ++i)
        for (std::size_t j = i + 1; j < std::size(kFields) * per; ++j) {
            const std::string_view& n = kFields[i / per].names[i % per];
            const std::string_view& m = kFields[j / per].names[j % per];
            if (!n.empty() && n == m) return false;
        }
    return true;
}
constexpr bool fields_consistent() {
    for (const Field& f : kFields) {
        const bool text = f.indexing == Indexing::Words || f.indexing == Indexing::WordsAndValue;
        if (f.stemmed && !text) return false;
        if ((f.indexing == Indexing::WordsAndValue) != !f.value_prefix.empty()) return false;
        if (f.indexing == Indexing::PublicationDate && f.slot == kNoSlot) return false;
        const bool needs_value = text || f.indexing == Indexing::Exact || f.indexing == Indexing::Hashed;
        if (needs_value != (f.value != nullptr)) return false;
        if (f.positions && f.indexing != Indexing::Words) return false;
    }
    return true;
}
constexpr bool slots_unique() {
    for (std::size_t i = 0; i < std::size(kSlots); ++i)
        for (std::size_t j = i + 1; j < std::size(kSlots); ++j)
            if (kSlots[i].slot == kSlots[j].slot || kSlots[i].name == kSlots[j].name) return false;
    return true;
}
// No metadata key may start with another family's prefix, nor equal another key.
constexpr bool meta_keys_unique() {
    for (std::size_t i = 0; i < std::size(kMetaKeys); ++i)
        for (std::size_t j = 0; j < std::size(kMetaKeys); ++j) {
            if (i == j) continue;
            const MetaKey &a = kMetaKeys[i], &b = kMetaKeys[j];
            if (a.key == b.key) return false;
            if (b.is_prefix && a.key.starts_with(b.key)) return false;
        }
    return true;
}
}  // namespace detail
static_assert(detail::prefixes_ok(), "schema: a term prefix is not capitals, or is a prefix of another");
static_assert(detail::body_unique(), "schema: exactly one field, \"text\", may use the unprefixed space");
static_assert(detail::names_unique(), "schema: two fields share a query name");
static_assert(detail::fields_consistent(), "schema: a field's row does not fit its Indexing");
static_assert(detail::slots_unique(), "schema: duplicate value slot number or name");
static_assert(detail::meta_keys_unique(), "schema: a metadata key equals or starts with another family's");
// The checks themselves must be able to fail.
static_assert(detail::starts("XSRC", "", "XS", "") && !detail::starts("XS", "", "XSRC", ""));
static_assert(detail::starts("XM", "D", "XMD", "") && !detail::starts("XM", "Y", "XMD", ""));
static_assert(!detail::capitals("Xa"));

}  // namespace depeche::schema
