// The proleptic Gregorian calendar, years 1..9999, shared by date extraction (indexer),
// date ranges and date histograms (searcher).
#pragma once

namespace depeche {

struct Ymd {
    int y = 0, m = 0, d = 0;
};

// Inclusive range of dates as YYYYMMDD integers; open ends are 0 and 99991231.
struct DateRange {
    int from = 0, to = 99991231;
    friend bool operator==(const DateRange&, const DateRange&) = default;
};

bool is_leap(int year);
int days_in_month(int year, int month);  // month 1..12
bool valid_ymd(int year, int month, int day);

// The serial number of a day: day 0 is 0001-01-01, a Monday, so day_number(...) % 7 is
// the weekday (0 = Monday). And back.
long day_number(int year, int month, int day);
Ymd from_day_number(long n);

// 0 = Monday .. 6 = Sunday.
int weekday_of(long day_number);

// Moves a date and time of day by `minutes` (either sign); false, leaving them unchanged,
// when the result would fall outside years 1..9999.
bool shift_minutes(int& year, int& month, int& day, int& hour, int& minute, long minutes);

// Gregorian Easter Sunday of year y.
Ymd easter_sunday(int y);

// Day number of y-m-d moved by k months (day clamped to the month's length), or -1
// outside years 1..9999.
long shift_months(int y, int m, int d, int k);

// ISO 8601 week: the day number of the Monday of week `week` of `year` (weeks start on
// Monday; week 1 holds 4 January), or -1 when that week does not exist.
long iso_week_monday(int year, int week);
// The ISO year and week of a day number.
void iso_week_of(long day_number, int& year, int& week);

}  // namespace depeche
