// The pieces of date grammar shared by metadata parsing, datelines and extraction
// (internal to indexer/dates*): each looks at token k of a Text and, on a match,
// returns what it read and where it ends.
#pragma once

#include "indexer/date_tokens.hpp"
#include "indexer/dates.hpp"

#include <optional>
#include <utility>

namespace depeche::dates {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// A day of the month at token k: "15", "1er", "1 er", "15e", "premier".
bool day_at(const Text& x, std::size_t k, int& d, std::size_t& next);

// A month name at token k (French; English too when `english`).
int month_at(const Text& x, std::size_t k, bool allow_abbr, bool english, std::size_t& next);

// A weekday name at token k (abbreviations optional, English optional).
int weekday_at(const Text& x, std::size_t k, bool allow_abbr, bool english, std::size_t& next);

// The number at k is an amount or part of a bigger number, not a year.
bool amount_after(const Text& x, std::size_t k);

bool amount_before(const Text& x, std::size_t k);

// Two-digit year: 20yy unless that is more than 10 years after the reference year.
int expand_two_digit_year(int yy, int ref_year);

// Numeric dates at k: Y-M-D, Y/M/D, D/M/Y, D.M.Y, D-M-Y (and D/M/YY); D/M only
// when `allow_no_year` (then y = 0). All parts must be glued together.
bool numeric_date_at(const Text& x, std::size_t k, bool allow_no_year, int ref_year, int& y, int& m, int& d,
                     std::size_t& next);

// A time of day at k ("14h30", "14 h 30", "9 h 55", "14:30", "14:30:00.5",
// "19 h 21 min"), optionally introduced by ",", "à", "-" or "T", optionally
// followed by a zone ("Z", "UTC", "(UTC)", "+02:00", "+0200", "GMT+2").
// On success fills dt's time (converted to UTC when a zone is given; the date
// may move) and returns the index after it.
std::size_t time_at(const Text& x, std::size_t k, DateTime& dt);

// The English order, month first: "March 16, 2018", "Mar. 16 2018", "March 16th, 2018".
bool month_first_at(const Text& x, std::size_t k, int& y, int& m, int& d, std::size_t& next);

// A label before a publication date: "Publié le", "Mis à jour le", "Dernière mise à jour :",
// "Modifié le", "Actualisé le", "Page actualisée :". Returns the token after the label
// (a final "le" is left for full_date_at to read) and sets allow_le; k when there is none.
std::size_t after_label(const Text& x, std::size_t k, bool& allow_le);

// A full date (a day is required) with an optional time, at token k:
// [le] [weekday [,]] (ISO | numeric | DAY MONTH YEAR) [time [zone]].
std::optional<std::pair<DateTime, std::size_t>> full_date_at(const Text& x, std::size_t k, bool allow_le);

}  // namespace depeche::dates
