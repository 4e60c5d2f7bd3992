#include "schema/schema.hpp"

#include <stdexcept>

namespace depeche::schema {
namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]);
        unsigned char y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

}  // namespace

const Field* field_by_name(std::string_view name) {
    for (const Field& f : kFields)
        for (std::string_view n : f.names)
            if (!n.empty() && iequals_ascii(n, name)) return &f;
    return nullptr;
}

const Field& field(std::string_view id) {
    for (const Field& f : kFields)
        if (f.id == id) return f;
    throw std::logic_error("schema: no field " + std::string(id));
}

std::string field_names() {
    std::string out;
    for (const Field& f : kFields)
        for (std::string_view n : f.names) {
            if (n.empty()) continue;
            if (!out.empty()) out += ", ";
            out += n;
        }
    return out;
}

}  // namespace depeche::schema
