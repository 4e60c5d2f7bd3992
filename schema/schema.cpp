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

std::string describe() {
    std::string out = "schema " + std::to_string(kVersion) + "\n";
    auto line = [&out](std::string_view a, std::string_view b) {
        out.append(a).append(" ").append(b).append("\n");
    };
    for (const Field& f : kFields) {
        std::string names;
        for (std::string_view n : f.names)
            if (!n.empty()) names.append(n).append(",");
        line("field", std::string(f.id) + " prefix=" + std::string(f.prefix) +
                          " kind=" + std::to_string(static_cast<int>(f.kind)) +
                          " stemmed=" + (f.stemmed ? "1" : "0") + " names=" + names);
    }
    line("slot", "date=" + std::to_string(kSlotDate) + " people=" + std::to_string(kSlotPeople) +
                     " mentioned=" + std::to_string(kSlotMentioned) + " story=" + std::to_string(kSlotStory) +
                     " story-signature=" + std::to_string(kSlotStorySignature));
    line("story", "key-prefix=" + std::string(kStoryPrefix));
    line("prefix", "author-value=" + std::string(kAuthorValuePrefix) +
                       " source-value=" + std::string(kSourceValuePrefix) + " body=" + std::string(kBodyPrefix) +
                       " id=" + std::string(kIdPrefix));
    line("tags", std::string(kYearTag) + "," + std::string(kMonthTag) + "," + std::string(kDayTag));
    line("weights", "title-wdf=" + std::to_string(kTitleWdf) + " body-first-pos=" + std::to_string(kBodyFirstPos));
    line("meta", std::string(kMetaSchema) + "," + kMetaAnalyzer + "," + kMetaUpdated + "," + kMetaTables + "," +
                     kMetaDictPrefix + "," + std::string(kFieldValueKey) + "," + std::string(kFormsKey));
    return out;
}

}  // namespace depeche::schema
