// extract_dates() (indexer/dates.hpp): the matchers of date mentions in running text and
// their resolution against the publication day. One Extractor per text; try_at() tries
// the matchers at each token, then fix_weekdays() revisits bare weekdays.
#include "indexer/date_matchers.hpp"
#include "indexer/dates.hpp"

#include <algorithm>
#include <cstdlib>

namespace depeche {
namespace {

using namespace dates;

// Which occurrence of a date without a year (or of a month without a year) is meant,
// relative to the publication day.
enum class Resolve {
    Window,        // within (pub - 10 months, pub + 2 months] (months: [- 9, + 2])
    FutureWindow,  // the clause is in the future: (pub - 5 months, pub + 7 months] ([- 4, + 7])
    Before,        // "dernier": strictly before
    OnOrBefore,    // "depuis le ...": on or before
    After,         // "prochain": strictly after
    OnOrAfter,     // "d'ici le ...": on or after
};

bool looks_back(Resolve r) { return r == Resolve::Before || r == Resolve::OnOrBefore; }

// Whether a candidate at `diff` from publication (days or months) suits dir; the caller
// says whether it lies in the usual window and in the future-clause window.
bool accepts(Resolve dir, long diff, bool in_window, bool in_future_window) {
    switch (dir) {
        case Resolve::Before: return diff < 0;
        case Resolve::OnOrBefore: return diff <= 0;
        case Resolve::After: return diff > 0;
        case Resolve::OnOrAfter: return diff >= 0;
        case Resolve::FutureWindow: return in_future_window;
        case Resolve::Window: return in_window;
    }
    return false;
}

// "dernier" (-1) -> Before, "prochain" (+1) -> After, none (0) -> Window.
Resolve from_suffix(int suffix) { return suffix < 0 ? Resolve::Before : suffix > 0 ? Resolve::After : Resolve::Window; }

// What the weekday post-pass needs to know about an emitted mention.
struct Aux {
    int bare_wday = -1;       // a weekday alone, resolved by the default rule
    int cued_wday = -1;       // a weekday alone, resolved by a tense cue or dernier/prochain
    int explicit_wday = -1;   // a weekday written with its full date
    bool anchor = false;      // "en 97", or a month dated by such a year: dates what follows
    std::size_t end_tok = 0;  // token after the mention
};

class Extractor {
public:
    Extractor(const Text& x, const std::optional<DateTime>& published) : x_(x) {
        if (published && valid_ymd(published->year, published->month, published->day)) {
            const DateTime pub = published->local();
            has_pub_ = true;
            py_ = pub.year;
            pm_ = pub.month;
            pd_ = pub.day;
            pdn_ = day_number(py_, pm_, pd_);
        }
    }

    std::vector<MentionedDate> run() {
        for (std::size_t i = 0; i < x_.size();) {
            const std::size_t next = try_at(i);
            i = next > i ? next : i + 1;
        }
        fix_weekdays();
        return std::move(out_);
    }

private:
    // ---- emission
    void emit(std::size_t tb, std::size_t te, int y, int m, int d, Granularity g, Aux aux = {}) {
        if (te <= tb) return;
        MentionedDate md;
        md.begin = x_.begin_of(tb);
        md.end = x_.end_of(te - 1);
        md.year = y;
        md.month = g == Granularity::Year ? 0 : m;
        md.day = g == Granularity::Day ? d : 0;
        md.granularity = g;
        if (g == Granularity::Day && !valid_ymd(y, m, d)) return;
        if (y < 1 || y > 9999) return;
        aux.end_tok = te;
        if (g == Granularity::Year && tb > 0 && x_.word(tb - 1, W_EN)) aux.anchor = true;
        out_.push_back(md);
        aux_.push_back(aux);
    }

    // Narrative dating: "deux ruptures en 97 (en janvier ..., en octobre ...)":
    // a month or day without year shortly after "en <year>" in the same
    // sentence takes that year. Returns 0 when there is no such anchor.
    int narrative_year(std::size_t start) const {
        if (out_.empty() || !aux_.back().anchor) return 0;
        const std::size_t from = aux_.back().end_tok;
        if (start < from || start - from > 12) return 0;
        for (std::size_t i = from; i < start; ++i)
            if (x_.is_punct(i) &&
                (x_[i].ch == '.' || x_[i].ch == '!' || x_[i].ch == '?' || x_[i].ch == '\n' || x_[i].ch == ';'))
                return 0;
        return out_.back().year;
    }
    void emit_day_number(std::size_t tb, std::size_t te, long dn, Aux aux = {}) {
        if (dn < 0) return;
        const Ymd r = from_day_number(dn);
        emit(tb, te, r.y, r.m, r.d, Granularity::Day, aux);
    }

    // ---- resolution against the publication date
    bool resolve_day_month(int m, int d, Resolve dir, int& y) const {
        long dn = -1;
        if (!resolve_yearly([&](int yy) { return valid_ymd(yy, m, d) ? day_number(yy, m, d) : -1L; }, dir, dn))
            return false;
        y = from_day_number(dn).y;
        return true;
    }
    // The occurrence of a yearly day (dn_of(year) gives its day number, or
    // -1 if that year has none) chosen by dir.
    template <class F>
    bool resolve_yearly(F dn_of, Resolve dir, long& out) const {
        if (!has_pub_) return false;
        bool found = false;
        long best = 0;
        const long lo = shift_months(py_, pm_, pd_, -10), hi = shift_months(py_, pm_, pd_, 2);
        const long lo_future = shift_months(py_, pm_, pd_, -5), hi_future = shift_months(py_, pm_, pd_, 7);
        for (int yy = std::max(1, py_ - 4); yy <= std::min(9999, py_ + 4); ++yy) {
            const long dn = dn_of(yy);
            if (dn < 0) continue;
            const long diff = dn - pdn_;
            if (!accepts(dir, diff, dn > lo && dn <= hi, dn > lo_future && dn <= hi_future)) continue;
            const bool better = !found || (looks_back(dir) ? dn > best : dn < best);
            if (better) {
                best = dn;
                found = true;
                out = dn;
            }
        }
        return found;
    }
    bool resolve_month(int m, Resolve dir, int& y) const {
        if (!has_pub_) return false;
        const int pidx = py_ * 12 + pm_ - 1;
        bool found = false;
        int best = 0;
        for (int yy = py_ - 1; yy <= py_ + 1; ++yy) {
            const int idx = yy * 12 + m - 1;
            const int diff = idx - pidx;
            if (!accepts(dir, diff, diff >= -9 && diff <= 2, diff >= -4 && diff <= 7)) continue;
            if (!found || (looks_back(dir) ? idx > best : idx < best)) {
                best = idx;
                found = true;
                y = yy;
            }
        }
        return found;
    }
    // Day number of the weekday wd with offset from publication in [lo, hi].
    long weekday_in(int wd, int lo, int hi) const {
        for (int o = lo; o <= hi; ++o)
            if (weekday_of(pdn_ + o) == wd) return pdn_ + o;
        return -1;
    }

    // Direction implied by the words before the expression starting at token s.
    Resolve context_direction(std::size_t s) const {
        if (s == 0) return Resolve::Window;
        if (x_.word(s - 1, W_DEPUIS)) return Resolve::OnOrBefore;
        if (x_.word(s - 1, W_ICI)) return Resolve::OnOrAfter;  // "d'ici le 30 juin"
        return Resolve::Window;
    }

    // Tense of the clause around tokens [tb, te): true when the nearest verb
    // marker is a future (or "prévu", "devrait"...).
    int marker(std::size_t i) const {
        if (!x_.is_word(i)) return 0;
        const std::string_view w = x_.str(i);
        const Lex& l = x_.lex(i);
        if (l.tense != 0) return l.tense;
        if (w == "a" && x_.plain_a(i)) return -1;
        if (w.size() < 4 || x_.upper_initial(i)) return 0;
        if (past_participle(i)) return -1;
        if (w.size() < 5) return 0;
        if (l.not_verb) return 0;
        auto ends = [&](std::string_view s) { return w.size() > s.size() && w.substr(w.size() - s.size()) == s; };
        if (ends("ra") || ends("ront") || ends("rons") || ends("rez") || ends("rai")) return 1;
        if (ends("ait") || ends("aient")) return -1;
        return 0;
    }
    // The original word ends in "é", "ée", "és" or "ées" and is not a common noun.
    bool past_participle(std::size_t i) const {
        if (x_.lex(i).not_participle) return false;
        std::size_t end = x_.end_of(i);
        const std::string_view o = x_.original();
        if (end >= 1 && o[end - 1] == 's') --end;
        if (end >= 1 && o[end - 1] == 'e') --end;
        return end >= 2 && static_cast<unsigned char>(o[end - 2]) == 0xC3 &&
               static_cast<unsigned char>(o[end - 1]) == 0xA9;
    }

    bool future_context(std::size_t tb, std::size_t te) const {
        auto boundary = [&](std::size_t i) {
            return x_.is_punct(i) &&
                   (x_[i].ch == '.' || x_[i].ch == '!' || x_[i].ch == '?' || x_[i].ch == '\n' || x_[i].ch == ';');
        };
        bool left_open = tb > 0, right_open = te < x_.size();
        for (std::size_t dist = 1; dist <= 15 && (left_open || right_open); ++dist) {
            if (left_open) {
                if (tb < dist || boundary(tb - dist)) {
                    left_open = false;
                } else if (int mk = marker(tb - dist)) {
                    return mk > 0;
                }
            }
            if (right_open) {
                const std::size_t r = te - 1 + dist;
                if (r >= x_.size() || boundary(r)) {
                    right_open = false;
                } else if (int mk = marker(r)) {
                    return mk > 0;
                }
            }
        }
        return false;
    }

    // ---- small grammar pieces
    // A part of day after a day expression: "soir", "après-midi", "en fin de matinée"...
    std::size_t part_of_day(std::size_t k) const {
        auto period = [&](std::size_t i) {
            return x_.word(i, W_MATIN) || x_.word(i, W_SOIR) || x_.word(i, W_MIDI) || x_.word(i, W_MATINEE) ||
                   x_.word(i, W_SOIREE) || x_.word(i, W_NUIT);
        };
        auto afternoon = [&](std::size_t i) -> std::size_t {  // "après-midi", "après midi"
            if (!x_.word(i, W_APRES)) return 0;
            if (x_.punct(i + 1, '-') && x_.word(i + 2, W_MIDI)) return i + 3;
            if (x_.word(i + 1, W_MIDI)) return i + 2;
            return 0;
        };
        if (period(k)) return k + 1;
        if (std::size_t e = afternoon(k)) return e;
        if (x_.word(k, W_AU) && (x_.word(k + 1, W_MATIN) || x_.word(k + 1, W_SOIR))) return k + 2;
        if (x_.word(k, W_DANS)) {
            if (x_.word(k + 1, W_LA) && (x_.word(k + 2, W_MATINEE) || x_.word(k + 2, W_SOIREE) ||
                                         x_.word(k + 2, W_JOURNEE) || x_.word(k + 2, W_NUIT)))
                return k + 3;
            if (x_.word(k + 1, W_L) && x_.punct(k + 2, '\''))
                if (std::size_t e = afternoon(k + 3)) return e;
        }
        if (x_.word(k, W_EN) && (x_.word(k + 1, W_DEBUT) || x_.word(k + 1, W_FIN) || x_.word(k + 1, W_MILIEU))) {
            if (x_.word(k + 2, W_DE) &&
                (x_.word(k + 3, W_MATINEE) || x_.word(k + 3, W_JOURNEE) || x_.word(k + 3, W_SOIREE)))
                return k + 4;
            if (x_.word(k + 2, W_D) && x_.punct(k + 3, '\''))
                if (std::size_t e = afternoon(k + 4)) return e;
        }
        return k;
    }

    // A 4-digit year usable after a month name at k (not an amount).
    bool year4_at(std::size_t k) const {
        return x_.num(k, 4, 4) && x_[k].val >= 1000 && x_[k].val <= 2999 && !amount_after(x_, k);
    }
    // A 2-digit year after a month ("octobre 98"): must end the phrase.
    bool year2_at(std::size_t k) const {
        if (!x_.num(k, 2, 2) || x_.glued(k)) return false;
        const std::size_t n = k + 1;
        if (n >= x_.size()) return true;
        if (x_.is_punct(n)) {
            const char c = x_[n].ch;
            return c == ',' || c == '.' || c == ';' || c == ')' || c == '!' || c == '?' || c == '\n' || c == '"';
        }
        return x_.word(n, W_ET);
    }
    int ref_year() const { return has_pub_ ? py_ : 0; }

    // "dernier"/"passé" -> -1, "prochain"/"suivant" -> +1 (sets k past it).
    int relative_suffix(std::size_t& k) const {
        if (x_.word(k, W_DERNIER) || x_.word(k, W_PASSE)) {
            ++k;
            return -1;
        }
        if (x_.word(k, W_PROCHAIN)) {
            ++k;
            return 1;
        }
        return 0;
    }

    // ---- matchers; each returns the token index after the match, or 0.
    std::size_t try_at(std::size_t i) {
        const Tok& tk = x_[i];
        if (tk.kind == Kind::Num) {
            if (std::size_t r = numeric(i, i)) return r;
            if (std::size_t r = day_month(i, i)) return r;
            if (std::size_t r = year(i, i)) return r;
            if (std::size_t r = short_year(i)) return r;
            return 0;
        }
        if (tk.kind != Kind::Word) return 0;
        const Lex& l = *tk.lex;
        switch (l.word) {
            case W_LE:
            case W_LES:
            case W_CE:
            case W_CET:
            case W_CETTE:
            case W_L:
            case W_LA:
                if (std::size_t r = with_determiner(i)) return r;
                break;
            case W_PREMIER: return day_month(i, i);
            case W_DEBUT:
            case W_FIN:
            case W_MI:
            case W_MILIEU:
            case W_COURANT: return prefixed(i, i);
            case W_MOIS: return month_word(i, i, W_NONE);
            case W_HIER:
            case W_DEMAIN:
            case W_AUJOURD:
            case W_AVANT:
            case W_APRES: return relative_day(i, i);
            case W_NOEL:
            case W_PAQUES:
            case W_PENTECOTE:
            case W_TOUSSAINT:
            case W_NOUVEL:
            case W_SAINT:
            case W_JOUR: return holiday(i, i);
            case W_IL:
            case W_DANS: return ago(i);
            case W_ANNEES:  // "les années 2000": a decade, not a year
                if (x_.num(i + 1, 2, 4)) return i + 2;
                return 0;
            default: break;
        }
        if (l.wday >= 0) return weekday_led(i, i, W_NONE);
        if (l.month != 0) return month_expr(i, i, false);
        return 0;
    }

    std::size_t with_determiner(std::size_t i) {
        const std::uint8_t det = x_.lex(i).word;
        const std::size_t j = i + 1;
        switch (det) {
            case W_LE:
            case W_LES:
                if (det == W_LE)
                    if (std::size_t r = numeric(j, i)) return r;
                if (x_.lex(j).wday >= 0) return weekday_led(j, i, static_cast<Word>(det));
                if (std::size_t r = day_month(j, i)) return r;
                if (det == W_LE && x_.word(j, W_MOIS)) return month_word(j, i, W_LE);
                return 0;
            case W_CE:
                if (x_.lex(j).wday >= 0) return weekday_led(j, i, W_CE);
                if (x_.word(j, W_MEME) && x_.lex(j + 1).wday >= 0 && !x_.lex(j + 1).wday_abbr) {
                    std::size_t k;
                    const int wd = weekday_at(x_, j + 1, false, false, k);
                    return bare_weekday(j + 1, k, i, W_CE, wd);
                }
                if (x_.word(j, W_MATIN) || x_.word(j, W_SOIR)) {
                    if (has_pub_) emit(i, j + 1, py_, pm_, pd_, Granularity::Day);
                    return j + 1;
                }
                if (x_.word(j, W_MOIS)) return month_word(j, i, W_CE);
                return 0;
            case W_CET:
                if (x_.word(j, W_APRES) && x_.punct(j + 1, '-') && x_.word(j + 2, W_MIDI)) {
                    if (has_pub_) emit(i, j + 3, py_, pm_, pd_, Granularity::Day);
                    return j + 3;
                }
                return 0;
            case W_CETTE:
                if (x_.word(j, W_ANNEE) && !(x_.punct(j + 1, '-') && x_.word(j + 2, W_LA))) {
                    if (has_pub_) emit(i, j + 1, py_, 0, 0, Granularity::Year);
                    return j + 1;
                }
                return 0;
            case W_L:
                if (x_.punct(j, '\'') && (x_.word(j + 1, W_AN) || x_.word(j + 1, W_ANNEE)))
                    return relative_year(j + 1, i);
                return 0;
            case W_LA:
                if (x_.word(j, W_FIN) || x_.word(j, W_DEBUT)) return prefixed(j, i);
                // "la nuit de lundi à mardi": the first day
                if (x_.word(j, W_NUIT) && (x_.word(j + 1, W_DE) || x_.word(j + 1, W_DU)) && x_.lex(j + 2).wday >= 0 &&
                    !x_.lex(j + 2).wday_abbr && (x_.word(j + 3, W_A) || x_.word(j + 3, W_AU)) &&
                    x_.lex(j + 4).wday >= 0 && !x_.lex(j + 4).wday_abbr) {
                    const std::size_t before = out_.size();
                    bare_weekday(j + 2, j + 3, j + 2, W_NONE, x_.lex(j + 2).wday);
                    if (out_.size() > before) {
                        out_.back().begin = x_.begin_of(i);
                        out_.back().end = x_.end_of(j + 4);
                    }
                    return j + 5;
                }
                return 0;
            default: return 0;
        }
    }

    // "l'an dernier", "l'année prochaine", "l'an 2000", "l'année 2001" (k at an/année).
    std::size_t relative_year(std::size_t k, std::size_t start) {
        std::size_t e = k + 1;
        if (x_.num(e, 4, 4) && x_[e].val >= 1000 && x_[e].val <= 2999 && !amount_after(x_, e)) {
            emit(start, e + 1, x_[e].val, 0, 0, Granularity::Year);
            return e + 1;
        }
        const int dir = relative_suffix(e);
        if (dir == 0) return 0;
        if (has_pub_) emit(start, e, py_ + dir, 0, 0, Granularity::Year);
        return e;
    }

    // Numeric dates (ISO, day-first); "le 2/3" without a year only after "le".
    std::size_t numeric(std::size_t k, std::size_t start) {
        if (k > 0 && x_.glued(k) && (x_.num(k - 1) || x_.is_punct(k - 1))) {
            const char c = x_.is_punct(k - 1) ? x_[k - 1].ch : '0';
            if (c == '0' || c == '/' || c == '.' || c == '-' || c == ':' || c == ',') return 0;
        }
        int y, m, d;
        std::size_t e;
        const bool allow_no_year = start < k && x_.word(start, W_LE);
        if (!numeric_date_at(x_, k, allow_no_year, ref_year(), y, m, d, e)) return 0;
        // part of a longer number sequence ("1.2.2019.3", "12/05/2019/"...), but
        // an ISO timestamp "2025-08-15T14:30:00" is fine
        const bool iso_time = x_.word(e, W_T) && x_.num(e + 1) && x_.glued(e + 1);
        if (x_.glued(e) && (x_.num(e) || x_.is_word(e)) && !iso_time) return 0;
        if (x_.glued(e) && x_.is_punct(e) && x_.num(e + 1) && x_.glued(e + 1)) {
            const char c = x_[e].ch;
            if (c == '/' || c == '.' || c == '-' || c == ':' || c == ',') return 0;
        }
        if (y == 0) {
            if (m < 1 || m > 12 || d < 1 || d > 31) return 0;
            int yy;
            if (resolve_day_month(m, d, context_direction(start), yy)) emit(start, e, yy, m, d, Granularity::Day);
            return e;
        }
        if (!valid_ymd(y, m, d)) return 0;
        emit(start, e, y, m, d, Granularity::Day);
        return e;
    }

    // "samedi 29 mai", "ce mardi", "lundi dernier", "Lundi, 24/6/2013", "samedi 16".
    std::size_t weekday_led(std::size_t i, std::size_t start, Word det) {
        std::size_t k;
        const int wd = weekday_at(x_, i, true, false, k);
        if (wd < 0) return 0;
        std::size_t k2 = k;
        if (x_.punct(k2, ',')) ++k2;
        if (std::size_t r = numeric(k2, start)) {
            if (!out_.empty() && out_.back().begin == x_.begin_of(start)) aux_.back().explicit_wday = wd;
            return r;
        }
        if (std::size_t r = day_month(i, start)) return r;
        if (x_.lex(i).wday_abbr) return 0;
        return bare_weekday(i, k, start, det, wd);
    }

    std::size_t bare_weekday(std::size_t i, std::size_t k, std::size_t start, Word det, int wd) {
        // recurring or anaphoric uses: "le mercredi", "les lundis", "chaque jeudi", "du lundi au vendredi"
        const std::size_t before = start > 0 ? start - 1 : kNone;
        if (wd == 0 && x_.word(k, W_DE) && (x_.word(k + 1, W_PAQUES) || x_.word(k + 1, W_PENTECOTE)))
            return holiday(k + 1, start, 1);  // "lundi de Pâques", "lundi de Pentecôte"
        if (det == W_LE || det == W_LES) return k;
        if (before != kNone && (x_.word(before, W_CHAQUE) || x_.word(before, W_LES) || x_.word(before, W_PREMIER) ||
                                x_.word(before, W_DERNIER) || x_.word(before, W_ORDINAL)))
            return k;  // "chaque jeudi", "le premier dimanche du printemps"
        if (x_.word(k, W_SAINT) || x_.word(k, W_GRAS)) return k + 1;  // "Vendredi saint", "Mardi gras"
        if (x_.upper_initial(i) && !x_.sentence_start(start) && !x_.all_caps(i)) return k;  // "Robinson et Vendredi"

        if (before != kNone && x_.word(before, W_DU) && x_.word(k, W_AU) && x_.lex(k + 1).wday >= 0) return k + 2;
        std::size_t e = k;
        int dir = 0;
        if (x_.word(e, W_DERNIER) || x_.word(e, W_PASSE)) {
            dir = -1;
            ++e;
        } else if (x_.word(e, W_PROCHAIN) || x_.word(e, W_SUIVANT)) {
            dir = 1;
            ++e;
        } else if (x_.word(e, W_DE) && x_.word(e + 1, W_LA) && x_.word(e + 2, W_SEMAINE)) {
            if (x_.word(e + 3, W_DERNIER) || x_.word(e + 3, W_PASSE))
                dir = -1, e += 4;
            else if (x_.word(e + 3, W_PROCHAIN))
                dir = 1, e += 4;
        }
        e = part_of_day(e);
        if (dir == 0) {  // "vendredi soir dernier"
            if (x_.word(e, W_DERNIER) || x_.word(e, W_PASSE))
                dir = -1, ++e;
            else if (x_.word(e, W_PROCHAIN))
                dir = 1, ++e;
        }
        if (!has_pub_) return e;
        long dn = -1;
        Aux aux;
        if (dir < 0) {
            dn = weekday_in(wd, -7, -1);
        } else if (dir > 0) {
            dn = weekday_in(wd, 1, 7);
        } else if (future_context(start, e)) {
            dn = det == W_CE ? weekday_in(wd, 0, 6) : weekday_in(wd, 1, 7);
        } else {
            dn = weekday_in(wd, -6, 0);
            aux.bare_wday = wd;
        }
        if (aux.bare_wday < 0) aux.cued_wday = wd;
        emit_day_number(start, e, dn, aux);
        return e;
    }

    // [weekday] DAY (CONN [le|les] [weekday] DAY)* MONTH [YEAR] [dernier|prochain] [part of day]
    std::size_t day_month(std::size_t i, std::size_t start) {
        struct Part {
            std::size_t tb, te;
            int d, wd;
        };
        Part parts[8];
        int nparts = 0;
        std::size_t k = i, nx = 0;
        int wd = weekday_at(x_, k, true, false, nx);
        if (wd >= 0) {
            k = nx;
            if (x_.punct(k, ',') && !x_.lex(i).wday_abbr) ++k;
        }
        int d;
        if (!day_at(x_, k, d, nx)) return 0;
        k = nx;
        std::size_t seg = start;
        int m = 0;
        for (;;) {
            m = month_at(x_, k, true, false, nx);
            if (m) break;
            std::size_t c = k;
            if (x_.word(c, W_ET) || x_.word(c, W_AU) || x_.word(c, W_A) || x_.word(c, W_OU) || x_.punct(c, ',') ||
                x_.punct(c, '-'))
                ++c;
            else if (x_.word(c, W_JUSQU) && x_.punct(c + 1, '\'') && x_.word(c + 2, W_AU))
                c += 3;
            else
                break;
            const std::size_t nseg = c;
            if (x_.word(c, W_LE) || x_.word(c, W_LES)) ++c;
            int wd2 = weekday_at(x_, c, false, false, nx);
            if (wd2 >= 0) c = nx;
            int d2;
            if (!day_at(x_, c, d2, nx)) break;
            if (nparts == 7) return 0;
            parts[nparts++] = {seg, k, d, wd};
            seg = nseg;
            d = d2;
            wd = wd2;
            k = nx;
        }
        if (!m) {  // "samedi 18", "samedi 18 et mardi 14": the first weekday and day
            if (nparts == 0 && wd >= 0) return weekday_day(start, k, wd, d);
            if (nparts > 0 && parts[0].wd >= 0) return weekday_day(start, parts[0].te, parts[0].wd, parts[0].d);
            return 0;
        }
        k = nx;
        int y = 0;
        if (year4_at(k)) {
            y = x_[k].val;
            ++k;
        } else if (year2_at(k)) {
            y = expand_two_digit_year(x_[k].val, ref_year());
            ++k;
        }
        Resolve dir = Resolve::Window;
        if (!y) dir = from_suffix(relative_suffix(k));
        k = part_of_day(k);
        if (!y && dir == Resolve::Window) {
            dir = context_direction(start);
            if (dir == Resolve::Window) y = year_after_range(k);
            if (!y && dir == Resolve::Window) y = narrative_year(start);
            if (!y && dir == Resolve::Window && future_context(start, k)) dir = Resolve::FutureWindow;
        }
        parts[nparts++] = {seg, k, d, wd};
        for (int p = 0; p < nparts; ++p) {
            int yy = y;
            if (!yy && !resolve_day_month(m, parts[p].d, dir, yy)) continue;
            Aux aux;
            aux.explicit_wday = parts[p].wd;
            emit(parts[p].tb, parts[p].te, yy, m, parts[p].d, Granularity::Day, aux);
        }
        last_month_end_ = k;
        return k;
    }

    // "10 août - 12 septembre 2013": the year of the end of a range.
    int year_after_range(std::size_t k) const {
        std::size_t c = k, nx;
        if (x_.word(c, W_AU) || x_.word(c, W_ET) || x_.word(c, W_A) || x_.punct(c, '-'))
            ++c;
        else if (x_.word(c, W_JUSQU) && x_.punct(c + 1, '\'') && x_.word(c + 2, W_AU))
            c += 3;
        else
            return 0;
        if (x_.word(c, W_LE)) ++c;
        if (weekday_at(x_, c, false, false, nx) >= 0) c = nx;
        int d;
        if (!day_at(x_, c, d, nx)) return 0;
        if (!month_at(x_, nx, true, false, nx)) return 0;
        return year4_at(nx) ? x_[nx].val : 0;
    }

    // "samedi 16": the nearest Saturday the 16th around publication.
    std::size_t weekday_day(std::size_t start, std::size_t k, int wd, int d) {
        // what follows must not make the number something else ("samedi 16 personnes")
        if (k < x_.size() && !x_.is_punct(k)) {
            const std::uint8_t w = x_.lex(k).word;
            const bool ok = w == W_A || w == W_AU || w == W_ET || w == W_DANS || w == W_EN || w == W_VERS ||
                            w == W_DES || w == W_DE || w == W_LE || w == W_LA || w == W_POUR || w == W_CONTRE ||
                            w == W_LORS || w == W_DERNIER || w == W_PROCHAIN || w == W_MATIN || w == W_SOIR ||
                            w == W_APRES || w == W_MIDI;
            if (!ok) return 0;
        }
        std::size_t e = k;
        if (x_.word(e, W_DERNIER) || x_.word(e, W_PROCHAIN)) ++e;
        e = part_of_day(e);
        if (!has_pub_) return e;
        long best = -1, best_abs = 0;
        for (int delta = -2; delta <= 2; ++delta) {
            const int idx = py_ * 12 + (pm_ - 1) + delta;
            const int yy = idx / 12, mm = idx % 12 + 1;
            if (!valid_ymd(yy, mm, d)) continue;
            const long dn = day_number(yy, mm, d);
            if (weekday_of(dn) != wd) continue;
            const long a = std::labs(dn - pdn_) * 2 + (dn > pdn_ ? 1 : 0);  // ties go to the past
            if (best < 0 || a < best_abs) {
                best = dn;
                best_abs = a;
            }
        }
        if (best < 0 || std::labs(best - pdn_) > 45) return 0;
        Aux aux;
        aux.explicit_wday = wd;
        emit_day_number(start, e, best, aux);
        return e;
    }

    // A month name at k, with or without prefix ("début", "le mois de").
    std::size_t month_expr(std::size_t k, std::size_t start, bool prefixed) {
        std::size_t e;
        const int m = month_at(x_, k, true, false, e);
        if (!m) return 0;
        const bool abbr = x_.lex(k).month_abbr;
        // "32 août 2014": an invalid day spoils the whole date
        if (k > 0 && x_.num(k - 1, 1, 2) && start == k) return year4_at(e) ? e + 1 : e;
        int y = 0;
        if (year4_at(e)) {
            y = x_[e].val;
            ++e;
        } else if (abbr) {
            return 0;
        } else if (year2_at(e)) {
            y = expand_two_digit_year(x_[e].val, ref_year());
            ++e;
        }
        Resolve dir = Resolve::Window;
        if (!y) dir = from_suffix(relative_suffix(e));
        if (!y && dir == Resolve::Window && !prefixed) {
            if (x_.upper_initial(k) && !x_.sentence_start(k)) return 0;  // "Mars" the planet, "Août" a title
            if (k == 0) return 0;
            const std::size_t p = k - 1;
            const bool is_mai = m == 5;
            bool ok = x_.word(p, W_EN) || x_.word(p, W_DE) || (x_.punct(p, '\'') && p > 0 && x_.word(p - 1, W_D));
            if (!is_mai) {
                ok = ok || x_.word(p, W_DEPUIS) || x_.word(p, W_DES) || x_.word(p, W_AVANT) || x_.word(p, W_APRES) ||
                     x_.word(p, W_ENTRE) || x_.word(p, W_COURANT) || x_.word(p, W_VERS);
            }
            // "mars-avril", "mai et juin": a month right after another one
            if (!ok &&
                (x_.word(p, W_ET) || x_.word(p, W_OU) || x_.punct(p, '-') || x_.punct(p, ',') || x_.word(p, W_AU) ||
                 x_.word(p, W_A)) &&
                p == last_month_end_)
                ok = true;
            if (!ok) return 0;
        }
        if (!y && dir == Resolve::Window) dir = context_direction(start);
        Aux aux;
        if (!y && dir == Resolve::Window) {
            y = narrative_year(start);
            aux.anchor = y != 0;
        }
        if (!y && dir == Resolve::Window && future_context(start, e)) dir = Resolve::FutureWindow;
        if (!y && !resolve_month(m, dir, y)) {
            last_month_end_ = e;
            return e;
        }
        emit(start, e, y, m, 0, Granularity::Month, aux);
        last_month_end_ = e;
        return e;
    }

    // "mois de mars", "le mois d'août", "le mois dernier", "ce mois-ci" (k at "mois").
    std::size_t month_word(std::size_t k, std::size_t start, Word det) {
        if (x_.word(k + 1, W_DE) && x_.lex(k + 2).month) return month_expr(k + 2, start, true);
        if (x_.word(k + 1, W_D) && x_.punct(k + 2, '\'') && x_.lex(k + 3).month) return month_expr(k + 3, start, true);
        if (det == W_LE) {
            std::size_t e = k + 1;
            const int dir = relative_suffix(e);
            if (dir == 0) return 0;
            if (has_pub_) {
                const int idx = py_ * 12 + pm_ - 1 + dir;
                emit(start, e, idx / 12, idx % 12 + 1, 0, Granularity::Month);
            }
            return e;
        }
        if (det == W_CE && x_.punct(k + 1, '-') && x_.word(k + 2, W_CI)) {
            if (has_pub_) emit(start, k + 3, py_, pm_, 0, Granularity::Month);
            return k + 3;
        }
        return 0;
    }

    // "début octobre", "fin septembre 2000", "mi-décembre", "fin 2019",
    // "fin du mois de mars", "la fin de l'année" (k at the prefix word).
    std::size_t prefixed(std::size_t k, std::size_t start) {
        std::size_t j = k + 1;
        if (x_.word(k, W_MI)) {
            if (!x_.punct(j, '-')) return 0;
            ++j;
        }
        if (x_.word(j, W_DU) && x_.word(j + 1, W_MOIS)) {
            if (x_.word(j + 2, W_DE))
                j += 3;
            else if (x_.word(j + 2, W_D) && x_.punct(j + 3, '\''))
                j += 4;
            else
                return 0;
        } else if (x_.word(j, W_DE) && x_.lex(j + 1).month) {
            ++j;
        } else if (x_.word(j, W_D) && x_.punct(j + 1, '\'') && x_.lex(j + 2).month) {
            j += 2;
        }
        if (x_.lex(j).month && !x_.lex(j).month_abbr) return month_expr(j, start, true);
        if (x_.num(j, 4, 4) && x_[j].val >= 1800 && x_[j].val <= 2100 && !amount_after(x_, j)) {
            emit(start, j + 1, x_[j].val, 0, 0, Granularity::Year);
            return j + 1;
        }
        if ((x_.word(k, W_FIN) || x_.word(k, W_DEBUT)) && x_.word(k + 1, W_DE) && x_.word(k + 2, W_L) &&
            x_.punct(k + 3, '\'') && x_.word(k + 4, W_ANNEE)) {
            std::size_t e = k + 5;
            if (x_.num(e, 4, 4) && x_[e].val >= 1000 && x_[e].val <= 2999 && !amount_after(x_, e)) {
                emit(start, e + 1, x_[e].val, 0, 0, Granularity::Year);  // "début de l'année 2019"
                return e + 1;
            }
            const int dir = relative_suffix(e);
            if (has_pub_) emit(start, e, py_ + dir, 0, 0, Granularity::Year);
            return e;
        }
        return 0;
    }

    // Noël, Pâques, Pentecôte, la Toussaint, le Nouvel An, le jour de l'an,
    // la Saint-Sylvestre, la Saint-Valentin [+ year].
    // start: first token of the span; extra: days added ("lundi de Pâques" is +1).
    std::size_t holiday(std::size_t i, std::size_t start, int extra = 0) {
        std::size_t e;
        int m = 0, d = 0, easter_offset = extra;
        bool easter = false;
        const std::size_t before = i > 0 ? i - 1 : kNone;
        if (x_.word(i, W_NOEL)) {
            // "Noël Mamère", "le père Noël", "père-Noël"
            if (x_.is_word(i + 1) && x_.upper_initial(i + 1) && !x_.sentence_start(i + 1)) return i + 1;
            if (before != kNone && (x_.word(before, W_PERE) || (x_.punct(before, '-') && x_.word(before - 1, W_PERE))))
                return i + 1;
            m = 12, d = 25, e = i + 1;
        } else if (x_.word(i, W_TOUSSAINT)) {
            if (before == kNone || !x_.word(before, W_LA)) return i + 1;  // "Bruce Toussaint", "le Pr Toussaint"
            m = 11, d = 1, e = i + 1;
        } else if (x_.word(i, W_PAQUES)) {
            if (before != kNone && x_.word(before, W_DE) && before > 0 && x_.word(before - 1, W_ILE)) return i + 1;
            easter = true, e = i + 1;
        } else if (x_.word(i, W_PENTECOTE)) {
            easter = true, easter_offset = 49 + extra, e = i + 1;
        } else if (x_.word(i, W_NOUVEL) && x_.word(i + 1, W_AN)) {
            m = 1, d = 1, e = i + 2;
        } else if (x_.word(i, W_JOUR) && x_.word(i + 1, W_DE) && x_.word(i + 2, W_L) && x_.punct(i + 3, '\'') &&
                   x_.word(i + 4, W_AN)) {
            m = 1, d = 1, e = i + 5;
        } else if (x_.word(i, W_SAINT) && x_.punct(i + 1, '-') && x_.word(i + 2, W_SYLVESTRE)) {
            m = 12, d = 31, e = i + 3;
        } else if (x_.word(i, W_SAINT) && x_.punct(i + 1, '-') && x_.word(i + 2, W_VALENTIN)) {
            m = 2, d = 14, e = i + 3;
        } else {
            return 0;
        }
        auto dn_of = [&](int yy) -> long {
            if (!easter) return day_number(yy, m, d) + extra;
            const Ymd es = easter_sunday(yy);
            return day_number(es.y, es.m, es.d) + easter_offset;
        };
        if (year4_at(e)) {  // "Noël 2018"
            const long dn = dn_of(x_[e].val);
            emit_day_number(start, e + 1, dn);
            return e + 1;
        }
        Resolve dir = from_suffix(relative_suffix(e));
        if (dir == Resolve::Window) dir = context_direction(start);
        if (dir == Resolve::Window && future_context(start, e)) dir = Resolve::FutureWindow;
        long dn = -1;
        if (resolve_yearly(dn_of, dir, dn)) emit_day_number(start, e, dn);
        return e;
    }

    // hier, avant-hier, aujourd'hui, demain, après-demain [+ weekday] [+ part of day].
    std::size_t relative_day(std::size_t i, std::size_t start) {
        int off;
        std::size_t e;
        if (x_.word(i, W_HIER)) {
            off = -1;
            e = i + 1;
        } else if (x_.word(i, W_DEMAIN)) {
            off = 1;
            e = i + 1;
        } else if (x_.word(i, W_AUJOURD) && x_.punct(i + 1, '\'') && x_.word(i + 2, W_HUI)) {
            off = 0;
            e = i + 3;
        } else if (x_.word(i, W_AVANT) && x_.punct(i + 1, '-') && x_.word(i + 2, W_HIER)) {
            off = -2;
            e = i + 3;
        } else if (x_.word(i, W_AVANT) && x_.word(i + 1, W_HIER)) {
            off = -2;
            e = i + 2;
        } else if (x_.word(i, W_APRES) && x_.punct(i + 1, '-') && x_.word(i + 2, W_DEMAIN)) {
            off = 2;
            e = i + 3;
        } else if (x_.word(i, W_APRES) && x_.word(i + 1, W_DEMAIN)) {
            off = 2;
            e = i + 2;
        } else {
            return 0;
        }
        if (x_.lex(e).wday >= 0 && !x_.lex(e).wday_abbr) ++e;  // "aujourd'hui vendredi"
        e = part_of_day(e);
        if (has_pub_) emit_day_number(start, e, pdn_ + off);
        return e;
    }

    // "il y a 3 jours", "il y a une semaine", "dans deux mois", "il y a 5 ans".
    std::size_t ago(std::size_t i) {
        std::size_t k;
        int sign;
        if (x_.word(i, W_IL) && x_.word(i + 1, W_Y) && x_.word(i + 2, W_A)) {
            k = i + 3;
            sign = -1;
        } else if (x_.word(i, W_DANS)) {
            k = i + 1;
            sign = 1;
        } else {
            return 0;
        }
        int n;
        if (x_.num(k, 1, 3))
            n = x_[k].val;
        else if (x_.is_word(k) && x_.lex(k).number > 0)
            n = x_.lex(k).number;
        else
            return 0;
        const std::size_t u = k + 1;
        if (x_.glued(u) && !x_.is_word(u)) return 0;
        if (n == 1 && x_.word(u, W_JOUR) && x_.is_word(k)) return 0;  // "dans un jour de grande forme"
        if (!has_pub_) {
            if (x_.word(u, W_JOUR) || x_.word(u, W_SEMAINE) || x_.word(u, W_MOIS) || x_.word(u, W_AN) ||
                x_.word(u, W_ANNEE) || x_.word(u, W_ANNEES))
                return u + 1;
            return 0;
        }
        if (x_.word(u, W_JOUR)) {
            emit_day_number(i, u + 1, pdn_ + sign * n);
        } else if (x_.word(u, W_SEMAINE)) {
            emit_day_number(i, u + 1, pdn_ + sign * 7L * n);
        } else if (x_.word(u, W_MOIS)) {
            const int idx = py_ * 12 + pm_ - 1 + sign * n;
            emit(i, u + 1, idx / 12, idx % 12 + 1, 0, Granularity::Month);
        } else if (x_.word(u, W_AN) || x_.word(u, W_ANNEE) || x_.word(u, W_ANNEES)) {
            emit(i, u + 1, py_ + sign * n, 0, 0, Granularity::Year);
        } else {
            return 0;
        }
        return u + 1;
    }

    // "en 97," : a two-digit year after "en", closing a phrase.
    std::size_t short_year(std::size_t k) {
        if (!x_.num(k, 2, 2) || k == 0 || !x_.word(k - 1, W_EN) || !x_.is_punct(k + 1)) return 0;
        const char c = x_[k + 1].ch;
        if (c != ',' && c != ';' && c != '(' && c != ')' && c != '.') return 0;
        if (c == '.' && x_.num(k + 2) && x_.glued(k + 2)) return 0;
        emit(k, k + 1, expand_two_digit_year(x_[k].val, ref_year()), 0, 0, Granularity::Year);
        return k + 1;
    }

    // A bare year: "en 2022", "depuis 2019", "1982-1990".
    std::size_t year(std::size_t k, std::size_t start) {
        if (!x_.num(k, 4, 4)) return 0;
        const int y = x_[k].val;
        if (y < 1800 || y > 2100) return 0;
        if (amount_before(x_, k) || amount_after(x_, k)) return 0;
        if (x_.glued(k + 1) && x_.punct(k + 1, ':') && x_.num(k + 2)) return 0;
        // what is left of a broken ISO date ("2019-05-12x", "2019/05/")
        if (x_.glued(k + 1) && (x_.punct(k + 1, '-') || x_.punct(k + 1, '/')) && x_.num(k + 2, 1, 2) &&
            x_.glued(k + 2) && x_.glued(k + 3) && x_.is_punct(k + 3) && x_[k + 3].ch == x_[k + 1].ch)
            return 0;
        emit(start, k + 1, y, 0, 0, Granularity::Year);
        return k + 1;
    }

    // A weekday alone that the text also gives with its full date near
    // publication ("samedi 29 mai ... rendez-vous samedi") takes that date.
    void fix_weekdays() {
        for (std::size_t i = 0; i < out_.size(); ++i) {
            if (aux_[i].bare_wday < 0) continue;
            long best = -1;
            for (int pass = 0; pass < 2 && best < 0; ++pass) {
                for (std::size_t j = 0; j < out_.size(); ++j) {
                    const int w = pass == 0 ? aux_[j].explicit_wday : aux_[j].cued_wday;
                    if (w != aux_[i].bare_wday || out_[j].granularity != Granularity::Day) continue;
                    const long dn = day_number(out_[j].year, out_[j].month, out_[j].day);
                    if (std::labs(dn - pdn_) > 7) continue;
                    if (best < 0 || std::labs(dn - pdn_) < std::labs(best - pdn_)) best = dn;
                }
            }
            if (best >= 0) {
                const Ymd r = from_day_number(best);
                out_[i].year = r.y;
                out_[i].month = r.m;
                out_[i].day = r.d;
            }
        }
    }

    const Text& x_;
    bool has_pub_ = false;
    int py_ = 0, pm_ = 0, pd_ = 0;
    long pdn_ = 0;
    std::size_t last_month_end_ = kNone;
    std::vector<MentionedDate> out_;
    std::vector<Aux> aux_;
};

}  // namespace

std::vector<MentionedDate> extract_dates(std::string_view text, const std::optional<DateTime>& published) {
    if (text.empty()) return {};
    if (text.size() >= 0xFFFFFFFFu) text = text.substr(0, 0xFFFFFFFEu);  // 32-bit offsets inside
    const Text x(text);
    return Extractor(x, published).run();
}

}  // namespace depeche
