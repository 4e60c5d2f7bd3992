// TOML front matter of Markdown files (between "+++" lines, as Hugo and Zola write it),
// parsed with toml++: strings, arrays of strings, dates and times; tables are ignored.
#include "readers_internal.hpp"

#include <toml++/toml.h>

#include <sstream>

namespace depeche::readers_detail {
namespace {

// A scalar as text: strings as they are, dates and times in ISO 8601, numbers and
// booleans as TOML writes them; "" for tables and arrays.
std::string scalar_text(const toml::node& node) {
    if (const auto* s = node.as_string()) return s->get();
    if (node.is_table() || node.is_array()) return {};
    std::ostringstream out;
    node.visit([&](const auto& value) { out << value; });
    return out.str();
}

}  // namespace

bool parse_toml_front_matter(std::string_view text, std::size_t first_line, Article& article, ReadContext& ctx) {
    toml::table table;
    try {
        table = toml::parse(text, ctx.path());
    } catch (const toml::parse_error& e) {
        const std::size_t line = e.source().begin.line ? first_line + e.source().begin.line - 1 : first_line;
        ctx.issue("malformed TOML front matter (" + clip(single_line(e.description()), 80) + "), front matter ignored",
                  line);
        return false;
    }
    for (const auto& [key, node] : table) {
        const MetaField field = front_matter_field(key.str(), ctx);
        if (field == MetaField::None) continue;
        if (const toml::array* items = node.as_array()) {
            std::string joined;
            for (const toml::node& item : *items) {
                const std::string value = single_line(scalar_text(item));
                if (value.empty()) continue;
                if (field == MetaField::People)
                    article.people.push_back(value);
                else
                    joined += (joined.empty() ? "" : ", ") + value;
            }
            if (!joined.empty()) set_meta_field(article, field, joined);
        } else if (field == MetaField::People) {
            if (std::string value = single_line(scalar_text(node)); !value.empty()) article.people.push_back(value);
        } else {
            set_meta_field(article, field, scalar_text(node));
        }
    }
    return true;
}

}  // namespace depeche::readers_detail
