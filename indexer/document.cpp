#include "indexer/document.hpp"

#include "indexer/dates.hpp"
#include "indexer/people.hpp"
#include "indexer/story.hpp"
#include "schema/schema.hpp"

#include <cstdio>
#include <functional>
#include <cstdlib>
#include <optional>
#include <set>
#include <unordered_set>

namespace depeche {
namespace {

void two_digits(std::string& out, int v) {
    out += static_cast<char>('0' + (v / 10) % 10);
    out += static_cast<char>('0' + v % 10);
}

void add_date_terms(Xapian::Document& doc, const schema::Field& f, int y, int m, int d) {
    for (const std::string& t : date_terms(f, y, m, d)) doc.add_boolean_term(t);
}

// Indexes analysed text under a prefix: exact forms, with positions unless `positions` is
// false. Stems are not terms: each (stem, form) pair goes to out.forms once per document,
// for the forms table.
void index_text(Xapian::Document& doc, const std::vector<Token>& tokens, std::string_view prefix, Xapian::termcount wdf,
                BuiltDocument& out, std::unordered_set<std::string>& seen, bool positions) {
    std::string term(prefix), pair;
    for (const Token& t : tokens) {
        if (t.exact.size() > kMaxTermBytes) continue;
        term.resize(prefix.size());
        term += t.exact;
        if (positions)
            doc.add_posting(term, t.pos + 1, wdf);
        else
            doc.add_term(term, wdf);
        if (t.stem.empty() || t.number) continue;
        pair.assign(t.exact).append(1, '\0').append(t.stem);  // copied only when new
        if (seen.insert(pair).second) {
            out.forms.emplace_back(t.stem, t.exact);
            if (!t.alt_stem.empty()) out.spellings.emplace_back(t.exact, t.stem);
        }
    }
}

// The publication date: metadata, else a dateline at the top of the body. Fills
// stored.date and returns the slot value (YYYYMMDD[hhmmss]) and the local date.
struct Published {
    std::optional<DateTime> when;   // as parsed (for resolving mentioned dates)
    std::optional<DateTime> local;  // the source's local day and time
    std::string value;              // schema::kSlotDate
};
Published publication(const Article& article, StoredArticle& stored, const std::function<void(std::string)>& problem) {
    Published p;
    if (!article.date.empty()) {
        p.when = parse_date(article.date);
        if (!p.when) problem("cannot parse date '" + article.date.substr(0, 60) + "'; indexed without a date");
    }
    if (!p.when) p.when = find_dateline(stored.text);
    if (!p.when) return p;
    // The article is filed on the day its readers saw: the source's local day and
    // time (2018-01-01T00:15+01:00 is 2018-01-01, not 2017-12-31 as in UTC).
    const DateTime d = p.when->local();
    p.local = d;
    p.value = yyyymmdd(d.year, d.month, d.day);
    char iso[48];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.year, d.month, d.day);
    stored.date = iso;
    if (d.has_time()) {
        two_digits(p.value, d.hour);
        two_digits(p.value, d.minute);
        two_digits(p.value, d.second);
        // ISO 8601 local time, with the source's offset when it gave a zone ("Z" for
        // UTC); without a zone the time is as written, offset unknown.
        std::snprintf(iso, sizeof iso, "T%02d:%02d:%02d", d.hour, d.minute, d.second);
        stored.date += iso;
        const int offset = p.when->utc_offset;
        if (p.when->zoned && offset == 0) {
            stored.date += 'Z';
        } else if (p.when->zoned) {
            std::snprintf(iso, sizeof iso, "%c%02d:%02d", offset < 0 ? '-' : '+', std::abs(offset) / 60,
                          std::abs(offset) % 60);
            stored.date += iso;
        }
    }
    return p;
}

}  // namespace

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
    return stored_record(a);
}

BuiltDocument build_document(const Article& article, Analyzer& analyzer, const PeopleExtractor* people,
                             const StoredCodec* codec) {
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
    const Published published = publication(article, stored, problem);
    // People: metadata and extraction.
    stored.people = people ? people->extract(stored.title, stored.text, article.people) : article.people;

    out.id_term = id_term(article.id);
    doc.add_boolean_term(out.id_term);
    std::vector<Token> tokens;
    std::unordered_set<std::string> seen;  // forms already recorded for this document
    story::Signature body_signature;       // of the body's words (indexer/story.hpp)
    for (const schema::Field& f : schema::kFields) {
        const std::string empty;
        const std::string& value = f.value ? stored.*f.value : empty;
        switch (f.indexing) {
            case schema::Indexing::Words:
                tokens.clear();
                analyzer.analyze(value, tokens, f.first_pos);
                index_text(doc, tokens, f.prefix, 1, out, seen, f.positions);
                // Title words also go to the unprefixed space, weighted (schema::kTitleWdf).
                if (f.body_wdf)
                    index_text(doc, tokens, schema::kBodyPrefix, f.body_wdf, out, seen, schema::kBodyField.positions);
                if (f.marks)
                    for (std::size_t k = 0; k < tokens.size(); k += kMarkEvery)
                        stored.marks.emplace_back(tokens[k].pos, tokens[k].begin);
                if (&f == &schema::kBodyField) body_signature = story::signature(tokens);
                break;
            case schema::Indexing::WordsAndValue: {
                if (value.empty()) break;
                tokens.clear();
                analyzer.analyze(value, tokens, f.first_pos);
                // Words without positions, and the whole value as one term (phrases and
                // NEAR are matched on the distinct values: searcher/query_parser.cpp).
                index_text(doc, tokens, f.prefix, 1, out, seen, false);
                if (tokens.empty()) break;
                const std::string term = field_value_term(f, value);
                doc.add_boolean_term(term);
                out.field_values.emplace_back(std::string(schema::kFieldValueKey) + term, value);
                break;
            }
            case schema::Indexing::Exact:
            case schema::Indexing::Hashed:
                if (!value.empty()) doc.add_boolean_term(field_term(f, value));
                break;
            case schema::Indexing::PersonKey: {
                // A filter term per person; for facets, one display name per person key,
                // the first (the searcher computes the key instead of reading it).
                std::string list;
                std::set<std::string> keys;
                for (const std::string& name : stored.people) {
                    std::string key = person_key(name);
                    if (key.empty() || name.find_first_of("\x1e\x1f") != std::string::npos) continue;
                    if (!keys.insert(key).second) continue;
                    doc.add_boolean_term(field_term(f, key));
                    append_item(list, name);
                }
                if (!stored.people.empty()) doc.add_value(f.slot, list);
                break;
            }
            case schema::Indexing::PublicationDate:
                if (!published.local) break;
                doc.add_value(f.slot, published.value);
                doc.add_value(schema::kSlotDay, published.value.substr(0, 8));
                add_date_terms(doc, f, published.local->year, published.local->month, published.local->day);
                break;
            case schema::Indexing::StoryKey:
                // The signature and the article's own key; the writer joins it to a story.
                story::add_to_document(doc, article.id, body_signature);
                break;
            case schema::Indexing::MentionedDates: {
                // Dates mentioned in the text (title and body), resolved against publication.
                std::set<std::string> distinct;
                std::string list;
                for (const std::string* text : {&stored.title, &stored.text}) {
                    for (const MentionedDate& m : extract_dates(*text, published.when)) {
                        int month = m.granularity == Granularity::Year ? 0 : m.month;
                        int day = m.granularity == Granularity::Day ? m.day : 0;
                        std::string key = yyyymmdd(m.year, month, day);
                        if (!distinct.insert(key).second) continue;
                        add_date_terms(doc, f, m.year, month, day);
                        append_item(list, key);
                    }
                }
                if (!list.empty()) doc.add_value(f.slot, list);
                break;
            }
        }
    }
    // Ties between equal scores (and equal dates) are broken by this value, not by
    // document ids, which differ between one index and shards.
    doc.add_value(schema::kSlotRank, rank_value(published.value, stored.id));

    doc.set_data(encode_stored(stored, codec));
    return out;
}

}  // namespace depeche
