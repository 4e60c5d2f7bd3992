#include "indexer/date_matchers.hpp"

namespace depeche::dates {

// A day of the month at token k: "15", "1er", "1 er", "15e", "premier".
bool day_at(const Text& x, std::size_t k, int& d, std::size_t& next) {
    if (x.num(k, 1, 2) && x[k].val >= 1 && x[k].val <= 31) {
        d = x[k].val;
        next = k + 1;
        if (x.word(next, W_ER) || x.word(next, W_RE)) {
            if (d != 1) return false;
            ++next;
        } else if ((x.word(next, W_E) || x.word(next, W_EME)) && x.glued(next)) {
            ++next;
        } else if (x.glued(next) && x.is_word(next) && x.lex(next).month == 0 && x.lex(next).en_month == 0) {
            return false;  // "15h", "3D", "20km"
        }
        // a time, a decimal or a numeric date is not a day of the month
        if (x.word(next, W_H) || x.word(next, W_HEURES)) return false;
        if (x.glued(next) && (x.punct(next, ':') || x.punct(next, '/') || x.punct(next, ',') || x.punct(next, '.')) &&
            x.num(next + 1) && x.glued(next + 1))
            return false;
        return true;
    }
    if (x.word(k, W_PREMIER)) {
        d = 1;
        next = k + 1;
        return true;
    }
    return false;
}

// A month name at token k (French; English too when `english`).
int month_at(const Text& x, std::size_t k, bool allow_abbr, bool english, std::size_t& next) {
    if (!x.is_word(k)) return 0;
    const Lex& l = x.lex(k);
    int m = 0;
    bool abbr = false;
    if (l.month != 0 && (allow_abbr || !l.month_abbr)) {
        m = l.month;
        abbr = l.month_abbr;
    } else if (english && l.en_month != 0) {
        m = l.en_month;
        abbr = true;
    }
    if (m == 0) return 0;
    next = k + 1;
    if (abbr && x.punct(next, '.') && x.glued(next) && x.num(next + 1, 4, 4)) ++next;
    return m;
}

// A weekday name at token k (abbreviations optional, English optional).
int weekday_at(const Text& x, std::size_t k, bool allow_abbr, bool english, std::size_t& next) {
    if (!x.is_word(k)) return -1;
    const Lex& l = x.lex(k);
    int w = -1;
    if (l.wday >= 0 && (allow_abbr || !l.wday_abbr))
        w = l.wday;
    else if (english && l.en_wday >= 0)
        w = l.en_wday;
    if (w < 0) return -1;
    next = k + 1;
    if ((l.wday_abbr || l.en_wday >= 0) && x.punct(next, '.') && x.glued(next)) ++next;
    return w;
}

// The number at k is an amount or part of a bigger number, not a year.
bool amount_after(const Text& x, std::size_t k) {
    const std::size_t n = k + 1;
    if (n >= x.size()) return false;
    if (x.is_word(n) && (x.glued(n) || (x.lex(n).unit && !x.upper_initial(n)))) return true;
    // "2014 UZ224": a designation
    if (x.is_word(n) && x.glued(n + 1) && x.num(n + 1) && x.all_caps(n)) return true;
    // "2009.jpg": a file name
    if (x.glued(n) && x.punct(n, '.') && x.is_word(n + 1) && x.glued(n + 1) && !x.upper_initial(n + 1)) return true;
    if (x.punct(n, '%') || x.punct(n, '$')) return true;
    if (x.glued(n) && (x.punct(n, ',') || x.punct(n, '.')) && x.num(n + 1) && x.glued(n + 1)) return true;
    if (x.num(n, 3, 3)) return true;  // "2 000 000"-style thousands
    return false;
}

bool amount_before(const Text& x, std::size_t k) {
    if (k == 0) return false;
    const std::size_t p = k - 1;
    if (x.glued(k) && (x.is_word(p) || x.num(p))) return true;
    if (x.glued(k) && x.is_punct(p) && p > 0 && x.num(p - 1) && x.glued(p)) {
        const char c = x[p].ch;
        if ((c == '-' || c == '/') && x.num(p - 1, 4, 4)) return false;  // "1982-1990", "2002/2003"
        if (c == '/' || c == '.' || c == ',' || c == ':' || c == '-') return true;
    }
    if (x.num(p, 1, 3)) return true;
    if (x.lex(p).numberish || x.word(p, W_ENVIRON) || x.word(p, W_QUELQUE)) return true;
    if (x.word(p, W_DE) && p > 0 && (x.word(p - 1, W_PLUS) || x.word(p - 1, W_MOINS) || x.word(p - 1, W_PRES)))
        return true;
    return false;
}

// Two-digit year: 20yy unless that is more than 10 years after the reference year.
int expand_two_digit_year(int yy, int ref_year) {
    if (ref_year <= 0) return yy < 50 ? 2000 + yy : 1900 + yy;
    const int century = ref_year / 100 * 100;
    int y = century + yy;
    if (y > ref_year + 10) y -= 100;
    return y;
}

// Numeric dates at k: Y-M-D, Y/M/D, D/M/Y, D.M.Y, D-M-Y (and D/M/YY); D/M only
// when `allow_no_year` (then y = 0). All parts must be glued together.
bool numeric_date_at(const Text& x, std::size_t k, bool allow_no_year, int ref_year, int& y, int& m, int& d,
                     std::size_t& next) {
    if (!x.num(k)) return false;
    auto sep_at = [&](std::size_t i) -> char {
        if (!x.glued(i) || !x.is_punct(i)) return 0;
        const char c = x[i].ch;
        return (c == '-' || c == '/' || c == '.') ? c : 0;
    };
    if (x.num(k, 4, 4)) {
        const char s1 = sep_at(k + 1);
        if ((s1 == '-' || s1 == '/') && x.num(k + 2, 1, 2) && x.glued(k + 2) && sep_at(k + 3) == s1 &&
            x.num(k + 4, 1, 2) && x.glued(k + 4)) {
            y = x[k].val;
            m = x[k + 2].val;
            d = x[k + 4].val;
            next = k + 5;
            return true;
        }
        return false;
    }
    if (!x.num(k, 1, 2)) return false;
    const char s1 = sep_at(k + 1);
    if (!s1 || !x.num(k + 2, 1, 2) || !x.glued(k + 2)) return false;
    if (sep_at(k + 3) == s1 && x.num(k + 4) && x.glued(k + 4)) {
        const int nd = x[k + 4].ndig;
        if (nd == 4) {
            y = x[k + 4].val;
        } else if (nd == 2 && s1 == '/') {
            y = expand_two_digit_year(x[k + 4].val, ref_year);
        } else {
            return false;
        }
        d = x[k].val;
        m = x[k + 2].val;
        next = k + 5;
        return true;
    }
    if (allow_no_year && s1 == '/') {
        d = x[k].val;
        m = x[k + 2].val;
        y = 0;
        next = k + 3;
        return true;
    }
    return false;
}

// A time of day at k ("14h30", "14 h 30", "9 h 55", "14:30", "14:30:00.5",
// "19 h 21 min"), optionally introduced by ",", "à", "-" or "T", optionally
// followed by a zone ("Z", "UTC", "(UTC)", "+02:00", "+0200", "GMT+2").
// On success fills dt's time (converted to UTC when a zone is given; the date
// may move) and returns the index after it.
std::size_t time_at(const Text& x, std::size_t k, DateTime& dt) {
    std::size_t p = k;
    if (x.punct(p, ',') || x.punct(p, '-') || x.word(p, W_A))
        ++p;
    else if (x.word(p, W_T) && x.glued(p))
        ++p;
    if (!x.num(p, 1, 2)) return 0;
    const int h = x[p].val;
    int mi = 0, s = 0;
    std::size_t q = p + 1;
    if (x.punct(q, ':') && x.glued(q) && x.num(q + 1, 2, 2) && x.glued(q + 1)) {
        mi = x[q + 1].val;
        q += 2;
        if (x.punct(q, ':') && x.glued(q) && x.num(q + 1, 2, 2) && x.glued(q + 1)) {
            s = x[q + 1].val;
            q += 2;
            if ((x.punct(q, '.') || x.punct(q, ',')) && x.glued(q) && x.num(q + 1) && x.glued(q + 1)) q += 2;
        }
    } else if (x.word(q, W_H)) {
        ++q;
        if (x.num(q, 1, 2) && x[q].val <= 59) {
            mi = x[q].val;
            ++q;
            if (x.word(q, W_MIN)) ++q;
        }
    } else {
        return 0;
    }
    if (h > 23 || mi > 59 || s > 60) return 0;
    if (s == 60) s = 59;  // leap second
    // zone
    bool zoned = false;
    int offset = 0;
    auto numeric_offset = [&](std::size_t i, int& off) -> std::size_t {
        if (!(x.punct(i, '+') || x.punct(i, '-')) || !x.num(i + 1) || !x.glued(i + 1)) return 0;
        const int sign = x[i].ch == '-' ? -1 : 1;
        int hh, mm = 0;
        std::size_t e = i + 2;
        if (x[i + 1].ndig == 4) {
            hh = x[i + 1].val / 100;
            mm = x[i + 1].val % 100;
        } else if (x[i + 1].ndig <= 2) {
            hh = x[i + 1].val;
            if (x.punct(e, ':') && x.glued(e) && x.num(e + 1, 2, 2) && x.glued(e + 1)) {
                mm = x[e + 1].val;
                e += 2;
            }
        } else {
            return 0;
        }
        if (hh > 14 || mm > 59) return 0;
        off = sign * (hh * 60 + mm);
        return e;
    };
    auto zone_word = [&](std::size_t i) {
        if (!x.is_word(i) || !x.lex(i).has_zone) return false;
        return x.lex(i).zone == 0 || x.upper_initial(i);  // "est" is French for "is"
    };
    if (zone_word(q)) {
        zoned = true;
        offset = x.lex(q).zone;
        ++q;
        int extra = 0;
        if (offset == 0) {
            if (std::size_t e = numeric_offset(q, extra)) {
                offset = extra;
                q = e;
            }
        }
    } else if (x.punct(q, '(') && zone_word(q + 1) && x.punct(q + 2, ')')) {
        zoned = true;
        offset = x.lex(q + 1).zone;
        q += 3;
    } else if (std::size_t e = numeric_offset(q, offset)) {
        zoned = true;
        q = e;
    }
    dt.hour = h;
    dt.minute = mi;
    dt.second = s;
    dt.utc_offset = zoned ? offset : 0;
    dt.zoned = zoned;
    if (zoned && offset != 0 && !shift_minutes(dt.year, dt.month, dt.day, dt.hour, dt.minute, -offset)) return 0;
    return q;
}

// The English order, month first: "March 16, 2018", "Mar. 16 2018", "March 16th, 2018".
bool month_first_at(const Text& x, std::size_t k, int& y, int& m, int& d, std::size_t& next) {
    std::size_t j = 0;
    m = month_at(x, k, true, true, j);
    if (m == 0) return false;
    if (x.punct(j, '.') && x.glued(j)) ++j;  // "Mar. 16"
    if (!x.num(j, 1, 2) || x[j].val < 1 || x[j].val > 31) return false;
    d = x[j].val;
    ++j;
    if (x.word(j, W_EN_ORDINAL) && x.glued(j)) ++j;
    if (x.punct(j, ',')) ++j;
    if (!x.num(j, 4, 4)) return false;
    y = x[j].val;
    next = j + 1;
    return true;
}

// A label before a publication date: "Publié le", "Mis à jour le", "Dernière mise à jour :",
// "Modifié le", "Actualisé le", "Page actualisée :". Returns the token after the label
// (a final "le" is left for full_date_at to read) and sets allow_le; k when there is none.
std::size_t after_label(const Text& x, std::size_t k, bool& allow_le) {
    std::size_t j = k;
    if (x.word(j, W_DERNIER) && (x.word(j + 1, W_MIS) || x.word(j + 1, W_MISE))) ++j;  // "Dernière mise à jour"
    if ((x.word(j, W_PUBLIE) || x.word(j, W_MODIFIE) || x.word(j, W_ACTUALISE)) && x.word(j + 1, W_LE)) {
        allow_le = true;
        return j + 1;
    }
    if ((x.word(j, W_MIS) || x.word(j, W_MISE)) && x.word(j + 1, W_A) && x.word(j + 2, W_JOUR)) {
        j += 3;
        if (x.punct(j, ':')) ++j;
        allow_le = true;
        return j;
    }
    if (x.is_word(j) && x.str(j) == "page" && x.word(j + 1, W_PAGE_ACTUALISEE)) {
        j += 2;
        if (x.punct(j, ':')) ++j;
        return j;
    }
    return k;
}

// A full date (a day is required) with an optional time, at token k:
// [le] [weekday [,]] (ISO | numeric | DAY MONTH YEAR) [time [zone]].
std::optional<std::pair<DateTime, std::size_t>> full_date_at(const Text& x, std::size_t k, bool allow_le) {
    std::size_t j = k, nx = 0;
    if (allow_le && x.word(j, W_LE)) ++j;
    int y = 0, m = 0, d = 0;
    // "Mar. 16, 2018" is March, not mardi
    const bool month_first = month_first_at(x, j, y, m, d, nx);
    if (!month_first && weekday_at(x, j, true, true, nx) >= 0) {
        j = nx;
        if (x.punct(j, ',')) ++j;
        if (allow_le && x.word(j, W_LE)) ++j;
    }
    if (month_first) {
        j = nx;
    } else if (numeric_date_at(x, j, false, 0, y, m, d, nx)) {
        j = nx;
    } else if (month_first_at(x, j, y, m, d, nx)) {  // "Friday, March 16, 2018"
        j = nx;
    } else if (day_at(x, j, d, nx)) {
        j = nx;
        m = month_at(x, j, true, true, nx);
        if (m == 0) return std::nullopt;
        j = nx;
        if (x.punct(j, ',')) ++j;  // "15 Aug, 2025"
        if (!x.num(j, 4, 4)) return std::nullopt;
        y = x[j].val;
        ++j;
    } else {
        return std::nullopt;
    }
    if (!valid_ymd(y, m, d)) return std::nullopt;
    DateTime dt;
    dt.year = y;
    dt.month = m;
    dt.day = d;
    if (std::size_t e = time_at(x, j, dt)) j = e;
    return std::make_pair(dt, j);
}

}  // namespace depeche::dates
