// People extraction: the lexicon (see people_internal.hpp): character helpers, the curated
// lists of indexer/lexicon and the hunspell dictionary with its suffix rules.
#include "indexer/people_internal.hpp"

#include "schema/lexicon.hpp"
#include "schema/person_key.hpp"
#include "schema/text.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace depeche {
namespace tx = depeche::text;
namespace people {

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
        "I",    "II",  "III", "IV",  "V",    "VI",    "VII", "VIII", "IX",  "X",    "XI",    "XII",
        "XIII", "XIV", "XV",  "XVI", "XVII", "XVIII", "XIX", "XX",   "XXI", "XXII", "XXIII", "XXIV"};
    return std::find(romans.begin(), romans.end(), s) != romans.end();
}

// ---------------------------------------------------------------------------------------------
// Hunspell: common-word recognition with suffix rules (reverse application, as hunspell does).

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
    static const StringSet s = {"al",  "el",  "ad",  "ar",   "as", "ash", "an",  "at", "az", "ben",
                                "bin", "abu", "ibn", "ould", "ag", "bou", "abd", "ul", "ud"};
    return s;
}

}  // namespace people

// The lines of lexicon file `name`, from `dir` or, when dir is empty, compiled in.
std::vector<std::string> PeopleExtractor::Impl::read_lines(const std::string& dir, std::string_view name) {
    std::string text;
    try {
        text = lexicon::read(dir, name);
    } catch (const std::runtime_error& e) { throw std::runtime_error(std::string("PeopleExtractor: ") + e.what()); }
    std::vector<std::string> out;
    lexicon::for_each_line(text, [&](std::string_view line) { out.emplace_back(line); });
    return out;
}

void PeopleExtractor::Impl::load_lexicon(const std::string& dir) {
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

void PeopleExtractor::Impl::add_gaz_surname(const std::string& k, std::size_t idx) {
    auto& v = gaz_surname[k];
    if (std::find(v.begin(), v.end(), idx) == v.end()) v.push_back(idx);
}

std::string PeopleExtractor::Impl::join(const std::vector<std::string>& v, std::size_t b, std::size_t e) {
    std::string out;
    for (std::size_t i = b; i < e; ++i) {
        if (i > b) out.push_back(' ');
        out += v[i];
    }
    return out;
}

// Folded key of one name word: dots removed ("J." -> "j").
std::string PeopleExtractor::Impl::key_of_word(std::string_view w) {
    std::string f = fold(w);
    f.erase(std::remove(f.begin(), f.end(), '.'), f.end());
    return f;
}

void PeopleExtractor::Impl::load_hunspell(const std::string& dic_path) {
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

bool PeopleExtractor::Impl::has_flag(std::string_view flags, const std::array<char, 2>& flag) {
    for (std::size_t i = 0; i + 1 < flags.size(); i += 2)
        if (flags[i] == flag[0] && flags[i + 1] == flag[1]) return true;
    return false;
}

// Is this lower-case word (accents kept) a French common word, in any inflected form?
bool PeopleExtractor::Impl::is_common_lower(std::string_view w) const {
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

bool PeopleExtractor::Impl::is_first_name(const std::string& f) const {
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

bool PeopleExtractor::Impl::is_demonym(std::string_view f) const {
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

bool PeopleExtractor::Impl::is_role(std::string_view f) const {
    if (roles.count(f)) return true;
    if (f.size() > 1 && (f.back() == 's' || f.back() == 'x')) return roles.count(f.substr(0, f.size() - 1)) > 0;
    return false;
}

}  // namespace depeche
