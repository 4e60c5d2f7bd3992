#include "indexer/date_tokens.hpp"

#include <algorithm>

namespace depeche::dates {
namespace tx = depeche::text;
namespace {

// The ASCII text a non-ASCII code point folds to ("" to drop it): the text layer's
// spaces, apostrophes and hyphens, then the punctuation dates care about, then the
// text layer's folding of letters (kOther when that is not plain ASCII letters).
std::string_view fold_code_point(char32_t cp, std::string& buf) {
    if (tx::is_space(cp)) return " ";
    if (tx::is_apostrophe(cp)) return "'";
    if (tx::is_hyphen(cp)) return "-";
    switch (cp) {
        case 0xAD:
        case 0x200B:
        case 0x200C:
        case 0x200D:
        case 0x2060:
        case 0xFEFF: return "";
        case 0xB4:
        case 0x2032: return "'";
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2015:
        case 0x2212: return "-";
        case 0xAB:
        case 0xBB:
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x2039:
        case 0x203A: return "\"";
        case 0x2026: return ".";
        case 0xB0:
        case 0xBA: return "o";    // "n°" -> "no"
        case 0x1D49: return "e";  // superscript e in "1ᵉʳ"
        case 0x02B3: return "r";
        case 0x20AC:
        case 0xA3:
        case 0xA5: return "$";  // currency signs
        case 0xD7: return "*";
        case 0xF7: return "/";
        default: break;
    }
    if (cp < 0xC0) return " ";  // Latin-1 punctuation and controls
    buf.clear();
    tx::fold_char(cp, buf);
    const bool ascii_letters =
        !buf.empty() && std::all_of(buf.begin(), buf.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    return ascii_letters ? std::string_view(buf) : std::string_view(&kOther, 1);
}

// ASCII bytes folded (the fast path of fold()).
struct AsciiFold {
    char map[128];
    constexpr AsciiFold() : map() {
        for (int c = 0; c < 128; ++c) {
            char out = static_cast<char>(c);
            if (c >= 'A' && c <= 'Z')
                out = static_cast<char>(c + 32);
            else if (c == '`')
                out = '\'';
            else if ((c < 0x20 && c != '\n') || c == 0x7F)
                out = ' ';
            map[c] = out;
        }
    }
};
constexpr AsciiFold kAsciiFold;

}  // namespace

Folded fold(std::string_view text) {
    Folded f;
    // no code point folds to more bytes than its UTF-8 encoding
    f.s.resize(text.size());
    f.src.resize(text.size());
    std::size_t o = 0;
    std::string buf;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            f.s[o] = kAsciiFold.map[c];
            f.src[o++] = static_cast<std::uint32_t>(i++);
            continue;
        }
        const auto at = static_cast<std::uint32_t>(i);
        const std::size_t start = i;
        std::string_view folded = fold_code_point(tx::decode(text, i), buf);
        if (folded.size() > i - start) folded = std::string_view(&kOther, 1);  // never longer than the source
        for (char out : folded) {
            f.s[o] = out;
            f.src[o++] = at;
        }
    }
    f.s.resize(o);
    f.src.resize(o);
    return f;
}

void Text::tokenize() {
    const std::string& s = f_.s;
    const auto& lx = dates::vocabulary();
    t_.reserve(s.size() / 4 + 4);
    bool sp = true;
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (c == ' ') {
            sp = true;
            ++i;
            continue;
        }
        Tok tk;
        tk.b = i;
        tk.sp = sp;
        sp = false;
        if (is_digit(c)) {
            tk.kind = Kind::Num;
            long v = 0;
            while (i < s.size() && is_digit(s[i])) {
                if (tk.ndig < 9) v = v * 10 + (s[i] - '0');
                ++tk.ndig;
                ++i;
            }
            tk.val = tk.ndig <= 9 ? static_cast<int>(v) : -1;
            if (tk.ndig > 100) tk.ndig = 100;
        } else if (is_word_char(c)) {
            tk.kind = Kind::Word;
            while (i < s.size() && is_word_char(s[i])) ++i;
            if (i - tk.b <= dates::kMaxWordLength)
                if (const Lex* l = lx.find(std::string_view(s).substr(tk.b, i - tk.b))) tk.lex = l;
        } else {
            tk.kind = Kind::Punct;
            tk.ch = c;
            ++i;
            if (c == '\n') sp = true;
        }
        tk.e = i;
        t_.push_back(tk);
    }
}

}  // namespace depeche::dates
