// Query-side date ranges (date:, mentionne:): the syntax of docs/query-language.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schema/calendar.hpp"

namespace depeche {

// Parses a query-side date range: "2025-08-01..2025-10-31", "2025", "2025-08",
// "2025-08-15", "2025-W33" (an ISO week), "..2025-08-15", "2020..", "2025-08..", spaces
// allowed around "..". A bound at month or year precision covers the whole month or year
// ("2025-08" is 20250801..20250831; "..2025" ends at 20251231). On invalid input returns
// nullopt and, if `error` is not null, stores a message such as "month 13 out of range",
// "day 30 out of range for 2025-02", "start 2025-10 is after end 2025-08" or
// "invalid date 'xyz' (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www)".
std::optional<DateRange> parse_date_range(std::string_view text, std::string* error);

}  // namespace depeche
