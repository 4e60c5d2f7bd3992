// The date vocabulary (indexer/lexicon/dates.txt) as date extraction looks it up: each
// folded word with what it can be (a month, a weekday, a cue word of the matchers, a
// tense marker...). Loaded once from the compiled-in lexicon (schema/lexicon.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::dates {

// The cue words the matchers of dates.cpp test for ("cue NAME ..." lines of dates.txt).
enum Word : std::uint8_t {
    W_NONE = 0,
    W_LE,
    W_LA,
    W_LES,
    W_L,
    W_CE,
    W_CET,
    W_CETTE,
    W_DU,
    W_AU,
    W_DE,
    W_D,
    W_DES,
    W_EN,
    W_ET,
    W_OU,
    W_A,
    W_DEPUIS,
    W_JUSQU,
    W_ENTRE,
    W_AVANT,
    W_APRES,
    W_VERS,
    W_DANS,
    W_IL,
    W_Y,
    W_ICI,
    W_CI,
    W_DERNIER,
    W_PROCHAIN,
    W_PASSE,
    W_SUIVANT,
    W_HIER,
    W_DEMAIN,
    W_AUJOURD,
    W_HUI,
    W_MATIN,
    W_SOIR,
    W_MIDI,
    W_MATINEE,
    W_SOIREE,
    W_JOURNEE,
    W_NUIT,
    W_DEBUT,
    W_FIN,
    W_MI,
    W_MILIEU,
    W_COURANT,
    W_MOIS,
    W_AN,
    W_ANNEE,
    W_ANNEES,
    W_JOUR,
    W_SEMAINE,
    W_PREMIER,
    W_ER,
    W_RE,
    W_E,
    W_EME,
    W_H,
    W_HEURES,
    W_MIN,
    W_CHAQUE,
    W_TOUS,
    W_PLUS,
    W_MOINS,
    W_PRES,
    W_ENVIRON,
    W_QUELQUE,
    W_T,
    W_POUR,
    W_CONTRE,
    W_LORS,
    W_PUBLIE,
    W_MIS,
    W_MISE,
    W_MEME,
    W_SAINT,
    W_GRAS,
    W_ORDINAL,
    W_NOEL,
    W_PAQUES,
    W_PENTECOTE,
    W_TOUSSAINT,
    W_NOUVEL,
    W_SYLVESTRE,
    W_VALENTIN,
    W_PERE,
    W_ILE,
    W_PAGE_ACTUALISEE,
    W_MODIFIE,
    W_ACTUALISE,
    W_EN_ORDINAL,
};

struct Lex {
    std::uint8_t word = W_NONE;
    std::int8_t month = 0;     // French month 1..12
    std::int8_t wday = -1;     // French weekday 0..6 (Monday first)
    std::int8_t en_month = 0;  // English month (metadata dates only)
    std::int8_t en_wday = -1;
    std::int8_t number = -1;  // "un".."trente"
    std::int8_t tense = 0;    // +1 a future marker, -1 a past one
    bool month_abbr = false, wday_abbr = false;
    bool unit = false;            // "2000 euros": an amount, not a year
    bool numberish = false;       // "n° 2019", "page 1999": an identifier, not a year
    bool not_verb = false;        // "opera": ends like a future, is no verb
    bool not_participle = false;  // "annee": ends in "ée", is no past participle
    bool has_zone = false;
    std::int16_t zone = 0;  // minutes east of UTC
};

inline const Lex kNoLex{};

// Words are at most this long (longer tokens are never looked up).
inline constexpr std::size_t kMaxWordLength = 13;

// A small open-addressing hash table from folded words to their Lex; cheaper than
// std::unordered_map for this hot lookup.
class Vocabulary {
public:
    Vocabulary() : slots_(kSize) {}
    Lex& operator[](std::string_view w);
    const Lex* find(std::string_view w) const;
    std::size_t size() const { return count_; }

private:
    static constexpr std::size_t kSize = 2048;  // power of two, well above the ~500 entries
    struct Slot {
        std::string key;
        Lex lex;
    };
    std::vector<Slot> slots_;
    std::size_t count_ = 0;
};

// Parses a vocabulary in the format of dates.txt. Throws std::runtime_error naming the
// line on a malformed one.
Vocabulary parse_vocabulary(std::string_view text);

// The vocabulary of the compiled-in indexer/lexicon/dates.txt, parsed once.
const Vocabulary& vocabulary();

}  // namespace depeche::dates
