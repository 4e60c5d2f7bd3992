#include "indexer/story.hpp"

#include "schema/hash.hpp"
#include "schema/schema.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace depeche::story {
namespace {

constexpr std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Seeds of the kHashes hash functions (fixed: signatures are written into indexes).
const std::array<std::uint64_t, kHashes>& seeds() {
    static const std::array<std::uint64_t, kHashes> s = [] {
        std::array<std::uint64_t, kHashes> out{};
        std::uint64_t x = schema::fnv1a64("depeche.story");
        for (auto& v : out) v = x = splitmix(x);
        return out;
    }();
    return s;
}

// Estimated size of the intersection from the resemblance and the two set sizes.
double intersection(const Signature& a, const Signature& b) {
    const double j = resemblance(a, b);
    return j * (double(a.shingles) + double(b.shingles)) / (1.0 + j);
}

}  // namespace

Signature signature(const std::vector<Token>& tokens) {
    Signature s;
    if (tokens.size() < kShingleWords) return s;
    std::vector<std::uint64_t> words;
    words.reserve(tokens.size());
    for (const Token& t : tokens) words.push_back(schema::fnv1a64(t.exact));
    std::unordered_set<std::uint64_t> shingles;
    shingles.reserve(words.size());
    for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
        std::uint64_t h = 0;
        for (std::size_t k = 0; k < kShingleWords; ++k) h = splitmix(h ^ words[i + k]);
        shingles.insert(h);
    }
    s.shingles = static_cast<std::uint32_t>(shingles.size());
    const auto& seed = seeds();
    std::array<std::uint64_t, kHashes> mins;
    mins.fill(UINT64_MAX);
    for (std::uint64_t h : shingles)
        for (std::size_t k = 0; k < kHashes; ++k) mins[k] = std::min(mins[k], splitmix(h ^ seed[k]));
    for (std::size_t k = 0; k < kHashes; ++k) s.min[k] = static_cast<std::uint16_t>(mins[k] & 0xFFFF);
    return s;
}

double resemblance(const Signature& a, const Signature& b) {
    std::size_t same = 0;
    for (std::size_t k = 0; k < kHashes; ++k) same += a.min[k] == b.min[k];
    // Two different minima agree on 16 bits with probability 2^-16.
    constexpr double chance = 1.0 / 65536;
    return std::max(0.0, (double(same) / double(kHashes) - chance) / (1 - chance));
}

double containment(const Signature& a, const Signature& b) {
    const double smaller = std::min(a.shingles, b.shingles);
    return smaller > 0 ? std::min(1.0, intersection(a, b) / smaller) : 0.0;
}

bool same_story(const Signature& a, const Signature& b) {
    if (!a.usable() || !b.usable()) return false;
    if (resemblance(a, b) >= kMinJaccard) return true;
    const double ratio = double(std::min(a.shingles, b.shingles)) / double(std::max(a.shingles, b.shingles));
    return ratio >= kMinLengthRatio && containment(a, b) >= kMinContainment;
}

// "S", the kHashes 16-bit values big-endian, then the shingle count as 4 bytes.
constexpr std::size_t kEncodedSize = 1 + 2 * kHashes + 4;

std::string encode(const Signature& s) {
    std::string out;
    out.reserve(kEncodedSize);
    out += 'S';
    auto put = [&](std::uint32_t v, int bytes) {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
    };
    for (std::uint16_t v : s.min) put(v, 2);
    put(s.shingles, 4);
    return out;
}

std::optional<Signature> decode(std::string_view value) {
    if (value.size() != kEncodedSize || value[0] != 'S') return std::nullopt;
    Signature s;
    std::size_t i = 1;
    auto get = [&](int bytes) {
        std::uint32_t v = 0;
        for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<unsigned char>(value[i++]);
        return v;
    };
    for (auto& v : s.min) v = static_cast<std::uint16_t>(get(2));
    s.shingles = get(4);
    return s;
}

Bands bands(const Signature& s) {
    Bands out{};
    for (std::size_t b = 0; b < kBands; ++b) {
        std::uint32_t v = 0;
        for (std::size_t r = 0; r < kRows; ++r) v = (v << 16) | s.min[b * kRows + r];
        out[b] = v;
    }
    return out;
}

std::string own_key(std::string_view id) { return schema::hex64(schema::fnv1a64(id)); }

std::string story_term(std::string_view key) { return std::string(schema::field("story").prefix) + std::string(key); }

bool valid_key(std::string_view key) {
    return key.size() == 16 &&
           std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void set_key(Xapian::Document& doc, const std::string& key) {
    const std::string old = doc.get_value(schema::kSlotStory);
    if (old == key) return;
    if (!old.empty()) {
        try {
            doc.remove_term(story_term(old));
        } catch (const Xapian::InvalidArgumentError&) {  // the term was not there
        }
    }
    doc.add_boolean_term(story_term(key));
    doc.add_value(schema::kSlotStory, key);
}

void add_to_document(Xapian::Document& doc, const std::string& id, const Signature& s) {
    if (s.usable()) doc.add_value(schema::kSlotStorySignature, encode(s));
    set_key(doc, own_key(id));
}

namespace {

struct UnionFind {
    std::vector<std::size_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    }
    void unite(std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

}  // namespace

std::vector<std::string> group(const std::vector<Signature>& sigs, const std::vector<std::string>& own) {
    const std::size_t n = sigs.size();
    UnionFind uf(n);
    std::set<std::pair<std::size_t, std::size_t>> checked;
    std::vector<std::pair<std::uint32_t, std::size_t>> band;  // (band value, item), sorted
    for (std::size_t b = 0; b < kBands; ++b) {
        band.clear();
        for (std::size_t i = 0; i < n; ++i)
            if (sigs[i].usable()) band.emplace_back(bands(sigs[i])[b], i);
        std::sort(band.begin(), band.end());
        for (std::size_t x = 0; x < band.size(); ++x)
            for (std::size_t y = x + 1; y < band.size() && band[y].first == band[x].first; ++y) {
                const std::size_t p = band[x].second, q = band[y].second;
                if (uf.find(p) == uf.find(q) || !checked.emplace(p, q).second) continue;
                if (same_story(sigs[p], sigs[q])) uf.unite(p, q);
            }
    }
    std::vector<std::string> root_key(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string& k = root_key[uf.find(i)];
        if (k.empty() || own[i] < k) k = own[i];
    }
    std::vector<std::string> keys(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = root_key[uf.find(i)];
    return keys;
}

std::size_t group_shards(const std::vector<std::string>& shard_paths) {
    std::vector<Xapian::WritableDatabase> shards;
    for (const std::string& p : shard_paths) shards.emplace_back(p, Xapian::DB_OPEN);
    std::vector<std::pair<std::size_t, Xapian::docid>> where;  // (shard, docid) of each item
    std::vector<Signature> sigs;
    std::vector<std::string> own;
    for (std::size_t k = 0; k < shards.size(); ++k) {
        Xapian::WritableDatabase& db = shards[k];
        // Documents with a signature; the others stay alone with their own key.
        std::unordered_map<Xapian::docid, std::string> keys;
        for (auto it = db.valuestream_begin(schema::kSlotStory); it != db.valuestream_end(schema::kSlotStory); ++it)
            keys.emplace(it.get_docid(), *it);
        for (auto it = db.valuestream_begin(schema::kSlotStorySignature);
             it != db.valuestream_end(schema::kSlotStorySignature); ++it) {
            std::optional<Signature> s = decode(*it);
            auto key = keys.find(it.get_docid());
            if (!s || key == keys.end()) continue;
            where.emplace_back(k, it.get_docid());
            sigs.push_back(*s);
            own.push_back(key->second);
        }
    }
    const std::vector<std::string> grouped = group(sigs, own);
    std::unordered_map<std::string, std::size_t> sizes;
    for (const std::string& k : grouped) ++sizes[k];
    std::size_t shared = 0;
    for (std::size_t i = 0; i < where.size(); ++i) {
        if (sizes[grouped[i]] > 1) ++shared;
        if (grouped[i] == own[i]) continue;
        auto [k, did] = where[i];
        Xapian::Document doc = shards[k].get_document(did);
        set_key(doc, grouped[i]);
        shards[k].replace_document(did, doc);
    }
    for (auto& db : shards) db.commit();
    return shared;
}

void Stories::load(Xapian::WritableDatabase& db) {
    uuid_ = db.get_uuid();
    for (auto& v : loaded_) v.clear();
    for (auto& m : recent_) m.clear();
    for (auto it = db.valuestream_begin(schema::kSlotStorySignature);
         it != db.valuestream_end(schema::kSlotStorySignature); ++it) {
        std::optional<Signature> s = decode(*it);
        if (!s || !s->usable()) continue;
        const Bands b = bands(*s);
        for (std::size_t k = 0; k < kBands; ++k) loaded_[k].emplace_back(b[k], it.get_docid());
    }
    for (auto& v : loaded_) std::sort(v.begin(), v.end());
}

void Stories::added(Xapian::docid did, const Xapian::Document& doc) {
    std::optional<Signature> s = decode(doc.get_value(schema::kSlotStorySignature));
    if (!s || !s->usable() || uuid_.empty()) return;
    const Bands b = bands(*s);
    for (std::size_t k = 0; k < kBands; ++k) recent_[k].emplace(b[k], did);
}

void Stories::join(Xapian::WritableDatabase& db, Xapian::Document& doc) {
    if (uuid_.empty() || uuid_ != db.get_uuid()) load(db);
    std::optional<Signature> sig = decode(doc.get_value(schema::kSlotStorySignature));
    if (!sig || !sig->usable()) return;  // alone in its story: keeps its own key
    const Bands b = bands(*sig);
    std::set<Xapian::docid> candidates;
    for (std::size_t k = 0; k < kBands; ++k) {
        const auto& v = loaded_[k];
        for (auto it = std::lower_bound(v.begin(), v.end(), std::make_pair(b[k], Xapian::docid(0)));
             it != v.end() && it->first == b[k]; ++it)
            candidates.insert(it->second);
        auto [from, to] = recent_[k].equal_range(b[k]);
        for (; from != to; ++from) candidates.insert(from->second);
    }
    // The article's id term: its own older version (an article replaced in place, or
    // moved to another shard and not yet deleted from the old one) is no other version.
    auto id_of = [](const Xapian::Document& d) {
        return schema::first_term_with(d.termlist_begin(), d.termlist_end(), schema::kIdPrefix);
    };
    const std::string own_id = id_of(doc);
    std::set<std::string> matched;  // keys of every verified match
    for (Xapian::docid did : candidates) {
        Xapian::Document other;
        try {
            other = db.get_document(did);
        } catch (const Xapian::DocNotFoundError&) {  // deleted since
            continue;
        }
        if (!own_id.empty() && id_of(other) == own_id) continue;
        std::optional<Signature> s = decode(other.get_value(schema::kSlotStorySignature));
        const std::string key = other.get_value(schema::kSlotStory);
        if (s && !key.empty() && same_story(*sig, *s)) matched.insert(key);
    }
    if (matched.empty()) return;
    // Several stories joined by this version: one key for all, the smallest.
    const std::string key = *matched.begin();
    for (const std::string& k : matched) {
        if (k == key) continue;
        const std::string term = story_term(k);
        std::vector<Xapian::docid> members(db.postlist_begin(term), db.postlist_end(term));
        for (Xapian::docid did : members) {
            Xapian::Document d = db.get_document(did);
            set_key(d, key);
            db.replace_document(did, d);
        }
    }
    set_key(doc, key);
}

}  // namespace depeche::story
