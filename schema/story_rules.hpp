// The rules that make story keys (indexer/story.hpp): part of the index contract, since
// the keys and signatures they produce are written into the index (the story field and
// its slots). story_rules() describes them all and goes into the analyzer fingerprint,
// so changing any of them makes older indexes refused instead of mixing two rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace depeche::schema::story_rules {

// Bump when the signature's computation changes in a way the constants below don't show
// (the hash functions, their seeds, which words are shingled).
inline constexpr const char* kVersion = "stories-1 splitmix64 seeds=fnv1a64(depeche.story) exact-forms";
inline constexpr std::size_t kShingleWords = 3;
// kHashes MinHash values of 16 bits (the low bits of each minimum: "b-bit MinHash"),
// kBands bands of kRows values over the first kBands * kRows of them.
inline constexpr std::size_t kHashes = 64;
inline constexpr std::size_t kRows = 2;
inline constexpr std::size_t kBands = 20;
static_assert(kRows * kBands <= kHashes);
// Fewer shingles than this: too little text to tell stories apart (no signature; the
// article is alone in its story).
inline constexpr std::uint32_t kMinShingles = 8;
inline constexpr double kMinJaccard = 0.5;
inline constexpr double kMinContainment = 0.8;
// Containment alone counts only between texts of comparable length (shorter / longer).
inline constexpr double kMinLengthRatio = 0.4;

inline std::string describe() {
    return std::string(kVersion) + " shingle=" + std::to_string(kShingleWords) + " hashes=" + std::to_string(kHashes) +
           "x16 bands=" + std::to_string(kBands) + "x" + std::to_string(kRows) +
           " min-shingles=" + std::to_string(kMinShingles) + " jaccard=" + std::to_string(kMinJaccard) +
           " containment=" + std::to_string(kMinContainment) + " length-ratio=" + std::to_string(kMinLengthRatio);
}

}  // namespace depeche::schema::story_rules
