// Compression of the stored data of articles (zstd with a dictionary trained on the
// corpus being indexed).
//
// An article's stored data is a couple of kilobytes: too little for a compressor to find
// the repetitions that make text small, which are mostly across articles (the words of
// the language, the sites' URL and path prefixes). A dictionary trained on the first
// articles of a build carries them: compressed with it, stored data takes about a quarter
// less room than compressed alone (zlib, which Xapian applies otherwise). Dictionaries
// are kept in the index's metadata (schema::kMetaDictPrefix + id) and never change;
// stored data names the dictionary it needs (0: none). Since schema 6 a dictionary's id
// is derived from its content (dictionary_id), so an id names the same dictionary in
// every index: records of independently built shards never name another shard's
// dictionary by mistake, and a searcher can load the dictionaries of several databases
// into one codec.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <xapian.h>

namespace depeche {

class StoredCodec {
public:
    StoredCodec();
    ~StoredCodec();
    StoredCodec(const StoredCodec&) = delete;
    StoredCodec& operator=(const StoredCodec&) = delete;

    // Reads the dictionaries recorded in the index (added to those already loaded, so the
    // dictionaries of several databases can be loaded); compression then uses the one
    // the index names current (schema::kMetaDictCurrent).
    void load(const Xapian::Database& db);
    // Reads one dictionary of the index, by id, if it records it (and it is not loaded
    // yet); false if the index has none under that id. One metadata lookup: no list of
    // metadata keys, which Xapian 1.4.22 leaks a cursor opening when a commit interrupts
    // it (a searcher reading while the indexer writes uses this, never load()).
    bool load_one(const Xapian::Database& db, std::uint32_t id);
    // Adds a dictionary under its id (dictionary_id), and uses it for compression if
    // `for_compression`; returns the id. Throws std::runtime_error if zstd rejects it.
    std::uint32_t add(const std::string& dict, bool for_compression);
    // Adds a dictionary read from an index under the id it is recorded with.
    void add(std::uint32_t id, const std::string& dict, bool for_compression);
    // The id of a dictionary: 32 bits of its FNV-1a 64-bit hash, never 0.
    static std::uint32_t dictionary_id(std::string_view dict);
    // Records dictionary `dict` in the index and makes it the one new records use.
    static void publish(Xapian::WritableDatabase& db, const std::string& dict);
    // A dictionary trained on sample payloads (typical articles' stored data), or "" if
    // the samples are too few or too small to train one.
    static std::string train(const std::vector<std::string>& samples);

    // Dictionary used by compress() (0: none).
    std::uint32_t compression_id() const { return compress_id_; }
    bool has(std::uint32_t id) const { return id == 0 || dicts_.count(id) > 0; }

    // Appends the compressed form of `payload` (thread-safe).
    void compress(std::string_view payload, std::string& out) const;
    // Decompresses a frame made with dictionary `id` into out (thread-safe); false if the
    // dictionary is unknown or the frame is damaged.
    bool decompress(std::string_view frame, std::uint32_t id, std::string& out) const;

private:
    struct Dict;
    std::map<std::uint32_t, std::shared_ptr<const Dict>> dicts_;
    std::uint32_t compress_id_ = 0;
};

}  // namespace depeche
