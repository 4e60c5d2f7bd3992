// JSON (.json) and JSON Lines (.jsonl) article readers: fields of article objects.
#include "readers_internal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <fstream>
#include <optional>

namespace depeche::readers_detail {
namespace {

using nlohmann::json;

// "number 42", "array": what a value is, for messages (scalars with an excerpt).
std::string describe(const json& value) {
    std::string text = value.type_name();
    if (value.is_primitive()) text += " " + clip(value.dump(-1, ' ', false, json::error_handler_t::replace), 40);
    return text;
}

// A short reason from nlohmann's message: "[json.exception.parse_error.101] parse error
// at line 1, column 6: syntax error while parsing value - invalid literal; last read:
// '...'" gives "invalid literal".
std::string parse_error_reason(const json::exception& e) {
    std::string_view what = e.what();
    if (const std::size_t dash = what.find(" - "); dash != std::string_view::npos)
        what.remove_prefix(dash + 3);
    else if (const std::size_t colon = what.rfind(": "); colon != std::string_view::npos)
        what.remove_prefix(colon + 2);
    if (const std::size_t last = what.find("; last read"); last != std::string_view::npos) what = what.substr(0, last);
    return clip(what);
}

// Issue for a parse error; for whole documents the line of the error is given too.
void report_parse_error(const json::parse_error& e, std::string_view text, std::size_t line, ReadContext& ctx) {
    if (line == 0) {  // .json: find the line of the error
        const std::size_t at = std::min<std::size_t>(e.byte, text.size());
        line = 1 +
               static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    }
    ctx.issue("malformed JSON at byte " + std::to_string(e.byte) + " (" + parse_error_reason(e) + ")", line);
}

// The keys each field is read from, first present first: the project's own names, then
// French ones and schema.org's NewsArticle (docs/cli.md "JSON keys"). --map puts its keys
// before these.
enum Field { kId, kTitle, kDate, kUrl, kSource, kAuthor, kBody, kLede, kPeople, kFieldCount };
constexpr const char* kFieldNames[kFieldCount] = {"id",     "title", "date", "url",   "source",
                                                  "author", "body",  "lede", "people"};
using Keys = std::vector<std::string>;
const std::array<Keys, kFieldCount>& default_keys() {
    static const std::array<Keys, kFieldCount> keys = {
        Keys{"id", "identifiant", "guid", "@id"},
        Keys{"title", "titre", "headline"},
        Keys{"date", "datePublished", "date_publication", "datePublication", "published", "publishedAt", "pubDate",
             "dateCreated"},
        Keys{"url", "link", "lien"},
        Keys{"source", "publisher", "site", "media", "média"},
        Keys{"author", "auteur", "authors", "auteurs", "creator", "byline", "signature"},
        Keys{"body", "text", "content", "texte", "contenu", "articleBody", "corps"},
        Keys{"chapo", "chapeau", "lead", "lede", "description", "abstract"},
        Keys{"people", "personnes"},
    };
    return keys;
}

std::string joined(const Keys& keys) {
    std::string out;
    for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

// Reads the fields of one article object, reporting wrong types.
class ArticleFields {
public:
    ArticleFields(const json& object, ReadContext& ctx, std::size_t line, std::string prefix)
        : object_(object), ctx_(ctx), line_(line), prefix_(std::move(prefix)), keys_(default_keys()) {
        if (const FieldMap* map = ctx.field_map()) {
            // Mapped keys first, in the order given, for each field.
            std::array<Keys, kFieldCount> mapped;
            for (const auto& [field, key] : *map)
                for (int f = 0; f < kFieldCount; ++f)
                    if (field == kFieldNames[f]) mapped[f].push_back(key);
            for (int f = 0; f < kFieldCount; ++f) keys_[f].insert(keys_[f].begin(), mapped[f].begin(), mapped[f].end());
        }
    }

    // False when the article has neither title nor body (reported).
    bool read(Article& article) {
        const std::string* id_key = first(keys_[kId]);
        if (const json* id = id_key ? field(*id_key) : nullptr) {
            if (id->is_string())
                article.id = single_line(clean(id->get<std::string>()));
            else if (id->is_number_unsigned())
                article.id = std::to_string(id->get<std::uint64_t>());
            else if (id->is_number_integer())
                article.id = std::to_string(id->get<std::int64_t>());
            else if (id->is_number())
                article.id = id->dump();
            else
                note("field '" + *id_key + "' is not a string or number (" + describe(*id) + "), ignored");
        }
        article.title = single_line(text(keys_[kTitle]));
        article.date = single_line(text(keys_[kDate]));
        article.url = single_line(text(keys_[kUrl]));
        article.source = single_line(list_text(keys_[kSource]));
        article.author = single_line(list_text(keys_[kAuthor]));
        for (const std::string& name : keys_[kBody]) {  // the first that is not empty
            if (!field(name)) continue;
            article.body = tidy_body(text(name));
            if (!article.body.empty()) break;
        }
        // A lede ("chapo") goes before the body, or stands for it.
        if (const std::string lede = tidy_body(text(keys_[kLede])); !lede.empty() && article.body.find(lede) != 0)
            article.body = article.body.empty() ? lede : lede + "\n\n" + article.body;
        read_people(article.people);
        if (article.title.empty() && article.body.empty()) {
            ctx_.issue(prefix_ +
                           "article has no title and no body, skipped (title read from: " + joined(keys_[kTitle]) +
                           "; body from: " + joined(keys_[kBody]) + ", " + joined(keys_[kLede]) + ")",
                       line_);
            return false;
        }
        if (article.body.empty()) note("article has no body, indexed by its title");
        return true;
    }

private:
    // A warning: the article is indexed anyway.
    void note(const std::string& message) { ctx_.warn(prefix_ + message, line_); }

    // The field's value, or null when absent or JSON null. A key with dots that the
    // object does not have is followed as a path ("author.name"); through an array, it
    // gives the array of what each item holds.
    const json* field(const std::string& name) {
        const auto it = object_.find(name);
        if (it != object_.end()) return it->is_null() ? nullptr : &*it;
        if (name.find('.') == std::string::npos) return nullptr;
        const json* value = &object_;
        for (std::size_t start = 0; start <= name.size();) {
            const std::size_t dot = std::min(name.find('.', start), name.size());
            const std::string step = name.substr(start, dot - start);
            start = dot + 1;
            if (value->is_object()) {
                const auto at = value->find(step);
                if (at == value->end()) return nullptr;
                value = &*at;
            } else if (value->is_array()) {
                json items = json::array();
                for (const json& item : *value)
                    if (item.is_object())
                        if (const auto at = item.find(step); at != item.end() && !at->is_null()) items.push_back(*at);
                if (items.empty()) return nullptr;
                paths_.push_back(std::move(items));
                value = &paths_.back();
            } else {
                return nullptr;
            }
        }
        return value->is_null() ? nullptr : value;
    }

    static std::string clean(std::string s) {
        TextStats stats;
        normalize_text(s, stats);  // CRLF, NUL and control characters from escapes
        return s;
    }

    // The first of `keys` the object has (not null), or nullptr.
    const std::string* first(const Keys& keys) {
        for (const std::string& k : keys)
            if (field(k)) return &k;
        return nullptr;
    }
    std::string text(const Keys& keys) {
        const std::string* name = first(keys);
        return name ? text(*name) : std::string();
    }
    std::string list_text(const Keys& keys) {
        const std::string* name = first(keys);
        return name ? list_text(*name) : std::string();
    }

    // A string value; schema.org's objects ({"@type": "Person", "name": "..."}) give their
    // "name".
    std::string text(const std::string& name) {
        const json* value = field(name);
        if (value && value->is_object()) {
            const auto n = value->find("name");
            if (n != value->end() && n->is_string()) return clean(n->get<std::string>());
        }
        if (!value) return {};
        if (value->is_string()) return clean(value->get<std::string>());
        note("field '" + name + "' is not a string (" + describe(*value) + "), ignored");
        return {};
    }

    // A string, or a list of strings joined by ", ".
    std::string list_text(const std::string& name) {
        const json* value = field(name);
        if (!value || !value->is_array()) return text(name);
        std::string joined;
        for (const json& item : *value) {
            const json* str = &item;
            if (item.is_object()) {  // schema.org: [{"@type": "Person", "name": "..."}]
                const auto n = item.find("name");
                if (n != item.end()) str = &*n;
            }
            if (!str->is_string()) {
                note("field '" + name + "' has an item that is not a string (" + describe(item) + "), skipped");
                continue;
            }
            const std::string part = single_line(clean(str->get<std::string>()));
            if (part.empty()) continue;
            if (!joined.empty()) joined += ", ";
            joined += part;
        }
        return joined;
    }

    void read_people(std::vector<std::string>& people) {
        const std::string* key = first(keys_[kPeople]);
        const json* value = key ? field(*key) : nullptr;
        if (!value) return;
        if (value->is_string()) {
            if (std::string name = single_line(clean(value->get<std::string>())); !name.empty())
                people.push_back(std::move(name));
            return;
        }
        if (!value->is_array()) {
            note("field '" + *key + "' is not a list or a string (" + describe(*value) + "), ignored");
            return;
        }
        for (const json& item : *value) {
            if (!item.is_string()) {
                note("field '" + *key + "' has an item that is not a string (" + describe(item) + "), skipped");
                continue;
            }
            if (std::string name = single_line(clean(item.get<std::string>())); !name.empty())
                people.push_back(std::move(name));
        }
    }

    const json& object_;
    ReadContext& ctx_;
    std::size_t line_;
    std::string prefix_;
    std::array<Keys, kFieldCount> keys_;
    std::deque<json> paths_;  // values found by dotted paths (stable addresses)
};

// Ids: "id", else "url", else the fallback.
void emit_article(const json& object, ReadContext& ctx, std::size_t line, const std::string& prefix,
                  const std::string& fallback_id) {
    Article article;
    if (!ArticleFields(object, ctx, line, prefix).read(article)) return;
    if (article.id.empty()) article.id = !article.url.empty() ? article.url : fallback_id;
    article.line = line;
    ctx.emit(std::move(article));
}

}  // namespace

void parse_json_document(std::string_view text, ReadContext& ctx) {
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        report_parse_error(e, text, 0, ctx);
        return;
    }
    if (doc.is_object()) {
        emit_article(doc, ctx, 0, {}, ctx.path());
        return;
    }
    if (!doc.is_array()) {
        ctx.issue("expected a JSON object or an array of objects, got " + describe(doc));
        return;
    }
    if (doc.empty()) ctx.warn("no articles (empty JSON array)");
    // Articles of an array without id or url are told apart by their position.
    for (std::size_t i = 0; i < doc.size(); ++i) {
        const std::string number = std::to_string(i + 1);
        if (!doc[i].is_object()) {
            ctx.issue("article " + number + ": not a JSON object (" + describe(doc[i]) + "), skipped");
            continue;
        }
        emit_article(doc[i], ctx, 0, "article " + number + ": ", ctx.path() + "#" + number);
    }
}

void parse_json_line(std::string_view raw_line, std::size_t line_no, ReadContext& ctx) {
    if (!raw_line.empty() && raw_line.back() == '\r') raw_line.remove_suffix(1);
    if (trim(raw_line).empty()) return;  // blank lines are allowed
    TextStats stats;
    std::string text;
    if (mostly_utf8(raw_line)) {
        text = repair_utf8(raw_line, stats);
        if (stats.invalid_sequences > 0)
            ctx.warn("invalid UTF-8 at byte " + std::to_string(stats.first_invalid + 1) + " of the line (" +
                         std::to_string(stats.invalid_sequences) + " bad sequence(s) replaced with U+FFFD)",
                     line_no);
    } else {
        text = decode_to_utf8(raw_line, "windows-1252", stats);
        ctx.warn("line is not valid UTF-8, read as windows-1252", line_no);
    }
    normalize_text(text, stats);
    if (stats.nul_removed > 0) ctx.warn("removed " + std::to_string(stats.nul_removed) + " NUL byte(s)", line_no);

    json object;
    try {
        object = json::parse(text);
    } catch (const json::parse_error& e) {
        report_parse_error(e, text, line_no, ctx);
        return;
    }
    if (!object.is_object()) {
        ctx.issue("expected a JSON object, got " + describe(object), line_no);
        return;
    }
    emit_article(object, ctx, line_no, {}, ctx.path() + "#" + std::to_string(line_no));
}

}  // namespace depeche::readers_detail

namespace depeche {

namespace {
// Adds one "field=key" to map; "" or the error.
std::string add_mapping(std::string_view entry, FieldMap& map) {
    using readers_detail::trim;
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) return "expected FIELD=KEY, got '" + readers_detail::clip(trim(entry)) + "'";
    const std::string field = readers_detail::to_lower_ascii(trim(entry.substr(0, eq)));
    const std::string key(trim(entry.substr(eq + 1)));
    const auto* known = std::find_if(std::begin(readers_detail::kFieldNames), std::end(readers_detail::kFieldNames),
                                     [&](const char* f) { return field == f; });
    if (known == std::end(readers_detail::kFieldNames))
        return "unknown field '" + readers_detail::clip(field) +
               "' (known: id, title, date, url, source, author, body, lede, people)";
    if (key.empty() || key.front() == '.' || key.back() == '.' || key.find("..") != std::string::npos)
        return "no key or a bad key path for field '" + field + "'";
    map.emplace_back(field, key);
    return {};
}
}  // namespace

std::string parse_field_map(std::string_view spec, FieldMap& map) {
    if (readers_detail::trim(spec).empty()) return "empty mapping (expected FIELD=KEY[,FIELD=KEY...])";
    for (std::size_t start = 0; start <= spec.size();) {
        const std::size_t comma = std::min(spec.find(',', start), spec.size());
        if (std::string error = add_mapping(spec.substr(start, comma - start), map); !error.empty()) return error;
        start = comma + 1;
    }
    return {};
}

std::string load_field_map(const std::string& file, FieldMap& map) {
    std::ifstream in(file);
    if (!in) return file + ": cannot read the mapping file";
    std::size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        const std::string_view t = readers_detail::trim(line);
        if (t.empty() || t.front() == '#') continue;
        if (std::string error = add_mapping(t, map); !error.empty())
            return file + ":" + std::to_string(line_no) + ": " + error;
    }
    return {};
}

}  // namespace depeche
