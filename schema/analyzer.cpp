#include "schema/analyzer.hpp"
#include "schema/story_rules.hpp"

#include "schema/hash.hpp"
#include "schema/lexicon.hpp"
#include "schema/person_key.hpp"
#include "schema/schema.hpp"
#include "schema/text.hpp"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/uversion.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace depeche {
namespace tx = depeche::text;
namespace {

// Analyzer behaviour version: bump when any stage changes the terms it produces.
constexpr const char* kAnalyzerVersion = "french-10";
// Versions of the extraction stages' code (their data is in the lexicon files): bump one
// when its stage changes what it writes into an index.
constexpr const char* kPeopleRules = "people-1";
constexpr const char* kDateRules = "dates-2";

// French function words (folded). Kept in the index with positions (phrases), but given
// no stem term and left out of non-phrase queries that have other words.
constexpr std::string_view kStopwords[] = {
    "a",   "ai", "aie",  "au",    "aux",   "avec",  "c",    "ce",   "ces",  "cet",  "cette", "d",    "dans", "de",
    "des", "du", "elle", "elles", "en",    "es",    "est",  "et",   "eu",   "eux",  "il",    "ils",  "j",    "je",
    "l",   "la", "le",   "les",   "leur",  "leurs", "lui",  "m",    "ma",   "mais", "me",    "mes",  "moi",  "mon",
    "n",   "ne", "ni",   "nos",   "notre", "nous",  "on",   "ont",  "ou",   "par",  "pas",   "pour", "qu",   "que",
    "qui", "s",  "sa",   "se",    "ses",   "si",    "son",  "sont", "sur",  "t",    "ta",    "te",   "tes",  "toi",
    "ton", "tu", "un",   "une",   "vos",   "votre", "vous", "y",    "ceci", "cela", "ca",    "dont", "sans"};

// Titles as written before names, after which a period ends no sentence ("M. Macron").
constexpr std::string_view kTitles[] = {"M",   "MM",  "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Me",
                                        "Mgr", "St",  "Ste", "Sts",  "Jr",   "Sr",    "Mr", "Mrs", "Ms", "Gén",
                                        "Gal", "Cdt", "Col", "Lt",   "Cpt",  "Vve",   "Fr", "Sgt"};

// The separator between two words is one hyphen ("Jean-Yves", "Jean\u2011Yves").
bool is_hyphen(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = 0;
    return tx::is_hyphen(tx::decode(s, i)) && i == s.size();
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == ',' || c == '.'; });
}

const std::unordered_set<std::string_view>& stopword_set() {
    static const std::unordered_set<std::string_view> set(std::begin(kStopwords), std::end(kStopwords));
    return set;
}

struct Entry {
    std::string exact, stem, alt_stem;
    bool stop = false, number = false;
};

}  // namespace

struct Analyzer::Impl {
    std::unique_ptr<icu::BreakIterator> words;
    sb_stemmer* stemmer = nullptr;
    const icu::Normalizer2* nfc = nullptr;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view v) const noexcept { return std::hash<std::string_view>{}(v); }
    };
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> cache;

    Impl() {
        UErrorCode status = U_ZERO_ERROR;
        words.reset(icu::BreakIterator::createWordInstance(icu::Locale("fr"), status));
        if (U_FAILURE(status) || !words) throw std::runtime_error("ICU word break iterator unavailable");
        nfc = icu::Normalizer2::getNFCInstance(status);
        if (U_FAILURE(status)) throw std::runtime_error("ICU NFC normaliser unavailable");
        stemmer = sb_stemmer_new("french", "UTF_8");
        if (!stemmer) throw std::runtime_error("Snowball French stemmer unavailable");
    }
    ~Impl() { sb_stemmer_delete(stemmer); }

    std::string stem(const std::string& lower) {
        const sb_symbol* r =
            sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(lower.data()), static_cast<int>(lower.size()));
        if (!r) return lower;  // out of memory in the stemmer: keep the word
        return std::string(reinterpret_cast<const char*>(r), static_cast<std::size_t>(sb_stemmer_length(stemmer)));
    }

    const Entry& lookup(std::string_view word) {
        auto it = cache.find(word);
        if (it != cache.end()) return it->second;
        if (cache.size() > 400000) cache.clear();
        Entry e;
        std::string lower = tx::fold_case(word);
        e.exact = tx::fold(lower);
        e.number = all_digits(e.exact);
        e.stop = stopword_set().count(e.exact) > 0;
        if (e.number) {
            e.stem = e.exact;
        } else if (!e.stop) {
            e.stem = tx::fold(stem(lower));
            if (e.exact != lower) {
                std::string alt = stem(e.exact);
                alt = tx::fold(alt);
                if (alt != e.stem) e.alt_stem = std::move(alt);
            }
        }
        return cache.emplace(std::string(word), std::move(e)).first->second;
    }
};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

std::string Analyzer::normalize(std::string_view text) const {
    std::string clean = tx::sanitize_utf8(text);
    UErrorCode status = U_ZERO_ERROR;
    icu::StringPiece sp(clean.data(), static_cast<int32_t>(clean.size()));
    std::string out;
    if (impl_->nfc->isNormalizedUTF8(sp, status) && U_SUCCESS(status)) {
        out = std::move(clean);
    } else {
        status = U_ZERO_ERROR;
        icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(clean.size()));
        impl_->nfc->normalizeUTF8(0, sp, sink, nullptr, status);
        if (U_FAILURE(status)) out = std::move(clean);
    }
    // U+202F (narrow no-break space, French typography before ; : ! ?) is a word joiner
    // for UAX #29; make it a thin space (same byte length) so it separates words.
    for (std::size_t p = out.find("\u202F"); p != std::string::npos; p = out.find("\u202F", p + 3))
        out.replace(p, 3, "\u2009");
    // ‘ (U+2018) between two letters is an apostrophe typed with the wrong key; make it ’
    // (same byte length, so offsets do not move) so segmentation keeps "l‘Ukraine" whole.
    for (std::size_t p = out.find("\u2018"); p != std::string::npos; p = out.find("\u2018", p + 3)) {
        if (p == 0 || p + 3 >= out.size()) continue;
        std::size_t i = tx::char_start(out, p - 1);
        char32_t a = tx::decode(out, i);
        i = p + 3;
        char32_t b = tx::decode(out, i);
        if (u_isalpha(static_cast<UChar32>(a)) && u_isalpha(static_cast<UChar32>(b))) out.replace(p, 3, "\u2019");
    }
    return out;
}

// A word that a period may follow inside a sentence: one capital letter (an initial:
// "W", "É") or a title as written before names ("M", "Mme", "MM", "Dr", "Pr", "Me",
// "Mgr", "St"...). Case matters: "me." ends a sentence.
static bool is_initial_or_title(std::string_view word) {
    if (std::find(std::begin(kTitles), std::end(kTitles), word) != std::end(kTitles)) return true;
    std::size_t i = 0;
    const char32_t c = tx::decode(word, i);
    return i == word.size() && u_isupper(static_cast<UChar32>(c));
}

std::uint32_t Analyzer::analyze(std::string_view text, std::vector<Token>& out, std::uint32_t pos) {
    if (text.empty()) return pos;
    UErrorCode status = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    if (U_FAILURE(status)) return pos;
    icu::BreakIterator& bi = *impl_->words;
    bi.setText(ut, status);
    if (U_FAILURE(status)) {
        utext_close(ut);
        return pos;
    }
    std::size_t prev_begin = 0, prev_end = std::string_view::npos;  // the previous kept word
    // Sentence punctuation between two words leaves a one-position gap, so that phrases
    // never run across "Emmanuel. Macron" or "européenne.Cette". A period right after an
    // initial or a title ("George W. Bush", "M. Macron", "Mme. Borne") ends no sentence.
    auto ends_sentence = [&](std::size_t from, std::size_t to) {
        if (text[from] == '.' && is_initial_or_title(text.substr(prev_begin, from - prev_begin))) ++from;
        for (std::size_t k = from; k < to; ++k) {
            char c = text[k];
            if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':') return true;
            if (text.compare(k, 3, "\u2026") == 0) return true;  // …
        }
        return false;
    };
    for (int32_t b = bi.first(), e = bi.next(); e != icu::BreakIterator::DONE; b = e, e = bi.next()) {
        if (bi.getRuleStatus() < UBRK_WORD_NUMBER) continue;  // spaces and punctuation
        // UAX #29 keeps "européenne.Cette" and "fr.wikinews.org" whole; news text glues
        // sentences that way, so letter runs are split at '.' and ':' (numbers such as
        // "3.5" keep theirs). A query word with such pieces becomes a phrase of them.
        const auto seg_begin = static_cast<std::size_t>(b);
        const auto seg_end = static_cast<std::size_t>(e);
        const bool letters = bi.getRuleStatus() >= UBRK_WORD_LETTER;
        std::size_t piece = seg_begin;
        while (piece < seg_end) {
            std::size_t cut = seg_end;
            if (letters) {
                for (std::size_t k = piece; k < seg_end; ++k)
                    if (text[k] == '.' || text[k] == ':') {
                        cut = k;
                        break;
                    }
            }
            std::size_t begin = piece, end = cut;
            piece = cut + 1;
            if (begin == end) continue;
            std::string_view word = text.substr(begin, end - begin);

            // Elision: "l'Ukraine" -> "Ukraine"; a lone "l" followed by an apostrophe and a
            // space ("l' Ukraine", common in pre-tokenised text) is dropped.
            std::size_t i = 0;
            std::size_t apos_begin = 0, apos_end = 0;
            // Apostrophes are ' (0x27), ’ ‘ ‛ (E2 80 ..) and ʼ (CA BC): skip the decoding
            // of words that have none of those bytes.
            const bool maybe_apostrophe = word.find_first_of("'\xE2\xCA") != std::string_view::npos;
            while (maybe_apostrophe && i < word.size()) {
                std::size_t at = i;
                char32_t c = tx::decode(word, i);
                if (tx::is_apostrophe(c)) {
                    apos_begin = at;
                    apos_end = i;
                    break;
                }
            }
            bool elided_alone = false;
            if (apos_end > 0) {
                if (apos_end < word.size() && tx::is_elision(tx::fold(word.substr(0, apos_begin)))) {
                    begin += apos_end;
                    word = word.substr(apos_end);
                }
            } else if (end < text.size()) {
                std::size_t j = end;
                if (tx::is_apostrophe(tx::decode(text, j))) elided_alone = tx::is_elision(tx::fold(word));
            }
            if (elided_alone) continue;

            const Entry& entry = impl_->lookup(word);
            if (entry.exact.empty()) continue;
            Token t;
            t.exact = entry.exact;
            t.stem = entry.stem;
            t.alt_stem = entry.alt_stem;
            t.stop = entry.stop;
            t.number = entry.number;
            if (prev_end != std::string_view::npos && begin > prev_end && ends_sentence(prev_end, begin)) ++pos;
            t.pos = pos++;
            t.begin = static_cast<std::uint32_t>(begin);
            t.end = static_cast<std::uint32_t>(end);
            t.joined = prev_end != std::string_view::npos && begin > prev_end &&
                       is_hyphen(text.substr(prev_end, begin - prev_end));
            prev_begin = begin;
            prev_end = end;
            out.push_back(std::move(t));
        }
    }
    utext_close(ut);
    return pos;
}

std::vector<Token> Analyzer::tokens(std::string_view text) {
    std::vector<Token> out;
    std::string n = normalize(text);
    analyze(n, out);
    return out;
}

std::string Analyzer::fold(std::string_view word) const { return tx::fold(word); }

std::string Analyzer::snowball(std::string_view lower) { return impl_->stem(std::string(lower)); }

bool Analyzer::is_stopword(std::string_view folded) { return stopword_set().count(folded) > 0; }

std::string Analyzer::fingerprint_of(std::string_view label, const std::vector<FingerprintComponent>& components) {
    std::uint64_t h = schema::kFnv64Offset;
    for (const FingerprintComponent& c : components) {
        // Lengths first, so that moving bytes from one component to the next changes it.
        h = schema::fnv1a64(std::to_string(c.name.size()) + ":" + c.name + std::to_string(c.data.size()) + ":", h);
        h = schema::fnv1a64(c.data, h);
    }
    return std::string(label) + " rules-" + schema::hex64(h);
}

std::vector<Analyzer::FingerprintComponent> Analyzer::fingerprint_components() {
    auto join = [](const auto& list) {
        std::string out;
        for (std::string_view s : list) out.append(s).append("\n");
        return out;
    };
    std::vector<FingerprintComponent> out = {
        {"analyzer", kAnalyzerVersion},
        {"stopwords", join(kStopwords)},
        {"titles", join(kTitles)},
        {"text", tx::rules()},
        {"person-key", person_key_rules()},
        {"people", kPeopleRules},
        {"dates", kDateRules},
        {"stories", schema::story_rules::describe()},
        {"schema", schema::describe(false)},
    };
    for (std::string_view name : lexicon::names())
        out.push_back({"lexicon " + std::string(name), std::string(lexicon::embedded(name))});
    return out;
}

std::string Analyzer::fingerprint_label() {
    return std::string(kAnalyzerVersion) + " snowball-french unicode-" + U_UNICODE_VERSION;
}

std::string Analyzer::fingerprint() {
    static const std::string value = fingerprint_of(fingerprint_label(), fingerprint_components());
    return value;
}

}  // namespace depeche
