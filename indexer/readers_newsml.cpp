// The XML formats of news agencies, parsed by readers_feed.cpp's libxml2 setup (nothing
// loaded from the network or the disk, entities never expanded):
//  * IPTC NewsML-G2: one article per <newsItem> (or <packageItem>) with its guid as id,
//    contentMeta's headline, dateline, creators, subjects (people) and the text of its
//    contentSet (inline XHTML or inline data);
//  * NITF: one article per document, from head (title, docdata) and body (hedline,
//    byline, dateline, abstract, body.content).
#include "readers_xml.hpp"

#include <algorithm>
#include <array>

namespace depeche::readers_detail {

namespace {

// Elements whose text is a paragraph of its own (XHTML and NITF).
bool is_block(std::string_view name) {
    static constexpr std::array<std::string_view, 32> kBlocks = {
        "p",        "div",     "h1",         "h2",  "h3",  "h4",    "h5",         "h6",  "li",   "ul",
        "ol",       "dl",      "dt",         "dd",  "tr",  "table", "blockquote", "pre", "br",   "hr",
        "section",  "article", "figcaption", "hl1", "hl2", "block", "bq",         "fn",  "note", "media-caption",
        "abstract", "title"};
    return std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end();
}

// Elements whose text is not read (markup of the page, not its text).
bool is_hidden(std::string_view name) { return name == "head" || name == "script" || name == "style"; }

void add_all(std::vector<std::string>& to, const std::string& value) {
    if (!value.empty() && std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// The first descendant element named `local` (breadth first), or nullptr.
const xmlNode* find(const xmlNode* node, std::string_view local) {
    std::vector<const xmlNode*> queue{node};
    for (std::size_t i = 0; i < queue.size(); ++i) {
        for (const xmlNode* k = queue[i]->children; k; k = k->next) {
            if (k->type != XML_ELEMENT_NODE) continue;
            if (name_of(k) == local) return k;
            queue.push_back(k);
        }
    }
    return nullptr;
}

// A NewsML-G2 value that may be written as <x><name>..</name></x>, <x literal="..">, or,
// for a provider, a qcode ("nprov:AFP" -> "AFP").
std::string g2_name(const xmlNode* n) {
    if (!n) return {};
    if (const xmlNode* name = child(n, "name")) return single_line(text_of(name));
    if (std::string literal = single_line(attribute(n, "literal")); !literal.empty()) return literal;
    return {};
}

// "20240305T101200+0100" (NITF's norm attribute, ISO 8601 basic) -> "2024-03-05T10:12:00+01:00";
// other forms are returned as they are.
std::string iso_from_basic(std::string norm) {
    norm = single_line(norm);
    const auto digits = [&](std::size_t from, std::size_t n) {
        return norm.size() >= from + n && std::all_of(norm.begin() + static_cast<std::ptrdiff_t>(from),
                                                      norm.begin() + static_cast<std::ptrdiff_t>(from + n),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!digits(0, 8) || (norm.size() > 8 && norm[8] != 'T')) return norm;
    std::string out = norm.substr(0, 4) + "-" + norm.substr(4, 2) + "-" + norm.substr(6, 2);
    if (norm.size() == 8) return out;
    if (!digits(9, 4)) return norm;
    out += "T" + norm.substr(9, 2) + ":" + norm.substr(11, 2);
    std::size_t at = 13;
    if (digits(13, 2)) {
        out += ":" + norm.substr(13, 2);
        at = 15;
    } else {
        out += ":00";
    }
    const std::string zone = norm.substr(at);
    if (zone.empty() || zone == "Z") return out + zone;
    if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-') && digits(at + 1, 4))
        return out + zone.substr(0, 3) + ":" + zone.substr(3);
    return norm;
}

// "Par Jeanne MARTIN" -> "Jeanne MARTIN".
std::string without_by(std::string byline) {
    byline = single_line(byline);
    for (std::string_view prefix : {"Par ", "par ", "PAR ", "By ", "by ", "De ", "de "})
        if (byline.starts_with(prefix)) return std::string(trim(std::string_view(byline).substr(prefix.size())));
    return byline;
}

std::size_t line_of(const xmlNode* n) { return static_cast<std::size_t>(std::max(0L, xmlGetLineNo(n))); }

// Passes an article on, or reports why not.
void finish(Article&& a, const xmlNode* at, std::string_view what, ReadContext& ctx) {
    const std::size_t line = line_of(at);
    a.title = single_line(a.title);
    a.body = tidy_body(a.body);
    if (a.title.empty() && a.body.empty()) {
        ctx.issue(std::string(what) + " without headline or text, skipped", line);
        return;
    }
    if (a.body.empty()) ctx.warn(std::string(what) + " has no text, indexed by its headline", line);
    a.line = line;
    ctx.emit(std::move(a));
}

// One NewsML-G2 newsItem or packageItem.
void newsml_item(const xmlNode* item, ReadContext& ctx) {
    Article a;
    a.id = single_line(attribute(item, "guid"));
    const xmlNode* item_meta = child(item, "itemMeta");
    const xmlNode* content_meta = child(item, "contentMeta");
    if (const xmlNode* h = child(content_meta, "headline")) a.title = text_of(h);
    if (a.title.empty())
        if (const xmlNode* s = child(content_meta, "slugline")) a.title = text_of(s);
    // Publication first: when the item was first created, then its content, then this version.
    for (const auto& [parent, name] : {std::pair{item_meta, "firstCreated"}, std::pair{content_meta, "contentCreated"},
                                       std::pair{item_meta, "versionCreated"}}) {
        if (!a.date.empty()) break;
        if (const xmlNode* d = child(parent, name)) a.date = single_line(text_of(d));
    }
    std::vector<std::string> authors;
    for (const xmlNode* k = content_meta ? content_meta->children : nullptr; k; k = k->next) {
        if (is_element(k, "creator")) add_all(authors, g2_name(k));
        if (is_element(k, "subject") && attribute(k, "type") == "cpnat:person")
            if (std::string who = g2_name(k); !who.empty()) a.people.push_back(who);
    }
    if (authors.empty())
        if (const xmlNode* by = child(content_meta, "by")) add_all(authors, without_by(text_of(by)));
    a.author = joined(authors);
    if (const xmlNode* provider = child(item_meta, "provider")) {
        a.source = g2_name(provider);
        if (a.source.empty()) {
            const std::string qcode = attribute(provider, "qcode");
            a.source = single_line(qcode.substr(qcode.find(':') == std::string::npos ? 0 : qcode.find(':') + 1));
        }
    }
    // The text: the first inline content of the contentSet, after the dateline.
    std::string text;
    for (const xmlNode* k = child(item, "contentSet") ? child(item, "contentSet")->children : nullptr;
         k && text.empty(); k = k->next) {
        if (is_element(k, "inlineXML")) {
            text = block_text(k);
        } else if (is_element(k, "inlineData")) {
            const std::string type = attribute(k, "contenttype");
            text = type.find("html") != std::string::npos ? html_fragment_text(text_of(k)) : text_of(k);
        }
    }
    if (text.empty())  // a package, or an item without text: its description
        if (const xmlNode* d = child(content_meta, "description")) text = block_text(d);
    if (const xmlNode* dateline = child(content_meta, "dateline"); dateline && !text.empty()) {
        const std::string place = single_line(text_of(dateline));
        if (!place.empty() && text.find(place) != 0) text = place + " " + text;
    }
    a.body = std::move(text);
    finish(std::move(a), item, is_element(item, "packageItem") ? "package item" : "news item", ctx);
}

}  // namespace

std::string block_text(const xmlNode* node) {
    std::string out;
    bool pending_break = false;
    struct Step {
        const xmlNode* node;
        bool leaving;
    };
    std::vector<Step> stack{{node, false}};
    while (!stack.empty()) {
        const Step step = stack.back();
        stack.pop_back();
        const xmlNode* n = step.node;
        if (step.leaving) {
            pending_break = true;
            continue;
        }
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            const std::string text = n->content ? reinterpret_cast<const char*>(n->content) : "";
            if (trim(text).empty()) {
                if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
                continue;
            }
            if (pending_break && !out.empty()) out += "\n\n";
            pending_break = false;
            out += text;
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || (n != node && is_hidden(name_of(n)))) continue;
        const bool block = is_block(name_of(n));
        if (block) {
            pending_break = true;
            stack.push_back({n, true});
        }
        std::vector<const xmlNode*> kids;
        for (const xmlNode* k = n->children; k; k = k->next) kids.push_back(k);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back({*it, false});
    }
    // Line breaks inside paragraphs are spaces; paragraphs stay apart.
    std::string tidy;
    for (std::size_t start = 0; start <= out.size();) {
        std::size_t end = out.find("\n\n", start);
        if (end == std::string::npos) end = out.size();
        const std::string para = single_line(std::string_view(out).substr(start, end - start));
        if (!para.empty()) tidy += (tidy.empty() ? "" : "\n\n") + para;
        start = end + 2;
    }
    return tidy;
}

void read_newsml(const xmlNode* root, ReadContext& ctx) {
    if (!is_element(root, "newsMessage")) {
        newsml_item(root, ctx);
        return;
    }
    std::size_t items = 0;
    for (const xmlNode* set = root->children; set; set = set->next) {
        if (!is_element(set, "itemSet")) continue;
        for (const xmlNode* k = set->children; k; k = k->next) {
            if (!is_element(k, "newsItem") && !is_element(k, "packageItem")) continue;
            ++items;
            // A package only groups other items: indexed only when it has a text of its own.
            if (is_element(k, "packageItem") && !child(k, "contentSet") &&
                !child(child(k, "contentMeta"), "description"))
                continue;
            newsml_item(k, ctx);
        }
    }
    if (items == 0) ctx.issue("NewsML-G2 message without newsItem, skipped");
}

void read_nitf(const xmlNode* root, ReadContext& ctx) {
    Article a;
    const xmlNode* head = child(root, "head");
    const xmlNode* body = child(root, "body");
    const xmlNode* body_head = child(body, "body.head");
    const xmlNode* docdata = child(head, "docdata");
    if (const xmlNode* id = child(docdata, "doc-id")) a.id = single_line(attribute(id, "id-string"));
    if (const xmlNode* hl1 = find(body_head ? body_head : root, "hl1")) a.title = text_of(hl1);
    if (trim(a.title).empty())
        if (const xmlNode* t = child(head, "title")) a.title = text_of(t);
    for (const char* name : {"date.issue", "date.release"})
        if (const xmlNode* d = child(docdata, name); d && a.date.empty()) a.date = iso_from_basic(attribute(d, "norm"));
    const xmlNode* dateline = child(body_head, "dateline");
    if (const xmlNode* story_date = dateline ? find(dateline, "story.date") : nullptr; story_date && a.date.empty())
        a.date = iso_from_basic(attribute(story_date, "norm"));
    std::vector<std::string> authors;
    for (const xmlNode* k = body_head ? body_head->children : nullptr; k; k = k->next) {
        if (!is_element(k, "byline")) continue;
        bool named = false;
        for (const xmlNode* p = k->children; p; p = p->next)
            if (is_element(p, "person")) {
                add_all(authors, single_line(text_of(p)));
                named = true;
            }
        if (!named) add_all(authors, without_by(text_of(k)));
    }
    a.author = joined(authors);
    if (const xmlNode* pub = child(head, "pubdata")) a.source = single_line(attribute(pub, "name"));
    if (a.source.empty())
        if (const xmlNode* c = child(docdata, "doc.copyright")) a.source = single_line(attribute(c, "holder"));
    // People marked in the text.
    std::vector<const xmlNode*> queue{body};
    for (std::size_t i = 0; i < queue.size() && body; ++i)
        for (const xmlNode* k = queue[i]->children; k; k = k->next) {
            if (k->type != XML_ELEMENT_NODE) continue;
            if (name_of(k) == "person" && !is_element(k->parent, "byline"))
                add_all(a.people, single_line(text_of(k)));
            else
                queue.push_back(k);
        }
    std::string text;
    if (const xmlNode* abstract = child(body_head, "abstract")) text = block_text(abstract);
    if (const xmlNode* content = child(body, "body.content")) {
        const std::string main = block_text(content);
        text += (text.empty() || main.empty() ? "" : "\n\n") + main;
    }
    if (dateline && !text.empty()) {
        const std::string place = single_line(text_of(dateline));
        if (!place.empty()) text = place + " " + text;
    }
    a.body = std::move(text);
    if (a.id.empty()) a.id = ctx.path();
    finish(std::move(a), root, "NITF document", ctx);
}

}  // namespace depeche::readers_detail
