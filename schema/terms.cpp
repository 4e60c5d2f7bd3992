#include "schema/terms.hpp"

#include "schema/hash.hpp"

#include <cstdio>

namespace depeche {

std::string fnv_hex(std::string_view s) { return schema::hex64(schema::fnv1a64(s)); }

std::string fnv_short(std::string_view s) {
    static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    std::uint64_t h = schema::fnv1a64(s);
    std::string out(11, '0');
    for (std::size_t i = 0; i < out.size(); ++i, h >>= 6) out[i] = kDigits[h & 63];
    return out;
}

// A term that is too long for Xapian is cut at a UTF-8 boundary and suffixed by a hash.
std::string bounded_term(std::string term) {
    if (term.size() <= kMaxTermBytes) return term;
    std::string hash = fnv_hex(term);
    std::size_t cut = kMaxTermBytes - hash.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(term[cut]) & 0xC0) == 0x80) --cut;
    term.resize(cut);
    return term + "#" + hash;
}

std::string field_term(const schema::Field& f, std::string_view value) {
    switch (f.indexing) {
        case schema::Indexing::Hashed: return std::string(f.prefix) + fnv_short(value);
        default: return bounded_term(std::string(f.prefix).append(value));
    }
}

std::string id_term(std::string_view id) { return field_term(schema::field("id"), id); }

std::string file_term(std::string_view path) { return field_term(schema::field("file"), path); }

std::string field_value_term(const schema::Field& f, std::string_view text) {
    return std::string(f.value_prefix) + fnv_short(text);
}

std::string yyyymmdd(int y, int m, int d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
    return buf;
}

std::vector<std::string> date_terms(const schema::Field& f, int y, int m, int d) {
    const std::string ymd = yyyymmdd(y, m, d), prefix(f.prefix);
    std::vector<std::string> out{prefix + std::string(schema::kYearTag) + ymd.substr(0, 4)};
    if (m > 0) out.push_back(prefix + std::string(schema::kMonthTag) + ymd.substr(0, 6));
    if (m > 0 && d > 0) out.push_back(prefix + std::string(schema::kDayTag) + ymd);
    return out;
}

std::string rank_value(std::string_view date_value, std::string_view id) {
    std::string out(14, '9');
    for (std::size_t i = 0; i < date_value.size() && i < out.size(); ++i)
        if (date_value[i] >= '0' && date_value[i] <= '9') out[i] = static_cast<char>('9' - (date_value[i] - '0'));
    if (date_value.empty()) out.assign(14, '9');  // no date: after every dated article
    return out.append(id);
}

}  // namespace depeche
