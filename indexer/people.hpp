// Person extraction for the "people" facet: which people does a French news article name?
//
// A rule-based extractor, no statistical model: honorifics ("M.", "Mme", "MM.", "Monsieur"...),
// roles ("le président", "la ministre de la Culture", "le pape"...), demonyms ("le Britannique"),
// first-name gazetteers (the curated lists in indexer/lexicon plus hunspell's po:prn entries),
// name particles (de, Le, von der, al-...), capitalised sequences, and rejection of places,
// organisations and sentence-initial common words using the hunspell French dictionary
// (with its affix rules, so inflected forms such as "Confirmant" or "Nationale" are known words).
//
// Within one article, short mentions are resolved to the full name they refer to
// ("M. Trump", "Trump", "MM. Trump et Poutine" -> "Donald Trump", "Vladimir Poutine").
//
// Display-name policy (what extract() returns for each person):
//   * the longest full form seen in the article (most tokens, then most characters), e.g.
//     "Jean-Yves Le Drian" even if the article mostly says "M. Le Drian";
//   * all-capital words of four letters or more are written with normal capitalisation
//     ("Emmanuel MACRON" -> "Emmanuel Macron"); shorter all-capital words stay ("JD Vance");
//   * a person named only by honorific + surname keeps the honorific in its abbreviated
//     standard form: "M. Dupont", "Mme Borne", "Dr Martin", "Me Dupond-Moretti", "Mgr Aupetit",
//     "Pr Raoult" (spelled-out forms are abbreviated: "Madame Borne" -> "Mme Borne";
//     "MM. Dupont et Durand" -> "M. Dupont", "M. Durand");
//   * a person named only by surname with other evidence (a role: "le président Poutine", or a
//     surname that lexicon/people.txt knows: "Merkel") is displayed as written ("Poutine"): the
//     curated list of well-known people is used to recognise such lone surnames, never to invent
//     a form the article does not contain;
//   * person_key() ignores a leading honorific, so "M. Dupont" and "Dupont" have the same key.
//
// Thread safety: a PeopleExtractor is immutable after construction; extract() and analyse()
// are const and may be called concurrently from any number of threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/person_key.hpp"  // person_key(), shared with the searcher

namespace depeche {

/// Extracts the people named in French news text. Build once, share between threads.
class PeopleExtractor {
public:
    /// Loads the curated lists from lexicon_dir (indexer/lexicon in the source tree, or its
    /// installed copy; the copy compiled into the library, schema/lexicon.hpp, when empty): honorifics.txt, roles.txt, particles.txt, demonyms.txt,
    /// first_names.txt, non_person.txt, foreign_words.txt, people.txt (each file describes its
    /// format in its header comment), and aliases.txt if present (spelling variants of a
    /// well-known surname are recognised like it: "Putin" as "Poutine").
    /// Throws std::runtime_error if lexicon_dir or one of these files cannot be read.
    /// If hunspell_dic can be read, also loads its first names (po:prn), surnames (po:patr),
    /// other proper nouns (po:npr and capitalised common nouns such as "Kremlin": never
    /// person names alone) and common words; the affix file next to it (same name, ".aff")
    /// is used to recognise inflected common words. A missing dictionary is silently ignored
    /// (extraction still works, with less knowledge of the language).
    explicit PeopleExtractor(const std::string& lexicon_dir,
                             const std::string& hunspell_dic = "/usr/share/hunspell/fr_FR.dic");
    ~PeopleExtractor();
    PeopleExtractor(const PeopleExtractor&) = delete;
    PeopleExtractor& operator=(const PeopleExtractor&) = delete;
    PeopleExtractor(PeopleExtractor&&) noexcept;
    PeopleExtractor& operator=(PeopleExtractor&&) noexcept;

    /// Canonical display names (see the policy above) of the distinct people named in the
    /// article, in order of first mention. title may be empty. meta_people (names from the
    /// article's metadata) are always included, first, and de-duplicated with the extracted
    /// people (a metadata "Trump" and an extracted "Donald Trump" are one person, displayed
    /// "Donald Trump"). Empty or blank metadata names are ignored.
    std::vector<std::string> extract(std::string_view title, std::string_view body,
                                     const std::vector<std::string>& meta_people = {}) const;

    /// One mention of a person in the analysed text.
    struct Mention {
        std::size_t begin = 0;   ///< byte offset of the first byte of the name (honorific excluded)
        std::size_t end = 0;     ///< byte offset one past the name
        std::size_t person = 0;  ///< index into Analysis::people
    };
    /// Result of analyse(): the people (display names, in order of first mention) and every
    /// mention that was attributed to one of them, in text order.
    struct Analysis {
        std::vector<std::string> people;
        std::vector<Mention> mentions;
    };

    /// Same extraction as extract() on a single text (for a title and a body, pass
    /// title + "\n\n" + body), but also returns where each person is mentioned.
    /// Used by the benchmark (mention-level scores) and usable for highlighting.
    Analysis analyse(std::string_view text, const std::vector<std::string>& meta_people = {}) const;

    /// Number of entries loaded from each source, for diagnostics:
    /// {curated first names, hunspell first names, hunspell surnames, non-person proper nouns,
    ///  hunspell stems, hunspell suffix rules, curated people}.
    std::vector<std::size_t> lexicon_sizes() const;

    struct Impl;

private:
    std::unique_ptr<const Impl> impl_;
};

}  // namespace depeche
