// Query-time resolution of person keys: see people_resolver.hpp for the rules.
#include "searcher/people_resolver.hpp"

#include "schema/lexicon.hpp"
#include "schema/person_key.hpp"
#include "schema/schema.hpp"
#include "schema/terms.hpp"
#include "searcher/shared_by_key.hpp"
#include "searcher/suggest.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <unordered_set>

namespace depeche {

namespace {

// A full name must hold this share of the articles of all the full names ending with a
// surname for the surname alone to be resolved to it.
constexpr double kDominantShare = 0.9;
// A close spelling is merged into a name used in at least this many times more articles.
constexpr std::size_t kSpellingRatio = 3;
// Shortest surname (in bytes of its folded form) that close-spelling merges consider.
constexpr std::size_t kMinMergedSurname = 6;
// Articles read to choose the display form of a key.
constexpr unsigned kDisplaySample = 32;

std::vector<std::string_view> words_of(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t e = s.find(' ', i);
        if (e == std::string_view::npos) e = s.size();
        if (e > i) out.push_back(s.substr(i, e - i));
        i = e + 1;
    }
    return out;
}

std::string_view last_word(std::string_view s) {
    std::size_t sp = s.rfind(' ');
    return sp == std::string_view::npos ? s : s.substr(sp + 1);
}

// Does `name` end with the words of `tail` (or equal it)?
bool ends_with_words(std::string_view name, std::string_view tail) {
    if (name.size() < tail.size()) return false;
    if (name.size() == tail.size()) return name == tail;
    return name.compare(name.size() - tail.size(), tail.size(), tail) == 0 &&
           name[name.size() - tail.size() - 1] == ' ';
}

// The alias list and the particles, parsed once from the compiled-in lexicon.
struct Lexicon {
    std::unordered_map<std::string, std::string> word;      // folded variant word -> folded French form
    std::vector<std::pair<std::string, std::string>> tail;  // folded variant words -> French form
    std::unordered_map<std::string, std::string> shown;     // folded French form -> as written
    std::unordered_set<std::string> particles;

    static const Lexicon& get() {
        static const Lexicon lexicon;
        return lexicon;
    }

private:
    Lexicon() {
        lexicon::for_each_line(lexicon::embedded("particles.txt"),
                               [&](std::string_view line) { particles.insert(person_key(line)); });
        lexicon::for_each_line(lexicon::embedded("aliases.txt"), [&](std::string_view line) {
            std::vector<std::string> forms;
            std::string french;
            std::size_t i = 0;
            while (i <= line.size()) {
                std::size_t e = std::min(line.find('|', i), line.size());
                std::string_view form = line.substr(i, e - i);
                while (!form.empty() && form.back() == ' ') form.remove_suffix(1);
                while (!form.empty() && form.front() == ' ') form.remove_prefix(1);
                if (!form.empty()) {
                    if (french.empty()) french = std::string(form);
                    forms.push_back(person_key(form));
                }
                i = e + 1;
            }
            if (forms.empty() || forms[0].empty()) return;
            shown.emplace(forms[0], french);
            for (std::size_t k = 1; k < forms.size(); ++k) {
                if (forms[k].empty() || forms[k] == forms[0]) continue;
                if (forms[k].find(' ') == std::string::npos && forms[0].find(' ') == std::string::npos)
                    word.emplace(forms[k], forms[0]);
                else
                    tail.emplace_back(forms[k], forms[0]);
            }
        });
    }
};

}  // namespace

std::string PeopleResolver::normalise(std::string_view key) const {
    const Lexicon& lex = Lexicon::get();
    std::string out;
    for (std::string_view w : words_of(key)) {
        if (!out.empty()) out.push_back(' ');
        auto it = lex.word.find(std::string(w));
        if (it != lex.word.end())
            out += it->second;
        else
            out += w;
    }
    for (const auto& [variant, french] : lex.tail)
        if (ends_with_words(out, variant)) {
            out.replace(out.size() - variant.size(), variant.size(), french);
            break;
        }
    return out;
}

bool PeopleResolver::is_short(std::string_view key) const {
    const auto words = words_of(key);
    if (words.empty()) return false;
    const Lexicon& lex = Lexicon::get();
    for (std::size_t k = 0; k + 1 < words.size(); ++k)
        if (!lex.particles.count(std::string(words[k]))) return false;
    return true;
}

const PeopleResolver::Name* PeopleResolver::find(std::string_view normalised) const {
    auto it = name_index_.find(std::string(normalised));
    return it == name_index_.end() ? nullptr : &names_[it->second];
}

namespace {
std::atomic<std::size_t> keys_read{0};
}

std::size_t PeopleResolver::key_reads() { return keys_read; }

std::vector<std::pair<std::string, std::size_t>> PeopleResolver::read_keys(const Xapian::Database& db) {
    ++keys_read;
    const std::string prefix(schema::field("person").prefix);
    std::vector<std::pair<std::string, std::size_t>> keys;
    for (auto it = db.allterms_begin(prefix); it != db.allterms_end(prefix); ++it)
        keys.emplace_back((*it).substr(prefix.size()), it.get_termfreq());
    return keys;
}

PeopleResolver::PeopleResolver(const Xapian::Database& db) : PeopleResolver(read_keys(db)) {}

PeopleResolver::PeopleResolver(std::vector<std::pair<std::string, std::size_t>> keys) {
    keys_.reserve(keys.size());
    key_df_.reserve(keys.size());
    for (auto& [key, df] : keys) {
        keys_.push_back(std::move(key));
        key_df_.push_back(df);
    }
    build();
}

void PeopleResolver::build() {
    // 1. Variants: keys normalised to names.
    key_name_.reserve(keys_.size());
    names_.reserve(keys_.size());
    name_index_.reserve(keys_.size());
    for (std::size_t k = 0; k < keys_.size(); ++k) {
        std::string n = normalise(keys_[k]);
        auto [it, fresh] = name_index_.try_emplace(n, static_cast<std::uint32_t>(names_.size()));
        if (fresh) {
            Name name;
            name.key = std::move(n);
            name.full = !is_short(name.key);
            names_.push_back(std::move(name));
        }
        names_[it->second].df += key_df_[k];
        key_name_.push_back(it->second);
    }
    std::vector<std::uint32_t> parent(names_.size());
    std::iota(parent.begin(), parent.end(), 0u);
    auto root = [&](std::uint32_t n) {
        while (parent[n] != n) n = parent[n] = parent[parent[n]];
        return n;
    };
    auto more_used = [&](std::uint32_t a, std::uint32_t b) {
        return names_[a].df != names_[b].df ? names_[a].df > names_[b].df : names_[a].key < names_[b].key;
    };
    auto unite = [&](std::uint32_t a, std::uint32_t b) {
        a = root(a);
        b = root(b);
        if (a == b) return;
        if (more_used(a, b))
            parent[b] = a;
        else
            parent[a] = b;
    };
    // 2a. Close spellings of a full name's surname, same first words: names sorted by
    // first words then surname length, each compared with the next ones of its group
    // whose surname is at most one letter longer.
    {
        struct Entry {
            std::string_view group, last;
            std::uint32_t name;
        };
        std::vector<Entry> entries;
        for (std::uint32_t n = 0; n < names_.size(); ++n) {
            const Name& name = names_[n];
            std::string_view last = last_word(name.key);
            if (!name.full || last.size() < kMinMergedSurname || last.size() == name.key.size()) continue;
            entries.push_back({std::string_view(name.key).substr(0, name.key.size() - last.size()), last, n});
        }
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return a.group != b.group ? a.group < b.group : a.last.size() < b.last.size();
        });
        std::vector<long> into(names_.size(), -1);  // the name each one merges into
        auto offer = [&](std::uint32_t from, std::uint32_t to) {
            if (names_[to].df < kSpellingRatio * names_[from].df) return;
            if (into[from] < 0 || more_used(to, static_cast<std::uint32_t>(into[from]))) into[from] = to;
        };
        for (std::size_t i = 0; i < entries.size(); ++i)
            for (std::size_t j = i + 1; j < entries.size() && entries[j].group == entries[i].group &&
                                        entries[j].last.size() <= entries[i].last.size() + 1;
                 ++j) {
                if (!within_one_edit(entries[i].last, entries[j].last)) continue;
                offer(entries[i].name, entries[j].name);
                offer(entries[j].name, entries[i].name);
            }
        for (std::uint32_t n = 0; n < names_.size(); ++n)
            if (into[n] >= 0) unite(n, static_cast<std::uint32_t>(into[n]));
    }
    // 2b. A full name ending with another full name (two name words or more).
    for (std::uint32_t n = 0; n < names_.size(); ++n) {
        if (!names_[n].full) continue;
        const std::string& key = names_[n].key;
        for (std::size_t sp = key.find(' '); sp != std::string::npos; sp = key.find(' ', sp + 1)) {
            std::string_view tail = std::string_view(key).substr(sp + 1);
            if (tail.find(' ') == std::string_view::npos) break;
            const Name* m = find(tail);
            if (m && m->full) unite(n, static_cast<std::uint32_t>(m - names_.data()));
        }
    }
    for (std::uint32_t n = 0; n < names_.size(); ++n) names_[n].root = names_[n].person = root(n);
    // 3. Surnames: the full name that dominates them.
    std::unordered_map<std::string, std::vector<std::uint32_t>> full_by_last;
    for (std::uint32_t n = 0; n < names_.size(); ++n)
        if (names_[n].full) full_by_last[std::string(last_word(names_[n].key))].push_back(n);
    for (std::uint32_t n = 0; n < names_.size(); ++n) {
        Name& s = names_[n];
        if (s.full) continue;
        auto it = full_by_last.find(std::string(last_word(s.key)));
        if (it == full_by_last.end()) continue;
        std::unordered_map<std::uint32_t, std::size_t> by_person;
        std::size_t total = 0;
        for (std::uint32_t f : it->second)
            if (ends_with_words(names_[f].key, s.key)) {
                by_person[names_[f].root] += names_[f].df;
                total += names_[f].df;
            }
        if (by_person.empty()) continue;
        auto top = std::max_element(by_person.begin(), by_person.end(), [&](const auto& a, const auto& b) {
            return a.second != b.second ? a.second < b.second : names_[a.first].key > names_[b.first].key;
        });
        if (static_cast<double>(top->second) >= kDominantShare * static_cast<double>(total))
            s.person = top->first;
        else
            s.ambiguous = by_person.size() > 1;
    }
    // Keys by the last word of their name, root and person.
    for (std::uint32_t k = 0; k < keys_.size(); ++k) {
        const Name& n = names_[key_name_[k]];
        std::string_view lasts[] = {last_word(n.key), last_word(names_[n.root].key), last_word(names_[n.person].key)};
        for (std::size_t i = 0; i < 3; ++i) {
            if (std::find(lasts, lasts + i, lasts[i]) != lasts + i) continue;
            by_last_word_[std::string(lasts[i])].push_back(k);
        }
    }
}

std::string PeopleResolver::person_of(std::string_view key) const {
    std::string n = normalise(key);
    const Name* name = find(n);
    return name ? names_[name->person].key : n;
}

bool PeopleResolver::ambiguous(std::string_view person) const {
    const Name* name = find(person);
    return name && name->ambiguous;
}

std::vector<std::string> PeopleResolver::query_keys(std::string_view key) const {
    const std::string n = normalise(key);
    std::vector<std::string> out;
    if (n.empty()) return out;
    const bool surname = is_short(n);
    const std::string person = surname ? std::string() : person_of(n);
    auto it = by_last_word_.find(std::string(last_word(surname ? std::string_view(n) : std::string_view(person))));
    if (it == by_last_word_.end()) return out;
    for (std::uint32_t k : it->second) {
        const Name& name = names_[key_name_[k]];
        bool match = surname ? ends_with_words(name.key, n) || ends_with_words(names_[name.root].key, n)
                             : names_[name.person].key == person;
        if (match) out.push_back(keys_[k]);
    }
    return out;
}

std::string PeopleResolver::french_form(std::string_view display) const {
    const Lexicon& lex = Lexicon::get();
    std::vector<std::string> words;
    for (std::size_t i = 0; i < display.size();) {
        std::size_t e = display.find(' ', i);
        if (e == std::string_view::npos) e = display.size();
        if (e > i) words.emplace_back(display.substr(i, e - i));
        i = e + 1;
    }
    // A variant (or French form) of several words at the end of the name.
    for (std::size_t from = 0; from + 1 < words.size(); ++from) {
        std::string tail;
        for (std::size_t k = from; k < words.size(); ++k) tail += (tail.empty() ? "" : " ") + words[k];
        std::string folded = normalise(person_key(tail));
        auto it = lex.shown.find(folded);
        if (it != lex.shown.end() && folded.find(' ') != std::string::npos) {
            words.resize(from);
            words.push_back(it->second);
            break;
        }
    }
    std::string out;
    for (const std::string& w : words) {
        if (!out.empty()) out.push_back(' ');
        std::string folded = person_key(w);
        auto v = lex.word.find(folded);
        auto it = lex.shown.find(v == lex.word.end() ? folded : v->second);
        out += it == lex.shown.end() ? w : it->second;
    }
    return out;
}

std::size_t PeopleResolver::content_hash() const {
    std::size_t h = keys_.size();
    for (const std::string& k : keys_) hash_content(h, k);
    hash_content(h, key_df_);
    return h;
}

std::string PeopleResolver::display(std::string_view person, const Xapian::Database& db) const {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = display_cache_.find(std::string(person));
        if (it != display_cache_.end()) return it->second;
    }
    // The most used key standing for the person, its own spelling first.
    long best = -1;
    auto it = by_last_word_.find(std::string(last_word(person)));
    if (it != by_last_word_.end())
        for (std::uint32_t k : it->second) {
            const Name& name = names_[key_name_[k]];
            if (names_[name.person].key != person) continue;
            auto rank = [&](std::uint32_t x) {
                const Name& nx = names_[key_name_[x]];
                return std::make_tuple(nx.key == person, nx.full, key_df_[x]);
            };
            if (best < 0 || rank(k) > rank(static_cast<std::uint32_t>(best))) best = k;
        }
    std::string shown(person);
    if (best >= 0) {
        const std::string& key = keys_[static_cast<std::size_t>(best)];
        std::unordered_map<std::string, unsigned> forms;
        unsigned read = 0;
        const std::string term = std::string(schema::field("person").prefix) + key;
        for (auto p = db.postlist_begin(term); p != db.postlist_end(term) && read < kDisplaySample; ++p, ++read) {
            const std::string value = db.get_document(*p, Xapian::DOC_ASSUME_VALID).get_value(schema::kSlotPeople);
            for_each_item(value, [&](std::string_view item) {
                if (person_key(item) == key) ++forms[std::string(item)];
            });
        }
        const std::string* chosen = nullptr;
        unsigned chosen_n = 0;
        for (const auto& [form, n] : forms)
            if (!chosen || n > chosen_n ||
                (n == chosen_n &&
                 (form.size() > chosen->size() || (form.size() == chosen->size() && form < *chosen)))) {
                chosen = &form;
                chosen_n = n;
            }
        if (chosen) shown = french_form(*chosen);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    return display_cache_.emplace(std::string(person), std::move(shown)).first->second;
}

std::optional<std::string> PeopleResolver::closest_person(std::string_view name, const Xapian::Database& db) const {
    const std::string n = normalise(person_key(name));
    if (n.empty() || find(n) || (is_short(n) && !query_keys(n).empty())) return std::nullopt;
    // The most used name (or, for one word, surname) at one edit from n, same first words.
    const bool one_word = n.find(' ') == std::string_view::npos;
    std::string_view last = last_word(n), first = std::string_view(n).substr(0, n.size() - last.size());
    if (last.size() < kMinMergedSurname) return std::nullopt;
    std::unordered_map<std::string_view, std::size_t> df;  // surname (one word) or name
    for (const Name& name : names_) {
        std::string_view other = last_word(name.key);
        if (other == last || !within_one_edit(last, other)) continue;
        if (one_word)
            df[other] += name.df;
        else if (name.full && name.key.size() == first.size() + other.size() &&
                 name.key.compare(0, first.size(), first) == 0)
            df[name.key] += name.df;
    }
    if (df.empty()) return std::nullopt;
    auto best = std::max_element(df.begin(), df.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second < b.second : a.first > b.first;
    });
    if (!one_word) return display(person_of(best->first), db);
    // The surname as the most used person bearing it writes it.
    const Name* top = nullptr;
    for (const Name& name : names_)
        if (last_word(name.key) == best->first && (!top || name.df > top->df)) top = &name;
    if (!top) return std::nullopt;
    std::string shown = display(names_[top->person].key, db);
    std::string_view shown_last = last_word(shown);
    return std::string(person_key(shown_last) == best->first ? shown_last : best->first);
}

std::optional<std::string> PeopleResolver::canonical_person(std::string_view name, const Xapian::Database& db) const {
    const std::string key = person_key(name);
    if (key.empty()) return std::nullopt;
    const std::string n = normalise(key);
    if (is_short(n)) {
        if (n == key || query_keys(n).empty()) return std::nullopt;
        return french_form(n);
    }
    const std::string person = person_of(key);
    if (person == key || !find(person)) return std::nullopt;
    return display(person, db);
}

}  // namespace depeche
