// Spelling and forms tables (spelling_tables.hpp).
#include "indexer/spelling_tables.hpp"

#include "schema/schema.hpp"

#include <set>

namespace depeche::writer_detail {

namespace {

// The forms of a forms-table entry, and an entry from forms.
std::set<std::string> split_forms(std::string_view list) {
    std::set<std::string> out;
    for (std::size_t start = 0; start < list.size();) {
        std::size_t end = std::min(list.find('\x1f', start), list.size());
        if (end > start) out.emplace(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}
std::string join_forms(const std::set<std::string>& forms) {
    std::string out;
    for (const std::string& f : forms) {
        if (!out.empty()) out += '\x1f';
        out += f;
    }
    return out;
}

}  // namespace

void record_synonyms(const BuiltDocument& built, PendingSynonyms& pending) {
    std::string key;
    auto add = [&](std::map<std::string, std::vector<std::string>>& to, char kind, const std::string& k,
                   const std::string& value) {
        key.assign(1, kind).append(k).append(1, '\0').append(value);
        if (pending.seen.insert(key).second) to[k].push_back(value);
    };
    for (const auto& [word, stem] : built.spellings) add(pending.spellings, 's', word, stem);
    for (const auto& [stem, form] : built.forms) add(pending.forms, 'f', stem, form);
    for (const auto& [k, text] : built.field_values)
        if (pending.seen.insert(k).second) pending.values.emplace(k, text);
    if (pending.seen.size() > 2000000) pending.seen.clear();
}

void flush_synonyms(Xapian::WritableDatabase& db, PendingSynonyms& pending) {
    for (const auto& [word, stems] : pending.spellings)
        for (const std::string& stem : stems) db.add_synonym(word, stem);
    pending.spellings.clear();
    std::string key(schema::kFormsKey);
    for (const auto& [stem, forms] : pending.forms) {
        key.resize(schema::kFormsKey.size());
        key += stem;
        std::set<std::string> all = split_forms(db.get_metadata(key));
        std::size_t before = all.size();
        all.insert(forms.begin(), forms.end());
        if (all.size() != before) db.set_metadata(key, join_forms(all));
    }
    pending.forms.clear();
    // The key is a hash of the text: an existing entry holds the same text.
    for (const auto& [k, text] : pending.values)
        if (db.get_metadata(k).empty()) db.set_metadata(k, text);
    pending.values.clear();
}

std::string ShardCompactor::resolve_duplicate_metadata(const std::string& key, size_t num_tags,
                                                       const std::string tags[]) {
    // Glass passes the key as stored in its postlist table, after the two bytes that
    // mark user metadata ("\0\xC0").
    std::string_view k(key);
    if (k.size() >= 2 && k[0] == '\0' && k[1] == '\xC0') k.remove_prefix(2);
    if (k.substr(0, schema::kFormsKey.size()) != schema::kFormsKey) return tags[0];
    std::set<std::string> all;
    for (size_t i = 0; i < num_tags; ++i) all.merge(split_forms(tags[i]));
    return join_forms(all);
}

}  // namespace depeche::writer_detail
