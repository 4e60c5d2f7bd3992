#include "searcher/date_range.hpp"

#include "schema/calendar.hpp"
#include "schema/text.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace depeche {
namespace tx = depeche::text;
namespace {

// One bound of a query range: YYYY, YYYY-MM or YYYY-MM-DD -> first and last day.
bool parse_bound(std::string_view s, int& first, int& last, std::string& err) {
    auto digits = [](std::string_view p) {
        return !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    auto to_int = [](std::string_view p) {
        int v = 0;
        for (char c : p) v = v * 10 + (c - '0');
        return v;
    };
    const std::string shown(s.substr(0, 40));
    const std::string invalid = "invalid date '" + shown + "' (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www)";
    std::string_view parts[3];
    int n = 0;
    std::size_t from = 0;
    for (;;) {
        const std::size_t dash = s.find('-', from);
        if (n == 3) {
            err = invalid;
            return false;
        }
        parts[n++] = s.substr(from, dash == std::string_view::npos ? std::string_view::npos : dash - from);
        if (dash == std::string_view::npos) break;
        from = dash + 1;
    }
    if (parts[0].size() != 4 || !digits(parts[0])) {
        err = invalid;
        return false;
    }
    // An ISO 8601 week, "2025-W33" (the buckets of a weekly date histogram): Monday to
    // Sunday of the week whose Thursday falls in that year.
    if (n == 2 && parts[1].size() >= 2 && parts[1].size() <= 3 && (parts[1][0] == 'W' || parts[1][0] == 'w') &&
        digits(parts[1].substr(1))) {
        const int y = to_int(parts[0]), w = to_int(parts[1].substr(1));
        const long monday = iso_week_monday(y, w);
        if (monday < 0) {
            err = "week " + shown + " out of range";
            return false;
        }
        const Ymd a = from_day_number(monday), b = from_day_number(monday + 6);
        first = a.y * 10000 + a.m * 100 + a.d;
        last = b.y * 10000 + b.m * 100 + b.d;
        return true;
    }
    for (int i = 1; i < n; ++i) {
        if (parts[i].empty() || parts[i].size() > 2 || !digits(parts[i])) {
            err = invalid;
            return false;
        }
    }
    const int y = to_int(parts[0]);
    if (y < 1) {
        err = "year " + std::string(parts[0]) + " out of range";
        return false;
    }
    if (n == 1) {
        first = y * 10000 + 101;
        last = y * 10000 + 1231;
        return true;
    }
    const int m = to_int(parts[1]);
    if (m < 1 || m > 12) {
        err = "month " + std::to_string(m) + " out of range";
        return false;
    }
    if (n == 2) {
        first = y * 10000 + m * 100 + 1;
        last = y * 10000 + m * 100 + days_in_month(y, m);
        return true;
    }
    const int d = to_int(parts[2]);
    if (d < 1 || d > days_in_month(y, m)) {
        char ym[16];
        std::snprintf(ym, sizeof ym, "%04d-%02d", y, m);
        err = "day " + std::to_string(d) + " out of range for " + ym;
        return false;
    }
    first = last = y * 10000 + m * 100 + d;
    return true;
}

}  // namespace

std::optional<DateRange> parse_date_range(std::string_view text, std::string* error) {
    std::string err;
    auto fail = [&](std::string msg) -> std::optional<DateRange> {
        if (error) *error = std::move(msg);
        return std::nullopt;
    };
    text = tx::trim(text);
    if (text.empty()) return fail("empty date range");
    if (text.size() > 64) return fail("date range too long");
    DateRange r;
    const std::size_t dots = text.find("..");
    if (dots == std::string_view::npos) {
        if (!parse_bound(text, r.from, r.to, err)) return fail(err);
        return r;
    }
    const std::string_view left = tx::trim(text.substr(0, dots));
    const std::string_view right = tx::trim(text.substr(dots + 2));
    if (left.empty() && right.empty()) return fail("date range needs at least one bound");
    if (right.find("..") != std::string_view::npos || right.find('.') != std::string_view::npos)
        return fail("invalid date range '" + std::string(text.substr(0, 40)) + "'");
    int ignore = 0;
    if (!left.empty() && !parse_bound(left, r.from, ignore, err)) return fail(err);
    if (!right.empty() && !parse_bound(right, ignore, r.to, err)) return fail(err);
    if (r.from > r.to) {
        // report the bounds as written
        return fail("start " + std::string(left) + " is after end " + std::string(right));
    }
    return r;
}

}  // namespace depeche
