// The fuzz targets' entry points (fuzz/fuzz_*.cpp). libFuzzer calls them through
// LLVMFuzzerTestOneInput; tests/test_fuzz_regressions.cpp calls them directly (built
// with DEPECHE_FUZZ_NO_MAIN) on every input saved in fuzz/regressions/<target>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace depeche::fuzz {

void query_input(const std::uint8_t* data, std::size_t size);     // fuzz_query.cpp
void analyzer_input(const std::uint8_t* data, std::size_t size);  // fuzz_analyzer.cpp
void readers_input(const std::uint8_t* data, std::size_t size);   // fuzz_readers.cpp
void dates_input(const std::uint8_t* data, std::size_t size);     // fuzz_dates.cpp
void serve_input(const std::uint8_t* data, std::size_t size);     // fuzz_serve.cpp

// A broken invariant: aborts under libFuzzer (which saves the input), throws in the
// regression test (which names the input).
[[noreturn]] inline void fail(const std::string& what) {
#ifdef DEPECHE_FUZZ_NO_MAIN
    throw std::logic_error(what);
#else
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
    std::abort();
#endif
}

#define DEPECHE_FUZZ_CHECK(cond)                                                                               \
    do {                                                                                                       \
        if (!(cond)) ::depeche::fuzz::fail(std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " #cond); \
    } while (0)

// True when s is valid UTF-8 (no surrogates, nothing above U+10FFFF, no overlong forms).
inline bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        char32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else
            return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

}  // namespace depeche::fuzz

#ifdef DEPECHE_FUZZ_NO_MAIN
#define DEPECHE_FUZZ_ENTRY(function)
#else
#define DEPECHE_FUZZ_ENTRY(function)                                                    \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
        ::depeche::fuzz::function(data, size);                                          \
        return 0;                                                                       \
    }
#endif
