#include "searcher/facets.hpp"

#include "indexer/people.hpp"
#include "schema/schema.hpp"

#include <algorithm>
#include <set>

namespace depeche {
namespace {

template <class F>
void for_each_item(const std::string& list, F&& f) {
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find('\x1f', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) f(list.substr(start, end - start));
        start = end + 1;
    }
}

// Numbers are written in decimal ended by ';', keys after their length.
void put_number(std::string& out, std::size_t n) { out += std::to_string(n) + ';'; }
void put_count(std::string& out, const std::string& key, std::size_t n) {
    put_number(out, key.size());
    out += key;
    put_number(out, n);
}

}  // namespace

void FacetSpy::operator()(const Xapian::Document& doc, double) {
    ++seen_;
    std::string people = doc.get_value(schema::kSlotPeople);
    std::set<std::string> keys;  // an article counts once per person
    for_each_item(people, [&](std::string name) {
        std::string key = person_key(name);
        if (!key.empty() && keys.insert(key).second) ++people_[key][name];
    });
    std::string date = doc.get_value(schema::kSlotDate);
    if (date.size() >= 8) ++dates_[date.substr(0, 8)];
    std::set<std::string> months;  // an article counts once per mentioned value
    for_each_item(doc.get_value(schema::kSlotMentioned), [&](std::string d) {
        if (months.insert(d).second) ++mentioned_[d];
    });
}

// Results as a flat list of (section, key, count) records with length-prefixed keys.
std::string FacetSpy::serialise_results() const {
    std::string out;
    put_number(out, seen_);
    std::string p, d, m;
    for (const auto& [key, names] : people_)
        for (const auto& [name, n] : names) put_count(p, key + '\x1f' + name, n);
    for (const auto& [k, n] : dates_) put_count(d, k, n);
    for (const auto& [k, n] : mentioned_) put_count(m, k, n);
    for (const std::string* sec : {&p, &d, &m}) {
        put_number(out, sec->size());
        out += *sec;
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
    seen_ += static_cast<Xapian::doccount>(number());
    for (int section = 0; section < 3; ++section) {
        std::size_t stop = number();
        stop += i;
        if (stop > s.size()) throw Xapian::NetworkError("bad facet results");
        while (i < stop) {
            std::size_t klen = number();
            if (i + klen > stop) throw Xapian::NetworkError("bad facet results");
            std::string key = s.substr(i, klen);
            i += klen;
            std::size_t n = number();
            if (section == 0) {
                auto sep = key.find('\x1f');
                if (sep == std::string::npos) throw Xapian::NetworkError("bad facet results");
                people_[key.substr(0, sep)][key.substr(sep + 1)] += n;
            } else {
                (section == 1 ? dates_ : mentioned_)[key] += n;
            }
        }
    }
}

std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days) {
    std::vector<FacetCount> out;
    if (days.empty()) return out;
    // Span over the known parts: "YYYYMMDD" with "00" for an unknown month or day.
    const std::string& first = days.begin()->first;
    const std::string& last = days.rbegin()->first;
    int y0 = std::stoi(first.substr(0, 4)), y1 = std::stoi(last.substr(0, 4));
    int m0 = std::stoi(first.substr(4, 2)), m1 = std::stoi(last.substr(4, 2));
    int months = (y1 - y0) * 12 + (m1 - m0);
    std::size_t width = (y1 - y0) > 3 ? 4 : months > 3 ? 6 : 8;
    std::map<std::string, std::size_t> buckets;
    for (const auto& [day, n] : days) {
        std::string key = day.substr(0, width);
        // Values known only to a coarser granularity stay at their own level.
        while (key.size() > 4 && key.substr(key.size() - 2) == "00") key.resize(key.size() - 2);
        buckets[key] += n;
    }
    for (const auto& [key, n] : buckets) {
        std::string v = key.substr(0, 4);
        if (key.size() >= 6) v += "-" + key.substr(4, 2);
        if (key.size() >= 8) v += "-" + key.substr(6, 2);
        out.push_back({v, n});
    }
    return out;
}

Facets FacetSpy::facets(std::size_t people_limit, bool exact) const {
    Facets f;
    f.exact = exact;
    for (const auto& [key, names] : people_) {
        std::size_t total = 0;
        const std::string* best = nullptr;
        std::size_t best_n = 0;
        for (const auto& [name, n] : names) {
            total += n;
            if (n > best_n || (n == best_n && best && name.size() > best->size())) { best = &name; best_n = n; }
        }
        if (best) f.people.push_back({*best, total});
    }
    std::sort(f.people.begin(), f.people.end(), [](const FacetCount& a, const FacetCount& b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    if (f.people.size() > people_limit) f.people.resize(people_limit);
    f.dates = date_histogram(dates_);
    f.mentioned = date_histogram(mentioned_);
    return f;
}

}  // namespace depeche
