// Term builders and value encodings shared by the indexer and the query parser: the same
// input gives the same term on both sides (schema/schema.hpp says which field uses which).
#pragma once

#include "schema/schema.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace depeche {

// Limit on term length (Xapian's is 245 bytes with the prefix).
inline constexpr std::size_t kMaxTermBytes = 200;

// A term cut to the length limit (long ones end with '#' and a hash of the whole).
std::string bounded_term(std::string term);

// 64-bit FNV-1a hash of s as 16 hex digits (stable across runs and machines).
std::string fnv_hex(std::string_view s);
// The same hash in 11 characters of [0-9A-Za-z_-] (6 bits each, low bits first): the
// hashed terms (U, XF, XVA, XVS), which every article carries.
std::string fnv_short(std::string_view s);

// The term of field `f` for one value, as its Indexing builds it: Hashed, the prefix and
// fnv_short(value); otherwise (Exact; PersonKey, whose value is a person key) the prefix
// and the value, cut to the limit.
std::string field_term(const schema::Field& f, std::string_view value);
// The unique-id term of an article id.
std::string id_term(std::string_view id);
// The term of an input file's path (the file field: a hash of the path).
std::string file_term(std::string_view path);
// The whole-value term of a WordsAndValue field's text (XVA..., XVS...).
std::string field_value_term(const schema::Field& f, std::string_view text);

// Appends `item` to a list joined by schema::kListSeparator.
inline void append_item(std::string& list, std::string_view item) {
    if (!list.empty()) list += schema::kListSeparator;
    list.append(item);
}
// Calls f on each non-empty item of a list joined by schema::kListSeparator.
template <class F>
void for_each_item(std::string_view list, F&& f) {
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t end = std::min(list.find(schema::kListSeparator, start), list.size());
        if (end > start) f(list.substr(start, end - start));
        start = end + 1;
    }
}

// "YYYYMMDD" (month and day 0 for a year or month only).
std::string yyyymmdd(int y, int m, int d);
// The year, month and day terms of a date under a date field's prefix: one for each
// precision the date has (month 0: the year only; day 0: year and month).
std::vector<std::string> date_terms(const schema::Field& f, int y, int m, int d);
// The tie-break value (schema::kSlotRank) of an article: its publication date value
// (schema::kSlotDate; "" if none) as 14 digits, each inverted (9 - d), then its id, so
// that ascending order is newest first, then by id; articles without a date come last.
std::string rank_value(std::string_view date_value, std::string_view id);

}  // namespace depeche
