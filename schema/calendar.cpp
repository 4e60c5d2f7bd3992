#include "schema/calendar.hpp"

#include <algorithm>

namespace depeche {
namespace {

// Days from 0001-01-01 to 1 January of year y.
long days_before_year(int y) {
    const long p = y - 1;
    return p * 365 + p / 4 - p / 100 + p / 400;
}

long days_before_month(int y, int m) {
    static constexpr int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    return kBefore[m - 1] + ((m > 2 && is_leap(y)) ? 1 : 0);
}

}  // namespace

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

bool valid_ymd(int y, int m, int d) {
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

long day_number(int y, int m, int d) { return days_before_year(y) + days_before_month(y, m) + d - 1; }

Ymd from_day_number(long n) {
    Ymd r;
    r.y = static_cast<int>(n / 366) + 1;  // never too large; walk forward
    while (days_before_year(r.y + 1) <= n) ++r.y;
    const long rest = n - days_before_year(r.y);
    r.m = 1;
    while (r.m < 12 && days_before_month(r.y, r.m + 1) <= rest) ++r.m;
    r.d = static_cast<int>(rest - days_before_month(r.y, r.m)) + 1;
    return r;
}

int weekday_of(long n) { return static_cast<int>(n % 7); }

bool shift_minutes(int& y, int& m, int& d, int& hour, int& minute, long delta) {
    long minutes = day_number(y, m, d) * 1440L + hour * 60 + minute + delta;
    if (minutes < 0) return false;
    const long dn = minutes / 1440;
    const Ymd r = from_day_number(dn);
    if (r.y > 9999) return false;
    y = r.y;
    m = r.m;
    d = r.d;
    minutes -= dn * 1440;
    hour = static_cast<int>(minutes / 60);
    minute = static_cast<int>(minutes % 60);
    return true;
}

// The anonymous "Meeus/Jones/Butcher" computus.
Ymd easter_sunday(int y) {
    const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = (h + l - 7 * m + 114) % 31 + 1;
    return {y, month, day};
}

long shift_months(int y, int m, int d, int k) {
    const int idx = y * 12 + (m - 1) + k;
    const int ny = idx / 12, nm = idx % 12 + 1;
    if (idx < 12 || ny > 9999) return -1;
    return day_number(ny, nm, std::min(d, days_in_month(ny, nm)));
}

long iso_week_monday(int year, int week) {
    if (year < 1 || year >= 9999 || week < 1) return -1;
    // Monday of week 1: the Monday on or before 4 January (day 0 is a Monday); week w
    // exists when its Thursday is still in the year.
    const long jan4 = day_number(year, 1, 4);
    const long monday = jan4 - jan4 % 7 + 7L * (week - 1);
    if (from_day_number(monday + 3).y != year) return -1;
    return monday;
}

void iso_week_of(long n, int& year, int& week) {
    const long thursday = n - weekday_of(n) + 3;
    year = from_day_number(thursday).y;
    week = static_cast<int>((thursday - day_number(year, 1, 1)) / 7 + 1);
}

}  // namespace depeche
