// libxml2 helpers shared by the XML readers (readers_feed.cpp, readers_newsml.cpp); not a
// public interface. Text is collected without expanding entity references.
#pragma once

#include "readers_internal.hpp"

#include <libxml/tree.h>

#include <string>
#include <string_view>
#include <vector>

namespace depeche::readers_detail {

inline std::string_view name_of(const xmlNode* n) {
    return n && n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

inline std::string_view ns_of(const xmlNode* n) {
    return n && n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href))
                                     : std::string_view();
}

inline bool is_element(const xmlNode* n, std::string_view local) {
    return n && n->type == XML_ELEMENT_NODE && name_of(n) == local;
}

// The text under a node: text and CDATA, in document order; entity references are not
// expanded (the predefined ones, &amp; &lt;..., are already text).
inline std::string text_of(const xmlNode* node) {
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

inline std::string attribute(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

inline const xmlNode* child(const xmlNode* n, std::string_view local) {
    for (const xmlNode* k = n ? n->children : nullptr; k; k = k->next)
        if (is_element(k, local)) return k;
    return nullptr;
}

// The text under a node with paragraphs: block elements (p, hl1, hl2, block, li, div,
// h1-h6, tr, br...) of XHTML or NITF end with a blank line; text is trimmed and tidied.
std::string block_text(const xmlNode* node);

// readers_newsml.cpp: the articles of a NewsML-G2 document (root newsMessage, newsItem or
// packageItem: one article per item with text) and of a NITF document (root nitf).
void read_newsml(const xmlNode* root, ReadContext& ctx);
void read_nitf(const xmlNode* root, ReadContext& ctx);

}  // namespace depeche::readers_detail
