// One person, one entry: resolves the person keys of an index (the XP terms) to the
// people they stand for, at query time, from index-wide tables.
//
// The indexer resolves a short mention within its article only ("M. Macron" after
// "Emmanuel Macron"); an article that says only "Merkel" gets the key `merkel`. This
// resolver, built from the index's XP terms and their term frequencies, decides what
// each key means across the index:
//
//   1. Variants: the alias list (indexer/lexicon/aliases.txt, compiled in) rewrites a
//      key into its French form: `vladimir putin` -> `vladimir poutine`, `putin` ->
//      `poutine`. Case and accents are already folded by person_key().
//   2. Close spellings: a full name (two name words or more) whose surname, six letters
//      or more, is at edit distance 1 (one letter inserted, deleted, replaced, or two
//      swapped) from the surname of a full name with the same first words that is used
//      in at least 3 times as many articles is that name (`jean-luc melanchon` ->
//      `jean-luc melenchon`). A full name and a full name it ends with are one person,
//      under the more used of the two (`paris anne hidalgo` -> `anne hidalgo`,
//      `tayyip erdogan` -> `recep tayyip erdogan`).
//   3. Surnames: a key made of one name word (with its particles: `le pen`, `de gaulle`)
//      is the full name ending with it that holds at least 90% of the articles of all
//      the full names ending with it (`merkel` -> `angela merkel`). Otherwise it stays
//      as it is: ambiguous when two or more full names share it (`le pen`: Marine and
//      Jean-Marie), or simply a surname nobody gives a first name to.
//
// Nothing is written into the index: the resolver follows the index as articles arrive
// (a searcher builds one per revision it reads), and changing the alias list needs no
// re-indexing. Building one reads every XP term once (33,000 terms on OrangeSum, about
// 35 ms; over remote shards a sharded searcher reads each shard's in parallel).
//
// A resolver is immutable after construction except for its cache of display names,
// which is guarded: it may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <xapian.h>

namespace depeche {

class PeopleResolver {
public:
    explicit PeopleResolver(const Xapian::Database& db);
    /// The same from the XP keys of an index (without prefix, in byte order, each once)
    /// and their term frequencies, read by the caller (read_keys(); a sharded searcher
    /// reads remote shards' keys in parallel).
    explicit PeopleResolver(std::vector<std::pair<std::string, std::size_t>> keys);

    /// The XP keys of `db` (without prefix) and their term frequencies, in byte order.
    static std::vector<std::pair<std::string, std::size_t>> read_keys(const Xapian::Database& db);
    /// How many times this process has called read_keys() (tests).
    static std::size_t key_reads();

    /// The person a person key (as person_key() makes it) stands for, as a normalised
    /// key: `merkel` -> `angela merkel`, `vladimir putin` -> `vladimir poutine`,
    /// `le pen` -> `le pen` (ambiguous). A key the index does not hold is normalised
    /// (aliases) and resolved the same way.
    std::string person_of(std::string_view key) const;

    /// Whether a normalised key is a surname that two or more full names of the index
    /// share without one of them dominating (`le pen`).
    bool ambiguous(std::string_view person) const;

    /// The XP keys (without prefix) a `personne:` query matches, for a key made by
    /// person_key() from the query:
    ///   * a surname (one name word, with its particles): every key whose name ends
    ///     with that surname, resolved or not, variants included (`personne:Merkel`:
    ///     `merkel`, `angela merkel`; `personne:Putin` = `personne:Poutine`);
    ///   * a full name: every key that stands for the same person (`personne:"Angela
    ///     Merkel"`: `angela merkel` and `merkel` when `merkel` resolves to her).
    /// Empty when nothing in the index matches.
    std::vector<std::string> query_keys(std::string_view key) const;

    /// The name a person (a normalised key from person_of()) is shown under: the most
    /// frequent display form of its most used key among the first articles that carry
    /// it (accented forms first on a tie), with its words rewritten to the French form of
    /// the alias list (`Vladimir Putin` -> `Vladimir Poutine`). Falls back to the key.
    /// The articles are read from `db`, the caller's own handle on the database the
    /// resolver was built from (a resolver holds none: the searchers of a process share
    /// it, each on its own thread with its own handle); the names found are kept.
    std::string display(std::string_view person, const Xapian::Database& db) const;

    /// For spelling suggestions ("Vouliez-vous dire : Poutine ?"): given a query word or
    /// name (folded or not: it goes through person_key()), returns the canonical display
    /// name when it is a variant of a person the index names:
    ///   * an alias-list variant: `putin` -> "Poutine", `vladimir putin` -> "Vladimir
    ///     Poutine", `zelenskyy` -> "Zelensky" (when the index names someone with that
    ///     surname, or that person);
    ///   * a full name the index merged into a more used spelling (close spellings, see
    ///     above): `jean-luc melanchon` -> "Jean-Luc Mélenchon" when the index holds both.
    /// A single word gives the surname as the alias list writes it ("Poutine"), a full
    /// name the person's display name. std::nullopt when the input is not a variant: it
    /// is already the canonical spelling, a surname alone (`merkel`: not a variant of
    /// "Angela Merkel"), or unknown to the index. Cost: a few hash look-ups.
    /// Used by the searcher's suggestions (SuggestSources::person_form).
    /// `db` as for display().
    std::optional<std::string> canonical_person(std::string_view name, const Xapian::Database& db) const;

    /// A misspelling of a surname or full name the index holds, for a name the index does
    /// not hold at all: the most used surname (one word) or full name (same first words)
    /// at one edit (one letter inserted, removed or replaced, two swapped), surname of 6
    /// letters or more: `makron` -> "Macron", `sarkosy` -> "Sarkozy", `melanchon` ->
    /// "Mélenchon", `angela merkle` -> "Angela Merkel". std::nullopt when the index holds
    /// the name or nothing is close. Cost: one pass over the index's names.
    /// `db` as for display().
    std::optional<std::string> closest_person(std::string_view name, const Xapian::Database& db) const;

    /// A display name with its words rewritten to the French form of the alias list
    /// (`Vladimir Putin` -> `Vladimir Poutine`, `Melenchon` -> `Mélenchon`).
    std::string french_form(std::string_view display) const;

    /// The normalised key of a name (aliases applied): `vladimir putin` -> `vladimir poutine`.
    std::string normalise(std::string_view key) const;

    /// Number of distinct XP keys read.
    std::size_t keys() const { return keys_.size(); }

    /// Built from the same keys and frequencies (everything else follows from them).
    bool operator==(const PeopleResolver& other) const { return keys_ == other.keys_ && key_df_ == other.key_df_; }
    std::size_t content_hash() const;

private:
    struct Name {
        std::string key;           // normalised key
        std::size_t df = 0;        // articles over the XP keys normalised to it (upper bound)
        std::uint32_t root = 0;    // after close-spelling and suffix merges
        std::uint32_t person = 0;  // after surname resolution
        bool full = false;         // two name words or more
        bool ambiguous = false;
    };
    void build();
    bool is_short(std::string_view key) const;
    const Name* find(std::string_view normalised) const;

    std::vector<std::string> keys_;  // XP keys as indexed
    std::vector<std::size_t> key_df_;
    std::vector<std::uint32_t> key_name_;  // per key: index into names_
    std::vector<Name> names_;
    std::unordered_map<std::string, std::uint32_t> name_index_;
    // Keys by the last word of their normalised name and of its root (surname queries).
    std::unordered_map<std::string, std::vector<std::uint32_t>> by_last_word_;
    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, std::string> display_cache_;
};

}  // namespace depeche
