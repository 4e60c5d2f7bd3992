// Dates in French news: publication dates from metadata and datelines, and date
// mentions in running text (resolved against the publication date). The calendar is
// schema/calendar.hpp; the words are indexer/lexicon/dates.txt (date_vocabulary.hpp);
// query-side date ranges are searcher/date_range.hpp.
//
// Everything here works on UTF-8 text and is case and accent insensitive
// ("Août", "aout", "AOÛT" are the same month; typographic apostrophes, dashes
// and no-break spaces are treated like their ASCII counterparts). No regular
// expressions: text is folded once to lower-case ASCII and scanned by hand,
// so extract_dates() is cheap enough to run on every article at index time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/calendar.hpp"

namespace depeche {

// A calendar date with an optional time of day.
// When has_time() the time is UTC if the source carried a UTC offset or zone
// (the date may then differ from the one written), otherwise it is the time
// as written (no time-zone guessing). utc_offset keeps the source's offset in
// minutes east of UTC (0 when none was given): local time = UTC + utc_offset.
struct DateTime {
    int year = 0, month = 0, day = 0;
    int hour = -1, minute = -1, second = 0;
    int utc_offset = 0;
    // The source gave a zone or an offset ("Z", "+02:00", "(CET)"), so the time is UTC;
    // otherwise it is the local time of the source, zone unknown. Not compared by ==.
    bool zoned = false;
    bool has_time() const { return hour >= 0; }
    // The date as written in the source: the UTC date moved back by utc_offset
    // (2025-08-15T23:30:00+02:00 is stored as 21:30 UTC; its local date is the 15th).
    DateTime local() const;
    // The date as a YYYYMMDD integer (e.g. 20250815).
    int yyyymmdd() const { return year * 10000 + month * 100 + day; }
    friend bool operator==(const DateTime& a, const DateTime& b) {
        return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute &&
               a.second == b.second && a.utc_offset == b.utc_offset;
    }
};

// Parses a publication date from metadata; the whole string (trimmed) must be
// one date, and a day is required ("août 2025" and "hier" give nullopt).
// Accepted forms (case and accent insensitive):
//   ISO 8601   2025-08-15, 2025-8-5, 2025-08-15T14:30, 2025-08-15T14:30:00.5+02:00,
//              2025-08-15 14:30:00Z, 2025-08-15T14:30:00+0200
//   RFC 2822   Fri, 15 Aug 2025 14:30:00 +0200  (also GMT/UT/UTC/Z, EST..PDT, CET/CEST)
//   numeric    15/08/2025, 15.08.2025, 15-08-2025 (always day first), 15/08/25
//   French     15 août 2025, 15 aout 2025, 1er janvier 2016, le 15 août 2025,
//              vendredi 15 août 2025 à 14h30, 15 août 2025, 14:30, 18 octobre 2012 à 19 h 21 min,
//              16/03/2018 à 18:05
//   English    March 16, 2018, Friday, March 16th, 2018, Mar. 16 2018 18:05
//   labelled   any of the above after "Publié le", "Mis à jour le", "Mise à jour :",
//              "Dernière mise à jour :", "Modifié le", "Actualisé le", "Page actualisée :"
//              (Publié le vendredi 16 mars 2018 à 18h05, Mis à jour le 16/03/2018 à 18:05)
// Month and weekday names, zones and labels are the words of indexer/lexicon/dates.txt.
// A zone after the time converts the time to UTC (which can change the day);
// without one the time is kept as written. Invalid dates (32/01/2020,
// 2025-02-29, 2025-13-01), invalid times and strings over 256 bytes give nullopt.
std::optional<DateTime> parse_date(std::string_view text);

// The dateline of a news body, e.g. "1er janvier 2016, 14h30 . –",
// "15 mars 2017 . –", "PARIS, 15 mars 2017 (AFP) -", "Page actualisée : 17 janvier 2017 —".
// A line starting within the first 120 bytes must begin with a full date
// (optionally after a capitalised place name and a comma, or after "Publié le",
// "Mis à jour le", "Page actualisée :"), followed by a time, punctuation or the
// end of the line. In addition, because Wikinews bodies often start with image
// captions, a line within the first 1000 bytes of the exact Wikinews form
// "<date>[, <up to 40 bytes>] . –" also counts. Returns the first one found.
std::optional<DateTime> find_dateline(std::string_view body);

enum class Granularity { Day, Month, Year };

// A date mentioned in running text. [begin, end) are byte offsets of the
// expression in the text given to extract_dates(). Following French TimeBank,
// the span includes a leading "le"/"les"/"ce", a weekday, prefixes such as
// "début", "fin", "mi-", "le mois de", suffixes "dernier"/"prochain" and a
// part of day ("hier soir"); it excludes other prepositions ("en", "depuis",
// "du", "au"). month is 0 for Granularity::Year, day is 0 unless Granularity::Day.
struct MentionedDate {
    std::size_t begin = 0, end = 0;
    int year = 0, month = 0, day = 0;
    Granularity granularity = Granularity::Day;
    friend bool operator==(const MentionedDate&, const MentionedDate&) = default;
};

// Finds the dates mentioned in `text`, in text order, non-overlapping.
// Absolute dates ("15 août 2025", "2025-08-15", "15/08/2025", "février 2022",
// "en 2022", "Noël 2018") are always reported; expressions that need a
// reference date are resolved against `published` and skipped when it is nullopt:
//   * a day and month without year ("le 15 août") -> the occurrence within
//     (published - 10 months, published + 2 months], or within (- 5, + 7]
//     months when the clause is in the future tense ("aura lieu le 15 mars");
//     "dernier" -> the last one before publication, "prochain" -> the first
//     one after, "depuis le ..." -> the last one on or before publication,
//     "d'ici le ..." -> the first one on or after;
//   * a month without year ("en août", "depuis le mois d'août", "juin prochain",
//     "début octobre") -> likewise, the month within [published - 9 months,
//     published + 2 months] ([- 4, + 7] for a future clause);
//   * a month or day right after "en <year>" in the same sentence takes that
//     year ("deux ruptures en 97 (en janvier ..., en octobre ...)");
//   * hier, avant-hier, aujourd'hui, demain, après-demain, ce matin, ce soir;
//   * weekdays: "jeudi" -> the last such day on or before publication, unless
//     the sentence's nearest tense marker is a future (fera, sera, va, devrait,
//     prévu...), then the next one after it; "lundi dernier" -> strictly
//     before, "vendredi prochain" -> strictly after; when the text also names
//     that weekday with a full date near publication ("samedi 29 mai"), that
//     date is used; "samedi 16" -> the nearest Saturday the 16th (within 45 days);
//   * cette année, l'an dernier, l'année prochaine, le mois dernier/prochain,
//     ce mois-ci, il y a N jours/semaines/mois/ans, dans N jours/semaines/mois/ans;
//   * Noël, Pâques, (lundi de) Pentecôte, la Toussaint, Nouvel An, jour de l'an,
//     Saint-Sylvestre, Saint-Valentin, like a day and month without year.
// The reference day is published->local() (the publication's own calendar day).
// Bare years need to be plausible (1800-2100) and not amounts ("2022 euros",
// "2 000", "plus de 1900 personnes", "n° 2019"); month names alone need a cue
// ("en mars", "de mars", "mars dernier", "début mars"), "mai" a stronger one
// ("en mai", "de mai", "mois de mai"), and a capitalised "Mars" mid-sentence is
// the planet. Not handled: weeks, seasons, decades, centuries, times of day,
// durations, intervals as such ("du 13 au 15 juillet" gives two dates),
// anaphora ("la veille", "le lendemain", "le même jour").
// Linear in the text size; no regular expressions.
std::vector<MentionedDate> extract_dates(std::string_view text, const std::optional<DateTime>& published);

// The range of days a mention covers (a month or year mention covers all of it).
DateRange range_of(const MentionedDate& m);

// "2025", "2025-08" or "2025-08-15" depending on the granularity (TimeML style).
std::string iso_string(const MentionedDate& m);

// "2025-08-15", or "2025-08-15T14:30:00" when has_time().
std::string iso_string(const DateTime& d);

}  // namespace depeche
