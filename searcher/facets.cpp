#include "searcher/facets.hpp"

#include "schema/schema.hpp"

#include <algorithm>

namespace depeche {
namespace {

// Calls f on each non-empty item of a list joined by U+001F.
template <class F>
void for_each_item(std::string_view list, F&& f) {
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t end = std::min(list.find('\x1f', start), list.size());
        if (end > start) f(list.substr(start, end - start));
        start = end + 1;
    }
}

void add(FacetSpy::Counts& counts, std::string_view key, std::size_t n = 1) {
    auto it = counts.find(key);
    if (it == counts.end()) counts.emplace(std::string(key), n);
    else it->second += n;
}

// Bucket width (4 years, 6 months, 8 days) for values spanning first..last ("YYYYMMDD").
std::size_t bucket_width(std::string_view first, std::string_view last) {
    auto num = [](std::string_view s, std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t k = at; k < at + len && k < s.size(); ++k) v = v * 10 + (s[k] - '0');
        return v;
    };
    int y0 = num(first, 0, 4), y1 = num(last, 0, 4);
    int m0 = num(first, 4, 2), m1 = num(last, 4, 2);
    int months = (y1 - y0) * 12 + (m1 - m0);
    return (y1 - y0) > 3 ? 4 : months > 3 ? 6 : 8;
}

// "YYYYMMDD" cut to a width; values known only to a coarser level keep their own.
std::string_view bucket_of(std::string_view day, std::size_t width) {
    std::string_view key = day.substr(0, std::min(width, day.size()));
    while (key.size() > 4 && key.substr(key.size() - 2) == "00") key.remove_suffix(2);
    return key;
}

std::vector<FacetCount> bucket_list(const std::map<std::string, std::size_t>& buckets) {
    std::vector<FacetCount> out;
    for (const auto& [key, n] : buckets) {
        std::string v = key.substr(0, 4);
        if (key.size() >= 6) v += "-" + key.substr(4, 2);
        if (key.size() >= 8) v += "-" + key.substr(6, 2);
        out.push_back({v, n});
    }
    return out;
}

constexpr std::size_t level_width(std::size_t level) { return 4 + 2 * level; }

// Numbers are written in decimal ended by ';', keys after their length.
void put_number(std::string& out, std::size_t n) { out += std::to_string(n) + ';'; }
void put_count(std::string& out, std::string_view key, std::size_t n) {
    put_number(out, key.size());
    out += key;
    put_number(out, n);
}

}  // namespace

void FacetSpy::operator()(const Xapian::Document& doc, double) {
    ++seen_;
    // People: "key\x1Ename" items; an article counts once per person (key).
    const std::string people = doc.get_value(schema::kSlotPeople);
    std::string_view keys[32];
    std::size_t nkeys = 0;
    for_each_item(people, [&](std::string_view item) {
        std::size_t sep = item.find('\x1e');
        if (sep == 0 || sep == std::string_view::npos || sep + 1 == item.size()) return;
        std::string_view key = item.substr(0, sep);
        for (std::size_t k = 0; k < nkeys; ++k)
            if (keys[k] == key) return;
        if (nkeys < std::size(keys)) keys[nkeys++] = key;
        add(people_, item);
    });
    const std::string date = doc.get_value(schema::kSlotDate);
    if (date.size() >= 8) add(dates_, std::string_view(date).substr(0, 8));
    const std::string mentioned = doc.get_value(schema::kSlotMentioned);
    if (mentioned.empty()) return;
    for (std::size_t level = 0; level < mentioned_.size(); ++level) {
        std::string_view done[64];
        std::size_t ndone = 0;
        for_each_item(mentioned, [&](std::string_view d) {
            if (d.size() != 8) return;
            if (level == 0) {
                if (mentioned_first_.empty() || d < mentioned_first_) mentioned_first_ = d;
                if (mentioned_last_.empty() || d > mentioned_last_) mentioned_last_ = d;
            }
            std::string_view b = bucket_of(d, level_width(level));
            for (std::size_t k = 0; k < ndone; ++k)
                if (done[k] == b) return;
            if (ndone < std::size(done)) done[ndone++] = b;
            add(mentioned_[level], b);
        });
    }
}

// Results as a flat list of (section, key, count) records with length-prefixed keys;
// the span of the mentioned dates first.
std::string FacetSpy::serialise_results() const {
    std::string out;
    put_number(out, seen_);
    put_count(out, mentioned_first_, 0);
    put_count(out, mentioned_last_, 0);
    for (const Counts* sec : {&people_, &dates_, &mentioned_[0], &mentioned_[1], &mentioned_[2]}) {
        std::string s;
        for (const auto& [k, n] : *sec) put_count(s, k, n);
        put_number(out, s.size());
        out += s;
    }
    return out;
}

void FacetSpy::merge_results(const std::string& s) {
    std::size_t i = 0;
    auto number = [&]() -> std::size_t {
        std::size_t end = s.find(';', i);
        if (end == std::string::npos || end == i || end - i > 19) throw Xapian::NetworkError("bad facet results");
        std::size_t n = 0;
        for (std::size_t k = i; k < end; ++k) {
            if (s[k] < '0' || s[k] > '9') throw Xapian::NetworkError("bad facet results");
            n = n * 10 + static_cast<std::size_t>(s[k] - '0');
        }
        i = end + 1;
        return n;
    };
    auto key = [&](std::size_t stop) {
        std::size_t klen = number();
        if (klen > stop - std::min(stop, i)) throw Xapian::NetworkError("bad facet results");
        std::string k = s.substr(i, klen);
        i += klen;
        return k;
    };
    seen_ += static_cast<Xapian::doccount>(number());
    std::string first = key(s.size());
    number();
    std::string last = key(s.size());
    number();
    if (!first.empty() && (mentioned_first_.empty() || first < mentioned_first_)) mentioned_first_ = first;
    if (!last.empty() && (mentioned_last_.empty() || last > mentioned_last_)) mentioned_last_ = last;
    for (Counts* sec : {&people_, &dates_, &mentioned_[0], &mentioned_[1], &mentioned_[2]}) {
        std::size_t stop = number();
        if (stop > s.size() - i) throw Xapian::NetworkError("bad facet results");
        stop += i;
        while (i < stop) {
            std::string k = key(stop);
            add(*sec, k, number());
        }
    }
}

std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days) {
    if (days.empty()) return {};
    const std::size_t width = bucket_width(days.begin()->first, days.rbegin()->first);
    std::map<std::string, std::size_t> buckets;
    for (const auto& [day, n] : days) buckets[std::string(bucket_of(day, width))] += n;
    return bucket_list(buckets);
}

Facets FacetSpy::facets(std::size_t people_limit, bool exact) const {
    Facets f;
    f.exact = exact;
    // Per key: the total, shown under its most frequent display name (the longer one on
    // a tie: "Emmanuel Macron" rather than "Macron").
    struct Person { std::size_t total = 0, best_n = 0; std::string_view best; };
    std::unordered_map<std::string_view, Person> by_key;
    for (const auto& [item, n] : people_) {
        std::string_view v(item);
        std::size_t sep = v.find('\x1e');
        Person& p = by_key[v.substr(0, sep)];
        std::string_view name = v.substr(sep + 1);
        p.total += n;
        if (n > p.best_n || (n == p.best_n && name.size() > p.best.size()) ||
            (n == p.best_n && name.size() == p.best.size() && name < p.best)) {
            p.best = name;
            p.best_n = n;
        }
    }
    for (const auto& [key, p] : by_key) f.people.push_back({std::string(p.best), p.total});
    std::sort(f.people.begin(), f.people.end(), [](const FacetCount& a, const FacetCount& b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    if (f.people.size() > people_limit) f.people.resize(people_limit);
    f.dates = date_histogram(std::map<std::string, std::size_t>(dates_.begin(), dates_.end()));
    if (!mentioned_first_.empty()) {
        const std::size_t width = bucket_width(mentioned_first_, mentioned_last_);
        const Counts& level = mentioned_[(width - 4) / 2];
        f.mentioned = bucket_list(std::map<std::string, std::size_t>(level.begin(), level.end()));
    }
    return f;
}

}  // namespace depeche
