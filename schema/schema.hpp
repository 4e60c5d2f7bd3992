// The one schema: every term prefix, value slot and user-facing query field.
//
// The indexer builds documents from this table and the query parser resolves field
// names through it, so the two cannot disagree. Prefixes follow Xapian's conventions
// (Q unique id, S title, A author, X... our own). Value slots are never
// renumbered: a change of meaning bumps kVersion.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <xapian.h>

namespace depeche::schema {

// Bumped whenever terms, slots or stored data change meaning: older indexes are refused.
inline constexpr int kVersion = 5;

// Metadata keys stored in the index.
inline constexpr const char* kMetaSchema = "depeche.schema";
inline constexpr const char* kMetaAnalyzer = "depeche.analyzer";
inline constexpr const char* kMetaUpdated = "depeche.updated";
// Tables that Xapian creates only once they hold something, recorded when they first
// appear ("position synonym"): one of them missing later is damage, not an index
// without phrases or accents (docs/schema.md).
inline constexpr const char* kMetaTables = "depeche.tables";
// Compression dictionaries of the stored data: kMetaDictPrefix + decimal id (1, 2...).
inline constexpr const char* kMetaDictPrefix = "depeche.zdict.";

// Value slots (Xapian::valueno). Never renumber.
enum Slot : Xapian::valueno {
    kSlotDate = 0,       // publication date, "YYYYMMDD" or "YYYYMMDDhhmmss", the source's local time: sorts as text
    kSlotPeople = 1,     // people: display names joined by \x1F, one per person_key (facets)
    kSlotMentioned = 2,  // dates mentioned in the text, serialised list of "YYYYMMDD" (facets)
    kSlotStory = 3,      // story key, 16 hex digits (collapse key; indexer/story.hpp)
    kSlotStorySignature = 4,  // MinHash signature of the body's shingles (indexer/story.hpp)
};

// The story key's term (indexer/story.hpp).
inline constexpr std::string_view kStoryPrefix = "XK";

// How a field is indexed and queried.
enum class Kind {
    Text,     // analysed text: positional exact terms under `prefix`; stems through the forms table
    Boolean,  // filter terms: the value analysed into one key, no positions, no weight
    Date,     // date ranges over a value slot and date terms
};

struct Field {
    std::string_view id;           // internal name
    std::string_view prefix;       // exact-form term prefix
    bool stemmed;                  // a query word matches every form of its stem
    Kind kind;
    std::array<std::string_view, 3> names;  // names users type before ':' ("" = unused)
};

// Whole-value terms of the short text fields (schema 5): each article has one for its
// author and one for its source, the prefix and an 11-character hash of the field's
// (normalised) text; the metadata key kFieldValueKey + term holds that text. A phrase or
// NEAR in these fields is matched against the index's distinct values, so that author
// and source words need no positions.
inline constexpr std::string_view kAuthorValuePrefix = "XVA";
inline constexpr std::string_view kSourceValuePrefix = "XVS";
inline constexpr std::string_view kFieldValueKey = "V";
// The whole-value prefix of field `id` ("author" or "source").
constexpr std::string_view field_value_prefix(std::string_view id) {
    return id == "author" ? kAuthorValuePrefix : kSourceValuePrefix;
}

// Text words of title and body also go under the default (empty) prefix so that an
// unfielded query matches both; title words count more (kTitleWdf).
inline constexpr std::string_view kBodyPrefix = "";
inline constexpr std::string_view kIdPrefix = "Q";

// Stems are not indexed as terms. The forms table, in the index's metadata, maps
// kFormsKey + stem to every exact form indexed with that stem, joined by U+001F
// ("Zelect" -> "elect\x1felection\x1felections\x1felectoral..."), and a query word
// searches those forms as one term (OP_SYNONYM). The spelling table (Xapian's synonym
// table) maps a folded word to the stems of its accented spellings.
inline constexpr std::string_view kFormsKey = "Z";

inline constexpr std::array<Field, 10> kFields{{
    {"id", "Q", false, Kind::Boolean, {"id", "", ""}},
    {"title", "S", true, Kind::Text, {"title", "titre", ""}},
    {"author", "A", true, Kind::Text, {"author", "auteur", ""}},
    {"source", "XSRC", true, Kind::Text, {"source", "", ""}},
    {"person", "XP", false, Kind::Boolean, {"person", "personne", ""}},
    {"date", "D", false, Kind::Date, {"date", "", ""}},
    {"mentioned", "XM", false, Kind::Date, {"mentioned", "mentionne", "mentionné"}},
    {"url", "U", false, Kind::Boolean, {"url", "", ""}},
    {"file", "XF", false, Kind::Boolean, {"file", "fichier", ""}},  // absolute path of the input file
    {"story", "XK", false, Kind::Boolean, {"story", "", ""}},  // story key (indexer/story.hpp)
}};

// Date terms: under a Date field's prefix, "Y"+YYYY, "M"+YYYYMM and "D"+YYYYMMDD are
// added (e.g. "DY2025", "DM202508", "DD20250815"; "XMD20250815" for mentioned dates).
inline constexpr std::string_view kYearTag = "Y";
inline constexpr std::string_view kMonthTag = "M";
inline constexpr std::string_view kDayTag = "D";

// Weight of a title word relative to a body word (within-document frequency increment).
inline constexpr Xapian::termcount kTitleWdf = 4;
// Position gap between title and body so phrases never span them.
inline constexpr Xapian::termpos kBodyFirstPos = 1000;

// Field by query name ("titre", "Title"...), case-insensitive; nullptr if unknown.
const Field* field_by_name(std::string_view name);
// Field by internal id; throws std::logic_error if absent (a programming error).
const Field& field(std::string_view id);

// Names users can type, for error messages: "title, titre, author, ...".
std::string field_names();

// The whole index contract as canonical text, one rule per line: every field with its
// prefix, kind and names, every value slot, tag, weight and metadata key. It goes into
// the analyzer fingerprint, so any change to the contract makes older indexes refused.
std::string describe();

// Compile-time check that prefixes are unique and no prefix is a prefix of
// another field's prefix in a way that could make terms ambiguous.
constexpr bool prefixes_unique() {
    for (std::size_t i = 0; i < kFields.size(); ++i)
        for (std::size_t j = i + 1; j < kFields.size(); ++j) {
            if (kFields[i].prefix == kFields[j].prefix) return false;
        }
    return true;
}
static_assert(prefixes_unique(), "schema: duplicate term prefix");

}  // namespace depeche::schema
