#include "indexer/date_vocabulary.hpp"

#include "schema/hash.hpp"
#include "schema/lexicon.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace depeche::dates {

Lex& Vocabulary::operator[](std::string_view w) {
    for (std::size_t i = schema::fnv1a32(w) & (kSize - 1);; i = (i + 1) & (kSize - 1)) {
        if (slots_[i].key.empty()) {
            if (count_ * 2 >= kSize) throw std::logic_error("date vocabulary: too many words");
            slots_[i].key = w;
            ++count_;
            return slots_[i].lex;
        }
        if (slots_[i].key == w) return slots_[i].lex;
    }
}

const Lex* Vocabulary::find(std::string_view w) const {
    for (std::size_t i = schema::fnv1a32(w) & (kSize - 1);; i = (i + 1) & (kSize - 1)) {
        if (slots_[i].key.empty()) return nullptr;
        if (slots_[i].key == w) return &slots_[i].lex;
    }
}

namespace {

struct CueName {
    std::string_view name;
    Word word;
};
constexpr CueName kCues[] = {{"le", W_LE},
                             {"la", W_LA},
                             {"les", W_LES},
                             {"l", W_L},
                             {"ce", W_CE},
                             {"cet", W_CET},
                             {"cette", W_CETTE},
                             {"du", W_DU},
                             {"au", W_AU},
                             {"de", W_DE},
                             {"d", W_D},
                             {"des", W_DES},
                             {"en", W_EN},
                             {"et", W_ET},
                             {"ou", W_OU},
                             {"a", W_A},
                             {"depuis", W_DEPUIS},
                             {"jusqu", W_JUSQU},
                             {"entre", W_ENTRE},
                             {"avant", W_AVANT},
                             {"apres", W_APRES},
                             {"vers", W_VERS},
                             {"dans", W_DANS},
                             {"il", W_IL},
                             {"y", W_Y},
                             {"ici", W_ICI},
                             {"ci", W_CI},
                             {"dernier", W_DERNIER},
                             {"prochain", W_PROCHAIN},
                             {"passe", W_PASSE},
                             {"suivant", W_SUIVANT},
                             {"hier", W_HIER},
                             {"demain", W_DEMAIN},
                             {"aujourd", W_AUJOURD},
                             {"hui", W_HUI},
                             {"matin", W_MATIN},
                             {"soir", W_SOIR},
                             {"midi", W_MIDI},
                             {"matinee", W_MATINEE},
                             {"soiree", W_SOIREE},
                             {"journee", W_JOURNEE},
                             {"nuit", W_NUIT},
                             {"debut", W_DEBUT},
                             {"fin", W_FIN},
                             {"mi", W_MI},
                             {"milieu", W_MILIEU},
                             {"courant", W_COURANT},
                             {"mois", W_MOIS},
                             {"an", W_AN},
                             {"annee", W_ANNEE},
                             {"annees", W_ANNEES},
                             {"jour", W_JOUR},
                             {"semaine", W_SEMAINE},
                             {"premier", W_PREMIER},
                             {"er", W_ER},
                             {"re", W_RE},
                             {"e", W_E},
                             {"eme", W_EME},
                             {"h", W_H},
                             {"heures", W_HEURES},
                             {"min", W_MIN},
                             {"chaque", W_CHAQUE},
                             {"tous", W_TOUS},
                             {"plus", W_PLUS},
                             {"moins", W_MOINS},
                             {"pres", W_PRES},
                             {"environ", W_ENVIRON},
                             {"quelque", W_QUELQUE},
                             {"t", W_T},
                             {"pour", W_POUR},
                             {"contre", W_CONTRE},
                             {"lors", W_LORS},
                             {"publie", W_PUBLIE},
                             {"mis", W_MIS},
                             {"mise", W_MISE},
                             {"meme", W_MEME},
                             {"saint", W_SAINT},
                             {"gras", W_GRAS},
                             {"ordinal", W_ORDINAL},
                             {"noel", W_NOEL},
                             {"paques", W_PAQUES},
                             {"pentecote", W_PENTECOTE},
                             {"toussaint", W_TOUSSAINT},
                             {"nouvel", W_NOUVEL},
                             {"sylvestre", W_SYLVESTRE},
                             {"valentin", W_VALENTIN},
                             {"pere", W_PERE},
                             {"ile", W_ILE},
                             {"page-actualisee", W_PAGE_ACTUALISEE},
                             {"modifie", W_MODIFIE},
                             {"actualise", W_ACTUALISE},
                             {"en-ordinal", W_EN_ORDINAL}};

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t b = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > b) out.push_back(line.substr(b, i - b));
    }
    return out;
}

}  // namespace

Vocabulary parse_vocabulary(std::string_view text) {
    Vocabulary v;
    std::size_t n = 0;
    lexicon::for_each_line(text, [&](std::string_view line) {
        ++n;
        auto fail = [&](const std::string& why) {
            throw std::runtime_error("dates.txt: entry " + std::to_string(n) + " '" + std::string(line) + "': " + why);
        };
        const std::vector<std::string_view> f = split(line);
        const std::string_view kind = f[0];
        std::size_t first = 1;
        int value = 0;
        const bool valued = kind == "month" || kind == "weekday" || kind == "en-month" || kind == "en-weekday" ||
                            kind == "number" || kind == "zone" || kind == "cue";
        Word cue = W_NONE;
        if (valued) {
            if (f.size() < 3) fail("expected a value and words");
            first = 2;
            if (kind == "cue") {
                const auto* c =
                    std::find_if(std::begin(kCues), std::end(kCues), [&](const CueName& k) { return k.name == f[1]; });
                if (c == std::end(kCues)) fail("unknown cue name");
                cue = c->word;
            } else {
                const auto r = std::from_chars(f[1].data(), f[1].data() + f[1].size(), value);
                if (r.ec != std::errc() || r.ptr != f[1].data() + f[1].size()) fail("bad number");
                const bool month = kind == "month" || kind == "en-month";
                const bool wday = kind == "weekday" || kind == "en-weekday";
                if ((month && (value < 1 || value > 12)) || (wday && (value < 0 || value > 6)) ||
                    (kind == "number" && (value < 1 || value > 100)) || (kind == "zone" && std::abs(value) > 14 * 60))
                    fail("value out of range");
            }
        } else if (f.size() < 2) {
            fail("expected words");
        }
        bool abbr = false;
        for (std::size_t k = first; k < f.size(); ++k) {
            const std::string_view w = f[k];
            if (w == "|") {
                if (kind != "month" && kind != "weekday") fail("'|' only for months and weekdays");
                abbr = true;
                continue;
            }
            if (w.size() > kMaxWordLength) fail("word '" + std::string(w) + "' longer than 13 letters");
            Lex& l = v[w];
            const auto val = static_cast<std::int8_t>(value);
            if (kind == "month")
                l.month = val, l.month_abbr = abbr;
            else if (kind == "weekday")
                l.wday = val, l.wday_abbr = abbr;
            else if (kind == "en-month")
                l.en_month = val;
            else if (kind == "en-weekday")
                l.en_wday = val;
            else if (kind == "number")
                l.number = val;
            else if (kind == "zone")
                l.has_zone = true, l.zone = static_cast<std::int16_t>(value);
            else if (kind == "cue")
                l.word = cue;
            else if (kind == "unit")
                l.unit = true;
            else if (kind == "identifier")
                l.numberish = true;
            else if (kind == "future")
                l.tense = 1;
            else if (kind == "past")
                l.tense = -1;
            else if (kind == "not-verb")
                l.not_verb = true;
            else if (kind == "not-participle")
                l.not_participle = true;
            else
                fail("unknown kind");
        }
    });
    return v;
}

const Vocabulary& vocabulary() {
    static const Vocabulary v = parse_vocabulary(lexicon::embedded("dates.txt"));
    return v;
}

}  // namespace depeche::dates
