// XML input: RSS 2.0 (and RSS 1.0) and Atom feeds, one article per <item> or <entry>,
// and, by their root element, the news agencies' NewsML-G2 and NITF (readers_newsml.cpp);
// parsed with libxml2. The parser loads nothing from the network or the disk (no external entities,
// no DTD) and the text is collected without expanding entity references, so neither
// external entities nor an entity "billion laughs" can be used against the indexer.
#include "readers_xml.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <mutex>
#include <new>

namespace depeche::readers_detail {

namespace {

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
        if (n == "title")
            set_if_empty(a.title, text_of(k));
        else if (n == "link")
            set_if_empty(a.url, text_of(k));
        else if (n == "guid")
            set_if_empty(a.id, text_of(k));
        else if (n == "pubDate" || (n == "date" && ns_of(k).find("purl.org/dc") != std::string_view::npos))
            set_if_empty(a.date, text_of(k));
        else if (n == "author" || n == "creator") {
            const std::string who = single_line(text_of(k));
            if (!who.empty()) a.author += (a.author.empty() ? "" : ", ") + who;
        } else if (n == "description")
            description = text_of(k);
        else if (n == "encoded")
            encoded = text_of(k);  // content:encoded, the full text
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
    if (const xmlNode* d = child(entry, "published"))
        a.date = single_line(text_of(d));
    else if (const xmlNode* u = child(entry, "updated"))
        a.date = single_line(text_of(u));
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

void parse_xml(std::string_view text, ReadContext& ctx) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    if (text.size() > static_cast<std::size_t>(INT32_MAX)) {
        ctx.issue("XML file too large, skipped");
        return;
    }
    // NONET: nothing fetched; no NOENT, DTDLOAD or HUGE: entities stay references,
    // no external subset is read, libxml2's size limits stay on.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
    // The first error is the one reported (later ones often only say where the input
    // ended): kept by the parser context's structured error handler.
    struct FirstError {
        std::string message;
        int line = 0;
    } first;
    xmlParserCtxt* parser = xmlNewParserCtxt();
    if (!parser) throw std::bad_alloc();
    parser->sax->serror = [](void* data, xmlError* e) {
        auto* f = static_cast<FirstError*>(static_cast<xmlParserCtxt*>(data)->_private);
        if (f->message.empty() && e && e->level >= XML_ERR_ERROR && e->message) {
            f->message = single_line(e->message);
            f->line = e->line;
        }
    };
    parser->_private = &first;
    xmlDoc* doc =
        xmlCtxtReadMemory(parser, text.data(), static_cast<int>(text.size()), ctx.path().c_str(), nullptr, options);
    xmlFreeParserCtxt(parser);
    if (!doc) {
        const std::string message = first.message.empty() ? "not well-formed XML" : first.message;
        ctx.issue("malformed XML (" + message + "), skipped", static_cast<std::size_t>(std::max(first.line, 0)));
        xmlResetLastError();
        return;
    }
    struct Free {
        xmlDoc* d;
        ~Free() { xmlFreeDoc(d); }
    } holder{doc};
    const xmlNode* root = xmlDocGetRootElement(doc);
    if (is_element(root, "newsMessage") || is_element(root, "newsItem") || is_element(root, "packageItem")) {
        read_newsml(root, ctx);
        return;
    }
    if (is_element(root, "nitf")) {
        read_nitf(root, ctx);
        return;
    }
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
        ctx.issue("not an RSS or Atom feed, NewsML-G2 or NITF document (root element <" + clip(name_of(root)) +
                  ">), skipped");
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
