// Person extraction, internal to indexer/people*: the lexicon (curated lists and hunspell,
// people_lexicon.cpp), candidate detection (people_candidates.cpp) and resolution within an
// article (people.cpp) share these types and helpers.
#pragma once

#include "indexer/people.hpp"

#include <unicode/umachine.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace depeche {
namespace people {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Characters and words, through the text layer (schema/text.hpp).
UChar32 next_cp(std::string_view s, std::size_t& i);
UChar32 peek_cp(std::string_view s, std::size_t i);
void append_cp(std::string& out, UChar32 c);
bool is_apostrophe(UChar32 c);
bool is_hyphen(UChar32 c);
bool is_letter(UChar32 c);
bool is_digit(UChar32 c);
bool is_upper(UChar32 c);
bool is_space(UChar32 c);
std::string fold(std::string_view s);
std::string lower(std::string_view s);
std::string titlecase(std::string_view s);
std::string trim(std::string_view s);
std::vector<std::string> split_ws(std::string_view s);
bool is_roman(std::string_view s);
std::vector<std::pair<bool, std::u32string>> parse_condition(std::string_view c);
bool condition_matches(const std::vector<std::pair<bool, std::u32string>>& cond, std::string_view stem);
const StringSet& arabic_prefixes();

// A hunspell suffix rule (applied in reverse, as hunspell does).
struct SuffixRule {
    std::array<char, 2> flag{};
    std::string strip;
    std::vector<std::pair<bool, std::u32string>> cond;  // (negated, set); empty set = any char
};

}  // namespace people

using namespace people;

struct PeopleExtractor::Impl {
    struct Honorific {
        std::string display;
        bool plural = false;
        bool need_dot = false;
    };
    struct GazetteerEntry {
        std::string display;
        bool female = false;
    };

    // Curated lists.
    StringMap<Honorific> hon_abbrev;   // exact text without the final dot -> honorific
    StringMap<Honorific> hon_spelled;  // folded spelled-out form -> honorific
    StringSet roles, demonyms, particles, curated_first, non_person, foreign_common;
    std::vector<GazetteerEntry> gazetteer;
    StringMap<std::size_t> gaz_full;                  // folded full name -> entry
    StringMap<std::vector<std::size_t>> gaz_surname;  // folded surname suffix -> entries
    // Hunspell.
    StringSet hun_first, hun_surname, proper_nonperson;
    StringMap<std::string> stems;  // lower-case word -> concatenated 2-char flags
    // Suffix rules grouped by the suffix they add, then by what they strip: a word ending in
    // "ées" is checked once per candidate stem, whatever the number of rules producing it.
    struct StripGroup {
        std::string strip;
        std::vector<SuffixRule> rules;
    };
    StringMap<std::vector<StripGroup>> rules_by_add;
    std::size_t n_rules = 0;
    std::size_t max_add = 0;  // longest suffix added by a rule, in bytes

    // ---- loading
    // The lines of lexicon file `name`, from `dir` or, when dir is empty, compiled in.
    static std::vector<std::string> read_lines(const std::string& dir, std::string_view name);

    void load_lexicon(const std::string& dir);

    void add_gaz_surname(const std::string& k, std::size_t idx);

    static std::string join(const std::vector<std::string>& v, std::size_t b, std::size_t e);

    // Folded key of one name word: dots removed ("J." -> "j").
    static std::string key_of_word(std::string_view w);

    void load_hunspell(const std::string& dic_path);

    static bool has_flag(std::string_view flags, const std::array<char, 2>& flag);

    // Is this lower-case word (accents kept) a French common word, in any inflected form?
    bool is_common_lower(std::string_view w) const;

    bool is_first_name(const std::string& f) const;

    bool is_demonym(std::string_view f) const;

    bool is_role(std::string_view f) const;

    // ---- per-text analysis
    Analysis analyse(std::string_view text, const std::vector<std::string>& meta) const;
};

namespace people {

// ---------------------------------------------------------------------------------------------
// Candidates

enum Evidence : uint8_t { kNone = 0, kRole = 1, kHonorific = 2, kMeta = 3 };

struct Part {
    std::size_t tb, te;  // token range (te exclusive): a word, or an initial + its dot
    bool particle = false;
    bool initial = false;
};

struct Candidate {
    std::size_t b = 0, e = 0;        // byte range in the text
    std::vector<std::string> keys;   // folded words (particles included)
    std::vector<std::string> words;  // display words
    bool full = false;               // first name (or equivalent) + surname
    uint8_t evidence = kNone;
    std::string hon;  // honorific display, if any
    bool sent_start = false;
    bool surname_known = false;  // hunspell po:patr (single-word mentions)
    long pos = 0;                // order key (byte offset; metadata negative)
};

// Appends the candidates of `text` (names with their evidence) found with the lexicon L.
void collect_candidates(const PeopleExtractor::Impl& L, std::string_view text, std::vector<Candidate>& out);

}  // namespace people
}  // namespace depeche
