#include "searcher/snippet.hpp"

#include "schema/schema.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace depeche {
namespace {

// Moves a byte offset back to the start of a UTF-8 character.
std::size_t char_start(const std::string& s, std::size_t i) {
    while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
}

bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Appends text[from, to) with every run of blanks (line breaks too) made one space.
void append_flat(std::string& out, const std::string& text, std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
        if (!is_blank(text[k]))
            out += text[k];
        else if (out.empty() || out.back() != ' ')
            out += ' ';
    }
}

}  // namespace

namespace {

// Groups of matchable words: each query word (with its forms), each exact word and each
// phrase is one group, so a window is scored by how many different query words it shows.
struct Groups {
    std::unordered_map<std::string, int> exact;  // exact form -> group
    std::unordered_map<std::string, int> stems;  // stem -> group
    std::vector<std::pair<const std::vector<std::string>*, int>> phrases;
    int count = 0;
};

Groups make_groups(const Highlights& h) {
    Groups g;
    for (const std::string& w : h.exact)
        if (g.exact.emplace(w, g.count).second) ++g.count;
    for (const auto& forms : h.forms) {
        int id = g.count++;
        for (const std::string& f : forms) g.exact.emplace(f, id);
    }
    for (const std::string& s : h.stems)
        if (g.stems.emplace(s, g.count).second) ++g.count;
    for (const auto& p : h.phrases)
        if (!p.empty()) g.phrases.emplace_back(&p, g.count++);
    return g;
}

// Average bytes per word (with its space) in French news text: turns a window in bytes
// into a window in word positions.
constexpr std::size_t kBytesPerWord = 6;

}  // namespace

namespace {
// Body word positions (analyser positions) of a word, appended to out in order.
using PositionLookup = std::function<void(const std::string& word, std::vector<std::uint32_t>& out)>;
SnippetRegion region_from(const PositionLookup& lookup, const StoredArticle& a, const Highlights& h,
                          std::size_t length);
}  // namespace

SnippetRegion snippet_region(const Xapian::Database& db, Xapian::docid did, const StoredArticle& a, const Highlights& h,
                             std::size_t length) {
    // Xapian positions are analyser positions + 1; title words share the body's terms
    // below kBodyFirstPos.
    return region_from(
        [&](const std::string& word, std::vector<std::uint32_t>& out) {
            const std::string term = std::string(schema::kBodyPrefix) + word;
            for (auto p = db.positionlist_begin(did, term); p != db.positionlist_end(did, term); ++p)
                if (*p > schema::kBodyFirstPos) out.push_back(*p - 1);
        },
        a, h, length);
}

SnippetRegion snippet_region(Analyzer& analyzer, const StoredArticle& a, const Highlights& h, std::size_t length) {
    if (a.marks.empty() || length == 0) return {};
    std::vector<Token> tokens;
    analyzer.analyze(a.text, tokens, schema::kBodyFirstPos);
    std::unordered_map<std::string, std::vector<std::uint32_t>> at;
    for (const Token& t : tokens) at[t.exact].push_back(t.pos);
    return region_from(
        [&](const std::string& word, std::vector<std::uint32_t>& out) {
            if (auto it = at.find(word); it != at.end()) out = it->second;
        },
        a, h, length);
}

namespace {
SnippetRegion region_from(const PositionLookup& lookup, const StoredArticle& a, const Highlights& h,
                          std::size_t length) {
    SnippetRegion r;
    if (a.marks.empty() || length == 0) return r;
    // Body word positions of each matchable word.
    constexpr std::size_t kMaxLookups = 64;
    std::size_t lookups = 0;
    std::unordered_map<std::string, std::vector<std::uint32_t>> positions;
    auto positions_of = [&](const std::string& word) -> const std::vector<std::uint32_t>& {
        auto [it, added] = positions.try_emplace(word);
        if (added && lookups++ < kMaxLookups) lookup(word, it->second);
        return it->second;
    };
    std::vector<std::pair<std::uint32_t, int>> events;  // (position, group)
    int group = 0;
    for (const std::string& w : h.exact) {
        for (std::uint32_t p : positions_of(w)) events.emplace_back(p, group);
        ++group;
    }
    for (const auto& forms : h.forms) {
        for (const std::string& f : forms)
            for (std::uint32_t p : positions_of(f)) events.emplace_back(p, group);
        ++group;
    }
    for (const auto& phrase : h.phrases) {
        if (phrase.empty()) continue;
        std::vector<const std::vector<std::uint32_t>*> lists;
        for (const std::string& w : phrase) lists.push_back(&positions_of(w));
        for (std::uint32_t p : *lists[0]) {
            bool all = true;
            for (std::size_t k = 1; k < lists.size() && all; ++k)
                all = std::binary_search(lists[k]->begin(), lists[k]->end(), p + static_cast<std::uint32_t>(k));
            if (all) events.emplace_back(p, group);
        }
        ++group;
    }

    // Word counts are clamped, so that absurd lengths cannot wrap the positions around.
    constexpr std::size_t kMaxWords = 1u << 30;
    auto words = [&](std::size_t n) { return static_cast<std::uint32_t>(std::min(n, kMaxWords)); };
    const std::size_t lead = length / 5;
    const std::uint32_t window = words(std::max<std::size_t>(4, (length - lead) / kBytesPerWord));
    const std::uint32_t lead_words = words(lead / kBytesPerWord + 1);
    std::uint32_t start = a.marks.front().first;
    bool found = !events.empty();
    if (found) {
        // Same scoring as make_snippet, in word positions: most distinct groups, then
        // most matches, earliest first.
        std::sort(events.begin(), events.end());
        std::vector<int> counts(static_cast<std::size_t>(group), 0);
        std::size_t distinct = 0, total = 0, j = 0, best = 0;
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (j < i) j = i;
            while (j < events.size() && events[j].first - events[i].first < window) {
                if (counts[static_cast<std::size_t>(events[j].second)]++ == 0) ++distinct;
                ++total;
                ++j;
            }
            std::size_t score = distinct * 1000 + total;
            if (score > best) {
                best = score;
                start = events[i].first;
            }
            if (--counts[static_cast<std::size_t>(events[i].second)] == 0) --distinct;
            --total;
        }
    }
    // From the last mark at or before the lead, to the first mark past the window even if
    // its words are short (4 bytes a word with its space). When the text ends before the
    // window does, the snippet takes more of what comes before: so does the region.
    const std::uint32_t reach = words(length / 4 + 1);
    const std::uint64_t words_after = std::uint64_t{a.marks.back().first} + kMarkEvery - start;
    const std::uint64_t back = std::uint64_t{lead_words} + (found && words_after < reach ? reach - words_after : 0);
    const std::uint32_t want_from = start > back ? static_cast<std::uint32_t>(start - back) : 0;
    const std::uint64_t want_to = std::uint64_t{found ? start : a.marks.front().first} + reach;
    std::size_t k = 0;
    while (k + 1 < a.marks.size() && a.marks[k + 1].first <= want_from) ++k;
    r.from = k == 0 ? 0 : a.marks[k].second;
    r.from_pos = a.marks[k].first;
    r.anchored = found;
    r.start_pos = start;
    std::size_t past = k;
    while (past < a.marks.size() && a.marks[past].first <= start) ++past;
    if (past < a.marks.size()) r.past_start = a.marks[past].second;
    while (k < a.marks.size() && a.marks[k].first < want_to) ++k;
    if (k < a.marks.size()) r.to = a.marks[k].second;
    return r;
}
}  // namespace

std::string make_snippet(Analyzer& analyzer, const std::string& text, const Highlights& h, std::size_t length,
                         const std::string& open, const std::string& close, SnippetRegion region) {
    if (length == 0 || text.empty()) return {};
    region.from = std::min(region.from, text.size());
    region.to = std::max(region.from, std::min(region.to, text.size()));
    const std::size_t lead = length / 5;
    std::vector<Token> tokens;
    // Analyses text[b, e) with word positions from `pos`, offsets made absolute.
    auto analyse = [&](std::size_t b, std::size_t e, std::uint32_t pos) {
        const std::size_t before = tokens.size();
        pos = analyzer.analyze(std::string_view(text).substr(b, e - b), tokens, pos);
        for (std::size_t i = before; i < tokens.size(); ++i) {
            tokens[i].begin += static_cast<std::uint32_t>(b);
            tokens[i].end += static_cast<std::uint32_t>(b);
        }
        return pos;
    };
    if (region.anchored) {
        // Up to the mark past the window's first word (marks are word starts, so each
        // part is analysed as in the whole text), then as far as a window starting at
        // that word can reach: length - lead bytes, to the end of the word there.
        const std::size_t head = std::max(region.from, std::min(region.past_start, region.to));
        const std::uint32_t next = analyse(region.from, head, region.from_pos);
        std::size_t anchor = head;
        for (const Token& t : tokens)
            if (t.pos >= region.start_pos) {
                anchor = t.begin;
                break;
            }
        std::size_t to = region.to;
        if (anchor < to && length - lead < to - anchor) {  // (no overflow for huge lengths)
            to = anchor + (length - lead);
            while (to < text.size() && !is_blank(text[to])) ++to;
            to = std::min(to, region.to);
        }
        if (to > head) analyse(head, to, next);
    } else {
        analyse(region.from, region.to, 0);
    }

    // Which tokens match: words by exact form (their indexed forms too) or stem, phrases
    // as sequences.
    const Groups groups = make_groups(h);
    std::vector<int> group(tokens.size(), -1);  // matched group per token
    std::vector<bool> phrase_group(static_cast<std::size_t>(groups.count), false);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (auto it = groups.exact.find(t.exact); it != groups.exact.end())
            group[i] = it->second;
        else if (auto st = groups.stems.find(t.stem); !t.stem.empty() && st != groups.stems.end())
            group[i] = st->second;
        else if (auto al = groups.stems.find(t.alt_stem); !t.alt_stem.empty() && al != groups.stems.end())
            group[i] = al->second;
    }
    for (const auto& [phrase, id] : groups.phrases) {
        phrase_group[static_cast<std::size_t>(id)] = true;
        for (std::size_t i = 0; i + phrase->size() <= tokens.size(); ++i) {
            bool ok = true;
            for (std::size_t k = 0; k < phrase->size() && ok; ++k) ok = tokens[i + k].exact == (*phrase)[k];
            if (!ok) continue;
            for (std::size_t k = 0; k < phrase->size(); ++k) group[i + k] = id;
        }
    }
    std::vector<std::string> ids(static_cast<std::size_t>(groups.count));
    for (std::size_t id = 0; id < ids.size(); ++id) ids[id].assign(1, phrase_group[id] ? '"' : '=');

    // Best window: it starts at a matched word and holds the most distinct matched
    // terms, then the most matches; the earliest wins ties. A fifth of the length is
    // kept for context before that first match.
    std::size_t best_begin = 0, best_score = 0;
    std::vector<int> counts(ids.size(), 0);
    std::size_t distinct = 0, total = 0, j = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (j < i) j = i;
        while (j < tokens.size() && tokens[j].end - tokens[i].begin <= length - lead) {
            if (group[j] >= 0) {
                if (counts[group[j]]++ == 0) ++distinct;
                ++total;
            }
            ++j;
        }
        std::size_t score = distinct * 1000 + total;
        if (group[i] >= 0 && score > best_score) {
            best_score = score;
            best_begin = tokens[i].begin;
        }
        if (j > i && group[i] >= 0) {
            if (--counts[group[i]] == 0) --distinct;
            --total;
        }
    }

    // Back up for context, to a word boundary.
    std::size_t begin = best_begin;
    if (best_score > 0 && begin > 0) {
        begin = char_start(text, begin - std::min(lead, begin));
        std::size_t k = begin;
        while (k < best_begin && !is_blank(text[k])) ++k;
        if (k < best_begin) begin = k + 1;
    }
    std::size_t end = length < text.size() - begin ? begin + length : text.size();
    if (end < text.size()) {
        std::size_t k = end;
        while (k > begin && !is_blank(text[k])) --k;
        end = k > begin ? k : char_start(text, end);
    } else if (best_score > 0 && begin > region.from && end - begin < length) {
        // The text ends within the snippet: fill it with more of what comes before (as
        // far back as was analysed, so that every match shown is highlighted).
        std::size_t b = std::max(region.from, end > length ? char_start(text, end - length) : 0);
        if (b > region.from && !is_blank(text[b - 1])) {
            while (b < begin && !is_blank(text[b])) ++b;
            if (b < begin) ++b;
        }
        begin = std::min(begin, b);
    }

    std::string out;
    if (begin > 0) out += "…";
    std::size_t cursor = begin;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.begin < begin || group[i] < 0) continue;
        if (t.end > end) break;
        // Join consecutive tokens of one phrase match into one highlighted span.
        std::size_t last = i;
        while (last + 1 < tokens.size() && group[last + 1] == group[i] && ids[group[i]][0] == '"' &&
               tokens[last + 1].end <= end)
            ++last;
        append_flat(out, text, cursor, t.begin);
        out += open;
        out.append(text, t.begin, tokens[last].end - t.begin);
        out += close;
        cursor = tokens[last].end;
        i = last;
    }
    append_flat(out, text, cursor, end);
    if (end < text.size()) out += "…";
    return out;
}

}  // namespace depeche
