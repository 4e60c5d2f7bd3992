// Rule-based person extraction for French news. See people.hpp for the contract and the
// display-name policy; lexicon/README.md for the curated lists.
//
// Pipeline for one text:
//   1. tokenise (words with internal hyphens, elisions "d'" split off, one token per
//      punctuation mark), mark sentence starts;
//   2. find honorifics ("M.", "Mme", "MM." ...) and capitalised chunks (capitalised words,
//      initials "J.", internal particles "de", "von der", "d'");
//   3. turn each chunk into at most one candidate: drop leading common words, places and
//      demonyms ("Culture Rachida Dati" -> "Rachida Dati", "Britannique Chris Froome"), cut at
//      organisation/place words, look for evidence (honorific, role before the chunk,
//      demonym noun), classify as a full name or a short (surname-only) mention;
//   4. resolve within the article: full names merge when one extends the other; short
//      mentions attach to the full name whose surname they are; unresolved short mentions
//      survive only with evidence or when the curated people list knows the surname.
#include "indexer/people.hpp"

#include "schema/lexicon.hpp"
#include "schema/person_key.hpp"
#include "schema/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace depeche {
namespace tx = depeche::text;

namespace {

// ---------------------------------------------------------------------------------------------
// Unicode helpers

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

UChar32 next_cp(std::string_view s, std::size_t& i) { return static_cast<UChar32>(tx::decode(s, i)); }

UChar32 peek_cp(std::string_view s, std::size_t i) {
    if (i >= s.size()) return 0;
    return next_cp(s, i);
}

void append_cp(std::string& out, UChar32 c) { tx::append_utf8(out, static_cast<char32_t>(c)); }

bool is_apostrophe(UChar32 c) { return tx::is_apostrophe(static_cast<char32_t>(c)); }
bool is_hyphen(UChar32 c) { return tx::is_hyphen(static_cast<char32_t>(c)); }
bool is_letter(UChar32 c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return u_isalpha(c) || u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_COMBINING_SPACING_MARK;
}
bool is_digit(UChar32 c) { return c < 0x80 ? (c >= '0' && c <= '9') : u_isdigit(c) != 0; }
bool is_upper(UChar32 c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return u_isupper(c) || u_istitle(c);
}
bool is_space(UChar32 c) { return tx::is_space(static_cast<char32_t>(c)); }

std::string fold(std::string_view s) { return tx::fold(s); }

// Lower case keeping accents (the hunspell dictionary is written that way).
std::string lower(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        UChar32 c = next_cp(s, i);
        if (c < 0x80) {
            out.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c));
        } else if (is_apostrophe(c)) {
            out.push_back('\'');
        } else {
            append_cp(out, u_tolower(c));
        }
    }
    return out;
}

// "MACRON" -> "Macron", "LE DRIAN" parts likewise; hyphen parts each capitalised.
std::string titlecase(std::string_view s) {
    std::string out;
    bool start = true;
    for (std::size_t i = 0; i < s.size();) {
        UChar32 c = next_cp(s, i);
        if (is_letter(c)) {
            append_cp(out, start ? u_toupper(c) : u_tolower(c));
            start = false;
        } else {
            append_cp(out, c);
            start = true;
        }
    }
    return out;
}

std::string trim(std::string_view s) { return std::string(tx::trim(s)); }

std::vector<std::string> split_ws(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t b = i;
        UChar32 c = next_cp(s, i);
        if (is_space(c)) continue;
        std::size_t e = i;
        while (i < s.size()) {
            std::size_t k = i;
            UChar32 d = next_cp(s, k);
            if (is_space(d)) break;
            i = k;
            e = i;
        }
        out.emplace_back(s.substr(b, e - b));
    }
    return out;
}

bool is_roman(std::string_view s) {
    static const std::array<std::string_view, 24> romans = {
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
        "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV"};
    return std::find(romans.begin(), romans.end(), s) != romans.end();
}

// ---------------------------------------------------------------------------------------------
// Hunspell: common-word recognition with suffix rules (reverse application, as hunspell does).

struct SuffixRule {
    std::array<char, 2> flag{};
    std::string strip;
    std::vector<std::pair<bool, std::u32string>> cond;  // (negated, set); empty set = any char
};

std::vector<std::pair<bool, std::u32string>> parse_condition(std::string_view c) {
    std::vector<std::pair<bool, std::u32string>> out;
    if (c == ".") return out;
    std::size_t i = 0;
    while (i < c.size()) {
        UChar32 ch = next_cp(c, i);
        if (ch == '[') {
            bool neg = false;
            std::u32string set;
            if (i < c.size() && c[i] == '^') {
                neg = true;
                ++i;
            }
            while (i < c.size()) {
                UChar32 d = next_cp(c, i);
                if (d == ']') break;
                set.push_back(static_cast<char32_t>(d));
            }
            out.emplace_back(neg, set);
        } else if (ch == '.') {
            out.emplace_back(true, std::u32string());  // negated empty set: any char
        } else {
            out.emplace_back(false, std::u32string(1, static_cast<char32_t>(ch)));
        }
    }
    return out;
}

bool condition_matches(const std::vector<std::pair<bool, std::u32string>>& cond, std::string_view stem) {
    if (cond.empty()) return true;
    // Collect the last cond.size() code points of stem.
    std::vector<UChar32> cps;
    for (std::size_t i = 0; i < stem.size();) cps.push_back(next_cp(stem, i));
    if (cps.size() < cond.size()) return false;
    std::size_t off = cps.size() - cond.size();
    for (std::size_t k = 0; k < cond.size(); ++k) {
        const auto& [neg, set] = cond[k];
        bool in = set.find(static_cast<char32_t>(cps[off + k])) != std::u32string::npos;
        if (neg ? in : !in) return false;
    }
    return true;
}

const StringSet& arabic_prefixes() {
    static const StringSet s = {"al", "el", "ad", "ar", "as", "ash", "an", "at", "az", "ben", "bin", "abu", "ibn", "ould", "ag", "bou", "abd", "ul", "ud"};
    return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

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
    static std::vector<std::string> read_lines(const std::string& dir, std::string_view name) {
        std::string text;
        try {
            text = lexicon::read(dir, name);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string("PeopleExtractor: ") + e.what());
        }
        std::vector<std::string> out;
        lexicon::for_each_line(text, [&](std::string_view line) { out.emplace_back(line); });
        return out;
    }

    void load_lexicon(const std::string& dir) {
        for (const auto& line : read_lines(dir, "honorifics.txt")) {
            auto f = split_ws(line);
            if (f.size() < 2) continue;
            Honorific h;
            h.display = f[1];
            h.plural = f.size() > 2 && f[2] == "plural";
            std::string form = f[0];
            bool abbrev = form.back() == '.' || form.size() <= 3;
            if (form.back() == '.') {
                h.need_dot = true;
                form.pop_back();
            }
            if (abbrev)
                hon_abbrev.emplace(form, h);
            else
                hon_spelled.emplace(fold(form), h);
        }
        for (const auto& line : read_lines(dir, "roles.txt")) roles.insert(fold(line));
        for (const auto& line : read_lines(dir, "demonyms.txt")) demonyms.insert(fold(line));
        for (const auto& line : read_lines(dir, "particles.txt")) particles.insert(fold(line));
        for (const auto& line : read_lines(dir, "first_names.txt"))
            for (const auto& w : split_ws(line)) curated_first.insert(fold(w));
        for (const auto& line : read_lines(dir, "non_person.txt")) non_person.insert(fold(line));
        for (const auto& line : read_lines(dir, "foreign_words.txt"))
            for (const auto& w : split_ws(line)) foreign_common.insert(fold(w));
        for (const auto& line : read_lines(dir, "people.txt")) {
            GazetteerEntry e;
            auto bar = line.find('|');
            e.display = trim(line.substr(0, bar));
            if (bar != std::string::npos) e.female = trim(line.substr(bar + 1)) == "f";
            if (e.display.empty()) continue;
            std::size_t idx = gazetteer.size();
            gazetteer.push_back(e);
            auto words = split_ws(e.display);
            std::vector<std::string> keys;
            for (const auto& w : words) keys.push_back(key_of_word(w));
            gaz_full.emplace(join(keys, 0, keys.size()), idx);
            // Surname suffixes: "Tayyip Erdogan", "Erdogan"; "von der Leyen" but not "der Leyen"
            // nor "Leyen"; "de Gaulle" but not "Gaulle"; "ben Salmane" and "Salmane".
            std::size_t from = keys.size() == 1 ? 0 : 1;
            for (std::size_t s = from; s < keys.size(); ++s) {
                if (s >= 2 && particles.count(keys[s - 1]) && !arabic_prefixes().count(keys[s - 1])) continue;
                if (is_roman(words[s])) continue;
                add_gaz_surname(join(keys, s, keys.size()), idx);
            }
            // "al-Assad" is also "Assad".
            const std::string& last = keys.back();
            auto dash = last.find('-');
            if (keys.size() > 1 && dash != std::string::npos && arabic_prefixes().count(last.substr(0, dash)))
                add_gaz_surname(last.substr(dash + 1), idx);
        }
        // Spelling variants of a well-known surname are that surname too ("Putin" alone is a
        // person as "Poutine" is; the searcher shows it as "Poutine"). The file is optional,
        // for lexicon folders older than it.
        if (dir.empty() || std::ifstream(dir + "/aliases.txt")) {
            for (const auto& line : read_lines(dir, "aliases.txt")) {
                std::vector<std::string> forms;
                std::stringstream fields(line);
                for (std::string form; std::getline(fields, form, '|');) forms.push_back(fold(trim(form)));
                if (forms.size() < 2 || forms[0].find(' ') != std::string::npos) continue;
                auto known = gaz_surname.find(forms[0]);
                if (known == gaz_surname.end()) continue;
                const std::vector<std::size_t> entries = known->second;
                for (std::size_t k = 1; k < forms.size(); ++k)
                    if (!forms[k].empty() && forms[k].find(' ') == std::string::npos)
                        for (std::size_t idx : entries) add_gaz_surname(forms[k], idx);
            }
        }
    }

    void add_gaz_surname(const std::string& k, std::size_t idx) {
        auto& v = gaz_surname[k];
        if (std::find(v.begin(), v.end(), idx) == v.end()) v.push_back(idx);
    }

    static std::string join(const std::vector<std::string>& v, std::size_t b, std::size_t e) {
        std::string out;
        for (std::size_t i = b; i < e; ++i) {
            if (i > b) out.push_back(' ');
            out += v[i];
        }
        return out;
    }

    // Folded key of one name word: dots removed ("J." -> "j").
    static std::string key_of_word(std::string_view w) {
        std::string f = fold(w);
        f.erase(std::remove(f.begin(), f.end(), '.'), f.end());
        return f;
    }

    void load_hunspell(const std::string& dic_path) {
        std::ifstream dic(dic_path);
        if (!dic) return;
        std::string line;
        bool first = true;
        while (std::getline(dic, line)) {
            if (first) {  // entry count
                first = false;
                continue;
            }
            if (line.empty()) continue;
            std::size_t sp = line.find_first_of(" \t");
            std::string_view entry(line.data(), sp == std::string::npos ? line.size() : sp);
            std::string_view morph = sp == std::string::npos ? std::string_view() : std::string_view(line).substr(sp);
            std::size_t slash = entry.find('/');
            std::string_view word = entry.substr(0, slash);
            std::string_view flags = slash == std::string_view::npos ? std::string_view() : entry.substr(slash + 1);
            if (word.empty()) continue;
            std::size_t i0 = 0;
            UChar32 c0 = next_cp(word, i0);
            if (is_upper(c0)) {
                if (morph.find("po:titr") != std::string_view::npos) continue;
                std::string f = fold(word);
                if (morph.find("po:prn") != std::string_view::npos)
                    hun_first.insert(f);
                else if (morph.find("po:patr") != std::string_view::npos)
                    hun_surname.insert(f);
                else
                    proper_nonperson.insert(f);
            } else {
                auto [it, inserted] = stems.try_emplace(std::string(word), std::string(flags));
                if (!inserted) it->second.append(flags);
            }
        }
        std::string aff_path = dic_path;
        auto dot = aff_path.rfind('.');
        if (dot == std::string::npos) return;
        aff_path = aff_path.substr(0, dot) + ".aff";
        std::ifstream aff(aff_path);
        if (!aff) return;
        bool long_flags = false;
        while (std::getline(aff, line)) {
            if (line.rfind("FLAG", 0) == 0) {
                long_flags = line.find("long") != std::string::npos;
                continue;
            }
            if (line.rfind("SFX", 0) != 0) continue;
            auto f = split_ws(line);
            if (f.size() < 5) continue;  // header line "SFX xx Y n"
            if (!long_flags || f[1].size() != 2) continue;
            SuffixRule r;
            r.flag = {f[1][0], f[1][1]};
            r.strip = f[2] == "0" ? std::string() : f[2];
            std::string add = f[3].substr(0, f[3].find('/'));
            if (add == "0") add.clear();
            r.cond = parse_condition(f[4]);
            max_add = std::max(max_add, add.size());
            auto& groups = rules_by_add[add];
            auto g = std::find_if(groups.begin(), groups.end(), [&](const StripGroup& x) { return x.strip == r.strip; });
            if (g == groups.end()) {
                groups.push_back(StripGroup{r.strip, {}});
                g = groups.end() - 1;
            }
            g->rules.push_back(std::move(r));
            ++n_rules;
        }
    }

    static bool has_flag(std::string_view flags, const std::array<char, 2>& flag) {
        for (std::size_t i = 0; i + 1 < flags.size(); i += 2)
            if (flags[i] == flag[0] && flags[i + 1] == flag[1]) return true;
        return false;
    }

    // Is this lower-case word (accents kept) a French common word, in any inflected form?
    bool is_common_lower(std::string_view w) const {
        if (w.empty()) return false;
        if (stems.find(w) != stems.end()) return true;
        std::string stem;
        for (std::size_t k = 0; k <= w.size() && k <= max_add; ++k) {
            std::size_t cut = w.size() - k;
            if (cut == 0) break;
            if (cut < w.size() && (static_cast<unsigned char>(w[cut]) & 0xC0) == 0x80) continue;
            auto it = rules_by_add.find(w.substr(cut));
            if (it == rules_by_add.end()) continue;
            for (const auto& g : it->second) {
                stem.assign(w.substr(0, cut));
                stem += g.strip;
                auto st = stems.find(stem);
                if (st == stems.end()) continue;
                for (const auto& r : g.rules)
                    if (has_flag(st->second, r.flag) && condition_matches(r.cond, stem)) return true;
            }
        }
        return false;
    }

    bool is_first_name(const std::string& f) const {
        if (curated_first.count(f) || hun_first.count(f)) return true;
        // Compound first names: every part is a first name ("Jean-Yves", "Marie-Alix").
        if (f.find('-') == std::string::npos) return false;
        std::size_t b = 0;
        int parts = 0;
        while (b <= f.size()) {
            std::size_t e = f.find('-', b);
            if (e == std::string::npos) e = f.size();
            std::string part = f.substr(b, e - b);
            if (part.empty() || !(curated_first.count(part) || hun_first.count(part))) return false;
            ++parts;
            b = e + 1;
        }
        return parts >= 2;
    }

    bool is_demonym(std::string_view f) const {
        std::string w(f);
        if (demonyms.count(w)) return true;
        if (!w.empty() && (w.back() == 's' || w.back() == 'x')) {
            w.pop_back();
            if (demonyms.count(w)) return true;
        }
        if (!w.empty() && w.back() == 'e') {
            w.pop_back();
            if (demonyms.count(w)) return true;
            if (w.size() > 2 && w.back() == 'n' && w[w.size() - 2] == 'n') {  // italienne
                w.pop_back();
                if (demonyms.count(w)) return true;
            }
        }
        return false;
    }

    bool is_role(std::string_view f) const {
        if (roles.count(f)) return true;
        if (f.size() > 1 && (f.back() == 's' || f.back() == 'x')) return roles.count(f.substr(0, f.size() - 1)) > 0;
        return false;
    }

    // ---- per-text analysis
    Analysis analyse(std::string_view text, const std::vector<std::string>& meta) const;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

enum class Kind : uint8_t { Word, Number, Punct };

struct Token {
    std::size_t b = 0, e = 0;
    Kind kind = Kind::Punct;
    UChar32 punct = 0;          // for Punct tokens
    bool cap = false;           // first letter is upper case (or "al-Assad" style)
    bool allcaps = false;       // at least two letters, all upper case
    bool elision = false;       // "d'", "l'", "qu'" ... (text includes the apostrophe)
    bool newline_before = false;
    bool sent_start = false;
    std::string f;              // folded text
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> toks;
    toks.reserve(s.size() / 5 + 4);
    std::size_t i = 0;
    bool newline = true;
    while (i < s.size()) {
        std::size_t b = i;
        UChar32 c = next_cp(s, i);
        if (is_space(c)) {
            if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) newline = true;
            continue;
        }
        Token t;
        t.b = b;
        t.newline_before = newline;
        newline = false;
        if (is_letter(c) || is_digit(c)) {
            t.kind = is_letter(c) ? Kind::Word : Kind::Number;
            std::size_t word_start = b;
            std::size_t e = i;
            while (e < s.size()) {
                std::size_t k = e;
                UChar32 d = next_cp(s, k);
                if (is_letter(d) || is_digit(d)) {
                    e = k;
                    continue;
                }
                if (is_hyphen(d) || is_apostrophe(d)) {
                    UChar32 after = peek_cp(s, k);
                    if (!(is_letter(after) || is_digit(after))) break;
                    if (is_apostrophe(d)) {
                        std::string prefix = fold(s.substr(word_start, e - word_start));
                        bool upper_next = is_upper(after);
                        bool n_name = (prefix == "n" || prefix == "m") && upper_next &&
                                      is_upper(peek_cp(s, word_start));  // N'Diaye, M'Bala
                        if (tx::is_elision(prefix) && !n_name) {
                            Token el = t;
                            el.b = word_start;
                            el.e = k;
                            el.kind = Kind::Word;
                            el.elision = true;
                            el.f = prefix + "'";
                            toks.push_back(el);
                            t.newline_before = false;
                            word_start = k;
                            t.b = k;
                            t.kind = is_letter(after) ? Kind::Word : Kind::Number;
                            e = k;
                            continue;
                        }
                    }
                    e = k;
                    continue;
                }
                break;
            }
            t.e = e;
            i = e;
        } else {
            t.kind = Kind::Punct;
            t.punct = c;
            t.e = i;
        }
        std::string_view text = s.substr(t.b, t.e - t.b);
        t.f = fold(text);
        if (t.kind == Kind::Word) {
            std::size_t k = 0;
            UChar32 first = next_cp(text, k);
            t.cap = is_upper(first);
            int letters = 0, uppers = 0;
            for (std::size_t m = 0; m < text.size();) {
                UChar32 d = next_cp(text, m);
                if (is_letter(d)) {
                    ++letters;
                    if (is_upper(d)) ++uppers;
                }
            }
            t.allcaps = letters >= 2 && letters == uppers;
            if (!t.cap) {
                // "al-Assad", "ben-Gourion": lower-case Arabic article + capitalised name.
                auto dash = text.find('-');
                if (dash != std::string_view::npos && dash + 1 < text.size() &&
                    arabic_prefixes().count(fold(text.substr(0, dash))) && is_upper(peek_cp(text, dash + 1)))
                    t.cap = true;
            }
        }
        toks.push_back(std::move(t));
    }
    return toks;
}

bool is_sentence_punct(UChar32 c) { return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == ':' || c == ';'; }
bool is_quote_or_dash(UChar32 c) {
    return c == '"' || c == 0xAB || c == 0xBB || c == 0x201C || c == 0x201D || c == 0x201E || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == 0x2013 || c == 0x2014 || c == '-' || c == '*' || c == 0x2022 ||
           c == '\'' || c == 0x2019;
}

// ---------------------------------------------------------------------------------------------
// Candidates

enum Evidence : uint8_t { kNone = 0, kRole = 1, kHonorific = 2, kMeta = 3 };

struct Part {
    std::size_t tb, te;  // token range (te exclusive): a word, or an initial + its dot
    bool particle = false;
    bool initial = false;
};

struct Candidate {
    std::size_t b = 0, e = 0;         // byte range in the text
    std::vector<std::string> keys;    // folded words (particles included)
    std::vector<std::string> words;   // display words
    bool full = false;                // first name (or equivalent) + surname
    uint8_t evidence = kNone;
    std::string hon;                  // honorific display, if any
    bool sent_start = false;
    bool surname_known = false;       // hunspell po:patr (single-word mentions)
    long pos = 0;                     // order key (byte offset; metadata negative)
};

}  // namespace

namespace {

struct Analyser {
    const PeopleExtractor::Impl& L;
    std::string_view text;
    std::vector<Token> T;
    // lazily computed word classes
    enum : uint16_t {
        cFirst = 1, cCommon = 2, cProper = 4, cNonPerson = 8, cSurname = 16, cComputed = 32,
    };
    std::vector<uint16_t> cls;

    Analyser(const PeopleExtractor::Impl& lex, std::string_view t) : L(lex), text(t), T(tokenize(t)) {
        cls.assign(T.size(), 0);
        mark_sentences();
    }

    std::string_view tok_text(std::size_t i) const { return text.substr(T[i].b, T[i].e - T[i].b); }

    bool is_punct(std::size_t i, UChar32 c) const { return i < T.size() && T[i].kind == Kind::Punct && T[i].punct == c; }
    bool dot_after(std::size_t i) const { return i + 1 < T.size() && is_punct(i + 1, '.') && T[i + 1].b == T[i].e; }

    bool is_initial(std::size_t i) const {
        // "J." : one upper-case letter directly followed by a dot.
        if (T[i].kind != Kind::Word || !T[i].cap || !dot_after(i)) return false;
        std::size_t k = 0;
        auto tt = tok_text(i);
        next_cp(tt, k);
        return k == tt.size();
    }

    void mark_sentences() {
        bool boundary = true;
        for (std::size_t i = 0; i < T.size(); ++i) {
            Token& t = T[i];
            if (t.newline_before) boundary = true;
            if (t.kind == Kind::Punct) {
                if (is_sentence_punct(t.punct)) {
                    // "M." and initials do not end sentences.
                    bool abbrev = t.punct == '.' && i > 0 && T[i - 1].kind == Kind::Word && T[i - 1].e == t.b &&
                                  (L.hon_abbrev.count(tok_text(i - 1)) || is_initial(i - 1));
                    if (!abbrev) boundary = true;
                } else if (!is_quote_or_dash(t.punct)) {
                    boundary = false;
                }
                continue;
            }
            t.sent_start = boundary;
            boundary = false;
        }
    }

    StringMap<uint16_t> cache;  // token text -> classes, for words repeated in the text

    uint16_t classes(std::size_t i) {
        if (cls[i] & cComputed) return cls[i];
        auto cached = cache.find(tok_text(i));
        if (cached != cache.end()) return cls[i] = cached->second;
        uint16_t c = compute_classes(i);
        cache.emplace(std::string(tok_text(i)), c);
        return cls[i] = c;
    }

    uint16_t compute_classes(std::size_t i) const {
        uint16_t c = cComputed;
        const std::string& f = T[i].f;
        if (L.is_first_name(f)) c |= cFirst;
        if (L.hun_surname.count(f) || L.gaz_surname.count(f)) c |= cSurname;
        if (L.proper_nonperson.count(f)) c |= cProper;
        if (L.non_person.count(f) || f.rfind("saint-", 0) == 0 || f.rfind("sainte-", 0) == 0 ||
            f.rfind("st-", 0) == 0)
            c |= cNonPerson;
        else if (f.find('-') != std::string::npos && !(c & cFirst)) {
            // "Charles-de-Gaulle", "Saint-Pierre-d'Arène", "Île-de-France": a place (French
            // article or preposition inside); "Jong-un", "Ferrand-Prévot" are names.
            static const StringSet inner = {"de", "du", "des", "la", "le", "les", "sur", "sous", "en", "aux", "d'"};
            auto tt = tok_text(i);
            std::size_t b = 0;
            bool all_places = true;  // "Provence-Alpes-Côte": every part a place or a common word
            while (b < tt.size()) {
                std::size_t e = tt.find('-', b);
                if (e == std::string_view::npos) e = tt.size();
                std::string part = fold(tt.substr(b, e - b));
                if (L.non_person.count(part)) c |= cNonPerson;
                if (b > 0 && (inner.count(part) || part.rfind("d'", 0) == 0)) c |= cNonPerson;
                if (!L.proper_nonperson.count(part) && !L.is_common_lower(lower(tt.substr(b, e - b)))) all_places = false;
                if (L.is_first_name(part) || L.hun_surname.count(part) || L.gaz_surname.count(part)) all_places = false;
                b = e + 1;
            }
            if (all_places) c |= cNonPerson;
        }
        if (L.foreign_common.count(f) || L.is_common_lower(lower(tok_text(i)))) c |= cCommon;

        return c;
    }

    bool is_name_word(std::size_t i) const {
        return i < T.size() && T[i].kind == Kind::Word && T[i].cap && !T[i].elision;
    }
    bool is_particle(std::size_t i) const {
        return i < T.size() && T[i].kind == Kind::Word && !T[i].cap && (T[i].elision ? T[i].f == "d'" : L.particles.count(T[i].f) > 0);
    }
    bool adjacent(std::size_t i) const { return i < T.size() && !T[i].newline_before; }

    // Honorific at token i? Returns the token after it (and its dot), or 0 when none.
    const PeopleExtractor::Impl::Honorific* honorific_at(std::size_t i, std::size_t& next) const {
        if (T[i].kind != Kind::Word || T[i].elision) return nullptr;
        auto tt = tok_text(i);
        const PeopleExtractor::Impl::Honorific* h = nullptr;
        if (auto it = L.hon_abbrev.find(tt); it != L.hon_abbrev.end()) {
            h = &it->second;
            if (h->need_dot && !dot_after(i)) return nullptr;
            next = dot_after(i) ? i + 2 : i + 1;
        } else if (auto it2 = L.hon_spelled.find(T[i].f); it2 != L.hon_spelled.end()) {
            h = &it2->second;
            next = i + 1;
        }
        if (h == nullptr) return nullptr;
        if (next >= T.size() || T[next].newline_before || !chunk_can_start(next, true)) return nullptr;
        std::size_t after = 0;
        if (next + 1 < T.size() && honorific_at_simple(next, after)) return nullptr;  // "Mme Monsieur X"
        return h;
    }

    // Is token i an honorific form (without looking at what follows)?
    bool honorific_at_simple(std::size_t i, std::size_t& next) const {
        if (T[i].kind != Kind::Word || T[i].elision) return false;
        if (auto it = L.hon_abbrev.find(tok_text(i)); it != L.hon_abbrev.end()) {
            if (it->second.need_dot && !dot_after(i)) return false;
            next = dot_after(i) ? i + 2 : i + 1;
            return true;
        }
        if (L.hon_spelled.count(T[i].f)) {
            next = i + 1;
            return true;
        }
        return false;
    }

    bool chunk_can_start(std::size_t i, bool after_evidence) const {
        if (i >= T.size()) return false;
        if (is_name_word(i)) return true;
        if (after_evidence && is_particle(i)) {
            std::size_t j = i + 1;
            if (j < T.size() && is_particle(j)) ++j;
            return is_name_word(j) && adjacent(j);
        }
        return false;
    }

    // Builds the chunk starting at i: parts and the index one past it.
    std::size_t build_chunk(std::size_t i, std::vector<Part>& parts) const {
        parts.clear();
        std::size_t j = i;
        while (j < T.size()) {
            if (j > i && T[j].newline_before) break;
            std::size_t after_hon = 0;
            if (j > i && honorific_at(j, after_hon) != nullptr) break;  // "Selon M. Fillon", "Le Dr Dupuis"
            if (is_name_word(j)) {
                if (is_initial(j)) {
                    parts.push_back({j, j + 2, false, true});
                    j += 2;
                } else {
                    parts.push_back({j, j + 1, false, false});
                    ++j;
                }
                continue;
            }
            if (is_particle(j)) {
                // up to two particles, then a name word ("von der Leyen", "de La Fontaine")
                std::size_t k = j + 1;
                if (k < T.size() && is_particle(k) && !T[k].newline_before) ++k;
                bool ok = k < T.size() && is_name_word(k) && !T[k].newline_before;
                bool allowed_start = parts.empty() && j == i;
                if (ok && (!parts.empty() || allowed_start)) {
                    for (std::size_t m = j; m < k; ++m) parts.push_back({m, m + 1, true, false});
                    j = k;
                    continue;
                }
            }
            break;
        }
        return j;
    }

    // Evidence from the words before token i: a role ("le président", "la ministre de la
    // Culture"), possibly with adjectives between. Returns true if found; sets plural.
    bool role_before(std::size_t i, bool& plural) const {
        static const StringSet breakers = {
            "a", "à", "au", "aux", "avec", "par", "pour", "que", "qu'", "qui", "dont", "ou", "où", "et", "mais",
            "ni", "est", "sont", "était", "ont", "se", "s'", "sur", "dans", "en", "contre", "entre", "chez", "vers",
            "sans", "sous", "selon", "apres", "avant", "il", "elle", "on", "ils", "elles", "ce", "c'", "cette",
            "ces", "son", "sa", "ses", "leur", "leurs", "ne", "n'", "y", "plus", "tres", "comme", "lors", "depuis",
            "pendant", "j'", "je", "nous", "vous", "lui", "si", "fait", "dit", "ete", "etait", "sera", "avait"};
        int lower_words = 0;
        std::size_t j = i;
        while (j > 0) {
            if (T[j].newline_before) return false;
            --j;
            const Token& t = T[j];
            if (t.kind != Kind::Word) return false;
            if (L.is_role(t.f) && !t.elision) {
                plural = t.f.size() > 1 && (t.f.back() == 's' || t.f.back() == 'x') && !L.roles.count(t.f);
                return true;
            }
            if (t.f == "de" || t.f == "d'" || t.f == "du" || t.f == "des" || t.f == "la" || t.f == "le" ||
                t.f == "l'" || t.f == "les")
                continue;
            if (t.cap) {
                // capitalised complement words: "ministre de l'Intérieur", "président du Conseil européen"
                if (++lower_words > 4) return false;
                continue;
            }
            if (breakers.count(t.f)) return false;
            if (++lower_words > 3) return false;
        }
        return false;
    }

    bool determiner_before(std::size_t i) const {
        if (i == 0 || T[i].newline_before) return false;
        const std::string& f = T[i - 1].f;
        return f == "le" || f == "la" || f == "l'" || f == "les" || f == "du" || f == "au" || f == "aux" ||
               f == "des" || f == "un" || f == "une" || f == "son" || f == "sa" || f == "leur" || f == "notre" ||
               f == "votre" || f == "ses" || f == "ce" || f == "cette";
    }

    // "Paris, 15 mai": token i followed by a comma and a number.
    bool dateline_at(std::size_t i) const {
        return i + 2 < T.size() && is_punct(i + 1, ',') && T[i + 2].kind == Kind::Number;
    }

    std::vector<std::string> part_keys(const std::vector<Part>& parts) const {
        std::vector<std::string> keys;
        for (const auto& p : parts)
            keys.push_back(PeopleExtractor::Impl::key_of_word(text.substr(T[p.tb].b, T[p.te - 1].e - T[p.tb].b)));
        return keys;
    }

    // Turns a chunk into a candidate. Returns false when it holds no person.
    bool make_candidate(const std::vector<Part>& all_parts, uint8_t evidence, const std::string& hon,
                        Candidate& out) {
        if (all_parts.empty()) return false;
        // Cut at organisation/place words: keep what follows the last one.
        std::size_t start = 0;
        for (std::size_t k = 0; k < all_parts.size(); ++k) {
            const Part& p = all_parts[k];
            if (!p.particle && !p.initial && (classes(p.tb) & cNonPerson)) start = k + 1;
        }
        std::vector<Part> parts(all_parts.begin() + static_cast<long>(start), all_parts.end());
        // "Noël de Strasbourg", "Pierre de Serbie", "Pr de Psychiatrie": a particle followed by a
        // place or a common word ends the name.
        // Leading particles ("le ministre de la Culture ...") are simply dropped.
        for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
            if (!parts[k].particle || parts[k + 1].particle) continue;
            uint16_t cn = classes(parts[k + 1].tb);
            if ((cn & (cCommon | cProper | cNonPerson)) && !(cn & (cSurname | cFirst))) {
                bool leading = std::all_of(parts.begin(), parts.begin() + static_cast<long>(k) + 1,
                                           [](const Part& p) { return p.particle; });
                if (leading) {
                    parts.erase(parts.begin(), parts.begin() + static_cast<long>(k) + 1);
                    k = static_cast<std::size_t>(-1);
                    continue;
                }
                // "Pierre de Serbie": a name before the particle ends there. "États-Unis d'Amérique
                // Donald Trump": no name before it, look after the place instead.
                bool name_before = !parts[0].particle && (classes(parts[0].tb) & cFirst);
                if (!name_before && k + 2 < parts.size() && !parts[k + 2].particle) {
                    parts.erase(parts.begin(), parts.begin() + static_cast<long>(k) + 2);
                    k = static_cast<std::size_t>(-1);
                    continue;
                }
                parts.resize(k);
                break;
            }
        }
        if (parts.empty()) return false;
        if (start > 0 && evidence == kRole) evidence = kNone;  // the role described the organisation
        // Strip leading common words, places, demonyms, roles, acronyms.
        while (!parts.empty()) {
            const Part& p = parts.front();
            if (p.particle) {
                if (evidence >= kHonorific && start == 0) break;  // "M. de Villepin"
                // "le général de Gaulle": a well-known surname with its particle.
                if (evidence >= kRole && start == 0 && parts.size() > 1 && !parts.back().particle &&
                    L.gaz_surname.count(PeopleExtractor::Impl::join(part_keys(parts), 0, parts.size())))
                    break;
                parts.erase(parts.begin());
                continue;
            }
            if (p.initial) break;
            uint16_t c = classes(p.tb);
            bool more = parts.size() > 1;
            const Token& t = T[p.tb];
            // "Paris Anne Hidalgo": a place that is also a first name, before a first name.
            bool place_first = (c & cFirst) && (c & cProper) && parts.size() > 2 && !parts[1].particle &&
                               (classes(parts[1].tb) & cFirst) && !T[p.tb].sent_start;
            if ((c & cFirst) && more && !place_first) break;
            bool cap_particle = L.particles.count(t.f) && more && !parts[1].particle;  // "Le Drian"
            if (cap_particle) {
                uint16_t c2 = classes(parts[1].tb);
                if (!(c2 & (cCommon | cProper | cNonPerson)) || (c2 & cSurname) || evidence >= kHonorific) break;
            }
            bool demonym = L.is_demonym(t.f);
            bool role = L.is_role(t.f);
            bool next_first = more && !parts[1].particle && (classes(parts[1].tb) & cFirst);
            bool short_initials = t.allcaps && t.e - t.b <= 2 && evidence >= kRole;  // "JD Vance"
            bool strip = demonym || role || (c & (cCommon | cProper)) ||
                         (t.allcaps && !(c & cFirst) && more && !short_initials && (evidence < kHonorific || next_first));
            if (!strip) break;
            if (!more && !(demonym || role)) {
                // The last word: "M. Blanc", "le président Poutine" are people; "le président de la
                // République" is not.
                if (evidence >= kHonorific) break;
                if (evidence >= kRole && ((c & cSurname) || !(c & (cCommon | cProper)))) break;
                // "la Russie de Poutine", "les Trump, Poutine et ...": the surname of a
                // well-known person, even when it is also a common word; not a place
                // ("en Hollande"), nor after a determiner ("une borne"), nor a dateline
                // ("Rome, 15 mai", here misread "Borne, 15 mai").
                if (L.gaz_surname.count(t.f) && !t.allcaps && start == 0 && !(c & cProper) &&
                    !determiner_before(p.tb) && !dateline_at(p.tb))
                    break;
            }
            if ((demonym && (determiner_before(p.tb) || start == 0)) || role) {
                if (more && evidence == kNone && (role || determiner_before(p.tb))) evidence = kRole;
            }
            parts.erase(parts.begin());
        }
        while (!parts.empty() && parts.back().particle) parts.pop_back();
        if (parts.empty()) return false;

        std::size_t names = 0;
        for (const auto& p : parts)
            if (!p.particle) ++names;
        const Part& first = parts.front();
        uint16_t c0 = first.particle ? 0 : classes(first.tb);

        out = Candidate();
        out.b = T[parts.front().tb].b;
        out.e = T[parts.back().te - 1].e;
        out.evidence = evidence;
        out.hon = hon;
        out.sent_start = T[parts.front().tb].sent_start;
        out.pos = static_cast<long>(out.b);
        for (const auto& p : parts) {
            std::string w(text.substr(T[p.tb].b, T[p.te - 1].e - T[p.tb].b));
            out.words.push_back(T[p.tb].allcaps && w.size() >= 4 ? titlecase(w) : w);
            out.keys.push_back(PeopleExtractor::Impl::key_of_word(w));
        }
        bool cap_particle_first = !first.particle && L.particles.count(T[first.tb].f) > 0;
        std::string full_key = PeopleExtractor::Impl::join(out.keys, 0, out.keys.size());

        if (names >= 2 && !first.particle && !cap_particle_first) {
            bool gaz = L.gaz_full.count(full_key) > 0;
            uint16_t clast = classes(parts.back().tb);
            bool last_ok = !(clast & (cNonPerson)) && !(T[parts.back().tb].allcaps && !(clast & cSurname) && T[parts.back().tb].e - T[parts.back().tb].b <= 3);
            bool name_shaped = true;
            for (const auto& p : parts) {
                if (p.particle || p.initial) continue;
                if (&p != &parts.front() && L.particles.count(T[p.tb].f)) continue;  // "Le" in "Erwann Le Péchoux"
                uint16_t c = classes(p.tb);
                if ((c & (cCommon | cProper | cNonPerson)) && !(c & (cFirst | cSurname))) name_shaped = false;
                if (T[p.tb].allcaps && !(c & (cFirst | cSurname))) name_shaped = false;
                if (is_roman(tok_text(p.tb)) && &p == &parts.front()) name_shaped = false;
            }
            bool lead = (c0 & cFirst) || first.initial;
            // Initials need a real surname after them: not "C. La", "H. La Corée", "N. D. R.".
            if (first.initial) {
                const Part& lp = parts.back();
                if (lp.initial || lp.particle) return false;
                if ((clast & (cCommon | cProper)) && !(clast & (cSurname | cFirst))) return false;
            }
            if (gaz || (last_ok && (lead || evidence >= kRole || (clast & cSurname) || name_shaped))) {
                out.full = true;
                return true;
            }
            // Not a full name: maybe a surname made of several words after all? Give up.
            return false;
        }
        // Short mention: one name word (possibly with particles: "de Gaulle", "Le Pen").
        if (names == 1 && (c0 & cFirst) && !(c0 & cSurname) && evidence < kRole) return false;  // "Emmanuel"
        if (names == 1 && first.initial) return false;
        {
            // "M. X": a single letter is not a surname.
            std::size_t k = 0;
            auto lt = tok_text(parts.back().tb);
            next_cp(lt, k);
            if (k == lt.size()) return false;
        }
        // "Pr Histoire", "Dr Associé": after a professional title a common word is not a name.
        if (names == 1 && evidence == kHonorific && hon != "M." && hon != "Mme" && hon != "Mlle") {
            uint16_t cl = classes(parts.back().tb);
            if ((cl & (cCommon | cProper)) && !(cl & (cSurname | cFirst))) return false;
        }
        uint16_t clast = classes(parts.back().tb);
        if (evidence < kHonorific && (clast & (cCommon | cProper | cNonPerson)) && !(clast & cSurname) &&
            !L.gaz_surname.count(full_key))
            return false;
        if (T[parts.back().tb].allcaps && evidence < kHonorific && !L.gaz_surname.count(full_key)) return false;
        out.surname_known = (clast & cSurname) != 0;
        out.full = false;
        return true;
    }

    void collect(std::vector<Candidate>& cands) {
        std::vector<Part> parts;
        std::size_t i = 0;
        while (i < T.size()) {
            if (T[i].kind != Kind::Word) {
                ++i;
                continue;
            }
            std::size_t next = 0;
            if (const auto* h = honorific_at(i, next)) {
                std::size_t j = next;
                while (true) {
                    std::size_t end = build_chunk(j, parts);
                    Candidate c;
                    if (make_candidate(parts, kHonorific, h->display, c)) cands.push_back(std::move(c));
                    j = end;
                    if (!h->plural) break;
                    // "MM. Trump et Poutine", "MM. X, Y et Z"
                    std::size_t k = j;
                    if (k < T.size() && is_punct(k, ',')) ++k;
                    if (k < T.size() && T[k].f == "et") ++k;
                    if (k == j || !chunk_can_start(k, true)) break;
                    j = k;
                }
                i = std::max(j, i + 1);
                continue;
            }
            if (chunk_can_start(i, false) || (is_particle(i) && i > 0 && role_word(i - 1) && chunk_can_start(i, true))) {
                std::size_t end = build_chunk(i, parts);
                bool plural = false;
                uint8_t ev = role_before(i, plural) ? kRole : kNone;
                Candidate c;
                if (make_candidate(parts, ev, std::string(), c)) cands.push_back(std::move(c));
                std::size_t j = end;
                while (ev == kRole && plural) {
                    std::size_t k = j;
                    if (k < T.size() && is_punct(k, ',')) ++k;
                    if (k < T.size() && T[k].f == "et") ++k;
                    if (k == j || !chunk_can_start(k, false)) break;
                    j = build_chunk(k, parts);
                    if (make_candidate(parts, kRole, std::string(), c)) cands.push_back(std::move(c));
                }
                i = std::max(j, i + 1);
                continue;
            }
            ++i;
        }
    }

    bool role_word(std::size_t i) const { return T[i].kind == Kind::Word && L.is_role(T[i].f); }
};

struct Person {
    std::vector<std::string> keys;   // of the best (longest) full form, or of the short form
    std::vector<std::string> words;  // display words of the best form
    std::string hon;                 // honorific, for short-only persons
    bool full = false;
    bool from_gazetteer = false;
    long first_pos = 0;
    long last_pos = 0;
    std::vector<std::size_t> cands;  // indices of candidates attributed to this person
};

bool is_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
    if (shorter.empty() || shorter.size() > longer.size()) return false;
    return std::equal(shorter.rbegin(), shorter.rend(), longer.rbegin());
}

std::size_t display_length(const std::vector<std::string>& words) {
    std::size_t n = 0;
    for (const auto& w : words) n += w.size();
    return n;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty() && !(out.back() == '\'' || (out.size() >= 3 && out.compare(out.size() - 3, 3, "\xE2\x80\x99") == 0)))
            out.push_back(' ');
        out += w;
    }
    return out;
}

// Do two full names denote the same person? Same surname and compatible first words.
bool same_full(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a == b) return true;
    if (is_suffix(a, b) || is_suffix(b, a)) return true;
    if (a.back() != b.back()) return false;
    const std::string& fa = a.front();
    const std::string& fb = b.front();
    if (fa == fb) return true;
    // "J. Vance" / "JD Vance" / "James Vance": one first word is an initial of the other.
    if (fa.size() == 1 && !fb.empty() && fb[0] == fa[0]) return true;
    if (fb.size() == 1 && !fa.empty() && fa[0] == fb[0]) return true;
    return false;
}

}  // namespace

PeopleExtractor::Analysis PeopleExtractor::Impl::analyse(std::string_view text,
                                                         const std::vector<std::string>& meta) const {
    Analyser A(*this, text);
    std::vector<Candidate> cands;
    // Metadata names first (negative positions keep their order ahead of the text).
    long meta_pos = -static_cast<long>(meta.size()) - 1;
    for (const auto& m : meta) {
        ++meta_pos;
        auto words = split_ws(m);
        if (!words.empty() && words.size() > 1 && is_honorific_key(key_of_word(words.front()))) words.erase(words.begin());
        if (words.empty()) continue;
        Candidate c;
        c.words = words;
        for (const auto& w : words) c.keys.push_back(key_of_word(w));
        c.full = words.size() >= 2 && !particles.count(c.keys.front());
        c.evidence = kMeta;
        c.pos = meta_pos;
        cands.push_back(std::move(c));
    }
    std::size_t n_meta = cands.size();
    A.collect(cands);

    std::vector<Person> persons;
    std::vector<long> cand_person(cands.size(), -1);
    // 1. Full names.
    for (std::size_t ci = 0; ci < cands.size(); ++ci) {
        const Candidate& c = cands[ci];
        if (!c.full) continue;
        long found = -1;
        for (std::size_t p = 0; p < persons.size(); ++p)
            if (same_full(persons[p].keys, c.keys)) {
                found = static_cast<long>(p);
                break;
            }
        if (found < 0) {
            Person p;
            p.keys = c.keys;
            p.words = c.words;
            p.full = true;
            p.first_pos = p.last_pos = c.pos;
            persons.push_back(std::move(p));
            found = static_cast<long>(persons.size() - 1);
        } else {
            Person& p = persons[static_cast<std::size_t>(found)];
            bool longer = c.words.size() > p.words.size() ||
                          (c.words.size() == p.words.size() && display_length(c.words) > display_length(p.words));
            if (longer) {
                p.keys = c.keys;
                p.words = c.words;
            }
            p.first_pos = std::min(p.first_pos, c.pos);
            p.last_pos = std::max(p.last_pos, c.pos);
        }
        cand_person[ci] = found;
        persons[static_cast<std::size_t>(found)].cands.push_back(ci);
    }
    std::size_t n_full_persons = persons.size();
    // 2. Short mentions: attach to a full name whose surname they are, else to an earlier
    //    short-only person with the same key, else create one if there is evidence.
    for (std::size_t ci = 0; ci < cands.size(); ++ci) {
        const Candidate& c = cands[ci];
        if (c.full) continue;
        long best = -1;
        long best_score = 0;
        for (std::size_t p = 0; p < n_full_persons; ++p) {
            const Person& P = persons[p];
            bool match = P.keys.size() > c.keys.size() && is_suffix(c.keys, P.keys);
            // "Assad" for "Bachar al-Assad"
            if (!match && c.keys.size() == 1) {
                const std::string& last = P.keys.back();
                auto dash = last.find('-');
                if (dash != std::string::npos && arabic_prefixes().count(last.substr(0, dash)) &&
                    last.substr(dash + 1) == c.keys[0])
                    match = true;
            }
            if (!match) continue;
            // Prefer the person mentioned most recently before; else the first one after.
            long score = 0;
            long before = -1;
            for (std::size_t k : P.cands)
                if (cands[k].pos <= c.pos) before = std::max(before, cands[k].pos);
            score = before >= 0 ? 2000000000L + before : 1000000000L - P.first_pos;
            if (best < 0 || score > best_score) {
                best = static_cast<long>(p);
                best_score = score;
            }
        }
        if (best < 0) {
            for (std::size_t p = n_full_persons; p < persons.size(); ++p)
                if (persons[p].keys == c.keys) {
                    best = static_cast<long>(p);
                    break;
                }
        }
        if (best >= 0) {
            Person& P = persons[static_cast<std::size_t>(best)];
            P.first_pos = std::min(P.first_pos, c.pos);
            P.last_pos = std::max(P.last_pos, c.pos);
            if (P.hon.empty() && !c.hon.empty()) P.hon = c.hon;
            P.cands.push_back(ci);
            cand_person[ci] = best;
            continue;
        }
        Person p;
        p.keys = c.keys;
        p.words = c.words;
        p.hon = c.hon;
        p.first_pos = p.last_pos = c.pos;
        p.cands.push_back(ci);
        persons.push_back(std::move(p));
        cand_person[ci] = static_cast<long>(persons.size() - 1);
    }
    // 3. Short-only persons: keep those with evidence or a known surname; expand with the
    //    curated people list when it is unambiguous.
    std::vector<bool> keep(persons.size(), true);
    for (std::size_t p = n_full_persons; p < persons.size(); ++p) {
        Person& P = persons[p];
        uint8_t ev = kNone;
        for (std::size_t k : P.cands) ev = std::max(ev, cands[k].evidence);
        std::string key = join(P.keys, 0, P.keys.size());
        auto g = gaz_surname.find(key);
        if (g != gaz_surname.end()) {
            // A well-known surname: a person, unless the honorific contradicts every entry.
            bool female_hon = P.hon == "Mme" || P.hon == "Mlle";
            bool male_hon = P.hon == "M.";
            bool compatible = false;
            for (std::size_t idx : g->second) {
                const GazetteerEntry& e = gazetteer[idx];
                if (!(female_hon && !e.female) && !(male_hon && e.female)) compatible = true;
            }
            if (compatible) {
                P.from_gazetteer = true;
                continue;
            }
        }
        if (ev >= kRole) continue;
        keep[p] = false;
    }

    // Output in order of first mention.
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < persons.size(); ++p)
        if (keep[p]) order.push_back(p);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return persons[a].first_pos < persons[b].first_pos; });
    Analysis out;
    std::vector<long> out_index(persons.size(), -1);
    for (std::size_t p : order) {
        const Person& P = persons[p];
        std::string name = join_words(P.words);
        if (!P.full && !P.hon.empty()) name = P.hon + " " + name;
        out_index[p] = static_cast<long>(out.people.size());
        out.people.push_back(std::move(name));
    }
    for (std::size_t ci = n_meta; ci < cands.size(); ++ci) {
        long p = cand_person[ci];
        if (p < 0) continue;
        std::size_t pp = static_cast<std::size_t>(p);
        if (!keep[pp]) continue;
        if (out_index[pp] < 0) continue;
        out.mentions.push_back({cands[ci].b, cands[ci].e, static_cast<std::size_t>(out_index[pp])});
    }
    std::sort(out.mentions.begin(), out.mentions.end(),
              [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
    return out;
}

// ---------------------------------------------------------------------------------------------

PeopleExtractor::PeopleExtractor(const std::string& lexicon_dir, const std::string& hunspell_dic) {
    auto impl = std::make_unique<Impl>();
    impl->load_lexicon(lexicon_dir);
    if (!hunspell_dic.empty()) impl->load_hunspell(hunspell_dic);
    impl_ = std::move(impl);
}

PeopleExtractor::~PeopleExtractor() = default;
PeopleExtractor::PeopleExtractor(PeopleExtractor&&) noexcept = default;
PeopleExtractor& PeopleExtractor::operator=(PeopleExtractor&&) noexcept = default;

std::vector<std::string> PeopleExtractor::extract(std::string_view title, std::string_view body,
                                                  const std::vector<std::string>& meta_people) const {
    if (title.empty()) return impl_->analyse(body, meta_people).people;
    std::string text;
    text.reserve(title.size() + body.size() + 2);
    text.append(title);
    text.append("\n\n");
    text.append(body);
    return impl_->analyse(text, meta_people).people;
}

PeopleExtractor::Analysis PeopleExtractor::analyse(std::string_view text,
                                                   const std::vector<std::string>& meta_people) const {
    return impl_->analyse(text, meta_people);
}

std::vector<std::size_t> PeopleExtractor::lexicon_sizes() const {
    return {impl_->curated_first.size(), impl_->hun_first.size(),     impl_->hun_surname.size(),
            impl_->proper_nonperson.size() + impl_->non_person.size(), impl_->stems.size(),
            impl_->n_rules,                impl_->gazetteer.size()};
}

}  // namespace depeche
