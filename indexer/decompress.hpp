// Streaming decompression of input files: gzip (zlib), zstd (libzstd) and xz (liblzma),
// chosen by the file's last extension, so that "articles.jsonl.gz" is read as JSON
// Lines without a temporary copy.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace depeche {

enum class Compression { None, Gzip, Zstd, Xz };

// From the last extension: ".gz" (also ".gzip"), ".zst" (".zstd"), ".xz"; None otherwise.
Compression compression_for(const std::filesystem::path& path);

// The path without its compression extension ("a.jsonl.gz" -> "a.jsonl"), to choose
// the reader; the path itself when it is not compressed.
std::filesystem::path without_compression(const std::filesystem::path& path);

// Memory a decoder may use (xz dictionaries are declared by the file: a hostile file
// asking for more is refused).
inline constexpr std::size_t kMaxDecoderMemory = std::size_t{256} << 20;

class Decoder {
public:
    virtual ~Decoder() = default;
    // Decodes from `in` (consumed bytes are removed from its front) into out[0, space),
    // adding the number of bytes written to `produced`. `in_end`: no input follows `in`.
    // Returns false with `error` set on corrupt or truncated data; sets `done` once the
    // last stream has ended and no input is left.
    virtual bool step(std::string_view& in, bool in_end, char* out, std::size_t space, std::size_t& produced,
                      bool& done, std::string& error) = 0;
};

// nullptr for Compression::None. Throws std::runtime_error if the library cannot set up
// a decoder (out of memory).
std::unique_ptr<Decoder> make_decoder(Compression c);

}  // namespace depeche
