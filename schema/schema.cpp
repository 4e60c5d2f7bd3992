#include "schema/schema.hpp"

#include <utility>

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

namespace {

const char* indexing_name(Indexing i) {
    switch (i) {
        case Indexing::Words: return "words";
        case Indexing::WordsAndValue: return "words+value";
        case Indexing::Exact: return "exact";
        case Indexing::Hashed: return "hashed";
        case Indexing::PersonKey: return "person-key";
        case Indexing::PublicationDate: return "publication-date";
        case Indexing::MentionedDates: return "mentioned-dates";
        case Indexing::StoryKey: return "story-key";
    }
    return "?";
}

// The StoredArticle member a field's terms come from, by name.
std::string member_name(std::string StoredArticle::*m) {
    static const std::pair<std::string StoredArticle::*, const char*> kMembers[] = {
        {&StoredArticle::id, "id"},     {&StoredArticle::title, "title"},   {&StoredArticle::date, "date"},
        {&StoredArticle::url, "url"},   {&StoredArticle::author, "author"}, {&StoredArticle::source, "source"},
        {&StoredArticle::path, "path"}, {&StoredArticle::text, "text"},
    };
    if (!m) return "-";
    for (const auto& [member, name] : kMembers)
        if (member == m) return name;
    return "?";
}

}  // namespace

std::string describe(bool with_optional) {
    std::string out = "schema " + std::to_string(kVersion) + "\n";
    auto slot_text = [](Xapian::valueno s) { return s == kNoSlot ? std::string("-") : std::to_string(s); };
    for (const Field& f : kFields) {
        std::string names;
        for (std::string_view n : f.names)
            if (!n.empty()) names.append(n).append(",");
        out += "field " + std::string(f.id) + " prefix=" + std::string(f.prefix) +
               " indexing=" + indexing_name(f.indexing) + " value=" + member_name(f.value) +
               " stemmed=" + (f.stemmed ? "1" : "0") + " positions=" + (f.positions ? "1" : "0") +
               " first-pos=" + std::to_string(f.first_pos) + " body-wdf=" + std::to_string(f.body_wdf) +
               " highlight=" + (f.highlight ? "1" : "0") + " marks=" + (f.marks ? "1" : "0") +
               " value-prefix=" + std::string(f.value_prefix) + " slot=" + slot_text(f.slot) + " names=" + names + "\n";
    }
    for (std::string_view p : kOtherPrefixes) out += "prefix " + std::string(p) + "\n";
    for (const SlotInfo& s : kSlots) out += "slot " + std::to_string(s.slot) + " " + std::string(s.name) + "\n";
    out += "tags " + std::string(kYearTag) + "," + std::string(kMonthTag) + "," + std::string(kDayTag) + "\n";
    out += "weights title-wdf=" + std::to_string(kTitleWdf) + " body-first-pos=" + std::to_string(kBodyFirstPos) +
           " mark-every=" + std::to_string(kMarkEvery) +
           " list-separator=" + std::to_string(static_cast<int>(kListSeparator)) + "\n";
    for (const MetaKey& k : kMetaKeys)
        if (with_optional || !k.optional)
            out += std::string("meta ") + std::string(k.key) + (k.is_prefix ? "*" : "") +
                   (k.optional ? " optional" : "") + "\n";
    return out;
}

}  // namespace depeche::schema
