// Stable hashes shared by the indexer and the searcher: the same input gives the same
// value on every run and machine, so they may be written into an index.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace depeche::schema {

inline constexpr std::uint64_t kFnv64Offset =
    14695981039346656037ULL;  // the published offset basis (the old copies dropped its last digit)
inline constexpr std::uint64_t kFnv64Prime = 1099511628211ULL;

// 64-bit FNV-1a of s, continuing from `h` (so several pieces can be hashed in turn).
constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = kFnv64Offset) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= kFnv64Prime;
    }
    return h;
}

// 32-bit FNV-1a of s (in-memory hash tables only: never written into an index).
constexpr std::uint32_t fnv1a32(std::string_view s) {
    std::uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

// h as 16 lower-case hex digits.
inline std::string hex64(std::uint64_t h) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
    return out;
}

static_assert(fnv1a64("") == kFnv64Offset);
static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cULL, "FNV-1a 64 reference value");
static_assert(fnv1a32("a") == 0xe40c292cu, "FNV-1a 32 reference value");

}  // namespace depeche::schema
