#include "searcher/positions.hpp"

#include <algorithm>
#include <map>

namespace depeche {

bool positions_match(const std::vector<std::vector<Xapian::termpos>>& lists, bool ordered, Xapian::termcount window) {
    if (lists.empty()) return false;
    for (const auto& l : lists)
        if (l.empty()) return false;
    if (ordered) {
        // For each first position, the earliest position of each next word after the
        // previous one gives the shortest span starting there.
        for (Xapian::termpos first : lists[0]) {
            Xapian::termpos at = first;
            for (std::size_t i = 1; i < lists.size(); ++i) {
                auto it = std::upper_bound(lists[i].begin(), lists[i].end(), at);
                if (it == lists[i].end()) return false;  // no later start can do better
                at = *it;
            }
            if (at - first < window) return true;
        }
        return false;
    }
    // Any order: a window over all positions that holds every word (a word the query
    // names k times needs k distinct positions). Equal lists belong to the same word.
    std::vector<std::size_t> word(lists.size());
    std::vector<std::size_t> need;
    for (std::size_t i = 0; i < lists.size(); ++i) {
        std::size_t w = i;
        for (std::size_t j = 0; j < i; ++j)
            if (lists[j] == lists[i]) {
                w = word[j];
                break;
            }
        word[i] = w;
    }
    std::map<std::size_t, std::size_t> needed;
    for (std::size_t w : word) ++needed[w];
    std::vector<std::pair<Xapian::termpos, std::size_t>> events;  // (position, word)
    for (const auto& [w, n] : needed)
        for (Xapian::termpos p : lists[w]) events.emplace_back(p, w);
    std::sort(events.begin(), events.end());
    std::map<std::size_t, std::size_t> have;
    std::size_t satisfied = 0, j = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        while (j < events.size() && events[j].first - events[i].first < window) {
            if (++have[events[j].second] == needed[events[j].second]) ++satisfied;
            ++j;
        }
        if (satisfied == needed.size()) return true;
        if (have[events[i].second]-- == needed[events[i].second]) --satisfied;
    }
    return false;
}

}  // namespace depeche
