#include "searcher/range_phrase.hpp"

#include <algorithm>
#include <map>

namespace depeche {

bool positions_match(const std::vector<std::vector<Xapian::termpos>>& lists, bool ordered,
                     Xapian::termcount window) {
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
            if (lists[j] == lists[i]) { w = word[j]; break; }
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

RangePhraseSource::RangePhraseSource(std::vector<std::string> position_terms, std::vector<std::string> filter_terms,
                                     bool ordered, Xapian::termcount window, Xapian::termpos lo, Xapian::termpos hi)
    : position_terms_(std::move(position_terms)),
      filter_terms_(std::move(filter_terms)),
      ordered_(ordered),
      window_(window),
      lo_(lo),
      hi_(hi) {}

Xapian::PostingSource* RangePhraseSource::clone() const {
    return new RangePhraseSource(position_terms_, filter_terms_, ordered_, window_, lo_, hi_);
}

std::string RangePhraseSource::get_description() const {
    std::string d = "RangePhraseSource(";
    d += ordered_ ? "phrase" : "near";
    for (const auto& t : position_terms_) d += " " + t;
    d += " in " + std::to_string(lo_) + ".." + std::to_string(hi_) + ")";
    return d;
}

void RangePhraseSource::init(const Xapian::Database& db) {
    db_ = db;
    its_.clear();
    lists_.assign(position_terms_.size(), {});
    started_ = false;
    did_ = 0;
    at_end_ = position_terms_.empty() || filter_terms_.empty();
    std::vector<std::string> terms = filter_terms_;
    std::sort(terms.begin(), terms.end(), [&](const std::string& a, const std::string& b) {
        return db.get_termfreq(a) < db.get_termfreq(b);
    });
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    max_ = terms.empty() ? 0 : db.get_termfreq(terms[0]);
    est_ = max_ / 2;
    if (max_ == 0) at_end_ = true;
    if (at_end_) return;
    for (const auto& t : terms) its_.push_back(db.postlist_begin(t));
    end_ = db.postlist_end(terms[0]);
}

bool RangePhraseSource::candidate_matches(Xapian::docid did) {
    for (std::size_t i = 0; i < position_terms_.size(); ++i) {
        std::vector<Xapian::termpos>& l = lists_[i];
        l.clear();
        auto end = db_.positionlist_end(did, position_terms_[i]);
        auto p = db_.positionlist_begin(did, position_terms_[i]);
        if (p != end) p.skip_to(lo_);
        for (; p != end && *p <= hi_; ++p) l.push_back(*p);
        if (l.empty()) return false;
    }
    return positions_match(lists_, ordered_, window_);
}

void RangePhraseSource::settle(Xapian::docid from) {
    Xapian::docid want = from;
    while (true) {
        // Leapfrog: every filter iterator on the same document, at or after `want`.
        bool agreed = false;
        while (!agreed) {
            agreed = true;
            for (auto& it : its_) {
                it.skip_to(want);  // stays where it is when already there or past
                if (it == end_) { at_end_ = true; return; }
                if (*it > want) { want = *it; agreed = false; }
            }
        }
        if (candidate_matches(want)) { did_ = want; return; }
        ++want;
    }
}

void RangePhraseSource::next(double) {
    if (at_end_) return;
    settle(started_ ? did_ + 1 : 1);
    started_ = true;
}

void RangePhraseSource::skip_to(Xapian::docid did, double) {
    if (at_end_) return;
    if (started_ && did <= did_) return;
    settle(std::max<Xapian::docid>(did, 1));
    started_ = true;
}

}  // namespace depeche
