#include "schema/stored_codec.hpp"

#include "schema/hash.hpp"
#include "schema/schema.hpp"

#include <stdexcept>
#include <zdict.h>
#include <zstd.h>

namespace depeche {
namespace {

// zstd level 7: with a dictionary, the OrangeSum stored data is 37.7 MB against 39.4 MB at
// level 3 (levels 4 and 5 are larger than 3), and the indexing wall time does not change
// measurably: compression is a small part of it (bench/README.md, Profiling).
constexpr int kLevel = 7;
constexpr std::size_t kDictCapacity = 110 * 1024;
// Training needs enough material: below this, stored data is compressed without one.
constexpr std::size_t kMinSamples = 100;
constexpr std::size_t kMinSampleBytes = 256 * 1024;
// A frame claiming more than this is damaged (articles are cut far below).
constexpr unsigned long long kMaxPayload = 1ull << 31;

struct CCtxDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

ZSTD_CCtx* thread_cctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> c(ZSTD_createCCtx());
    if (!c) throw std::bad_alloc();
    return c.get();
}
ZSTD_DCtx* thread_dctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> c(ZSTD_createDCtx());
    if (!c) throw std::bad_alloc();
    return c.get();
}

}  // namespace

struct StoredCodec::Dict {
    ZSTD_CDict* cdict = nullptr;
    ZSTD_DDict* ddict = nullptr;
    ~Dict() {
        ZSTD_freeCDict(cdict);
        ZSTD_freeDDict(ddict);
    }
};

StoredCodec::StoredCodec() = default;
StoredCodec::~StoredCodec() = default;

void StoredCodec::load(const Xapian::Database& db) {
    const std::string prefix(schema::kMetaDictPrefix);
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
        const std::string key = *it;
        std::uint32_t id = 0;
        try {
            id = static_cast<std::uint32_t>(std::stoul(key.substr(prefix.size())));
        } catch (const std::exception&) {
            continue;  // not one of ours
        }
        if (id == 0) continue;
        if (!dicts_.count(id)) add(id, db.get_metadata(key), false);
    }
    std::uint32_t current = 0;
    try {
        const std::string value = db.get_metadata(schema::kMetaDictCurrent);
        if (!value.empty()) current = static_cast<std::uint32_t>(std::stoul(value));
    } catch (const std::exception&) {
        throw std::runtime_error(std::string("metadata ") + schema::kMetaDictCurrent + " is not a dictionary id");
    }
    // A current dictionary that is missing (damage, which reading the records it
    // compressed reports) leaves new records compressed without one.
    if (current && dicts_.count(current)) compress_id_ = current;
}

bool StoredCodec::load_one(const Xapian::Database& db, std::uint32_t id) {
    if (has(id)) return true;
    const std::string dict = db.get_metadata(std::string(schema::kMetaDictPrefix) + std::to_string(id));
    if (dict.empty()) return false;
    add(id, dict, false);
    return true;
}

std::uint32_t StoredCodec::dictionary_id(std::string_view dict) {
    const std::uint64_t h = schema::fnv1a64(dict);
    const auto id = static_cast<std::uint32_t>(h ^ (h >> 32));
    return id ? id : 1;
}

std::uint32_t StoredCodec::add(const std::string& dict, bool for_compression) {
    const std::uint32_t id = dictionary_id(dict);
    add(id, dict, for_compression);
    return id;
}

void StoredCodec::publish(Xapian::WritableDatabase& db, const std::string& dict) {
    const std::string id = std::to_string(dictionary_id(dict));
    db.set_metadata(schema::kMetaDictPrefix + id, dict);
    db.set_metadata(schema::kMetaDictCurrent, id);
}

void StoredCodec::add(std::uint32_t id, const std::string& dict, bool for_compression) {
    if (id == 0) throw std::runtime_error("dictionary id 0 is reserved");
    auto d = std::make_shared<Dict>();
    d->cdict = ZSTD_createCDict(dict.data(), dict.size(), kLevel);
    d->ddict = ZSTD_createDDict(dict.data(), dict.size());
    if (!d->cdict || !d->ddict)
        throw std::runtime_error("compression dictionary " + std::to_string(id) + " is unusable");
    dicts_[id] = std::move(d);
    if (for_compression) compress_id_ = id;
}

std::string StoredCodec::train(const std::vector<std::string>& samples) {
    std::string all;
    std::vector<std::size_t> sizes;
    for (const std::string& s : samples) {
        if (s.empty()) continue;
        all += s;
        sizes.push_back(s.size());
    }
    if (sizes.size() < kMinSamples || all.size() < kMinSampleBytes) return {};
    std::string dict(std::min(kDictCapacity, all.size() / 16), '\0');
    std::size_t n =
        ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(), static_cast<unsigned>(sizes.size()));
    if (ZDICT_isError(n)) return {};
    dict.resize(n);
    return dict;
}

void StoredCodec::compress(std::string_view payload, std::string& out) const {
    ZSTD_CCtx* c = thread_cctx();
    ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kLevel);
    // A checksum per record (4 bytes): a damaged record or dictionary is detected when it
    // is read, instead of showing altered text (Xapian 1.4's tables do not check data).
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0);  // our header names the dictionary
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
    if (compress_id_) ZSTD_CCtx_refCDict(c, dicts_.at(compress_id_)->cdict);
    const std::size_t at = out.size();
    out.resize(at + ZSTD_compressBound(payload.size()));
    std::size_t n = ZSTD_compress2(c, out.data() + at, out.size() - at, payload.data(), payload.size());
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("cannot compress stored data: ") + ZSTD_getErrorName(n));
    out.resize(at + n);
}

bool StoredCodec::decompress(std::string_view frame, std::uint32_t id, std::string& out) const {
    const Dict* d = nullptr;
    if (id != 0) {
        auto it = dicts_.find(id);
        if (it == dicts_.end()) return false;
        d = it->second.get();
    }
    unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > kMaxPayload) return false;
    out.resize(static_cast<std::size_t>(size));
    ZSTD_DCtx* c = thread_dctx();
    std::size_t n = d ? ZSTD_decompress_usingDDict(c, out.data(), out.size(), frame.data(), frame.size(), d->ddict)
                      : ZSTD_decompressDCtx(c, out.data(), out.size(), frame.data(), frame.size());
    return !ZSTD_isError(n) && n == size;
}

}  // namespace depeche
