// Plain-text (.txt) and Markdown (.md) article readers, and the text helpers shared by
// all readers.
#include "readers_internal.hpp"
#include "schema/text.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

namespace depeche::readers_detail {

// ---- Text helpers ----

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim_left(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return s.substr(i);
}

std::string_view trim_right(std::string_view s) {
    std::size_t n = s.size();
    while (n > 0 && is_space(s[n - 1])) --n;
    return s.substr(0, n);
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            if (start < text.size()) lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

template <typename Lines>
std::string join_lines(const Lines& lines) {
    std::string out;
    for (const auto& line : lines) {
        out.append(line);
        out.push_back('\n');
    }
    return out;
}

}  // namespace

std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string fold_key(std::string_view key) { return text::fold(key); }

std::string clip(std::string_view s, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    for (char c : s) {
        const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (starts_char && ++chars > max_chars) {
            out += "...";
            break;
        }
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    return out;
}

std::string single_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : trim(s)) {
        if (is_space(c)) {
            space = true;
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string tidy_body(std::string_view s) {
    std::string out;
    bool blank_pending = false;
    for (std::string_view line : split_lines(s)) {
        line = trim_right(line);
        if (trim_left(line).empty()) {
            blank_pending = !out.empty();
            continue;
        }
        if (!out.empty()) out += blank_pending ? "\n\n" : "\n";
        blank_pending = false;
        out.append(line);
    }
    return out;
}

std::vector<std::string> split_people(std::string_view s) {
    std::vector<std::string> people;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find_first_of(",;", start);
        if (end == std::string_view::npos) end = s.size();
        std::string name = single_line(s.substr(start, end - start));
        if (!name.empty()) people.push_back(std::move(name));
        start = end + 1;
    }
    return people;
}

std::string format_size(std::uintmax_t bytes) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buffer;
}

MetaField meta_field_for(std::string_view key) {
    const std::string k = fold_key(trim(key));
    if (k == "title" || k == "titre") return MetaField::Title;
    if (k == "date" || k == "publishdate") return MetaField::Date;
    if (k == "author" || k == "auteur" || k == "authors" || k == "auteurs") return MetaField::Author;
    if (k == "source") return MetaField::Source;
    if (k == "url") return MetaField::Url;
    if (k == "people" || k == "personnes") return MetaField::People;
    if (k == "id") return MetaField::Id;
    return MetaField::None;
}

MetaField front_matter_field(std::string_view key, const ReadContext& ctx) {
    if (const FieldMap* map = ctx.field_map()) {
        static constexpr std::pair<std::string_view, MetaField> kNames[] = {
            {"id", MetaField::Id},        {"title", MetaField::Title},   {"date", MetaField::Date},
            {"url", MetaField::Url},      {"source", MetaField::Source}, {"author", MetaField::Author},
            {"people", MetaField::People}};
        for (const auto& [field, mapped] : *map) {
            if (mapped != trim(key)) continue;
            for (const auto& [name, meta] : kNames)
                if (field == name) return meta;
        }
    }
    return meta_field_for(key);
}

void set_meta_field(Article& article, MetaField field, std::string_view value) {
    std::string* target = nullptr;
    switch (field) {
        case MetaField::Title: target = &article.title; break;
        case MetaField::Date: target = &article.date; break;
        case MetaField::Author: target = &article.author; break;
        case MetaField::Source: target = &article.source; break;
        case MetaField::Url: target = &article.url; break;
        case MetaField::Id: target = &article.id; break;
        case MetaField::People:
            for (auto& name : split_people(value)) article.people.push_back(std::move(name));
            return;
        case MetaField::None: return;
    }
    if (target->empty()) *target = single_line(value);  // the first value wins
}

namespace {

// ---- Shared by .txt and .md ----

// "Key: value" with a plausible key (short, letters, digits, spaces, '-', '_', '.').
bool split_key_value(std::string_view line, std::string_view& key, std::string_view& value) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    key = trim(line.substr(0, colon));
    if (key.empty() || key.size() > 40) return false;
    for (char c : key) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == ' ' || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    value = trim(line.substr(colon + 1));
    return true;
}

// Completes an article from its body lines and passes it on. Without a title, the
// preferred line (a Markdown heading) or else the first non-empty line becomes the
// title and leaves the body, unless the body would then be empty.
void finish_article(Article&& article, std::vector<std::string> lines, std::optional<std::size_t> title_line,
                    ReadContext& ctx) {
    bool title_from_body = false;
    if (article.title.empty()) {
        if (!title_line) {
            for (std::size_t i = 0; i < lines.size(); ++i) {
                if (!trim(lines[i]).empty()) {
                    title_line = i;
                    break;
                }
            }
        }
        if (title_line) {
            article.title = single_line(lines[*title_line]);
            lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*title_line));
            title_from_body = true;
        }
    }
    article.body = tidy_body(join_lines(lines));
    if (article.body.empty() && title_from_body) article.body = article.title;  // searchable
    if (article.title.empty() && article.body.empty()) {
        ctx.issue("article has no title and no body, skipped");
        return;
    }
    if (article.body.empty()) ctx.warn("article has no body, indexed by its title");
    if (article.id.empty()) article.id = !article.url.empty() ? article.url : ctx.path();
    ctx.emit(std::move(article));
}

// ---- Markdown ----

constexpr std::size_t kMaxLinkText = 1024;    // how far to look for "]" of a link
constexpr std::size_t kMaxLinkTarget = 2048;  // ... and for ")"
constexpr std::size_t kMaxCodeSpan = 4096;    // ... and for a closing backtick run
// Looking ahead for closing brackets and backticks may cost this many times the line
// length; past that, brackets and backticks are kept as text (hostile input stays linear).
constexpr std::size_t kLookAheadFactor = 16;

bool is_word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ascii_punct(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

std::size_t run_length(std::string_view s, std::size_t i) {
    std::size_t n = 0;
    while (i + n < s.size() && s[i + n] == s[i]) ++n;
    return n;
}

// Position of the bracket closing s[open] ('[' or '('), or npos within `limit` bytes;
// the bytes looked at are taken from the budget.
std::size_t find_closing(std::string_view s, std::size_t open, std::size_t limit, std::size_t& budget) {
    const char open_char = s[open];
    const char close_char = open_char == '[' ? ']' : ')';
    int depth = 0;
    const std::size_t end = std::min({s.size(), open + limit, open + budget});
    budget -= end - open;
    for (std::size_t i = open; i < end; ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == open_char) {
            ++depth;
        } else if (s[i] == close_char && --depth == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

// Removes inline Markdown from one line: emphasis markers, links and images (their
// text kept), code spans (their content kept), autolinks and backslash escapes.
std::string strip_inline(std::string_view s, std::size_t& budget, int depth = 0) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size() && is_ascii_punct(s[i + 1])) {
            out.push_back(s[i + 1]);
            i += 2;
            continue;
        }
        if (c == '`') {
            const std::size_t run = run_length(s, i);
            std::size_t close = i + run;
            const std::string_view window = s.substr(0, std::min({s.size(), close + kMaxCodeSpan, close + budget}));
            const std::size_t end = window.size();
            while ((close = window.find('`', close)) != std::string_view::npos && run_length(s, close) != run)
                close += run_length(s, close);
            budget -= std::min(budget, std::min(close, end) - i);
            if (close != std::string_view::npos && close < end) {
                out.append(trim(s.substr(i + run, close - i - run)));
                i = close + run;
            } else {
                out.append(s.substr(i, run));
                i += run;
            }
            continue;
        }
        const bool image = c == '!' && i + 1 < s.size() && s[i + 1] == '[';
        if ((c == '[' || image) && depth < 2) {
            const std::size_t open = image ? i + 1 : i;
            const std::size_t close = find_closing(s, open, kMaxLinkText, budget);
            if (close != std::string_view::npos && close + 1 < s.size() &&
                (s[close + 1] == '(' || s[close + 1] == '[')) {
                const std::size_t target_end = find_closing(s, close + 1, kMaxLinkTarget, budget);
                if (target_end != std::string_view::npos) {
                    out += strip_inline(s.substr(open + 1, close - open - 1), budget, depth + 1);
                    i = target_end + 1;
                    continue;
                }
            }
        }
        if (c == '<') {  // autolink <https://...>
            const std::size_t close = s.substr(0, i + kMaxLinkTarget).find('>', i);
            const std::string_view inner =
                close == std::string_view::npos ? std::string_view{} : s.substr(i + 1, close - i - 1);
            const std::size_t colon = inner.find(':');
            if (colon != std::string_view::npos && colon > 1 && colon < 32 &&
                inner.find_first_of(" \t<") == std::string_view::npos) {
                out.append(inner);
                i = close + 1;
                continue;
            }
        }
        if (c == '*' || c == '_' || (c == '~' && run_length(s, i) == 2)) {
            const std::size_t run = run_length(s, i);
            const char before = i > 0 ? s[i - 1] : ' ';
            const char after = i + run < s.size() ? s[i + run] : ' ';
            const bool isolated = is_space(before) && is_space(after);
            const bool intraword = is_word_byte(before) && is_word_byte(after);
            const bool keep = isolated || (c == '_' && intraword) || (c == '*' && is_digit(before) && is_digit(after));
            if (keep) out.append(s.substr(i, run));
            i += run;
            continue;
        }
        out.push_back(c);
        ++i;
    }
    return out;
}

// A line made of 3+ '-', '*', '_' or '=' (spaces allowed): a rule or setext underline.
bool is_rule_line(std::string_view t) {
    if (t.empty()) return false;
    const char c = t[0];
    if (c != '-' && c != '*' && c != '_' && c != '=') return false;
    std::size_t count = 0;
    for (char x : t) {
        if (x == c)
            ++count;
        else if (x != ' ' && x != '\t')
            return false;
    }
    return count >= 3;
}

// Table delimiter row: only '|', '-', ':' and spaces.
bool is_table_delimiter(std::string_view t) {
    return t.find_first_not_of("|-: \t") == std::string_view::npos && t.find('-') != std::string_view::npos;
}

// "[ref]: https://..." reference definitions are not text.
bool is_reference_definition(std::string_view t) {
    if (t.empty() || t[0] != '[') return false;
    const std::size_t close = t.find("]:");
    return close != std::string_view::npos && close > 1 && t.find(']') == close;
}

std::string strip_inline(std::string_view s) {
    std::size_t budget = kLookAheadFactor * s.size();
    return strip_inline(s, budget);
}

// Converts a Markdown body to plain lines; records the first level-1 heading.
std::vector<std::string> markdown_to_lines(const std::vector<std::string_view>& lines, std::size_t first,
                                           std::optional<std::size_t>& first_h1) {
    std::vector<std::string> out;
    char fence_char = 0;
    std::size_t fence_len = 0;
    for (std::size_t n = first; n < lines.size(); ++n) {
        const std::string_view line = lines[n];
        std::string_view t = trim(line);
        const bool fence = t.size() >= 3 && (t[0] == '`' || t[0] == '~') && run_length(t, 0) >= 3;
        if (fence_char) {  // inside a code block: kept as text
            if (fence && t[0] == fence_char && run_length(t, 0) >= fence_len &&
                trim(t.substr(run_length(t, 0))).empty()) {
                fence_char = 0;
                out.emplace_back();
            } else {
                out.emplace_back(trim_right(line));
            }
            continue;
        }
        if (fence) {
            fence_char = t[0];
            fence_len = run_length(t, 0);
            out.emplace_back();
            continue;
        }
        if (is_rule_line(t)) {
            out.emplace_back();
            continue;
        }
        if (is_reference_definition(t)) continue;
        if (!t.empty() && t[0] == '#') {
            const std::size_t level = run_length(t, 0);
            if (level <= 6 && (level == t.size() || t[level] == ' ' || t[level] == '\t')) {
                std::string_view text = trim(t.substr(level));
                const std::size_t closing = text.find_last_not_of('#');  // "## Titre ##"
                if (closing != std::string_view::npos && closing + 1 < text.size() && is_space(text[closing]))
                    text = trim(text.substr(0, closing + 1));
                else if (closing == std::string_view::npos)
                    text = {};
                if (level == 1 && !first_h1 && !text.empty()) first_h1 = out.size();
                out.push_back(strip_inline(text));
                continue;
            }
        }
        while (!t.empty() && t[0] == '>') t = trim_left(t.substr(1));  // blockquote
        if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ')
            t = trim_left(t.substr(2));   // list item
        if (!t.empty() && t[0] == '|') {  // table row: cells separated by spaces
            if (is_table_delimiter(t)) continue;
            std::string row = strip_inline(t);
            for (char& c : row)
                if (c == '|') c = ' ';
            out.push_back(single_line(row));
            continue;
        }
        out.push_back(strip_inline(t));
    }
    return out;
}

// A YAML-like scalar: quotes removed (with their escapes), or a trailing " # comment".
std::string unquote(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v[0] == '"' && v.back() == '"') {
        std::string out;
        for (std::size_t i = 1; i + 1 < v.size(); ++i) {
            if (v[i] == '\\' && i + 2 < v.size()) {
                const char e = v[++i];
                out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            } else {
                out.push_back(v[i]);
            }
        }
        return out;
    }
    if (v.size() >= 2 && v[0] == '\'' && v.back() == '\'') {
        std::string out;
        for (std::size_t i = 1; i + 1 < v.size(); ++i) {
            out.push_back(v[i]);
            if (v[i] == '\'' && v[i + 1] == '\'') ++i;  // '' is a quote
        }
        return out;
    }
    const std::size_t comment = v.find(" #");
    return std::string(trim(v.substr(0, comment)));
}

// "[A, 'B, C', D]" -> {"A", "B, C", "D"}.
std::vector<std::string> inline_list(std::string_view v) {
    v = trim(v.substr(1, v.size() - 2));
    std::vector<std::string> items;
    std::size_t start = 0;
    char quote = 0;
    for (std::size_t i = 0; i <= v.size(); ++i) {
        if (i < v.size() && quote) {
            if (v[i] == quote) quote = 0;
        } else if (i < v.size() && (v[i] == '"' || v[i] == '\'')) {
            quote = v[i];
        } else if (i == v.size() || v[i] == ',') {
            std::string item = unquote(v.substr(start, i - start));
            if (!item.empty()) items.push_back(std::move(item));
            start = i + 1;
        }
    }
    return items;
}

std::size_t indentation(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
    return n;
}

// Front matter: "key: value", "key: [a, b]", "key:" + "- item" lines, "key: |" blocks.
void parse_front_matter(const std::vector<std::string_view>& lines, std::size_t begin, std::size_t end,
                        Article& article, const ReadContext& ctx) {
    MetaField list_field = MetaField::None;  // the key whose "- item" lines follow
    std::vector<std::string> list_items;
    auto finish_list = [&] {
        if (list_field == MetaField::People) {
            for (auto& item : list_items) article.people.push_back(single_line(item));
        } else if (!list_items.empty()) {
            std::string joined;
            for (const auto& item : list_items) joined += (joined.empty() ? "" : ", ") + item;
            set_meta_field(article, list_field, joined);
        }
        list_field = MetaField::None;
        list_items.clear();
    };
    for (std::size_t n = begin; n < end; ++n) {
        const std::string_view t = trim(lines[n]);
        if (t.empty() || t[0] == '#') continue;
        if (t[0] == '-' && (t.size() == 1 || t[1] == ' ')) {
            if (list_field != MetaField::None) {
                std::string item = unquote(t.substr(1));
                if (!item.empty()) list_items.push_back(std::move(item));
            }
            continue;
        }
        finish_list();
        std::string_view key, value;
        if (indentation(lines[n]) > 0 || !split_key_value(t, key, value)) continue;
        const MetaField field = front_matter_field(key, ctx);
        if (value.empty()) {
            list_field = field;
        } else if (value[0] == '|' || value[0] == '>') {  // block scalar on indented lines
            std::string block;
            const bool folded = value[0] == '>';
            while (n + 1 < end && (trim(lines[n + 1]).empty() || indentation(lines[n + 1]) > 0)) {
                block += std::string(trim(lines[++n])) + (folded ? " " : "\n");
            }
            set_meta_field(article, field, block);
        } else if (value[0] == '[' && value.back() == ']') {
            list_field = field;
            list_items = inline_list(value);
            finish_list();
        } else {
            set_meta_field(article, field, unquote(value));
        }
    }
    finish_list();
}

}  // namespace

// ---- Readers ----

void parse_text(std::string_view text, ReadContext& ctx) {
    const std::vector<std::string_view> lines = split_lines(text);
    std::size_t n = 0;
    while (n < lines.size() && trim(lines[n]).empty()) ++n;
    Article article;
    std::string_view key, value;
    // A header only when the first line is "Key: value" with a known key.
    if (n < lines.size() && split_key_value(lines[n], key, value) && meta_field_for(key) != MetaField::None) {
        for (; n < lines.size(); ++n) {
            if (trim(lines[n]).empty()) {
                ++n;
                break;
            }
            if (!split_key_value(lines[n], key, value)) break;  // body without blank line
            set_meta_field(article, meta_field_for(key), value);
        }
    }
    finish_article(std::move(article),
                   std::vector<std::string>(lines.begin() + static_cast<std::ptrdiff_t>(n), lines.end()), std::nullopt,
                   ctx);
}

void parse_markdown(std::string_view text, ReadContext& ctx) {
    const std::vector<std::string_view> lines = split_lines(text);
    Article article;
    std::size_t body_start = 0;
    if (!lines.empty() && trim_right(lines[0]) == "---") {
        std::size_t close = 1;
        while (close < lines.size() && trim_right(lines[close]) != "---" && trim_right(lines[close]) != "...") ++close;
        if (close < lines.size()) {
            parse_front_matter(lines, 1, close, article, ctx);
            body_start = close + 1;
        } else {
            ctx.warn("front matter not closed by '---', read as text");
        }
    } else if (!lines.empty() && trim_right(lines[0]) == "+++") {  // TOML
        std::size_t close = 1;
        while (close < lines.size() && trim_right(lines[close]) != "+++") ++close;
        if (close < lines.size()) {
            const std::size_t begin = static_cast<std::size_t>(lines[1 < close ? 1 : close].data() - text.data());
            const std::size_t end = static_cast<std::size_t>(lines[close].data() - text.data());
            parse_toml_front_matter(text.substr(begin, end - begin), 2, article, ctx);
            body_start = close + 1;
        } else {
            ctx.warn("front matter not closed by '+++', read as text");
        }
    }
    std::optional<std::size_t> first_h1;
    std::vector<std::string> body = markdown_to_lines(lines, body_start, first_h1);
    finish_article(std::move(article), std::move(body), first_h1, ctx);
}

}  // namespace depeche::readers_detail
