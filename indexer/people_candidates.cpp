// People extraction: candidate detection (see people_internal.hpp and the pipeline in
// people.cpp): tokens, honorifics, capitalised chunks, evidence.
#include "indexer/people_internal.hpp"

#include "schema/text.hpp"

#include <unicode/uchar.h>

#include <algorithm>

namespace depeche {
namespace tx = depeche::text;
namespace people {
namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

enum class Kind : uint8_t { Word, Number, Punct };

struct Token {
    std::size_t b = 0, e = 0;
    Kind kind = Kind::Punct;
    UChar32 punct = 0;     // for Punct tokens
    bool cap = false;      // first letter is upper case (or "al-Assad" style)
    bool allcaps = false;  // at least two letters, all upper case
    bool elision = false;  // "d'", "l'", "qu'" ... (text includes the apostrophe)
    bool newline_before = false;
    bool sent_start = false;
    std::string f;  // folded text
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
    return c == '"' || c == 0xAB || c == 0xBB || c == 0x201C || c == 0x201D || c == 0x201E || c == '(' || c == ')' ||
           c == '[' || c == ']' || c == 0x2013 || c == 0x2014 || c == '-' || c == '*' || c == 0x2022 || c == '\'' ||
           c == 0x2019;
}

struct Analyser {
    const PeopleExtractor::Impl& L;
    std::string_view text;
    std::vector<Token> T;
    // lazily computed word classes
    enum : uint16_t {
        cFirst = 1,
        cCommon = 2,
        cProper = 4,
        cNonPerson = 8,
        cSurname = 16,
        cComputed = 32,
    };
    std::vector<uint16_t> cls;

    Analyser(const PeopleExtractor::Impl& lex, std::string_view t) : L(lex), text(t), T(tokenize(t)) {
        cls.assign(T.size(), 0);
        mark_sentences();
    }

    std::string_view tok_text(std::size_t i) const { return text.substr(T[i].b, T[i].e - T[i].b); }

    bool is_punct(std::size_t i, UChar32 c) const {
        return i < T.size() && T[i].kind == Kind::Punct && T[i].punct == c;
    }
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
        if (L.non_person.count(f) || f.rfind("saint-", 0) == 0 || f.rfind("sainte-", 0) == 0 || f.rfind("st-", 0) == 0)
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
                if (!L.proper_nonperson.count(part) && !L.is_common_lower(lower(tt.substr(b, e - b))))
                    all_places = false;
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
        return i < T.size() && T[i].kind == Kind::Word && !T[i].cap &&
               (T[i].elision ? T[i].f == "d'" : L.particles.count(T[i].f) > 0);
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
            "a",    "à",      "au",    "aux",  "avec", "par",   "pour",  "que",    "qu'",     "qui",   "dont", "ou",
            "où",   "et",     "mais",  "ni",   "est",  "sont",  "était", "ont",    "se",      "s'",    "sur",  "dans",
            "en",   "contre", "entre", "chez", "vers", "sans",  "sous",  "selon",  "apres",   "avant", "il",   "elle",
            "on",   "ils",    "elles", "ce",   "c'",   "cette", "ces",   "son",    "sa",      "ses",   "leur", "leurs",
            "ne",   "n'",     "y",     "plus", "tres", "comme", "lors",  "depuis", "pendant", "j'",    "je",   "nous",
            "vous", "lui",    "si",    "fait", "dit",  "ete",   "etait", "sera",   "avait"};
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
    bool make_candidate(const std::vector<Part>& all_parts, uint8_t evidence, const std::string& hon, Candidate& out) {
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
            bool strip =
                demonym || role || (c & (cCommon | cProper)) ||
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
            bool last_ok = !(clast & (cNonPerson)) && !(T[parts.back().tb].allcaps && !(clast & cSurname) &&
                                                        T[parts.back().tb].e - T[parts.back().tb].b <= 3);
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
            if (chunk_can_start(i, false) ||
                (is_particle(i) && i > 0 && role_word(i - 1) && chunk_can_start(i, true))) {
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

}  // namespace

void collect_candidates(const PeopleExtractor::Impl& L, std::string_view text, std::vector<Candidate>& out) {
    Analyser(L, text).collect(out);
}

}  // namespace people
}  // namespace depeche
