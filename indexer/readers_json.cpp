// JSON (.json) and JSON Lines (.jsonl) article readers: fields of article objects.
#include "readers_internal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace depeche::readers_detail {
namespace {

using nlohmann::json;

// "number 42", "array": what a value is, for messages (scalars with an excerpt).
std::string describe(const json& value) {
    std::string text = value.type_name();
    if (value.is_primitive())
        text += " " + clip(value.dump(-1, ' ', false, json::error_handler_t::replace), 40);
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
    if (const std::size_t last = what.find("; last read"); last != std::string_view::npos)
        what = what.substr(0, last);
    return clip(what);
}

// Issue for a parse error; for whole documents the line of the error is given too.
void report_parse_error(const json::parse_error& e, std::string_view text, std::size_t line,
                        ReadContext& ctx) {
    if (line == 0) {  // .json: find the line of the error
        const std::size_t at = std::min<std::size_t>(e.byte, text.size());
        line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    }
    ctx.issue("malformed JSON at byte " + std::to_string(e.byte) + " (" +
                  parse_error_reason(e) + ")",
              line);
}

// The keys each field is read from, first present first: the project's own names, then
// French ones and schema.org's NewsArticle (docs/cli.md "JSON keys").
using Keys = std::initializer_list<const char*>;
constexpr Keys kIdKeys = {"id", "identifiant", "guid", "@id"};
constexpr Keys kTitleKeys = {"title", "titre", "headline"};
constexpr Keys kDateKeys = {"date", "datePublished", "date_publication", "datePublication", "published",
                            "publishedAt", "pubDate", "dateCreated"};
constexpr Keys kUrlKeys = {"url", "link", "lien"};
constexpr Keys kSourceKeys = {"source", "publisher", "site", "media", "média"};
constexpr Keys kAuthorKeys = {"author", "auteur", "authors", "auteurs", "creator", "byline", "signature"};
constexpr Keys kBodyKeys = {"body", "text", "content", "texte", "contenu", "articleBody", "corps"};
constexpr Keys kLedeKeys = {"chapo", "chapeau", "lead", "lede", "description", "abstract"};
constexpr Keys kPeopleKeys = {"people", "personnes"};

std::string joined(Keys keys) {
    std::string out;
    for (const char* k : keys) out += std::string(out.empty() ? "" : ", ") + k;
    return out;
}

// Reads the fields of one article object, reporting wrong types.
class ArticleFields {
public:
    ArticleFields(const json& object, ReadContext& ctx, std::size_t line, std::string prefix)
        : object_(object), ctx_(ctx), line_(line), prefix_(std::move(prefix)) {}

    // False when the article has neither title nor body (reported).
    bool read(Article& article) {
        const char* id_key = first(kIdKeys);
        if (const json* id = id_key ? field(id_key) : nullptr) {
            if (id->is_string()) article.id = single_line(clean(id->get<std::string>()));
            else if (id->is_number_unsigned()) article.id = std::to_string(id->get<std::uint64_t>());
            else if (id->is_number_integer()) article.id = std::to_string(id->get<std::int64_t>());
            else if (id->is_number()) article.id = id->dump();
            else report(std::string("field '") + id_key + "' is not a string or number (" + describe(*id) + "), ignored");
        }
        article.title = single_line(text(kTitleKeys));
        article.date = single_line(text(kDateKeys));
        article.url = single_line(text(kUrlKeys));
        article.source = single_line(list_text(kSourceKeys));
        article.author = single_line(list_text(kAuthorKeys));
        for (const char* name : kBodyKeys) {  // the first that is not empty
            if (!field(name)) continue;
            article.body = tidy_body(text(name));
            if (!article.body.empty()) break;
        }
        // A lede ("chapo") goes before the body, or stands for it.
        if (const std::string lede = tidy_body(text(kLedeKeys)); !lede.empty() && article.body.find(lede) != 0)
            article.body = article.body.empty() ? lede : lede + "\n\n" + article.body;
        read_people(article.people);
        if (article.title.empty() && article.body.empty()) {
            report("article has no title and no body, skipped (title read from: " + joined(kTitleKeys) +
                   "; body from: " + joined(kBodyKeys) + ", " + joined(kLedeKeys) + ")");
            return false;
        }
        if (article.body.empty()) report("warning: article has no body, indexed by its title");
        return true;
    }

private:
    void report(const std::string& message) { ctx_.issue(prefix_ + message, line_); }

    // The field's value, or null when absent or JSON null.
    const json* field(const char* name) const {
        const auto it = object_.find(name);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    static std::string clean(std::string s) {
        TextStats stats;
        normalize_text(s, stats);  // CRLF, NUL and control characters from escapes
        return s;
    }

    // The first of `keys` the object has (not null), or nullptr.
    const char* first(Keys keys) const {
        for (const char* k : keys)
            if (field(k)) return k;
        return nullptr;
    }
    std::string text(Keys keys) {
        const char* name = first(keys);
        return name ? text(name) : std::string();
    }
    std::string list_text(Keys keys) {
        const char* name = first(keys);
        return name ? list_text(name) : std::string();
    }

    // A string value; schema.org's objects ({"@type": "Person", "name": "..."}) give their
    // "name".
    std::string text(const char* name) {
        const json* value = field(name);
        if (value && value->is_object()) {
            const auto n = value->find("name");
            if (n != value->end() && n->is_string()) return clean(n->get<std::string>());
        }
        if (!value) return {};
        if (value->is_string()) return clean(value->get<std::string>());
        report(std::string("field '") + name + "' is not a string (" + describe(*value) +
               "), ignored");
        return {};
    }

    // A string, or a list of strings joined by ", ".
    std::string list_text(const char* name) {
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
                report(std::string("field '") + name + "' has an item that is not a string (" +
                       describe(item) + "), skipped");
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
        const char* key = first(kPeopleKeys);
        const json* value = key ? field(key) : nullptr;
        if (!value) return;
        if (value->is_string()) {
            if (std::string name = single_line(clean(value->get<std::string>())); !name.empty())
                people.push_back(std::move(name));
            return;
        }
        if (!value->is_array()) {
            report("field 'people' is not a list or a string (" + describe(*value) +
                   "), ignored");
            return;
        }
        for (const json& item : *value) {
            if (!item.is_string()) {
                report("field 'people' has an item that is not a string (" + describe(item) +
                       "), skipped");
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
};

// Ids: "id", else "url", else the fallback.
void emit_article(const json& object, ReadContext& ctx, std::size_t line,
                  const std::string& prefix, const std::string& fallback_id) {
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
    if (doc.empty()) ctx.issue("no articles (empty JSON array)");
    // Articles of an array without id or url are told apart by their position.
    for (std::size_t i = 0; i < doc.size(); ++i) {
        const std::string number = std::to_string(i + 1);
        if (!doc[i].is_object()) {
            ctx.issue("article " + number + ": not a JSON object (" + describe(doc[i]) +
                      "), skipped");
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
            ctx.issue("invalid UTF-8 at byte " + std::to_string(stats.first_invalid + 1) +
                          " of the line (" + std::to_string(stats.invalid_sequences) +
                          " bad sequence(s) replaced with U+FFFD)",
                      line_no);
    } else {
        text = decode_to_utf8(raw_line, "windows-1252", stats);
        ctx.issue("line is not valid UTF-8, read as windows-1252", line_no);
    }
    normalize_text(text, stats);
    if (stats.nul_removed > 0)
        ctx.issue("removed " + std::to_string(stats.nul_removed) + " NUL byte(s)", line_no);

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
