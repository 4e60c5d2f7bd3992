// Dates in French news: see dates.hpp for the contract. The code is split by concern:
//   date_vocabulary  the words (indexer/lexicon/dates.txt) and their loader
//   date_tokens      the text folded to ASCII (text layer rules) and its tokens
//   date_matchers    grammar shared by metadata, datelines and extraction
//   date_extractor   extract_dates(): mentions in running text and their resolution
//   dates            this file: parse_date, find_dateline and the small public helpers
// The calendar is schema/calendar.hpp; query-side ranges are searcher/date_range.hpp.
#include "indexer/dates.hpp"

#include "indexer/date_matchers.hpp"

#include <algorithm>
#include <cstdio>

namespace depeche {
namespace tx = depeche::text;
using namespace dates;

DateTime DateTime::local() const {
    if (!has_time() || utc_offset == 0 || !valid_ymd(year, month, day)) return *this;
    DateTime out = *this;
    if (!shift_minutes(out.year, out.month, out.day, out.hour, out.minute, utc_offset)) return *this;
    out.utc_offset = 0;
    return out;
}

std::optional<DateTime> parse_date(std::string_view text) {
    text = tx::trim(text);
    if (text.empty() || text.size() > 256) return std::nullopt;
    const Text x(text);
    bool allow_le = true;
    auto r = full_date_at(x, after_label(x, 0, allow_le), true);
    if (!r) return std::nullopt;
    std::size_t k = r->second;
    while (x.punct(k, '.')) ++k;
    if (k != x.size()) return std::nullopt;
    return r->first;
}

std::optional<DateTime> find_dateline(std::string_view body) {
    const std::size_t lim = tx::char_start(body, std::min<std::size_t>(body.size(), 1000));
    const Text x(body.substr(0, lim));
    for (std::size_t li = 0; li < x.size(); ++li) {
        if (li > 0 && !x.punct(li - 1, '\n')) continue;
        if (x.punct(li, '\n')) continue;
        const std::size_t at = x.begin_of(li);
        if (at < 120) {
            bool allow_le = false;
            std::size_t j = after_label(x, li, allow_le);
            if (j == li) {
                // a capitalised place name and a comma: "PARIS, 15 mars 2017"
                std::size_t p = j;
                int words = 0;
                while (p < x.size() && words <= 4 &&
                       ((x.is_word(p) && x.upper_initial(p)) || ((x.punct(p, '-') || x.punct(p, '\'')) && words > 0))) {
                    if (x.is_word(p)) ++words;
                    ++p;
                }
                if (words > 0 && x.punct(p, ',')) {
                    j = p + 1;
                    allow_le = true;
                }
            }
            if (auto r = full_date_at(x, j, allow_le)) {
                const std::size_t e = r->second;
                bool ok = e >= x.size();
                if (!ok && x.is_punct(e)) {
                    const char c = x[e].ch;
                    ok = c == '.' || c == '-' || c == ',' || c == '(' || c == '\n' || c == ':' || c == ';' ||
                         c == '|' || c == '"' || c == '/';
                }
                if (ok) return r->first;
            }
            continue;
        }
        // Wikinews: "<date>[, <up to 40 bytes>] . –" after image captions
        if (auto r = full_date_at(x, li, false)) {
            std::size_t e = r->second;
            if (x.punct(e, ',')) {
                const std::size_t from = x.begin_of(e);
                while (e < x.size() && !x.punct(e, '\n') && !x.punct(e, '.') && x.begin_of(e) - from <= 40) ++e;
            }
            if (x.punct(e, '.') && x.punct(e + 1, '-')) return r->first;
        }
    }
    return std::nullopt;
}

DateRange range_of(const MentionedDate& m) {
    DateRange r;
    switch (m.granularity) {
        case Granularity::Day: r.from = r.to = m.year * 10000 + m.month * 100 + m.day; break;
        case Granularity::Month:
            r.from = m.year * 10000 + m.month * 100 + 1;
            r.to = m.year * 10000 + m.month * 100 + days_in_month(m.year, m.month);
            break;
        case Granularity::Year:
            r.from = m.year * 10000 + 101;
            r.to = m.year * 10000 + 1231;
            break;
    }
    return r;
}

std::string iso_string(const MentionedDate& m) {
    char buf[32];
    switch (m.granularity) {
        case Granularity::Day: std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", m.year, m.month, m.day); break;
        case Granularity::Month: std::snprintf(buf, sizeof buf, "%04d-%02d", m.year, m.month); break;
        case Granularity::Year: std::snprintf(buf, sizeof buf, "%04d", m.year); break;
    }
    return buf;
}

std::string iso_string(const DateTime& d) {
    char buf[48];
    if (d.has_time())
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day, d.hour, d.minute,
                      d.second);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

}  // namespace depeche
