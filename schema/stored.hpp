// The stored record of an article: what the searcher shows for a hit, kept as the
// document's data in a compact binary form (docs/schema.md, "Stored data").
#pragma once

#include "schema/stored_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace depeche {

// `marks` locate every kMarkEvery-th body word: (word position, byte offset in `text`),
// so a snippet can analyse a window of the text around a match instead of the whole
// article.
struct StoredArticle {
    std::string id, title, date, url, author, source, path, text;
    std::vector<std::string> people;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> marks;
};
inline constexpr std::size_t kMarkEvery = 16;

// Compressed with `codec` (its current dictionary), or left plain if codec is null.
std::string encode_stored(const StoredArticle& a, const StoredCodec* codec = nullptr);
// nullopt if `data` is not stored data of a known format, or needs a dictionary `codec`
// does not have (null: none). Without `with_text`, the text and marks are skipped (left
// empty).
std::optional<StoredArticle> decode_stored(std::string_view data, bool with_text = true,
                                           const StoredCodec* codec = nullptr);
// Plain stored data (format 1) compressed with codec; other data is returned as is.
std::string compress_stored(const std::string& data, const StoredCodec& codec);
// The dictionary compressed stored data needs (0: none, or not compressed).
std::uint32_t stored_dictionary(std::string_view data);
// The uncompressed record of stored data (what a dictionary is trained on).
std::string stored_record(const StoredArticle& a);

}  // namespace depeche
