#include "schema/stored.hpp"

#include "schema/terms.hpp"

#include <algorithm>

namespace depeche {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

bool get_varint(std::string_view s, std::size_t& i, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (i >= s.size()) return false;
        auto c = static_cast<unsigned char>(s[i++]);
        v |= static_cast<std::uint64_t>(c & 0x7F) << shift;
        if (!(c & 0x80)) return true;
    }
    return false;
}

void put_string(std::string& out, std::string_view v) {
    put_varint(out, v.size());
    out.append(v);
}

bool get_string(std::string_view s, std::size_t& i, std::string_view& v) {
    std::uint64_t n = 0;
    if (!get_varint(s, i, n) || n > s.size() - i) return false;
    v = s.substr(i, n);
    i += n;
    return true;
}

// Stored data: "D" and a format byte, then the record: id, title, date, url, author,
// source, path, people (joined by U+001F) and text, each as a varint length and bytes,
// then the number of marks and each mark as varint deltas (position, byte offset).
// Format 1 holds the record as is; format 2 a varint dictionary id (0: none) and the
// record compressed with zstd (StoredCodec).
constexpr char kStoredMagic = 'D';
constexpr char kPlainFormat = 1;
constexpr char kCompressedFormat = 2;

std::string encode_record(const StoredArticle& a) {
    std::string out;
    out.reserve(a.text.size() + a.title.size() + a.path.size() + 64 + 3 * a.marks.size());
    for (const std::string* f : {&a.id, &a.title, &a.date, &a.url, &a.author, &a.source, &a.path}) put_string(out, *f);
    std::string people;
    for (const std::string& p : a.people) { append_item(people, p); }
    put_string(out, people);
    put_string(out, a.text);
    put_varint(out, a.marks.size());
    std::uint32_t pos = 0, byte = 0;
    for (const auto& [p, b] : a.marks) {
        put_varint(out, p - pos);
        put_varint(out, b - byte);
        pos = p;
        byte = b;
    }
    return out;
}

std::optional<StoredArticle> decode_record(std::string_view data, bool with_text) {
    StoredArticle a;
    std::size_t i = 0;
    std::string_view v;
    for (std::string* f : {&a.id, &a.title, &a.date, &a.url, &a.author, &a.source, &a.path}) {
        if (!get_string(data, i, v)) return std::nullopt;
        f->assign(v);
    }
    if (!get_string(data, i, v)) return std::nullopt;
    for_each_item(v, [&](std::string_view name) { a.people.emplace_back(name); });
    if (!get_string(data, i, v)) return std::nullopt;
    if (!with_text) return a;
    a.text.assign(v);
    std::uint64_t n = 0;
    if (!get_varint(data, i, n) || n > data.size() - i) return std::nullopt;
    a.marks.reserve(n);
    std::uint64_t pos = 0, byte = 0;
    for (std::uint64_t k = 0; k < n; ++k) {
        std::uint64_t dp = 0, db = 0;
        if (!get_varint(data, i, dp) || !get_varint(data, i, db)) return std::nullopt;
        pos += dp;
        byte += db;
        if (pos > UINT32_MAX || byte > a.text.size()) return std::nullopt;
        a.marks.emplace_back(static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(byte));
    }
    return a;
}

}  // namespace

std::string stored_record(const StoredArticle& a) { return encode_record(a); }

// Format 2: the header and the record compressed with codec's current dictionary.
namespace {
std::string compressed_form(std::string_view record, const StoredCodec& codec) {
    std::string out;
    out += kStoredMagic;
    out += kCompressedFormat;
    put_varint(out, codec.compression_id());
    codec.compress(record, out);
    return out;
}
}  // namespace

std::string encode_stored(const StoredArticle& a, const StoredCodec* codec) {
    if (codec) return compressed_form(encode_record(a), *codec);
    std::string out;
    out += kStoredMagic;
    out += kPlainFormat;
    out += encode_record(a);
    return out;
}

std::string compress_stored(const std::string& data, const StoredCodec& codec) {
    if (data.size() < 2 || data[0] != kStoredMagic || data[1] != kPlainFormat) return data;
    return compressed_form(std::string_view(data).substr(2), codec);
}

std::uint32_t stored_dictionary(std::string_view data) {
    if (data.size() < 3 || data[0] != kStoredMagic || data[1] != kCompressedFormat) return 0;
    std::size_t i = 2;
    std::uint64_t id = 0;
    if (!get_varint(data, i, id) || id > UINT32_MAX) return 0;
    return static_cast<std::uint32_t>(id);
}

std::optional<StoredArticle> decode_stored(std::string_view data, bool with_text, const StoredCodec* codec) {
    if (data.size() < 2 || data[0] != kStoredMagic) return std::nullopt;
    if (data[1] == kPlainFormat) return decode_record(data.substr(2), with_text);
    if (data[1] != kCompressedFormat) return std::nullopt;
    std::size_t i = 2;
    std::uint64_t id = 0;
    if (!get_varint(data, i, id) || id > UINT32_MAX) return std::nullopt;
    static const StoredCodec plain;  // frames made without a dictionary
    thread_local std::string record;
    if (!(codec ? *codec : plain).decompress(data.substr(i), static_cast<std::uint32_t>(id), record))
        return std::nullopt;
    return decode_record(record, with_text);
}

}  // namespace depeche
