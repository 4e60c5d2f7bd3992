#include "searcher/facets.hpp"

#include "schema/calendar.hpp"
#include "schema/person_key.hpp"
#include "schema/schema.hpp"
#include "schema/terms.hpp"
#include "searcher/people_resolver.hpp"
#include "searcher/shared_by_key.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <cstdio>

namespace depeche {
namespace {

// Calls f(name) on the display names of a people value (one per person key: an article
// counts once per person, whatever names it uses).
template <class F>
void for_each_person(std::string_view value, F&& f) {
    // Schema 5: display names joined by U+001F, one per person key (the indexer keeps the
    // first name of each key); the key is person_key(name), computed where it is needed.
    for_each_item(value, [&](std::string_view name) {
        if (!name.empty()) f(name);
    });
}

void add(FacetSpy::Counts& counts, std::string_view key, std::size_t n = 1) {
    auto it = counts.find(key);
    if (it == counts.end())
        counts.emplace(std::string(key), n);
    else
        it->second += n;
}

// "YYYYMMDD" (8 digits) as a number; 0 if malformed.
std::uint32_t date_number(std::string_view s) {
    if (s.size() < 8) return 0;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 8; ++k) {
        if (s[k] < '0' || s[k] > '9') return 0;
        v = v * 10 + static_cast<std::uint32_t>(s[k] - '0');
    }
    return v;
}

std::string date_string(std::uint32_t v) {
    std::string s(8, '0');
    for (std::size_t k = 8; k-- > 0; v /= 10) s[k] = static_cast<char>('0' + v % 10);
    return s;
}

// Bucket level (0 years, 1 months, 2 days) for values spanning first..last (YYYYMMDD):
// years over more than 3 years, months over more than 3 months, else days.
std::size_t bucket_level(std::uint32_t first, std::uint32_t last) {
    int y0 = static_cast<int>(first / 10000), y1 = static_cast<int>(last / 10000);
    int m0 = static_cast<int>(first / 100 % 100), m1 = static_cast<int>(last / 100 % 100);
    int months = (y1 - y0) * 12 + (m1 - m0);
    return (y1 - y0) > 3 ? 0 : months > 3 ? 1 : 2;
}

// A day cut to a level; a value known only to a coarser level keeps its own
// (20240400 stays a month at the day level).
std::uint32_t bucket_of(std::uint32_t day, std::size_t level) {
    if (level == 0 || day / 100 % 100 == 0) return day / 10000 * 10000;
    if (level == 1 || day % 100 == 0) return day / 100 * 100;
    return day;
}

// Buckets as "YYYY", "YYYY-MM" or "YYYY-MM-DD", in date order.
std::vector<FacetCount> bucket_list(const FacetSpy::DateCounts& buckets) {
    std::vector<std::pair<std::uint32_t, std::size_t>> sorted(buckets.begin(), buckets.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<FacetCount> out;
    for (const auto& [key, n] : sorted) {
        std::string d = date_string(key);
        std::string v = d.substr(0, 4);
        if (key / 100 % 100 != 0) v += "-" + d.substr(4, 2);
        if (key / 100 % 100 != 0 && key % 100 != 0) v += "-" + d.substr(6, 2);
        out.push_back({v, n});
    }
    return out;
}

// Numbers are written in decimal ended by ';', keys after their length.
void put_number(std::string& out, std::size_t n) { out += std::to_string(n) + ';'; }
void put_count(std::string& out, std::string_view key, std::size_t n) {
    put_number(out, key.size());
    out += key;
    put_number(out, n);
}

}  // namespace

namespace {
// The numbers of distinct names, given in the order first seen (indexes into `names`):
// an open-addressing table of (hash, number + 1) pairs, for the millions of lookups of a
// column build (4.3 million names at 1M articles). std::unordered_map with our string
// hash keeps no hash codes, and recomputed one for each node it passed: the lookups took
// half of a build.
class NameNumbers {
public:
    // The number of `name` in `names`, or kNone.
    static constexpr std::uint32_t kNone = UINT32_MAX;
    std::uint32_t find(std::string_view name, std::size_t hash, const std::vector<std::string>& names) const {
        if (slots_.empty()) return kNone;
        const std::uint32_t h = static_cast<std::uint32_t>(hash);
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (!s.number) return kNone;
            if (s.hash == h && names[s.number - 1] == name) return s.number - 1;
        }
    }
    // Records `number` for a name not in the table, of hash `hash`.
    void add(std::size_t hash, std::uint32_t number) {
        if (2 * (size_ + 1) > slots_.size()) grow();
        place(Slot{static_cast<std::uint32_t>(hash), number + 1}, hash);
        ++size_;
    }

private:
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t number = 0;  // the name's number + 1; 0: empty
    };
    void place(Slot slot, std::size_t hash) {
        std::size_t i = hash & mask_;
        while (slots_[i].number) i = (i + 1) & mask_;
        slots_[i] = slot;
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 1024 : 2 * old.size(), Slot{});
        mask_ = slots_.size() - 1;
        // Placed again from the stored low 32 bits of each hash: the table never holds
        // more than 2^31 slots (a name number is 32 bits).
        for (const Slot& s : old)
            if (s.number) place(s, s.hash);
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};
}  // namespace

struct FacetColumns::Numbering {
    std::unordered_map<std::uint32_t, std::uint32_t> days;
    NameNumbers items;
    std::unordered_map<std::string, std::uint32_t, FacetSpy::Hash, std::equal_to<>> keys;
};

namespace {
std::atomic<std::size_t> fetched_values{0}, columns_built{0};
}

std::size_t FacetColumns::fetches() { return fetched_values; }
std::size_t FacetColumns::builds() { return columns_built; }

FacetColumns::FacetColumns(const Xapian::Database& db, const PeopleResolver* people) {
    ++columns_built;
    Numbering numbering;
    read(db, people, numbering);
}

FacetColumns::FacetColumns(const std::function<bool(std::size_t, Source&)>& next, const PeopleResolver* people) {
    ++columns_built;
    Numbering numbering;
    Source s;
    for (std::size_t k = 0; next(k, s); ++k, s = {}) {
        if (s.db)
            read(*s.db, people, numbering);
        else if (s.values)
            read(*s.values, people, numbering);
        else if (s.columns)
            read(*s.columns, s.part, people, numbering);
    }
}

FacetColumns::Values FacetColumns::fetch(const Xapian::Database& db) {
    ++fetched_values;
    Values v;
    v.last = db.get_lastdocid();
    const Xapian::doccount docs = db.get_doccount();
    auto column = [&](Xapian::valueno slot, Values::Column& into) {
        Xapian::Enquire all(db);
        // Not Xapian::Query::MatchAll, one object for all threads: a query's reference
        // count is not atomic, and shards are fetched at the same time.
        all.set_query(Xapian::Query(std::string()));
        all.set_weighting_scheme(Xapian::BoolWeight());
        all.set_sort_by_value(slot, false);
        const Xapian::MSet m = all.get_mset(0, docs);
        into.entries.reserve(m.size());
        for (auto it = m.begin(); it != m.end(); ++it) {
            const std::string value = it.get_sort_key();
            if (value.empty()) continue;
            Values::Column::Entry e{*it, static_cast<std::uint32_t>(value.size()), into.bytes.size()};
            // Sorted by value: a value equal to the one before is that one.
            if (!into.entries.empty() && into.value(into.entries.back()) == value)
                e.at = into.entries.back().at;
            else
                into.bytes += value;
            into.entries.push_back(e);
        }
        into.bytes.shrink_to_fit();
        std::sort(into.entries.begin(), into.entries.end(),
                  [](const Values::Column::Entry& a, const Values::Column::Entry& b) { return a.did < b.did; });
    };
    column(schema::kSlotDay, v.day);
    column(schema::kSlotPeople, v.people);
    column(schema::kSlotMentioned, v.mentioned);
    return v;
}

void FacetColumns::read(const Xapian::Database& db, const PeopleResolver* people, Numbering& numbering) {
    read_part(
        db.get_lastdocid(),
        [&](int column, auto&& f) {
            const Xapian::valueno slot = column == 0   ? schema::kSlotDate
                                         : column == 1 ? schema::kSlotPeople
                                                       : schema::kSlotMentioned;
            for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) f(it.get_docid(), *it);
        },
        people, numbering);
}

void FacetColumns::read(const Values& values, const PeopleResolver* people, Numbering& numbering) {
    const Values::Column* columns[] = {&values.day, &values.people, &values.mentioned};
    read_part(
        values.last,
        [&](int column, auto&& f) {
            for (const Values::Column::Entry& e : columns[column]->entries) f(e.did, columns[column]->value(e));
        },
        people, numbering);
}

void FacetColumns::read(const FacetColumns& old, std::size_t k, const PeopleResolver* people, Numbering& numbering) {
    // Each document's values as they were read (names and days are kept as read: the
    // people resolver, which may have changed, is applied again by read_part()).
    const Part& o = old.parts.at(k);
    std::string value;
    read_part(
        o.last,
        [&](int column, auto&& f) {
            const std::vector<std::uint32_t>& at = column == 1 ? o.people_at : o.mentioned_at;
            for (Xapian::docid did = 1; did <= o.last; ++did) {
                value.clear();
                if (column == 0) {
                    if (o.day_of[did]) value = date_string(old.days[o.day_of[did]]);
                } else {
                    for (std::uint32_t i = at[did]; i < at[did + 1]; ++i) {
                        if (!value.empty()) value += schema::kListSeparator;
                        value += column == 1 ? old.items[o.people_ids[i]] : date_string(o.mentioned[i]);
                    }
                }
                if (!value.empty()) f(did, value);
            }
        },
        people, numbering);
}

template <class Each>
void FacetColumns::read_part(Xapian::docid last, Each&& each, const PeopleResolver* people, Numbering& numbering) {
    Part& p = parts.emplace_back();
    p.last = last;
    const std::size_t n = static_cast<std::size_t>(last) + 1;
    p.day_of.assign(n, 0);
    p.people_at.assign(n + 1, 0);
    p.mentioned_at.assign(n + 1, 0);
    each(0, [&](Xapian::docid did, std::string_view value) {
        const std::uint32_t d = date_number(value);
        if (!d || did > last) return;
        auto [at, fresh] = numbering.days.try_emplace(d, static_cast<std::uint32_t>(days.size()));
        if (fresh) days.push_back(d);
        p.day_of[did] = at->second;
    });
    // Lists are laid out by document as they come (in document order), so entries are
    // appended and each document's count becomes an offset at the end.
    NameNumbers& index = numbering.items;
    auto& key_index = numbering.keys;
    each(1, [&](Xapian::docid did, std::string_view value) {
        if (did > last) return;
        for_each_person(value, [&](std::string_view item) {
            const std::size_t hash = std::hash<std::string_view>{}(item);
            std::uint32_t number = index.find(item, hash, items);
            if (number == NameNumbers::kNone) {
                number = static_cast<std::uint32_t>(items.size());
                index.add(hash, number);
                items.emplace_back(item);
                std::string key = person_key(item), person = people ? people->person_of(key) : key;
                item_own.push_back(!people || people->normalise(key) == person);
                auto k = key_index.try_emplace(person, keys).first;
                if (k->second == keys) {
                    ++keys;
                    if (people) key_person.push_back(person);
                }
                item_key.push_back(k->second);
            }
            p.people_ids.push_back(number);
            ++p.people_at[did + 1];
        });
    });
    for (std::size_t d = 1; d <= n; ++d) p.people_at[d] += p.people_at[d - 1];
    each(2, [&](Xapian::docid did, std::string_view value) {
        if (did > last) return;
        std::size_t ndays = 0;
        for_each_item(value, [&](std::string_view item) {
            std::uint32_t d = item.size() == 8 ? date_number(item) : 0;
            if (d && ndays < 64) {
                ++ndays;
                p.mentioned.push_back(d);
                ++p.mentioned_at[did + 1];
            }
        });
    });
    for (std::size_t d = 1; d <= n; ++d) p.mentioned_at[d] += p.mentioned_at[d - 1];
}

FacetColumns::Ptr FacetColumns::find_shared(const std::string& key) { return SharedByKey<FacetColumns>::find(key); }

FacetColumns::Ptr FacetColumns::shared(const std::string& key, const std::function<Ptr()>& build) {
    return SharedByKey<FacetColumns>::get(key, build);
}

std::size_t FacetColumns::content_hash() const {
    std::size_t h = keys;
    for (const std::vector<std::string>* strings : {&items, &key_person})
        for (const std::string& s : *strings) hash_content(h, s);
    hash_content(h, item_key);
    hash_content(h, item_own);
    hash_content(h, days);
    for (const Part& p : parts) {
        h ^= p.last;
        for (const auto* v : {&p.day_of, &p.people_at, &p.people_ids, &p.mentioned_at, &p.mentioned})
            hash_content(h, *v);
    }
    return h;
}

std::size_t FacetColumns::bytes() const {
    std::size_t b = 0;
    for (const std::string& s : items) b += s.capacity() + sizeof s;
    for (const auto* v : {&days, &item_key}) b += v->capacity() * sizeof(std::uint32_t);
    b += item_own.capacity();
    for (const Part& p : parts)
        for (const auto* v : {&p.day_of, &p.people_at, &p.people_ids, &p.mentioned_at, &p.mentioned})
            b += v->capacity() * sizeof(std::uint32_t);
    return b;
}

FacetSpy::FacetSpy(std::shared_ptr<const FacetColumns> columns, std::shared_ptr<const PeopleResolver> people)
    : columns_(std::move(columns)), people_resolver_(std::move(people)) {
    if (columns_) {
        item_counts_.assign(columns_->items.size(), 0);
        day_counts_.assign(columns_->days.size(), 0);
    }
}

void FacetSpy::operator()(const Xapian::Document& doc, double) {
    // A document newer than the columns (they belong to an older revision): values.
    if (!count_from_columns(doc.get_docid())) count_values(doc);
}

void FacetSpy::count(const Xapian::Database& part, Xapian::docid did) {
    if (!count_from_columns(did)) count_values(part.get_document(did));
}

void FacetSpy::count_values(const Xapian::Document& doc) {
    ++seen_;
    add_values(doc.get_value(schema::kSlotPeople), doc.get_value(schema::kSlotDate),
               doc.get_value(schema::kSlotMentioned), 1);
}

void FacetSpy::add_column_counts(const FacetSpy& other) {
    seen_ += other.seen_;
    for (std::size_t k = 0; k < item_counts_.size() && k < other.item_counts_.size(); ++k)
        item_counts_[k] += other.item_counts_[k];
    for (std::size_t k = 0; k < day_counts_.size() && k < other.day_counts_.size(); ++k)
        day_counts_[k] += other.day_counts_[k];
    // The span of both; a level one spy stopped counting (finer than its span called
    // for) is finer than the span of both calls for, and never shown.
    if (other.mentioned_first_ && (!mentioned_first_ || other.mentioned_first_ < mentioned_first_))
        mentioned_first_ = other.mentioned_first_;
    mentioned_last_ = std::max(mentioned_last_, other.mentioned_last_);
    for (std::size_t level = 0; level < mentioned_.size(); ++level)
        for (const auto& [bucket, n] : other.mentioned_[level]) mentioned_[level][bucket] += n;
}

bool FacetSpy::count_from_columns(Xapian::docid did) {
    if (!columns_) return false;
    const FacetColumns& c = *columns_;
    const FacetColumns::Part* p = part_ < c.parts.size() ? &c.parts[part_] : nullptr;
    if (!p || did > p->last) return false;
    ++seen_;
    // One count per person: the first of the article's names standing for it.
    const std::uint32_t from = p->people_at[did], to = p->people_at[did + 1];
    for (std::uint32_t k = from; k < to; ++k) {
        const std::uint32_t person = c.item_key[p->people_ids[k]];
        bool seen_before = false;
        for (std::uint32_t j = from; j < k && !seen_before; ++j) seen_before = c.item_key[p->people_ids[j]] == person;
        if (!seen_before) ++item_counts_[p->people_ids[k]];
    }
    ++day_counts_[p->day_of[did]];
    const std::uint32_t m_from = p->mentioned_at[did], m_to = p->mentioned_at[did + 1];
    if (m_to > m_from) count_mentioned(p->mentioned.data() + m_from, m_to - m_from, 1);
    return true;
}

void FacetSpy::add_values(std::string_view people, std::string_view date, std::string_view mentioned, std::size_t n) {
    if (n == 0) return;
    // People: display names, one per person key; with a resolver, the first name of each
    // person the article names (two keys may stand for one person). People are grouped
    // when the facet is built.
    if (people_resolver_) {
        persons_.clear();
        for_each_person(people, [&](std::string_view name) {
            const PersonMemo::Entry& e = person_of(name);
            if (std::find(persons_.begin(), persons_.end(), e.id) != persons_.end()) return;
            persons_.push_back(e.id);
            if (e.name >= name_counts_.size()) name_counts_.resize(memo_->name_of.size(), 0);
            name_counts_[e.name] += n;
        });
    } else {
        for_each_person(people, [&](std::string_view name) { add(people_, name, n); });
    }
    if (std::uint32_t d = date_number(date)) dates_[d] += n;
    if (mentioned.empty()) return;
    std::uint32_t days[64];
    std::size_t ndays = 0;
    for_each_item(mentioned, [&](std::string_view item) {
        std::uint32_t d = item.size() == 8 ? date_number(item) : 0;
        if (d && ndays < std::size(days)) days[ndays++] = d;
    });
    count_mentioned(days, ndays, n);
}

void FacetSpy::add_value_counts(Xapian::doccount matches, const Xapian::ValueCountMatchSpy& people,
                                const Xapian::ValueCountMatchSpy& dates, const Xapian::ValueCountMatchSpy& mentioned) {
    seen_ += matches;
    for (auto it = people.values_begin(); it != people.values_end(); ++it) add_values(*it, {}, {}, it.get_termfreq());
    for (auto it = dates.values_begin(); it != dates.values_end(); ++it) add_values({}, *it, {}, it.get_termfreq());
    // The span of every mentioned date first: then each value counts at the level shown.
    for (auto it = mentioned.values_begin(); it != mentioned.values_end(); ++it) {
        std::size_t taken = 0;  // at most 64 dates of an article, as add_values() takes
        for_each_item(*it, [&](std::string_view item) {
            const std::uint32_t d = item.size() == 8 ? date_number(item) : 0;
            if (!d || taken++ >= 64) return;
            if (!mentioned_first_ || d < mentioned_first_) mentioned_first_ = d;
            if (d > mentioned_last_) mentioned_last_ = d;
        });
    }
    for (auto it = mentioned.values_begin(); it != mentioned.values_end(); ++it)
        add_values({}, {}, *it, it.get_termfreq());
}

void FacetSpy::fold_people() const {
    for (std::size_t k = 0; k < name_counts_.size(); ++k)
        if (name_counts_[k]) add(people_, *memo_->name_of[k], name_counts_[k]);
    std::fill(name_counts_.begin(), name_counts_.end(), 0);
    if (!columns_) return;
    for (std::size_t k = 0; k < item_counts_.size(); ++k)
        if (item_counts_[k]) add(people_, columns_->items[k], item_counts_[k]);
    std::fill(item_counts_.begin(), item_counts_.end(), 0);
}

void FacetSpy::fold_dates() const {
    if (!columns_) return;
    for (std::size_t k = 1; k < day_counts_.size(); ++k)
        if (day_counts_[k]) dates_[columns_->days[k]] += day_counts_[k];
    std::fill(day_counts_.begin(), day_counts_.end(), 0);
}

namespace {
// The name a person is shown under: its most frequent own name, the longer one on a tie
// ("Emmanuel Macron" rather than "Macron"), then the first in byte order.
bool better_name(std::size_t n, std::string_view name, std::size_t best_n, std::string_view best) {
    return n > best_n || (n == best_n && name.size() > best.size()) ||
           (n == best_n && name.size() == best.size() && name < best);
}
}  // namespace

const FacetSpy::PersonMemo::Entry& FacetSpy::person_of(std::string_view name) const {
    if (!memo_) memo_ = std::make_shared<PersonMemo>();
    auto known = memo_->names.find(name);
    if (known == memo_->names.end()) {
        PersonMemo::Entry e;
        e.person = resolve(name, &e.own);
        e.id = memo_->ids.try_emplace(e.person, static_cast<std::uint32_t>(memo_->ids.size())).first->second;
        e.name = static_cast<std::uint32_t>(memo_->name_of.size());
        known = memo_->names.emplace(std::string(name), std::move(e)).first;
        memo_->name_of.push_back(&known->first);
    }
    return known->second;
}

std::string FacetSpy::resolve(std::string_view name, bool* own) const {
    std::string key = person_key(name);
    if (!people_resolver_) {
        if (own) *own = true;
        return key;
    }
    std::string person = people_resolver_->person_of(key);
    if (own) *own = people_resolver_->normalise(key) == person;
    return person;
}

bool FacetSpy::ambiguous(std::string_view person) const {
    return people_resolver_ && people_resolver_->ambiguous(person);
}

std::string FacetSpy::shown(std::string_view person, std::string_view best_own) const {
    if (!people_resolver_) return std::string(best_own);
    // Only surnames resolved to the person were seen: the index's name for the person.
    if (best_own.empty()) return names_db_ ? people_resolver_->display(person, *names_db_) : std::string(person);
    return people_resolver_->french_form(best_own);
}

// The people facet from the column counts: the same ranking as facets() computes from
// the maps, over numbered people and items instead of strings.
std::vector<FacetCount> FacetSpy::people_from_columns(std::size_t limit) const {
    const FacetColumns& c = *columns_;
    std::vector<std::size_t> total(c.keys, 0);
    std::vector<std::uint32_t> best(c.keys, UINT32_MAX);  // best own item
    std::vector<std::uint32_t> present;
    for (std::uint32_t k = 0; k < item_counts_.size(); ++k) {
        const std::size_t n = item_counts_[k];
        if (!n) continue;
        const std::uint32_t key = c.item_key[k];
        if (!total[key]) present.push_back(key);
        total[key] += n;
        if (c.item_own[k] &&
            (best[key] == UINT32_MAX || better_name(n, c.items[k], item_counts_[best[key]], c.items[best[key]])))
            best[key] = k;
    }
    // Ties are ranked by the person's key (with a resolver) or its shown name.
    auto person = [&](std::uint32_t key) -> std::string_view {
        if (!c.key_person.empty()) return c.key_person[key];
        return c.items[best[key]];
    };
    auto before = [&](std::uint32_t a, std::uint32_t b) {
        return total[a] != total[b] ? total[a] > total[b] : person(a) < person(b);
    };
    const std::size_t shown_n = std::min(limit, present.size());
    std::partial_sort(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(shown_n), present.end(), before);
    std::vector<FacetCount> out;
    out.reserve(shown_n);
    for (std::size_t k = 0; k < shown_n; ++k) {
        const std::uint32_t key = present[k];
        std::string_view own = best[key] == UINT32_MAX ? std::string_view() : std::string_view(c.items[best[key]]);
        out.push_back({shown(person(key), own), total[key], ambiguous(person(key))});
    }
    return out;
}

// Dates mentioned by one article (at most 64).
void FacetSpy::count_mentioned(const std::uint32_t* days, std::size_t ndays, std::size_t n) {
    for (std::size_t k = 0; k < ndays; ++k) {
        if (!mentioned_first_ || days[k] < mentioned_first_) mentioned_first_ = days[k];
        if (days[k] > mentioned_last_) mentioned_last_ = days[k];
    }
    // The span only grows: levels finer than the one it already calls for are never
    // shown, so they are no longer counted.
    const std::size_t finest = bucket_level(mentioned_first_, mentioned_last_);
    for (std::size_t level = 0; level <= finest; ++level) {
        std::uint32_t done[64];
        std::size_t ndone = 0;
        for (std::size_t k = 0; k < ndays; ++k) {
            std::uint32_t b = bucket_of(days[k], level);
            if (std::find(done, done + ndone, b) != done + ndone) continue;
            done[ndone++] = b;
            mentioned_[level][b] += n;
        }
    }
}

// Results as a flat list of (section, key, count) records with length-prefixed keys;
// the span of the mentioned dates first.
std::string FacetSpy::serialise_results() const {
    fold_people();
    fold_dates();
    std::string out;
    put_number(out, seen_);
    put_number(out, mentioned_first_);
    put_number(out, mentioned_last_);
    std::string sec;
    for (const auto& [k, n] : people_) put_count(sec, k, n);
    put_number(out, sec.size());
    out += sec;
    for (const DateCounts* dc :
         {static_cast<const DateCounts*>(&dates_), &mentioned_[0], &mentioned_[1], &mentioned_[2]}) {
        sec.clear();
        for (const auto& [k, n] : *dc) put_count(sec, date_string(k), n);
        put_number(out, sec.size());
        out += sec;
    }
    return out;
}

void FacetSpy::merge_results(const std::string& s) {
    std::size_t i = 0;
    auto bad = [] { return Xapian::NetworkError("bad facet results"); };
    auto number = [&]() -> std::size_t {
        std::size_t end = s.find(';', i);
        if (end == std::string::npos || end == i || end - i > 19) throw bad();
        std::size_t n = 0;
        for (std::size_t k = i; k < end; ++k) {
            if (s[k] < '0' || s[k] > '9') throw bad();
            n = n * 10 + static_cast<std::size_t>(s[k] - '0');
        }
        i = end + 1;
        return n;
    };
    auto key = [&](std::size_t stop) {
        std::size_t klen = number();
        if (i > stop || klen > stop - i) throw bad();
        std::string_view k(s.data() + i, klen);
        i += klen;
        return k;
    };
    seen_ += static_cast<Xapian::doccount>(number());
    auto first = static_cast<std::uint32_t>(number()), last = static_cast<std::uint32_t>(number());
    if (first && (!mentioned_first_ || first < mentioned_first_)) mentioned_first_ = first;
    if (last > mentioned_last_) mentioned_last_ = last;
    for (int section = 0; section < 5; ++section) {
        std::size_t stop = number();
        if (stop > s.size() - i) throw bad();
        stop += i;
        while (i < stop) {
            std::string_view k = key(stop);
            std::size_t n = number();
            if (section == 0) {
                add(people_, k, n);
            } else {
                std::uint32_t d = date_number(k);
                if (!d) throw bad();
                DateCounts& dc = section == 1 ? dates_ : mentioned_[static_cast<std::size_t>(section - 2)];
                dc[d] += n;
            }
        }
    }
}

namespace {

// A publication day's bucket at an interval, as a serial number (consecutive buckets have
// consecutive numbers): the year, the month counted from year 0, the week (weeks start
// on Monday: day 0 of the calendar is a Monday) or the day.
long bucket_serial(std::uint32_t d, DateInterval interval) {
    const int y = static_cast<int>(d / 10000), m = static_cast<int>(d / 100 % 100), day = static_cast<int>(d % 100);
    switch (interval) {
        case DateInterval::Year: return y;
        case DateInterval::Month: return y * 12L + (m - 1);
        case DateInterval::Week: return day_number(y, m, day) / 7;
        default: return day_number(y, m, day);
    }
}

// "2025", "2025-08", "2025-W33" (ISO 8601 week: the year of its Thursday) or "2025-08-15".
std::string bucket_label(long serial, DateInterval interval) {
    char out[64];
    if (interval == DateInterval::Year) {
        std::snprintf(out, sizeof out, "%04ld", serial);
    } else if (interval == DateInterval::Month) {
        std::snprintf(out, sizeof out, "%04ld-%02ld", serial / 12, serial % 12 + 1);
    } else if (interval == DateInterval::Week) {
        const long thursday = serial * 7 + 3;
        const Ymd t = from_day_number(thursday);
        std::snprintf(out, sizeof out, "%04d-W%02ld", t.y, (thursday - day_number(t.y, 1, 1)) / 7 + 1);
    } else {
        const Ymd t = from_day_number(serial);
        std::snprintf(out, sizeof out, "%04d-%02d-%02d", t.y, t.m, t.d);
    }
    return out;
}

const char* interval_name(DateInterval interval) {
    switch (interval) {
        case DateInterval::Year: return "year";
        case DateInterval::Month: return "month";
        case DateInterval::Week: return "week";
        default: return "day";
    }
}

// Buckets a histogram may hold; a finer interval over a longer span falls back to the
// next coarser one (day, then week, month, year).
constexpr long kMaxBuckets = 20000;

}  // namespace

std::vector<FacetCount> publication_histogram(const FacetSpy::DateCounts& days, DateInterval interval,
                                              std::string* interval_used) {
    auto full_date = [](std::uint32_t d) {
        const std::uint32_t y = d / 10000, m = d / 100 % 100, day = d % 100;
        return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= 31;
    };
    std::uint32_t first = UINT32_MAX, last = 0;
    for (const auto& [d, n] : days) {
        if (!full_date(d)) continue;
        first = std::min(first, d);
        last = std::max(last, d);
    }
    if (interval_used) interval_used->clear();
    if (last == 0) return {};
    if (interval == DateInterval::Auto) {
        const std::size_t level = bucket_level(first, last);
        interval = level == 0 ? DateInterval::Year : level == 1 ? DateInterval::Month : DateInterval::Day;
    }
    while (interval != DateInterval::Year &&
           bucket_serial(last, interval) - bucket_serial(first, interval) >= kMaxBuckets)
        interval = interval == DateInterval::Day    ? DateInterval::Week
                   : interval == DateInterval::Week ? DateInterval::Month
                                                    : DateInterval::Year;
    const long lo = bucket_serial(first, interval), hi = bucket_serial(last, interval);
    std::vector<std::size_t> counts(static_cast<std::size_t>(hi - lo + 1), 0);
    for (const auto& [d, n] : days)
        if (full_date(d)) {
            const long b = bucket_serial(d, interval);
            if (b >= lo && b <= hi) counts[static_cast<std::size_t>(b - lo)] += n;
        }
    std::vector<FacetCount> out;
    out.reserve(counts.size());
    for (long b = lo; b <= hi; ++b)
        out.push_back({bucket_label(b, interval), counts[static_cast<std::size_t>(b - lo)]});
    if (interval_used) *interval_used = interval_name(interval);
    return out;
}

std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days) {
    FacetSpy::DateCounts numbers;
    for (const auto& [day, n] : days)
        if (std::uint32_t d = date_number(day)) numbers[d] += n;
    if (numbers.empty()) return {};
    std::uint32_t first = UINT32_MAX, last = 0;
    for (const auto& [d, n] : numbers) {
        first = std::min(first, d);
        last = std::max(last, d);
    }
    const std::size_t level = bucket_level(first, last);
    FacetSpy::DateCounts buckets;
    for (const auto& [d, n] : numbers) buckets[bucket_of(d, level)] += n;
    return bucket_list(buckets);
}

std::vector<FacetCount> FacetSpy::people_from_maps(std::size_t limit) const {
    // Per person: the total, shown under its most frequent own name (the longer one on a
    // tie: "Emmanuel Macron" rather than "Macron").
    struct Person {
        std::size_t total = 0, best_n = 0;
        std::string_view best;
        const std::string* key = nullptr;  // in the memo
    };
    std::vector<Person> by_person;  // by the memo's person id
    std::vector<std::uint32_t> present;
    for (const auto& [item, n] : people_) {
        std::string_view name(item);
        const PersonMemo::Entry& e = person_of(name);
        if (e.id >= by_person.size()) by_person.resize(std::max<std::size_t>(e.id + 1, memo_->ids.size()));
        Person& p = by_person[e.id];
        if (!p.key) {
            p.key = &e.person;
            present.push_back(e.id);
        }
        p.total += n;
        if (e.own && better_name(n, name, p.best_n, p.best)) {
            p.best = name;
            p.best_n = n;
        }
    }
    using Entry = std::pair<std::string_view, const Person*>;
    std::vector<Entry> ranked;
    ranked.reserve(present.size());
    for (std::uint32_t id : present) {
        const Person& p = by_person[id];
        ranked.emplace_back(people_resolver_ ? std::string_view(*p.key) : p.best, &p);
    }
    auto before = [](const Entry& a, const Entry& b) {
        return a.second->total != b.second->total ? a.second->total > b.second->total : a.first < b.first;
    };
    const std::size_t shown_n = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(shown_n), ranked.end(), before);
    std::vector<FacetCount> out;
    for (std::size_t k = 0; k < shown_n; ++k)
        out.push_back(
            {shown(ranked[k].first, ranked[k].second->best), ranked[k].second->total, ambiguous(ranked[k].first)});
    return out;
}

Facets FacetSpy::facets(std::size_t people_limit, bool exact, DateInterval interval) const {
    fold_dates();
    Facets f;
    f.exact = exact;
    const bool names_counted =
        !people_.empty() || std::any_of(name_counts_.begin(), name_counts_.end(), [](std::size_t n) { return n; });
    if (columns_ && !names_counted) {
        f.people = people_from_columns(people_limit);
    } else {
        fold_people();
        f.people = people_from_maps(people_limit);
    }
    f.dates = publication_histogram(dates_, interval, &f.date_interval);
    if (mentioned_first_) f.mentioned = bucket_list(mentioned_[bucket_level(mentioned_first_, mentioned_last_)]);
    return f;
}

}  // namespace depeche
