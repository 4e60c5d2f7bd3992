#include "indexer/decompress.hpp"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <stdexcept>

namespace depeche {

namespace {

std::string lower_extension(const std::filesystem::path& p) {
    std::string e = p.extension().string();
    for (char& c : e)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return e;
}

// gzip, several members one after the other included (as `cat a.gz b.gz` makes).
class GzipDecoder : public Decoder {
public:
    GzipDecoder() {
        // 15 + 16: a gzip header and trailer are expected.
        if (inflateInit2(&z_, 15 + 16) != Z_OK) throw std::runtime_error("cannot set up a gzip decoder");
    }
    ~GzipDecoder() override { inflateEnd(&z_); }
    bool step(std::string_view& in, bool in_end, char* out, std::size_t space, std::size_t& produced, bool& done,
              std::string& error) override {
        if (ended_) {
            // Between members: only a new member or the end may follow.
            if (in.empty()) {
                done = in_end;
                return true;
            }
            inflateReset(&z_);
            ended_ = false;
        }
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 1u << 30));
        z_.next_out = reinterpret_cast<Bytef*>(out);
        z_.avail_out = static_cast<uInt>(std::min<std::size_t>(space, 1u << 30));
        const int r = inflate(&z_, Z_NO_FLUSH);
        const std::size_t used = static_cast<std::size_t>(reinterpret_cast<const char*>(z_.next_in) - in.data());
        in.remove_prefix(used);
        produced += static_cast<std::size_t>(reinterpret_cast<char*>(z_.next_out) - out);
        if (r == Z_STREAM_END) {
            ended_ = true;
            done = in.empty() && in_end;
            return true;
        }
        if (r == Z_OK || (r == Z_BUF_ERROR && !(in.empty() && in_end))) return true;
        error = r == Z_BUF_ERROR ? "truncated gzip data"
                                 : std::string("corrupt gzip data") + (z_.msg ? std::string(" (") + z_.msg + ")" : "");
        return false;
    }

private:
    z_stream z_{};
    bool ended_ = false;
};

class ZstdDecoder : public Decoder {
public:
    ZstdDecoder() : d_(ZSTD_createDStream()) {
        if (!d_) throw std::runtime_error("cannot set up a zstd decoder");
        ZSTD_DCtx_setParameter(d_, ZSTD_d_windowLogMax, 27);  // 128 MiB windows at most
    }
    ~ZstdDecoder() override { ZSTD_freeDStream(d_); }
    bool step(std::string_view& in, bool in_end, char* out, std::size_t space, std::size_t& produced, bool& done,
              std::string& error) override {
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        ZSTD_outBuffer output{out, space, 0};
        const std::size_t r = ZSTD_decompressStream(d_, &output, &input);
        in.remove_prefix(input.pos);
        produced += output.pos;
        if (ZSTD_isError(r)) {
            error = std::string("corrupt zstd data (") + ZSTD_getErrorName(r) + ")";
            return false;
        }
        frame_open_ = r != 0;
        if (in.empty() && in_end && output.pos < space) {
            if (frame_open_) {
                error = "truncated zstd data";
                return false;
            }
            done = true;
        }
        return true;
    }

private:
    ZSTD_DStream* d_;
    bool frame_open_ = false;
};

class XzDecoder : public Decoder {
public:
    XzDecoder() {
        if (lzma_stream_decoder(&s_, kMaxDecoderMemory, LZMA_CONCATENATED) != LZMA_OK)
            throw std::runtime_error("cannot set up an xz decoder");
    }
    ~XzDecoder() override { lzma_end(&s_); }
    bool step(std::string_view& in, bool in_end, char* out, std::size_t space, std::size_t& produced, bool& done,
              std::string& error) override {
        s_.next_in = reinterpret_cast<const uint8_t*>(in.data());
        s_.avail_in = in.size();
        s_.next_out = reinterpret_cast<uint8_t*>(out);
        s_.avail_out = space;
        const lzma_ret r = lzma_code(&s_, in_end ? LZMA_FINISH : LZMA_RUN);
        in.remove_prefix(static_cast<std::size_t>(reinterpret_cast<const char*>(s_.next_in) - in.data()));
        produced += static_cast<std::size_t>(reinterpret_cast<char*>(s_.next_out) - out);
        if (r == LZMA_STREAM_END) {
            done = true;
            return true;
        }
        if (r == LZMA_OK) return true;
        if (r == LZMA_BUF_ERROR && !(in.empty() && in_end)) return true;
        error = r == LZMA_MEMLIMIT_ERROR
                    ? "xz data needs more than " + std::to_string(kMaxDecoderMemory >> 20) + " MiB to decode"
                : r == LZMA_BUF_ERROR    ? "truncated xz data"
                : r == LZMA_FORMAT_ERROR ? "not xz data"
                                         : "corrupt xz data";
        return false;
    }

private:
    lzma_stream s_ = LZMA_STREAM_INIT;
};

}  // namespace

Compression compression_for(const std::filesystem::path& path) {
    const std::string e = lower_extension(path);
    if (e == ".gz" || e == ".gzip") return Compression::Gzip;
    if (e == ".zst" || e == ".zstd") return Compression::Zstd;
    if (e == ".xz") return Compression::Xz;
    return Compression::None;
}

std::filesystem::path without_compression(const std::filesystem::path& path) {
    if (compression_for(path) == Compression::None) return path;
    std::filesystem::path p = path;
    return p.replace_extension();
}

std::unique_ptr<Decoder> make_decoder(Compression c) {
    switch (c) {
        case Compression::Gzip: return std::make_unique<GzipDecoder>();
        case Compression::Zstd: return std::make_unique<ZstdDecoder>();
        case Compression::Xz: return std::make_unique<XzDecoder>();
        default: return nullptr;
    }
}

}  // namespace depeche
