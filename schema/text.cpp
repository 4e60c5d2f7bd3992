#include "schema/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <mutex>
#include <type_traits>

namespace depeche::text {

// ------------------------------------------------------------------------ UTF-8

char32_t decode(std::string_view s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) {
        ++i;
        return kReplacement;
    }
    char32_t cp = c & (0x3F >> (len - 1));
    for (std::size_t k = 1; k < len; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) {
            ++i;
            return kReplacement;
        }
        cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kReplacement;
    }
    i += len;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

namespace {

// True when the code point decoded from s[start, i) is a real U+FFFD, not an error.
bool genuine_replacement(std::string_view s, std::size_t start, std::size_t i) {
    return i - start == 3 && s.substr(start, 3) == "\xEF\xBF\xBD";
}

}  // namespace

std::size_t invalid_utf8_at(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t start = i;
        if (decode(s, i) == kReplacement && !genuine_replacement(s, start, i)) return start;
    }
    return std::string_view::npos;
}

std::size_t char_start(std::string_view s, std::size_t i) {
    if (i >= s.size()) return i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
}

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t start = i;
        if (decode(s, i) == kReplacement && !genuine_replacement(s, start, i))
            append_utf8(out, kReplacement);
        else
            out.append(s.substr(start, i - start));
    }
    return out;
}

// ------------------------------------------------------------ character classes

namespace {

constexpr char32_t kApostrophes[] = {U'\'', U'\u2019', U'\u02BC', U'\u2018', U'\u201B'};
constexpr char32_t kHyphens[] = {U'-', U'\u2010', U'\u2011'};
constexpr char32_t kSpaces[] = {U' ',      U'\t',     U'\n',     U'\r',     U'\f',     U'\v',     U'\u0085',
                                U'\u00A0', U'\u1680', U'\u2000', U'\u2001', U'\u2002', U'\u2003', U'\u2004',
                                U'\u2005', U'\u2006', U'\u2007', U'\u2008', U'\u2009', U'\u200A', U'\u2028',
                                U'\u2029', U'\u202F', U'\u205F', U'\u3000'};
constexpr std::string_view kElisions[] = {"l", "d",  "j",     "m",      "n",      "s",     "t",
                                          "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"};

// Letters that canonical decomposition leaves alone, folded after case folding.
struct Special {
    char32_t from;
    std::string_view to;
};
constexpr Special kSpecial[] = {
    {U'\u00F0', "d"},   // ð (Guðni)
    {U'\u00FE', "th"},  // þ
    {U'\u0153', "oe"},  // œ
    {U'\u00E6', "ae"},  // æ
    {U'\u00F8', "o"},   // ø
    {U'\u0142', "l"},   // ł
    {U'\u0111', "d"},   // đ
    {U'\u0131', "i"},   // dotless ı
    {U'\u0133', "ij"},  // ĳ
    {U'\u0140', "l"},   // ŀ
    {U'\u0127', "h"},   // ħ
    {U'\u0167', "t"},   // ŧ
};

template <class T, std::size_t N>
bool in(const T (&set)[N], const T& v) {
    return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

}  // namespace

bool is_apostrophe(char32_t c) { return in(kApostrophes, c); }
bool is_hyphen(char32_t c) { return in(kHyphens, c); }
bool is_space(char32_t c) { return in(kSpaces, c); }
bool is_elision(std::string_view head) { return in(kElisions, head); }

std::string_view trim(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// ---------------------------------------------------------------------- folding

namespace {

// The folded form of one code point, computed with ICU (see the stages in text.hpp).
std::string compute_fold(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        return out;
    }
    if (is_apostrophe(c)) return "'";
    if (is_hyphen(c)) return "-";
    if (is_space(c)) return " ";
    icu::UnicodeString u(static_cast<UChar32>(c));
    u.foldCase();
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_SUCCESS(status)) {
        icu::UnicodeString d = nfd->normalize(u, status);
        if (U_SUCCESS(status)) u = d;
    }
    for (int32_t i = 0; i < u.length();) {
        const UChar32 d = u.char32At(i);
        i += U16_LENGTH(d);
        if (u_charType(d) == U_NON_SPACING_MARK) continue;
        const auto cp = static_cast<char32_t>(d);
        const auto* special =
            std::find_if(std::begin(kSpecial), std::end(kSpecial), [cp](const Special& s) { return s.from == cp; });
        if (special != std::end(kSpecial))
            out += special->to;
        else
            append_utf8(out, cp);
    }
    return out;
}

// Folded forms of the Basic Multilingual Plane, computed a block of 256 at a time on
// first use (thread-safe); the other planes are computed each time.
class FoldTable {
public:
    const std::string& get(char32_t c) {
        const std::size_t block = c >> 8;
        std::call_once(once_[block], [&] {
            auto b = std::make_unique<std::array<std::string, 256>>();
            for (char32_t k = 0; k < 256; ++k) (*b)[k] = compute_fold(static_cast<char32_t>(block << 8) | k);
            blocks_[block] = std::move(b);
        });
        return (*blocks_[block])[c & 0xFF];
    }

private:
    std::array<std::once_flag, 256> once_;
    std::array<std::unique_ptr<std::array<std::string, 256>>, 256> blocks_;
};

FoldTable& fold_table() {
    static FoldTable t;
    return t;
}

}  // namespace

void fold_char(char32_t c, std::string& out) {
    if (c < 0x80) {
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        return;
    }
    if (c < 0x10000 && !(c >= 0xD800 && c <= 0xDFFF))
        out += fold_table().get(c);
    else
        out += compute_fold(c);
}

std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        fold_char(decode(s, i), out);
    }
    return out;
}

std::string fold_case(std::string_view s) {
    if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        return out;
    }
    const std::string clean = sanitize_utf8(s);
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(clean.data(), static_cast<int32_t>(clean.size())));
    u.foldCase();
    std::string out;
    u.toUTF8String(out);
    return out;
}

const std::string& rules() {
    static const std::string text = [] {
        std::string out = "text-layer-1 icu-" U_ICU_VERSION " foldcase-full nfd drop-Mn\n";
        auto list = [&out](std::string_view name, auto&& items) {
            out.append(name);
            for (const auto& item : items) {
                out += ' ';
                if constexpr (std::is_same_v<std::decay_t<decltype(item)>, std::string_view>)
                    out.append(item);
                else
                    append_utf8(out, item);
            }
            out += '\n';
        };
        list("apostrophes", kApostrophes);
        list("hyphens", kHyphens);
        list("spaces", kSpaces);
        list("elisions", kElisions);
        out += "special";
        for (const Special& s : kSpecial) {
            out += ' ';
            append_utf8(out, s.from);
            out.append("=").append(s.to);
        }
        out += "\nfold";
        // The folded form of every code point a French text is likely to hold.
        auto range = [&out](char32_t from, char32_t to) {
            for (char32_t c = from; c <= to; ++c) {
                std::string f;
                fold_char(c, f);
                out += ' ';
                out += f;
            }
        };
        range(0x20, 0x24F);
        range(0x2000, 0x206F);
        range(0xFB00, 0xFB06);
        out += '\n';
        return out;
    }();
    return text;
}

}  // namespace depeche::text
