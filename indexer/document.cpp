#include "indexer/document.hpp"

#include "indexer/dates.hpp"
#include "indexer/people.hpp"
#include "schema/schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

namespace depeche {
namespace {

using nlohmann::json;

}  // namespace

std::string fnv_hex(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) { h ^= c; h *= 1099511628211ULL; }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

namespace {

}  // namespace

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

// Indexes analysed text under a field: exact forms with positions, stems without.
// Returns the next free position.
Xapian::termpos index_text(Xapian::Document& doc, const std::vector<Token>& tokens,
                           std::string_view prefix, std::string_view stem_prefix,
                           Xapian::termcount wdf, BuiltDocument& out) {
    Xapian::termpos last = 0;
    for (const Token& t : tokens) {
        last = t.pos;
        if (t.exact.size() > kMaxTermBytes) continue;
        doc.add_posting(std::string(prefix) + t.exact, t.pos + 1, wdf);
        if (!t.stem.empty()) {
            doc.add_term(std::string(stem_prefix) + t.stem, wdf);
            if (!t.alt_stem.empty()) out.spellings.emplace_back(t.exact, t.stem);
        }
    }
    return last + 1;
}

}  // namespace

std::string id_term(const std::string& id) {
    return bounded_term(std::string(schema::kIdPrefix) + id);
}

std::string encode_stored(const StoredArticle& a) {
    json j = json::object();
    j["id"] = a.id;
    auto put = [&j](const char* k, const std::string& v) { if (!v.empty()) j[k] = v; };
    put("title", a.title);
    put("date", a.date);
    put("url", a.url);
    put("author", a.author);
    put("source", a.source);
    put("path", a.path);
    if (!a.people.empty()) j["people"] = a.people;
    put("text", a.text);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

StoredArticle decode_stored(const std::string& data) {
    StoredArticle a;
    json j = json::parse(data, nullptr, false);
    if (!j.is_object()) return a;
    auto get = [&j](const char* k) {
        auto it = j.find(k);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    a.id = get("id");
    a.title = get("title");
    a.date = get("date");
    a.url = get("url");
    a.author = get("author");
    a.source = get("source");
    a.path = get("path");
    a.text = get("text");
    if (auto it = j.find("people"); it != j.end() && it->is_array())
        for (const auto& p : *it)
            if (p.is_string()) a.people.push_back(p.get<std::string>());
    return a;
}

BuiltDocument build_document(const Article& article, Analyzer& analyzer,
                             const PeopleExtractor* people) {
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
    if (!article.url.empty()) doc.add_boolean_term(bounded_term(std::string(schema::field("url").prefix) + article.url));
    if (!article.path.empty()) doc.add_boolean_term(bounded_term(std::string(schema::field("file").prefix) + article.path));

    // Title: its own prefix, and the body's (unprefixed) space with a higher weight.
    std::vector<Token> tokens;
    analyzer.analyze(stored.title, tokens, 0);
    const auto& title = schema::field("title");
    index_text(doc, tokens, title.prefix, title.stem_prefix, 1, out);
    index_text(doc, tokens, schema::kBodyPrefix, schema::kBodyStemPrefix, schema::kTitleWdf, out);

    tokens.clear();
    analyzer.analyze(stored.text, tokens, schema::kBodyFirstPos);
    index_text(doc, tokens, schema::kBodyPrefix, schema::kBodyStemPrefix, 1, out);

    for (const char* id : {"author", "source"}) {
        const auto& f = schema::field(id);
        const std::string& text = std::string_view(id) == "author" ? stored.author : stored.source;
        if (text.empty()) continue;
        tokens.clear();
        analyzer.analyze(text, tokens, 0);
        index_text(doc, tokens, f.prefix, f.stem_prefix, 1, out);
    }

    // Publication date: metadata, else a dateline at the top of the body.
    std::optional<DateTime> published;
    if (!article.date.empty()) {
        published = parse_date(article.date);
        if (!published) problem("cannot parse date '" + article.date.substr(0, 60) + "'; indexed without a date");
    }
    if (!published) published = find_dateline(stored.text);
    if (published) {
        const DateTime& d = *published;
        std::string value = yyyymmdd(d.year, d.month, d.day);
        char iso[32];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.year, d.month, d.day);
        stored.date = iso;
        if (d.has_time()) {
            two_digits(value, d.hour);
            two_digits(value, d.minute);
            two_digits(value, d.second);
            std::snprintf(iso, sizeof iso, "T%02d:%02d:%02dZ", d.hour, d.minute, d.second);
            stored.date += iso;
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
        std::string list;
        const auto& f = schema::field("person");
        for (const std::string& name : stored.people) {
            std::string key = person_key(name);
            if (key.empty()) continue;
            doc.add_boolean_term(bounded_term(std::string(f.prefix) + key));
            if (!list.empty()) list += '\x1f';
            list += name;
        }
        doc.add_value(schema::kSlotPeople, list);
    }

    doc.set_data(encode_stored(stored));
    return out;
}

}  // namespace depeche
