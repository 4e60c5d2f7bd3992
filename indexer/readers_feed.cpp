// RSS 2.0 (and RSS 1.0) and Atom feeds: one article per <item> or <entry>, parsed with
// libxml2. The parser loads nothing from the network or the disk (no external entities,
// no DTD) and the text is collected without expanding entity references, so neither
// external entities nor an entity "billion laughs" can be used against the indexer.
#include "readers_internal.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <mutex>

namespace depeche::readers_detail {

namespace {

std::string_view name_of(const xmlNode* n) {
    return n && n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

std::string_view ns_of(const xmlNode* n) {
    return n && n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href)) : std::string_view();
}

bool is_element(const xmlNode* n, std::string_view local) {
    return n && n->type == XML_ELEMENT_NODE && name_of(n) == local;
}

// The text under a node: text and CDATA, in document order; entity references are not
// expanded (the predefined ones, &amp; &lt;..., are already text).
std::string text_of(const xmlNode* node) {
    std::string out;
    std::vector<const xmlNode*> stack{node};
    while (!stack.empty()) {
        const xmlNode* n = stack.back();
        stack.pop_back();
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) out += reinterpret_cast<const char*>(n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) continue;
        std::vector<const xmlNode*> kids;
        for (const xmlNode* k = n->children; k; k = k->next) kids.push_back(k);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
    }
    return out;
}

std::string attribute(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

const xmlNode* child(const xmlNode* n, std::string_view local) {
    for (const xmlNode* k = n ? n->children : nullptr; k; k = k->next)
        if (is_element(k, local)) return k;
    return nullptr;
}

void set_if_empty(std::string& slot, const std::string& value) {
    if (slot.empty()) slot = single_line(value);
}

// One RSS <item>.
Article rss_item(const xmlNode* item, const std::string& source) {
    Article a;
    std::string description, encoded;
    for (const xmlNode* k = item->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE) continue;
        const std::string_view n = name_of(k);
        if (n == "title") set_if_empty(a.title, text_of(k));
        else if (n == "link") set_if_empty(a.url, text_of(k));
        else if (n == "guid") set_if_empty(a.id, text_of(k));
        else if (n == "pubDate" || (n == "date" && ns_of(k).find("purl.org/dc") != std::string_view::npos))
            set_if_empty(a.date, text_of(k));
        else if (n == "author" || n == "creator") {
            const std::string who = single_line(text_of(k));
            if (!who.empty()) a.author += (a.author.empty() ? "" : ", ") + who;
        } else if (n == "description") description = text_of(k);
        else if (n == "encoded") encoded = text_of(k);  // content:encoded, the full text
    }
    a.body = tidy_body(html_fragment_text(encoded.empty() ? description : encoded));
    a.source = source;
    if (a.id.empty()) a.id = a.url;
    return a;
}

// The text of an Atom text construct (type text, html or xhtml).
std::string atom_text(const xmlNode* n) {
    if (!n) return {};
    const std::string type = attribute(n, "type");
    if (type == "html" || type == "xhtml") return html_fragment_text(text_of(n));
    return text_of(n);
}

// One Atom <entry>.
Article atom_entry(const xmlNode* entry, const std::string& source) {
    Article a;
    a.title = single_line(atom_text(child(entry, "title")));
    if (const xmlNode* id = child(entry, "id")) a.id = single_line(text_of(id));
    for (const xmlNode* k = entry->children; k; k = k->next) {
        if (!is_element(k, "link")) continue;
        const std::string rel = attribute(k, "rel");
        if (rel.empty() || rel == "alternate") {
            a.url = single_line(attribute(k, "href"));
            break;
        }
    }
    if (const xmlNode* d = child(entry, "published")) a.date = single_line(text_of(d));
    else if (const xmlNode* u = child(entry, "updated")) a.date = single_line(text_of(u));
    for (const xmlNode* k = entry->children; k; k = k->next)
        if (is_element(k, "author"))
            if (const xmlNode* name = child(k, "name")) {
                const std::string who = single_line(text_of(name));
                if (!who.empty()) a.author += (a.author.empty() ? "" : ", ") + who;
            }
    const xmlNode* content = child(entry, "content");
    a.body = tidy_body(content ? atom_text(content) : atom_text(child(entry, "summary")));
    a.source = source;
    if (a.id.empty()) a.id = a.url;
    return a;
}

}  // namespace

void parse_feed(std::string_view text, ReadContext& ctx) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    if (text.size() > static_cast<std::size_t>(INT32_MAX)) {
        ctx.issue("feed too large, skipped");
        return;
    }
    // NONET: nothing fetched; no NOENT, DTDLOAD or HUGE: entities stay references,
    // no external subset is read, libxml2's size limits stay on.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
    xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), ctx.path().c_str(), nullptr, options);
    if (!doc) {
        const xmlError* e = xmlGetLastError();
        std::string message = e && e->message ? single_line(e->message) : "not well-formed XML";
        ctx.issue("malformed XML (" + message + "), skipped", e ? static_cast<std::size_t>(std::max(e->line, 0)) : 0);
        xmlResetLastError();
        return;
    }
    struct Free {
        xmlDoc* d;
        ~Free() { xmlFreeDoc(d); }
    } holder{doc};
    const xmlNode* root = xmlDocGetRootElement(doc);
    std::vector<std::pair<const xmlNode*, bool>> items;  // (node, atom)
    std::string source;
    if (is_element(root, "rss") || is_element(root, "RDF")) {
        const xmlNode* channel = child(root, "channel");
        if (channel) source = single_line(text_of(child(channel, "title") ? child(channel, "title") : channel));
        if (!child(channel, "title")) source.clear();
        // RSS 2.0: items inside <channel>; RSS 1.0: beside it.
        for (const xmlNode* parent : {channel, root})
            for (const xmlNode* k = parent ? parent->children : nullptr; k; k = k->next)
                if (is_element(k, "item")) items.emplace_back(k, false);
    } else if (is_element(root, "feed")) {
        if (const xmlNode* t = child(root, "title")) source = single_line(atom_text(t));
        for (const xmlNode* k = root->children; k; k = k->next)
            if (is_element(k, "entry")) items.emplace_back(k, true);
    } else {
        ctx.issue("not an RSS or Atom feed (root element <" + clip(name_of(root)) + ">), skipped");
        return;
    }
    if (items.empty()) {
        ctx.issue("feed without items, skipped");
        return;
    }
    for (const auto& [node, atom] : items) {
        Article a = atom ? atom_entry(node, source) : rss_item(node, source);
        const auto line = static_cast<std::size_t>(std::max(0L, xmlGetLineNo(node)));
        if (trim(a.title).empty() && trim(a.body).empty()) {
            ctx.issue(std::string(atom ? "entry" : "item") + " without title or text, skipped", line);
            continue;
        }
        a.line = line;
        ctx.emit(std::move(a));
    }
}

}  // namespace depeche::readers_detail
