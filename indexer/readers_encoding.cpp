// Character encodings for the article readers: BOMs, UTF-16, legacy 8-bit encodings
// (detected with ICU's charset detector), UTF-8 repair and text normalisation.
#include "readers_internal.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

namespace depeche::readers_detail {
namespace {

constexpr std::size_t kSniffBytes = 8192;                  // looked at for UTF-16 / binary
constexpr std::int32_t kDetectBytes = 1 << 20;             // given to ICU's detector
constexpr std::int32_t kMinDetectConfidence = 20;          // below: fall back to windows-1252
constexpr const char* kFallbackEncoding = "windows-1252";  // the usual legacy French one

struct DetectorCloser {
    void operator()(UCharsetDetector* d) const { ucsdet_close(d); }
};
struct ConverterCloser {
    void operator()(UConverter* c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// UTF-16 without a BOM: text in Latin script has a zero byte in every other position.
std::optional<std::string> bomless_utf16(std::string_view head) {
    const std::size_t pairs = head.size() / 2;
    if (pairs < 4) return std::nullopt;
    std::size_t zero_even = 0, zero_odd = 0;
    for (std::size_t i = 0; i + 1 < head.size(); i += 2) {
        zero_even += head[i] == '\0';
        zero_odd += head[i + 1] == '\0';
    }
    if (zero_odd * 10 >= pairs * 7 && zero_even * 10 <= pairs) return "UTF-16LE";
    if (zero_even * 10 >= pairs * 7 && zero_odd * 10 <= pairs) return "UTF-16BE";
    return std::nullopt;
}

// Binary: more than 5% NUL or control bytes (other than whitespace and ESC).
bool looks_binary(std::string_view head) {
    std::size_t suspicious = 0;
    for (unsigned char c : head) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) ++suspicious;
    }
    return suspicious >= 4 && suspicious * 20 > head.size();
}

// Drops an incomplete multi-byte sequence at the end of a chunk cut from a stream.
std::string_view without_cut_sequence(std::string_view s) {
    for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
        const auto c = static_cast<unsigned char>(s[s.size() - back]);
        if (c < 0x80) break;  // ASCII: nothing cut
        if (c >= 0xC0) {      // lead byte: is its sequence complete?
            const std::size_t needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            return needed > back ? s.substr(0, s.size() - back) : s;
        }
    }
    return s;
}

bool has_c1_bytes(std::string_view bytes) {
    return std::any_of(bytes.begin(), bytes.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 && u <= 0x9F;
    });
}

// ISO-8859-1 text with bytes 0x80-0x9F is really windows-1252 (curly quotes, œ, €).
std::string latin1_or_cp1252(std::string name, std::string_view bytes) {
    if ((name == "ISO-8859-1" || name == "US-ASCII") && has_c1_bytes(bytes)) return "windows-1252";
    return name;
}

// The declared charset when usable, "" otherwise (with a note when unknown).
std::string resolve_declared(std::string_view declared, std::string_view bytes, std::string& note) {
    const std::string label(declared);
    UErrorCode status = U_ZERO_ERROR;
    ConverterPtr converter(ucnv_open(label.c_str(), &status));
    if (U_FAILURE(status) || !converter) {
        note = "unknown charset '" + clip(label) + "' declared, guessing the encoding";
        return {};
    }
    status = U_ZERO_ERROR;
    const std::string canonical = ucnv_getName(converter.get(), &status);
    // The bytes are not UTF-8, so a declared Unicode encoding is wrong: detect instead.
    if (starts_with(canonical, "UTF-")) return {};
    if (canonical == "ISO-8859-1" || canonical == "US-ASCII") return latin1_or_cp1252(canonical, bytes);
    return label;
}

// The name of a converter ICU can open for a detected charset, or "". The detector
// reports some charsets under names no converter has ("IBM420_rtl": the direction is
// only a hint), or whose conversion data this ICU build lacks.
std::string convertible(std::string name) {
    for (std::string_view suffix : {"_rtl", "_ltr"})
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            name.resize(name.size() - suffix.size());
    UErrorCode status = U_ZERO_ERROR;
    ConverterPtr converter(ucnv_open(name.c_str(), &status));
    return U_SUCCESS(status) && converter ? name : std::string();
}

// Best legacy encoding for bytes that are not UTF-8, per ICU's detector.
std::string detect_legacy(std::string_view bytes, bool is_html) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<UCharsetDetector, DetectorCloser> detector(ucsdet_open(&status));
    if (U_FAILURE(status)) return kFallbackEncoding;
    const auto length = static_cast<std::int32_t>(std::min<std::size_t>(bytes.size(), kDetectBytes));
    ucsdet_setText(detector.get(), bytes.data(), length, &status);
    ucsdet_enableInputFilter(detector.get(), is_html);  // ignore markup
    std::int32_t count = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(detector.get(), &count, &status);
    std::string chosen;
    for (std::int32_t i = 0; U_SUCCESS(status) && i < count; ++i) {
        const char* name = ucsdet_getName(matches[i], &status);
        const std::int32_t confidence = ucsdet_getConfidence(matches[i], &status);
        if (U_FAILURE(status) || !name) break;
        // UTF-8 is ruled out already, UTF-16/32 are recognised by their BOM or zeros.
        if (starts_with(name, "UTF-")) continue;
        if (confidence >= kMinDetectConfidence) chosen = convertible(name);
        break;
    }
    // Short texts give no confident answer; windows-1252 is the likely legacy encoding.
    if (chosen.empty()) return kFallbackEncoding;
    return latin1_or_cp1252(chosen, bytes);
}

}  // namespace

bool mostly_utf8(std::string_view bytes) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t multibyte = 0, invalid = 0;
    for (std::size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            ++i;
            continue;
        }
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            ++invalid;
        else
            ++multibyte;
    }
    return invalid == 0 || multibyte > invalid;
}

EncodingChoice choose_encoding(std::string_view bytes, std::string_view declared, bool is_html, bool check_binary,
                               bool is_sample) {
    if (starts_with(bytes, "\xEF\xBB\xBF")) return {"UTF-8", 3, false, {}};
    if (starts_with(bytes, "\xFF\xFE")) return {"UTF-16LE", 2, false, {}};
    if (starts_with(bytes, "\xFE\xFF")) return {"UTF-16BE", 2, false, {}};
    const std::string_view head = bytes.substr(0, kSniffBytes);
    if (auto utf16 = bomless_utf16(head)) return {*utf16, 0, false, {}};
    if (check_binary && looks_binary(head)) return {{}, 0, true, {}};
    if (mostly_utf8(is_sample ? without_cut_sequence(bytes) : bytes)) return {"UTF-8", 0, false, {}};
    EncodingChoice choice;
    if (!declared.empty()) choice.name = resolve_declared(declared, bytes, choice.note);
    if (choice.name.empty()) choice.name = detect_legacy(bytes, is_html);
    return choice;
}

std::string repair_utf8(std::string_view bytes, TextStats& stats) {
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
    const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const std::size_t n = bytes.size();
    std::string out;
    out.reserve(n);
    std::size_t copied = 0;  // bytes[copied, i) are valid and not yet in out
    for (std::size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            if (s[i] == 0 && stats.nul_count++ == 0) stats.first_nul = i;
            ++i;
            continue;
        }
        const std::size_t start = i;
        UChar32 c;
        U8_NEXT(s, i, n, c);  // on error, i skips the maximal bad subsequence
        if (c >= 0) continue;
        if (stats.invalid_sequences++ == 0) stats.first_invalid = start;
        out.append(bytes.substr(copied, start - copied));
        out.append(kReplacement);
        copied = i;
    }
    out.append(bytes.substr(copied));
    return out;
}

std::string decode_to_utf8(std::string_view bytes, const std::string& encoding, TextStats& stats) {
    if (encoding == "UTF-8") return repair_utf8(bytes, stats);
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    Utf8Transcoder(encoding).convert(bytes, true, out);
    return out;
}

void normalize_text(std::string& text, TextStats& stats) {
    std::size_t w = 0;
    const std::size_t n = text.size();
    for (std::size_t r = 0; r < n; ++r) {
        char c = text[r];
        if (c == '\0') {
            ++stats.nul_removed;
            continue;
        }
        if (c == '\r') {
            if (r + 1 < n && text[r + 1] == '\n') ++r;
            c = '\n';
        } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            c = ' ';
        }
        text[w++] = c;
    }
    text.resize(w);
}

// ---- Utf8Transcoder ----

struct Utf8Transcoder::State {
    ConverterPtr from;
    ConverterPtr to;
    std::array<UChar, 4096> pivot{};
    UChar* pivot_source = nullptr;
    UChar* pivot_target = nullptr;
    bool reset = true;
};

Utf8Transcoder::Utf8Transcoder(const std::string& encoding) : state_(new State) {
    UErrorCode status = U_ZERO_ERROR;
    state_->from.reset(ucnv_open(encoding.c_str(), &status));
    if (U_SUCCESS(status)) state_->to.reset(ucnv_open("UTF-8", &status));
    if (U_FAILURE(status)) throw std::runtime_error("cannot convert from " + encoding + ": " + u_errorName(status));
    state_->pivot_source = state_->pivot_target = state_->pivot.data();
}

Utf8Transcoder::~Utf8Transcoder() = default;

void Utf8Transcoder::convert(std::string_view bytes, bool flush, std::string& out) {
    State& st = *state_;
    const char* source = bytes.data();
    const char* const source_end = source + bytes.size();
    std::array<char, 32768> buffer;
    for (;;) {
        char* target = buffer.data();
        UErrorCode status = U_ZERO_ERROR;
        // Converts through the UTF-16 pivot; ICU keeps partial sequences between calls.
        // Bad input is replaced with U+FFFD by ICU's default callbacks.
        ucnv_convertEx(st.to.get(), st.from.get(), &target, buffer.data() + buffer.size(), &source, source_end,
                       st.pivot.data(), &st.pivot_source, &st.pivot_target, st.pivot.data() + st.pivot.size(), st.reset,
                       flush, &status);
        st.reset = false;
        out.append(buffer.data(), static_cast<std::size_t>(target - buffer.data()));
        if (status == U_BUFFER_OVERFLOW_ERROR) continue;
        if (U_FAILURE(status)) throw std::runtime_error(std::string("conversion failed: ") + u_errorName(status));
        return;
    }
}

}  // namespace depeche::readers_detail

namespace depeche {

std::string to_utf8(std::string_view bytes, std::string& encoding) {
    using namespace readers_detail;
    const EncodingChoice choice = choose_encoding(bytes, {}, false, false, false);
    encoding = choice.name;
    TextStats stats;
    return decode_to_utf8(bytes.substr(choice.bom_size), choice.name, stats);
}

}  // namespace depeche
