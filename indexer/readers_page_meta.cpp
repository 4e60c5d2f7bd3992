// Metadata of web pages beyond <meta>: schema.org JSON-LD (<script
// type="application/ld+json">) and the site names cut from <title>.
#include "readers_internal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace depeche::readers_detail {
namespace {

using nlohmann::json;

// JSON-LD nested deeper than this is not parsed (no page needs it; it bounds the work).
constexpr std::size_t kMaxJsonLdDepth = 64;

// The deepest nesting of brackets outside strings.
std::size_t json_depth(std::string_view text) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

// Whether a schema.org @type (a string or a list) names an article.
bool is_article_type(const json& type) {
    auto one = [](const json& t) {
        if (!t.is_string()) return false;
        std::string_view name = t.get_ref<const std::string&>();
        if (const std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
            name.remove_prefix(slash + 1);  // "http://schema.org/NewsArticle"
        return name.ends_with("Article") || name == "BlogPosting" || name == "LiveBlogPosting" || name == "Report";
    };
    if (type.is_array()) return std::any_of(type.begin(), type.end(), one);
    return one(type);
}

// The first article object of a JSON-LD value: the value itself, an item of a list or
// of "@graph" (breadth first, bounded by the nesting limit checked before parsing).
const json* find_article(const json& root) {
    std::vector<const json*> queue{&root};
    for (std::size_t i = 0; i < queue.size(); ++i) {
        const json& v = *queue[i];
        if (v.is_array()) {
            for (const json& item : v) queue.push_back(&item);
        } else if (v.is_object()) {
            if (const auto t = v.find("@type"); t != v.end() && is_article_type(*t)) return &v;
            if (const auto g = v.find("@graph"); g != v.end()) queue.push_back(&*g);
        }
    }
    return nullptr;
}

// A string, the "name" of an object, or such values of a list joined by ", ".
std::string names(const json* v) {
    if (!v) return {};
    if (v->is_string()) return single_line(v->get_ref<const std::string&>());
    if (v->is_object()) {
        const auto n = v->find("name");
        return n != v->end() && n->is_string() ? single_line(n->get_ref<const std::string&>()) : std::string();
    }
    std::string out;
    if (v->is_array())
        for (const json& item : *v)
            if (std::string one = names(&item); !one.empty() && !item.is_array())
                out += (out.empty() ? "" : ", ") + one;
    return out;
}

const json* member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Lower-case letters and digits only, accents removed: "Le Monde.fr" -> "lemondefr".
std::string squeeze(std::string_view s) {
    std::string out;
    for (char c : fold_key(s))
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
    return out;
}

// The host's name without "www." and the top-level domain: "https://www.le-journal.fr/x"
// -> "le-journal".
std::string host_label(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    url = url.substr(0, url.find_first_of("/?#:"));
    const std::size_t last_dot = url.rfind('.');
    if (last_dot == std::string_view::npos) return {};
    url = url.substr(0, last_dot);
    if (const std::size_t dot = url.rfind('.'); dot != std::string_view::npos) url.remove_prefix(dot + 1);
    return std::string(url);
}

std::size_t word_count(std::string_view s) {
    std::size_t n = 0;
    bool in_word = false;
    for (char c : s) {
        const bool space = c == ' ';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

// Whether X, after a separator at the end of a title, names the site: one of the names
// the page gives itself, or its host; failing those, a short name (at most 4 words, no
// digit, no punctuation of a sentence) after a title of at least 5 words.
bool names_site(std::string_view x, std::string_view rest, const std::vector<std::string>& site_names,
                const std::vector<std::string>& hosts, bool guess) {
    const std::string key = squeeze(x);
    if (key.empty()) return false;
    for (const std::string& name : site_names)
        if (!name.empty() && squeeze(name) == key) return true;
    for (const std::string& host : hosts) {
        const std::string h = squeeze(host);
        if (h.size() >= 3 && (key == h || key.starts_with(h) || h.starts_with(key))) return true;
    }
    if (!guess) return false;
    if (word_count(x) > 4 || x.size() > 40 || word_count(rest) < 5) return false;
    return x.find_first_of("0123456789:;,?!«»\"") == std::string_view::npos;
}

}  // namespace

PageLinkedData read_json_ld(const std::vector<std::string>& scripts, ReadContext& ctx) {
    PageLinkedData out;
    for (const std::string& script : scripts) {
        if (trim(script).empty()) continue;
        if (json_depth(script) > kMaxJsonLdDepth) {
            ctx.warn("JSON-LD nested more than " + std::to_string(kMaxJsonLdDepth) + " deep, ignored");
            continue;
        }
        json doc = json::parse(script, nullptr, false);
        if (doc.is_discarded()) {
            ctx.warn("malformed JSON-LD, ignored");
            continue;
        }
        const json* article = find_article(doc);
        if (!article) continue;
        out.found = true;
        out.headline = names(member(*article, "headline"));
        if (out.headline.empty()) out.headline = names(member(*article, "name"));
        if (const json* d = member(*article, "datePublished"); d && d->is_string())
            out.date = single_line(d->get<std::string>());
        else if (const json* c = member(*article, "dateCreated"); c && c->is_string())
            out.date = single_line(c->get<std::string>());
        out.author = names(member(*article, "author"));
        out.section = names(member(*article, "articleSection"));
        out.publisher = names(member(*article, "publisher"));
        if (const json* u = member(*article, "url"); u && u->is_string()) out.url = single_line(u->get<std::string>());
        if (const json* m = member(*article, "mainEntityOfPage"); m && out.url.empty()) {
            if (m->is_string())
                out.url = single_line(m->get<std::string>());
            else if (const json* id = m->is_object() ? member(*m, "@id") : nullptr; id && id->is_string())
                out.url = single_line(id->get<std::string>());
        }
        if (const json* b = member(*article, "articleBody"); b && b->is_string())
            out.body = tidy_body(b->get<std::string>());
        break;  // the first article of the page
    }
    return out;
}

std::string cut_site_name(std::string title, const std::vector<std::string>& site_names,
                          const std::vector<std::string>& urls, bool guess) {
    std::vector<std::string> hosts;
    for (const std::string& url : urls)
        if (std::string h = host_label(url); !h.empty()) hosts.push_back(std::move(h));
    for (;; guess = false) {  // "Titre - Rubrique | Le Site": a known name may follow a guess
        std::size_t best = std::string::npos, width = 0;
        for (std::string_view separator : {" | ", " - ", " – ", " — ", " · "}) {
            const std::size_t at = title.rfind(separator);
            if (at != std::string::npos && (best == std::string::npos || at > best)) {
                best = at;
                width = separator.size();
            }
        }
        if (best == std::string::npos || best == 0) return title;
        const std::string_view x = trim(std::string_view(title).substr(best + width));
        const std::string_view rest = trim(std::string_view(title).substr(0, best));
        if (rest.empty() || !names_site(x, rest, site_names, hosts, guess)) return title;
        title = std::string(rest);
    }
}

}  // namespace depeche::readers_detail
