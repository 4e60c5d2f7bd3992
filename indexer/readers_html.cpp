// HTML (.html, .htm) article reader: metadata from <meta>/<link>/<title>, text of the
// article element, parsed with gumbo (which also decodes entities and mends markup).
#include "readers_internal.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <unordered_map>

namespace depeche::readers_detail {
namespace {

constexpr std::size_t kCharsetScanBytes = 8192;  // where <meta charset> is looked for
// Gumbo's time grows with the square of the nesting depth (20,000 nested <div> take
// seconds); real pages stay far below this limit.
constexpr std::size_t kMaxNestingDepth = 5000;

// Owns gumbo's parse tree.
class HtmlDocument {
public:
    explicit HtmlDocument(std::string_view text) : options_(kGumboDefaultOptions) {
        options_.max_errors = 0;  // parse errors are not used; recording them costs memory
        output_ = gumbo_parse_with_options(&options_, text.data(), text.size());
    }
    ~HtmlDocument() {
        if (output_) gumbo_destroy_output(&options_, output_);
    }
    HtmlDocument(const HtmlDocument&) = delete;
    HtmlDocument& operator=(const HtmlDocument&) = delete;
    const GumboNode* root() const { return output_ ? output_->document : nullptr; }

private:
    GumboOptions options_;
    GumboOutput* output_ = nullptr;
};

bool is_tag_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

// Elements that never hold others (void) or are closed implicitly by their siblings.
bool never_nests(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "area",   "base",  "br",    "col",   "embed", "hr", "img",      "input",   "link",     "meta", "param",
        "source", "track", "wbr",   "p",     "li",    "dt", "dd",       "option",  "optgroup", "tr",   "td",
        "th",     "thead", "tbody", "tfoot", "rt",    "rp", "colgroup", "caption", "html",     "head", "body"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Raw text elements: their content is text up to their end tag.
bool is_raw_text(std::string_view name) {
    return name == "script" || name == "style" || name == "textarea" || name == "title" || name == "xmp" ||
           name == "iframe" || name == "noembed" || name == "noframes";
}

// Position of the end tag "</name" (any case) at or after `from`, or npos.
std::size_t find_end_tag(std::string_view html, std::string_view name, std::size_t from) {
    for (std::size_t i = html.find("</", from); i != std::string_view::npos; i = html.find("</", i + 2)) {
        if (to_lower_ascii(html.substr(i + 2, name.size())) == name) return i;
    }
    return std::string_view::npos;
}

// An estimate of the element nesting depth from a scan of the tags (end tags close
// the matching open element; stray ones are ignored, as by HTML parsers).
std::size_t estimated_depth(std::string_view html) {
    std::vector<std::string> open;
    std::unordered_map<std::string, std::size_t> open_count;
    std::size_t deepest = 0;
    for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
        if (html.compare(i, 4, "<!--") == 0) {  // comments hold no tags
            i = html.find("-->", i + 4);
            if (i == std::string_view::npos) break;
            continue;
        }
        const std::size_t name_start = i + 1 + (i + 1 < html.size() && html[i + 1] == '/');
        std::size_t name_end = name_start;
        while (name_end < html.size() && is_tag_name_char(html[name_end])) ++name_end;
        const std::string name = to_lower_ascii(html.substr(name_start, name_end - name_start));
        if (name.empty() || never_nests(name)) continue;
        if (name_start == i + 2) {  // end tag
            if (open_count[name] == 0) continue;
            for (bool found = false; !found;) {
                found = open.back() == name;
                --open_count[open.back()];
                open.pop_back();
            }
            continue;
        }
        open.push_back(name);
        ++open_count[name];
        deepest = std::max(deepest, open.size());
        if (deepest > kMaxNestingDepth || name == "plaintext") break;
        if (is_raw_text(name)) {
            i = find_end_tag(html, name, name_end);
            if (i == std::string_view::npos) break;
            --i;  // the loop finds this end tag next
        }
    }
    return deepest;
}

bool is_element(const GumboNode* node) { return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE; }

GumboTag tag_of(const GumboNode* node) { return is_element(node) ? node->v.element.tag : GUMBO_TAG_UNKNOWN; }

const GumboVector* children_of(const GumboNode* node) {
    if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
    if (is_element(node)) return &node->v.element.children;
    return nullptr;
}

std::string_view attribute(const GumboNode* node, const char* name) {
    if (!is_element(node)) return {};
    const GumboAttribute* attr = gumbo_get_attribute(&node->v.element.attributes, name);
    return attr ? std::string_view(attr->value) : std::string_view{};
}

std::string lower_attribute(const GumboNode* node, const char* name) {
    return to_lower_ascii(trim(attribute(node, name)));
}

// True when the space-separated attribute value contains the token (rel="author nofollow").
bool has_token(std::string_view value, std::string_view token) {
    const std::string lower = to_lower_ascii(value);
    std::size_t start = 0;
    while (start < lower.size()) {
        std::size_t end = lower.find_first_of(" \t\n\r\f", start);
        if (end == std::string::npos) end = lower.size();
        if (std::string_view(lower).substr(start, end - start) == token) return true;
        start = end + 1;
    }
    return false;
}

// Elements whose content is not article text.
bool is_skipped(const GumboNode* node) {
    if (node->type == GUMBO_NODE_TEMPLATE) return true;
    if (node->type != GUMBO_NODE_ELEMENT) return false;
    switch (node->v.element.tag) {
        case GUMBO_TAG_SCRIPT:
        case GUMBO_TAG_STYLE:
        case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_NAV:
        case GUMBO_TAG_HEADER:
        case GUMBO_TAG_FOOTER:
        case GUMBO_TAG_ASIDE:
        case GUMBO_TAG_FORM:
        case GUMBO_TAG_BUTTON:
        case GUMBO_TAG_SVG:
        case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_TEMPLATE: return true;
        default: break;
    }
    return gumbo_get_attribute(&node->v.element.attributes, "hidden") != nullptr ||
           lower_attribute(node, "aria-hidden") == "true";
}

enum class Break { None, Space, Line, Paragraph };

// What separates an element's text from its neighbours.
Break break_for(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_BR:
        case GUMBO_TAG_LI:
        case GUMBO_TAG_TR:
        case GUMBO_TAG_DT:
        case GUMBO_TAG_DD:
        case GUMBO_TAG_OPTION: return Break::Line;
        case GUMBO_TAG_P:
        case GUMBO_TAG_DIV:
        case GUMBO_TAG_H1:
        case GUMBO_TAG_H2:
        case GUMBO_TAG_H3:
        case GUMBO_TAG_H4:
        case GUMBO_TAG_H5:
        case GUMBO_TAG_H6:
        case GUMBO_TAG_SECTION:
        case GUMBO_TAG_BLOCKQUOTE:
        case GUMBO_TAG_FIGCAPTION:
        case GUMBO_TAG_FIGURE:
        case GUMBO_TAG_ARTICLE:
        case GUMBO_TAG_MAIN:
        case GUMBO_TAG_BODY:
        case GUMBO_TAG_UL:
        case GUMBO_TAG_OL:
        case GUMBO_TAG_DL:
        case GUMBO_TAG_TABLE:
        case GUMBO_TAG_CAPTION:
        case GUMBO_TAG_PRE:
        case GUMBO_TAG_ADDRESS:
        case GUMBO_TAG_HR:
        case GUMBO_TAG_TITLE: return Break::Paragraph;
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH: return Break::Space;
        default: return Break::None;
    }
}

// Accumulates text with HTML whitespace collapsed and block breaks applied.
class TextBuilder {
public:
    void text(std::string_view s) {
        for (char c : s) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pending_ = std::max(pending_, Break::Space);
                continue;
            }
            if (!out_.empty()) {
                if (pending_ == Break::Paragraph)
                    out_ += "\n\n";
                else if (pending_ == Break::Line)
                    out_ += '\n';
                else if (pending_ == Break::Space)
                    out_ += ' ';
            }
            pending_ = Break::None;
            out_.push_back(c);
        }
    }
    void separate(Break b) { pending_ = std::max(pending_, b); }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
    Break pending_ = Break::None;
};

// The visible text under root (iterative: deeply nested markup must not overflow).
std::string text_of(const GumboNode* root) {
    TextBuilder builder;
    struct Step {
        const GumboNode* node;
        bool leaving;
    };
    std::vector<Step> stack{{root, false}};
    while (!stack.empty()) {
        const Step step = stack.back();
        stack.pop_back();
        const GumboNode* node = step.node;
        if (step.leaving) {
            builder.separate(break_for(tag_of(node)));
            continue;
        }
        if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA) {
            builder.text(node->v.text.text);
            continue;
        }
        if (node != root && is_skipped(node)) continue;
        const GumboVector* children = children_of(node);
        if (!children) continue;  // comments
        builder.separate(break_for(tag_of(node)));
        stack.push_back({node, true});
        for (unsigned i = children->length; i-- > 0;)
            stack.push_back({static_cast<const GumboNode*>(children->data[i]), false});
    }
    return builder.take();
}

// Where a node is: under an element whose text is skipped, under an <article>.
struct Place {
    bool skipped = false;
    bool in_article = false;
};

// Calls visit(node, place) for every node in document order.
template <typename Visit>
void walk(const GumboNode* root, Visit&& visit) {
    std::vector<std::pair<const GumboNode*, Place>> stack{{root, Place{}}};
    while (!stack.empty()) {
        const auto [node, place] = stack.back();
        stack.pop_back();
        visit(node, place);
        const GumboVector* children = children_of(node);
        if (!children) continue;
        const Place inner{place.skipped || is_skipped(node), place.in_article || tag_of(node) == GUMBO_TAG_ARTICLE};
        for (unsigned i = children->length; i-- > 0;)
            stack.emplace_back(static_cast<const GumboNode*>(children->data[i]), inner);
    }
}

void set_first(std::string& slot, std::string_view value) {
    if (slot.empty()) slot = single_line(value);
}

bool is_url(std::string_view s) {
    const std::string lower = to_lower_ascii(trim(s).substr(0, 8));
    return lower.starts_with("http://") || lower.starts_with("https://");
}

// Date and author sources, in order of preference.
enum DateSource {
    kArticlePublished,
    kOgPublished,
    kItempropDate,
    kNameDate,
    kDublinCore,
    kPubdate,
    kParsely,
    kDateSources
};
enum AuthorSource { kNameAuthor, kArticleAuthor, kItempropAuthor, kRelAuthor, kAuthorSources };

struct PageFacts {
    std::string og_title, og_site, og_url, canonical, title_tag, h1, application_name;
    std::vector<std::string> json_ld;  // the text of each <script type="application/ld+json">
    std::array<std::string, kDateSources> dates;
    std::array<std::string, kAuthorSources> authors;
    std::vector<const GumboNode*> articles;
    const GumboNode* main = nullptr;
    const GumboNode* body = nullptr;
};

void read_meta(const GumboNode* node, PageFacts& facts) {
    const std::string_view content = attribute(node, "content");
    for (const std::string& key : {lower_attribute(node, "property"), lower_attribute(node, "name")}) {
        if (key.empty()) continue;
        if (key == "og:title")
            set_first(facts.og_title, content);
        else if (key == "og:site_name")
            set_first(facts.og_site, content);
        else if (key == "application-name")
            set_first(facts.application_name, content);
        else if (key == "og:url")
            set_first(facts.og_url, content);
        else if (key == "article:published_time")
            set_first(facts.dates[kArticlePublished], content);
        else if (key == "og:published_time")
            set_first(facts.dates[kOgPublished], content);
        else if (key == "date")
            set_first(facts.dates[kNameDate], content);
        else if (key == "dc.date" || key == "dcterms.date" || key == "dc.date.issued")
            set_first(facts.dates[kDublinCore], content);
        else if (key == "pubdate")
            set_first(facts.dates[kPubdate], content);
        else if (key == "parsely-pub-date")
            set_first(facts.dates[kParsely], content);
        else if (key == "author")
            set_first(facts.authors[kNameAuthor], content);
        else if (key == "article:author" && !is_url(content))  // often a profile URL
            set_first(facts.authors[kArticleAuthor], content);
    }
}

PageFacts gather_facts(const GumboNode* root) {
    PageFacts facts;
    walk(root, [&](const GumboNode* node, Place place) {
        if (node->type != GUMBO_NODE_ELEMENT) return;
        const GumboTag tag = node->v.element.tag;
        const bool html = node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
        if (tag == GUMBO_TAG_META) read_meta(node, facts);
        if (tag == GUMBO_TAG_SCRIPT && lower_attribute(node, "type") == "application/ld+json" &&
            facts.json_ld.size() < 16) {
            std::string script;
            const GumboVector& kids = node->v.element.children;
            for (unsigned i = 0; i < kids.length; ++i) {
                const auto* kid = static_cast<const GumboNode*>(kids.data[i]);
                if (kid->type == GUMBO_NODE_TEXT || kid->type == GUMBO_NODE_CDATA || kid->type == GUMBO_NODE_WHITESPACE)
                    script += kid->v.text.text;
            }
            facts.json_ld.push_back(std::move(script));
        }

        // Element text is only computed while the slot is empty (no quadratic work).
        const std::string itemprop = lower_attribute(node, "itemprop");
        std::string& item_date = facts.dates[kItempropDate];
        std::string& item_author = facts.authors[kItempropAuthor];
        if (itemprop == "datepublished" && item_date.empty()) {
            std::string_view value = attribute(node, "content");
            if (value.empty()) value = attribute(node, "datetime");
            item_date = single_line(!value.empty() || tag == GUMBO_TAG_META ? std::string(value) : text_of(node));
        } else if (itemprop == "author" && tag != GUMBO_TAG_LINK && item_author.empty()) {
            const std::string_view value = attribute(node, "content");
            item_author = single_line(!value.empty() || tag == GUMBO_TAG_META ? std::string(value) : text_of(node));
        }

        const std::string_view rel = attribute(node, "rel");
        if (tag == GUMBO_TAG_A && facts.authors[kRelAuthor].empty() && has_token(rel, "author"))
            facts.authors[kRelAuthor] = single_line(text_of(node));
        if (tag == GUMBO_TAG_LINK && has_token(rel, "canonical")) set_first(facts.canonical, attribute(node, "href"));
        if (tag == GUMBO_TAG_TITLE && html && facts.title_tag.empty()) facts.title_tag = single_line(text_of(node));
        if (tag == GUMBO_TAG_H1 && facts.h1.empty()) facts.h1 = single_line(text_of(node));
        if (tag == GUMBO_TAG_BODY && !facts.body) facts.body = node;
        if (place.skipped) return;
        // Nested articles are part of the outer one's text.
        if (tag == GUMBO_TAG_ARTICLE && !place.in_article) facts.articles.push_back(node);
        if (tag == GUMBO_TAG_MAIN && !facts.main) facts.main = node;
    });
    return facts;
}

// The first <time datetime="..."> under node.
std::string time_in(const GumboNode* node) {
    std::string found;
    walk(node, [&](const GumboNode* n, Place) {
        if (found.empty() && tag_of(n) == GUMBO_TAG_TIME) found = single_line(attribute(n, "datetime"));
    });
    return found;
}

}  // namespace

std::string html_declared_charset(std::string_view raw) {
    const std::string head = to_lower_ascii(raw.substr(0, kCharsetScanBytes));
    for (std::size_t meta = head.find("<meta"); meta != std::string::npos; meta = head.find("<meta", meta + 5)) {
        const std::size_t end = std::min(head.find('>', meta), head.size());
        const std::string_view tag = std::string_view(head).substr(meta, end - meta);
        // Both <meta charset="x"> and <meta http-equiv content="text/html; charset=x">.
        const std::size_t at = tag.find("charset");
        if (at == std::string_view::npos) continue;
        std::size_t i = at + 7;
        while (i < tag.size() && (tag[i] == ' ' || tag[i] == '"' || tag[i] == '\'')) ++i;
        if (i >= tag.size() || tag[i] != '=') continue;
        ++i;
        while (i < tag.size() && (tag[i] == ' ' || tag[i] == '"' || tag[i] == '\'')) ++i;
        const std::size_t name_end = tag.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_:.", i);
        const std::string_view name =
            tag.substr(i, name_end == std::string_view::npos ? std::string_view::npos : name_end - i);
        if (!name.empty()) return std::string(name);
    }
    return {};
}

std::string html_fragment_text(std::string_view html) {
    if (html.find('<') == std::string_view::npos && html.find('&') == std::string_view::npos) return std::string(html);
    if (estimated_depth(html) > kMaxNestingDepth) return {};
    const HtmlDocument document(html);
    return document.root() ? tidy_body(text_of(document.root())) : std::string();
}

void parse_html(std::string_view text, ReadContext& ctx) {
    if (estimated_depth(text) > kMaxNestingDepth) {
        ctx.issue("HTML elements nested more than " + std::to_string(kMaxNestingDepth) + " deep, skipped");
        return;
    }
    const HtmlDocument document(text);
    const GumboNode* root = document.root();
    if (!root) {
        ctx.issue("HTML could not be parsed, skipped");
        return;
    }
    const PageFacts facts = gather_facts(root);

    // Body: the longest <article>, else <main>, else <body>, else everything.
    Article article;
    const GumboNode* best_article = nullptr;
    for (const GumboNode* candidate : facts.articles) {
        std::string body = text_of(candidate);
        if (body.size() > article.body.size() || !best_article) {
            article.body = std::move(body);
            best_article = candidate;
        }
    }
    if (article.body.empty() && facts.main) article.body = text_of(facts.main);
    if (article.body.empty()) article.body = text_of(facts.body ? facts.body : root);
    article.body = tidy_body(article.body);

    // The page's JSON-LD first, then Open Graph and <meta>, then the page itself.
    const PageLinkedData ld = read_json_ld(facts.json_ld, ctx);
    if (article.body.empty()) article.body = ld.body;
    const std::vector<std::string> site_names = {facts.og_site, ld.publisher, facts.application_name};
    const std::vector<std::string> urls = {ld.url, facts.og_url, facts.canonical};
    // A JSON-LD headline is the article's own: only a name the page gives is cut from it.
    if (!ld.headline.empty())
        article.title = cut_site_name(ld.headline, site_names, urls, false);
    else if (!facts.og_title.empty())
        article.title = cut_site_name(facts.og_title, site_names, urls);
    else if (!facts.title_tag.empty())
        article.title = cut_site_name(facts.title_tag, site_names, urls);
    else
        article.title = facts.h1;

    article.date = ld.date;
    for (const std::string& date : facts.dates) {
        if (!article.date.empty()) break;
        if (!date.empty()) {
            article.date = date;
            break;
        }
    }
    if (article.date.empty() && best_article) article.date = time_in(best_article);
    article.author = ld.author;
    for (const std::string& author : facts.authors) {
        if (!article.author.empty()) break;
        if (!author.empty()) {
            article.author = author;
            break;
        }
    }
    article.url = !ld.url.empty() && ld.url.find("://") != std::string::npos ? ld.url
                  : !facts.og_url.empty()                                    ? facts.og_url
                                                                             : facts.canonical;
    article.source = !facts.og_site.empty() ? facts.og_site : ld.publisher;

    if (article.title.empty() && article.body.empty()) {
        ctx.issue("article has no title and no body, skipped");
        return;
    }
    if (article.body.empty()) ctx.warn("article has no body, indexed by its title");
    article.id = !article.url.empty() ? article.url : ctx.path();
    ctx.emit(std::move(article));
}

}  // namespace depeche::readers_detail
