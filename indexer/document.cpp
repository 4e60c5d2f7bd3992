#include "indexer/document.hpp"

#include "indexer/dates.hpp"
#include "indexer/people.hpp"
#include "indexer/story.hpp"
#include "schema/schema.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <unordered_set>

namespace depeche {
namespace {
std::uint64_t fnv64(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) { h ^= c; h *= 1099511628211ULL; }
    return h;
}
}  // namespace

std::string fnv_hex(std::string_view s) {
    const std::uint64_t h = fnv64(s);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

std::string fnv_short(std::string_view s) {
    static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    std::uint64_t h = fnv64(s);
    std::string out(11, '0');
    for (std::size_t i = 0; i < out.size(); ++i, h >>= 6) out[i] = kDigits[h & 63];
    return out;
}

// A term that is too long for Xapian is cut at a UTF-8 boundary and suffixed by a hash.
std::string bounded_term(std::string term) {
    if (term.size() <= kMaxTermBytes) return term;
    std::string hash = fnv_hex(term);
    std::size_t cut = kMaxTermBytes - hash.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(term[cut]) & 0xC0) == 0x80) --cut;
    term.resize(cut);
    return term + "#" + hash;
}

namespace {

void two_digits(std::string& out, int v) {
    out += static_cast<char>('0' + (v / 10) % 10);
    out += static_cast<char>('0' + v % 10);
}

std::string yyyymmdd(int y, int m, int d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
    return buf;
}

// Adds the year, month and day terms of a date under a Date field's prefix.
void add_date_terms(Xapian::Document& doc, std::string_view prefix, int y, int m, int d) {
    std::string ymd = yyyymmdd(y, m, d);
    doc.add_boolean_term(std::string(prefix) + std::string(schema::kYearTag) + ymd.substr(0, 4));
    if (m > 0) doc.add_boolean_term(std::string(prefix) + std::string(schema::kMonthTag) + ymd.substr(0, 6));
    if (m > 0 && d > 0) doc.add_boolean_term(std::string(prefix) + std::string(schema::kDayTag) + ymd);
}

// Indexes analysed text under a field: exact forms, with positions unless `positions` is
// false (title, author and source terms since schema 5). Stems are not terms:
// each (stem, form) pair goes to out.forms once per document, for the forms table.
// Returns the next free position.
Xapian::termpos index_text(Xapian::Document& doc, const std::vector<Token>& tokens,
                           std::string_view prefix, Xapian::termcount wdf, BuiltDocument& out,
                           std::unordered_set<std::string>& seen, bool positions = true) {
    Xapian::termpos last = 0;
    std::string term(prefix), pair;
    for (const Token& t : tokens) {
        last = t.pos;
        if (t.exact.size() > kMaxTermBytes) continue;
        term.resize(prefix.size());
        term += t.exact;
        if (positions) doc.add_posting(term, t.pos + 1, wdf);
        else doc.add_term(term, wdf);
        if (t.stem.empty() || t.number) continue;
        pair.assign(t.exact).append(1, '\0').append(t.stem);  // copied only when new
        if (seen.insert(pair).second) {
            out.forms.emplace_back(t.stem, t.exact);
            if (!t.alt_stem.empty()) out.spellings.emplace_back(t.exact, t.stem);
        }
    }
    return last + 1;
}

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
    for (const std::string* f : {&a.id, &a.title, &a.date, &a.url, &a.author, &a.source, &a.path})
        put_string(out, *f);
    std::string people;
    for (const std::string& p : a.people) {
        if (!people.empty()) people += '\x1f';
        people += p;
    }
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
    for (std::size_t start = 0; start < v.size();) {
        std::size_t end = std::min(v.find('\x1f', start), v.size());
        if (end > start) a.people.emplace_back(v.substr(start, end - start));
        start = end + 1;
    }
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

std::string url_term(std::string_view url) {
    return std::string(schema::field("url").prefix) + fnv_short(url);
}

std::string file_term(std::string_view path) {
    return std::string(schema::field("file").prefix) + fnv_short(path);
}

std::string field_value_term(std::string_view prefix, std::string_view text) {
    return std::string(prefix) + fnv_short(text);
}

std::string stored_record(const StoredArticle& a) { return encode_record(a); }

std::string stored_sample(const Article& article) {
    StoredArticle a;
    a.id = article.id;
    a.title = article.title;
    a.date = article.date;
    a.url = article.url;
    a.author = article.author;
    a.source = article.source;
    a.path = article.path;
    a.text = article.body;
    return encode_record(a);
}

std::string id_term(const std::string& id) {
    return bounded_term(std::string(schema::kIdPrefix) + id);
}

// Format 2: the header and the record compressed with codec's current dictionary.
std::string compressed_form(std::string_view record, const StoredCodec& codec) {
    std::string out;
    out += kStoredMagic;
    out += kCompressedFormat;
    put_varint(out, codec.compression_id());
    codec.compress(record, out);
    return out;
}

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

BuiltDocument build_document(const Article& article, Analyzer& analyzer,
                             const PeopleExtractor* people, const StoredCodec* codec) {
    BuiltDocument out;
    Xapian::Document& doc = out.doc;
    StoredArticle stored;
    stored.id = article.id;
    stored.title = analyzer.normalize(article.title);
    stored.text = analyzer.normalize(article.body);
    stored.url = article.url;
    stored.author = analyzer.normalize(article.author);
    stored.source = analyzer.normalize(article.source);
    stored.path = article.path;
    auto problem = [&](std::string msg) {
        out.problems.push_back({article.path.empty() ? article.id : article.path, article.line, std::move(msg)});
    };

    out.id_term = id_term(article.id);
    doc.add_boolean_term(out.id_term);
    if (!article.url.empty()) doc.add_boolean_term(url_term(article.url));
    if (!article.path.empty()) doc.add_boolean_term(file_term(article.path));

    // Title: its own prefix, and the body's (unprefixed) space with a higher weight.
    std::vector<Token> tokens;
    std::unordered_set<std::string> seen;  // forms already recorded for this document
    analyzer.analyze(stored.title, tokens, 0);
    const auto& title = schema::field("title");
    // Title terms need no positions: a title phrase is checked on the body-space
    // positions of the same words, below kBodyFirstPos (searcher/range_phrase.hpp).
    index_text(doc, tokens, title.prefix, 1, out, seen, false);
    index_text(doc, tokens, schema::kBodyPrefix, schema::kTitleWdf, out, seen);

    tokens.clear();
    analyzer.analyze(stored.text, tokens, schema::kBodyFirstPos);
    index_text(doc, tokens, schema::kBodyPrefix, 1, out, seen);
    for (std::size_t k = 0; k < tokens.size(); k += kMarkEvery)
        stored.marks.emplace_back(tokens[k].pos, tokens[k].begin);
    // Story signature and own story key (the writer joins it to a story: indexer/story.hpp).
    story::add_to_document(doc, article.id, story::signature(tokens));

    for (const char* id : {"author", "source"}) {
        const auto& f = schema::field(id);
        const std::string& text = std::string_view(id) == "author" ? stored.author : stored.source;
        if (text.empty()) continue;
        tokens.clear();
        analyzer.analyze(text, tokens, 0);
        // Words without positions, and the whole value as one term (phrases and NEAR are
        // matched on the distinct values: searcher/query_parser.cpp).
        index_text(doc, tokens, f.prefix, 1, out, seen, false);
        if (tokens.empty()) continue;
        const std::string term = field_value_term(schema::field_value_prefix(id), text);
        doc.add_boolean_term(term);
        out.field_values.emplace_back(std::string(schema::kFieldValueKey) + term, text);
    }

    // Publication date: metadata, else a dateline at the top of the body.
    std::optional<DateTime> published;
    if (!article.date.empty()) {
        published = parse_date(article.date);
        if (!published) problem("cannot parse date '" + article.date.substr(0, 60) + "'; indexed without a date");
    }
    if (!published) published = find_dateline(stored.text);
    if (published) {
        // The article is filed on the day its readers saw: the source's local day and
        // time (2018-01-01T00:15+01:00 is 2018-01-01, not 2017-12-31 as in UTC).
        const DateTime d = published->local();
        std::string value = yyyymmdd(d.year, d.month, d.day);
        char iso[48];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.year, d.month, d.day);
        stored.date = iso;
        if (d.has_time()) {
            two_digits(value, d.hour);
            two_digits(value, d.minute);
            two_digits(value, d.second);
            // ISO 8601 local time, with the source's offset when it gave a zone ("Z" for
            // UTC); without a zone the time is as written, offset unknown.
            std::snprintf(iso, sizeof iso, "T%02d:%02d:%02d", d.hour, d.minute, d.second);
            stored.date += iso;
            const int offset = published->utc_offset;
            if (published->zoned && offset == 0) {
                stored.date += 'Z';
            } else if (published->zoned) {
                std::snprintf(iso, sizeof iso, "%c%02d:%02d", offset < 0 ? '-' : '+', std::abs(offset) / 60,
                              std::abs(offset) % 60);
                stored.date += iso;
            }
        }
        doc.add_value(schema::kSlotDate, value);
        add_date_terms(doc, schema::field("date").prefix, d.year, d.month, d.day);
    }

    // Dates mentioned in the text (title and body), resolved against publication.
    {
        std::set<std::string> seen;
        std::string list;
        const auto& f = schema::field("mentioned");
        for (const std::string* text : {&stored.title, &stored.text}) {
            for (const MentionedDate& m : extract_dates(*text, published)) {
                int month = m.granularity == Granularity::Year ? 0 : m.month;
                int day = m.granularity == Granularity::Day ? m.day : 0;
                std::string key = yyyymmdd(m.year, month, day);
                if (!seen.insert(key).second) continue;
                add_date_terms(doc, f.prefix, m.year, month, day);
                if (!list.empty()) list += '\x1f';
                list += key;
            }
        }
        if (!list.empty()) doc.add_value(schema::kSlotMentioned, list);
    }

    // People: metadata and extraction; a filter term per person and a value for facets.
    if (people) {
        stored.people = people->extract(stored.title, stored.text, article.people);
    } else {
        stored.people = article.people;
    }
    if (!stored.people.empty()) {
        // The facet value: one display name per person key, the first (the key is
        // person_key(name), so the searcher computes it instead of reading it).
        std::string list;
        std::set<std::string> keys;
        const auto& f = schema::field("person");
        for (const std::string& name : stored.people) {
            std::string key = person_key(name);
            if (key.empty() || name.find_first_of("\x1e\x1f") != std::string::npos) continue;
            if (!keys.insert(key).second) continue;
            doc.add_boolean_term(bounded_term(std::string(f.prefix) + key));
            if (!list.empty()) list += '\x1f';
            list += name;
        }
        doc.add_value(schema::kSlotPeople, list);
    }

    doc.set_data(encode_stored(stored, codec));
    return out;
}

}  // namespace depeche
