// The date code's view of a text (internal to indexer/dates*): the text folded once to
// lower-case ASCII by the text layer's rules (schema/text.hpp), with a map back to the
// original byte offsets, split into word / number / punctuation tokens, each word looked
// up once in the date vocabulary (indexer/date_vocabulary.hpp).
#pragma once

#include "indexer/date_vocabulary.hpp"
#include "schema/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::dates {

constexpr char kOther = '\x80';  // any letter we do not fold to ASCII

// Lower-case ASCII folding with offsets back into the original text.
struct Folded {
    std::string s;
    std::vector<std::uint32_t> src;  // src[i]: original offset of the code point that gave s[i]
};

// Texts are at most 4 GiB - 1 (offsets are 32-bit); extract_dates() cuts longer ones.
Folded fold(std::string_view text);

enum class Kind : std::uint8_t { Word, Num, Punct };

struct Tok {
    std::size_t b = 0, e = 0;  // offsets in the folded text
    Kind kind = Kind::Punct;
    bool sp = true;  // preceded by whitespace (or the start of the text)
    char ch = 0;     // the character of a Punct token
    int ndig = 0;    // number of digits of a Num token
    int val = -1;    // value of a Num token (-1 if more than 9 digits)
    const Lex* lex = &kNoLex;
};

inline bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || c == kOther; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The folded text, its tokens and accessors used by every matcher.
class Text {
public:
    explicit Text(std::string_view original) : orig_(original), f_(fold(original)) { tokenize(); }

    std::size_t size() const { return t_.size(); }
    const Tok& operator[](std::size_t i) const { return t_[i]; }
    std::string_view str(std::size_t i) const { return std::string_view(f_.s).substr(t_[i].b, t_[i].e - t_[i].b); }

    bool word(std::size_t i, Word w) const { return i < t_.size() && t_[i].kind == Kind::Word && t_[i].lex->word == w; }
    bool is_word(std::size_t i) const { return i < t_.size() && t_[i].kind == Kind::Word; }
    bool punct(std::size_t i, char c) const { return i < t_.size() && t_[i].kind == Kind::Punct && t_[i].ch == c; }
    bool is_punct(std::size_t i) const { return i < t_.size() && t_[i].kind == Kind::Punct; }
    bool num(std::size_t i) const { return i < t_.size() && t_[i].kind == Kind::Num; }
    bool num(std::size_t i, int min_digits, int max_digits) const {
        return num(i) && t_[i].ndig >= min_digits && t_[i].ndig <= max_digits;
    }
    // Token i exists and directly follows token i-1 (no whitespace).
    bool glued(std::size_t i) const { return i < t_.size() && !t_[i].sp; }
    const Lex& lex(std::size_t i) const { return i < t_.size() ? *t_[i].lex : kNoLex; }

    // Original byte offsets of token i.
    std::size_t begin_of(std::size_t i) const { return f_.src[t_[i].b]; }
    std::size_t end_of(std::size_t i) const {
        std::size_t at = f_.src[t_[i].e - 1];
        std::size_t next = at;
        text::decode(orig_, next);
        return next;
    }
    // The original text of token i starts with an upper-case letter.
    bool upper_initial(std::size_t i) const {
        const std::size_t at = begin_of(i);
        const auto c = static_cast<unsigned char>(orig_[at]);
        if (c >= 'A' && c <= 'Z') return true;
        if (c == 0xC3 && at + 1 < orig_.size()) {
            const auto c2 = static_cast<unsigned char>(orig_[at + 1]);
            return c2 >= 0x80 && c2 <= 0x9E && c2 != 0x97;
        }
        return c == 0xC5 && at + 1 < orig_.size() && static_cast<unsigned char>(orig_[at + 1]) == 0x92;
    }
    std::string_view original() const { return orig_; }
    // The original token has at least two letters and its second one is a capital ("DIMANCHE", "UZ").
    bool all_caps(std::size_t i) const {
        const std::size_t b = begin_of(i), e = end_of(i);
        return e - b > 1 && orig_[b + 1] >= 'A' && orig_[b + 1] <= 'Z';
    }
    // The original token is written with a plain ASCII letter 'a' (the verb "a", not "à").
    bool plain_a(std::size_t i) const {
        const char c = orig_[begin_of(i)];
        return c == 'a' || c == 'A';
    }
    // Token i starts a sentence (or a line).
    bool sentence_start(std::size_t i) const {
        if (i == 0) return true;
        const Tok& p = t_[i - 1];
        return p.kind == Kind::Punct &&
               (p.ch == '.' || p.ch == '!' || p.ch == '?' || p.ch == '\n' || p.ch == ':' || p.ch == '"');
    }

private:
    void tokenize();

    std::string_view orig_;
    Folded f_;
    std::vector<Tok> t_;
};

}  // namespace depeche::dates
