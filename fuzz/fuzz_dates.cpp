// Fuzz target: dates (parse_date, find_dateline, extract_dates, parse_date_range).
// Dates returned are real calendar dates; mentions are in order, inside the text and
// do not overlap; ranges are ordered.
#include "fuzz/fuzz_targets.hpp"
#include "indexer/dates.hpp"
#include "searcher/date_range.hpp"

namespace depeche::fuzz {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

void check_date(const DateTime& d) {
    DEPECHE_FUZZ_CHECK(d.year >= 1 && d.year <= 9999);
    DEPECHE_FUZZ_CHECK(d.month >= 1 && d.month <= 12);
    DEPECHE_FUZZ_CHECK(d.day >= 1 && d.day <= days_in(d.year, d.month));
    if (d.has_time()) {
        DEPECHE_FUZZ_CHECK(d.hour <= 23);
        DEPECHE_FUZZ_CHECK(d.minute >= 0 && d.minute <= 59);
        DEPECHE_FUZZ_CHECK(d.second >= 0 && d.second <= 60);
    }
    const std::string iso = iso_string(d);
    DEPECHE_FUZZ_CHECK(iso.size() >= 10);
    const DateTime local = d.local();
    DEPECHE_FUZZ_CHECK(local.month >= 1 && local.month <= 12);
}

void check_range(const DateRange& r) {
    DEPECHE_FUZZ_CHECK(r.from <= r.to);
    DEPECHE_FUZZ_CHECK(r.from >= 0 && r.to <= 99991231);
}

}  // namespace

void dates_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto d = parse_date(text)) check_date(*d);
    if (auto d = find_dateline(text)) check_date(*d);

    // Mentions, without a publication date and with one (taken from the first line
    // when it parses, else a fixed date).
    std::optional<DateTime> published;
    const std::size_t newline = text.find('\n');
    if (newline != std::string_view::npos) published = parse_date(text.substr(0, newline));
    if (!published) published = DateTime{2025, 8, 15, 14, 30, 0, 120};
    for (const auto& pub : {std::optional<DateTime>{}, published}) {
        std::size_t end = 0;
        for (const MentionedDate& m : extract_dates(text, pub)) {
            DEPECHE_FUZZ_CHECK(m.begin < m.end);
            DEPECHE_FUZZ_CHECK(m.end <= text.size());
            DEPECHE_FUZZ_CHECK(m.begin >= end);
            end = m.end;
            DEPECHE_FUZZ_CHECK(m.year >= 1 && m.year <= 9999);
            if (m.granularity != Granularity::Year) DEPECHE_FUZZ_CHECK(m.month >= 1 && m.month <= 12);
            if (m.granularity == Granularity::Day) DEPECHE_FUZZ_CHECK(m.day >= 1 && m.day <= days_in(m.year, m.month));
            check_range(range_of(m));
            DEPECHE_FUZZ_CHECK(!iso_string(m).empty());
        }
    }

    std::string error;
    if (auto r = parse_date_range(text, &error))
        check_range(*r);
    else
        DEPECHE_FUZZ_CHECK(!error.empty());
}

}  // namespace depeche::fuzz

DEPECHE_FUZZ_ENTRY(dates_input)
