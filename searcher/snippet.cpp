#include "searcher/snippet.hpp"

#include <algorithm>
#include <set>
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
        if (!is_blank(text[k])) out += text[k];
        else if (out.empty() || out.back() != ' ') out += ' ';
    }
}

}  // namespace

std::string make_snippet(Analyzer& analyzer, const std::string& text, const Highlights& h,
                         std::size_t length, const std::string& open, const std::string& close) {
    if (length == 0 || text.empty()) return {};
    std::vector<Token> tokens;
    analyzer.analyze(text, tokens);

    // Which tokens match: single words by exact form or stem, phrases as sequences.
    std::unordered_set<std::string> exact(h.exact.begin(), h.exact.end());
    std::unordered_set<std::string> stems(h.stems.begin(), h.stems.end());
    std::vector<int> group(tokens.size(), -1);  // matched term id per token
    std::vector<std::string> ids;
    auto id_of = [&ids](const std::string& key) {
        auto it = std::find(ids.begin(), ids.end(), key);
        if (it != ids.end()) return static_cast<int>(it - ids.begin());
        ids.push_back(key);
        return static_cast<int>(ids.size() - 1);
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (exact.count(t.exact)) group[i] = id_of("=" + t.exact);
        else if (!t.stem.empty() && stems.count(t.stem)) group[i] = id_of("~" + t.stem);
        else if (!t.alt_stem.empty() && stems.count(t.alt_stem)) group[i] = id_of("~" + t.alt_stem);
    }
    for (const auto& phrase : h.phrases) {
        if (phrase.empty()) continue;
        int id = -1;
        for (std::size_t i = 0; i + phrase.size() <= tokens.size(); ++i) {
            bool ok = true;
            for (std::size_t k = 0; k < phrase.size() && ok; ++k) ok = tokens[i + k].exact == phrase[k];
            if (!ok) continue;
            if (id < 0) id = id_of("\"" + phrase[0]);
            for (std::size_t k = 0; k < phrase.size(); ++k) group[i + k] = id;
        }
    }

    // Best window: it starts at a matched word and holds the most distinct matched
    // terms, then the most matches; the earliest wins ties. A fifth of the length is
    // kept for context before that first match.
    const std::size_t lead = length / 5;
    std::size_t best_begin = 0, best_score = 0;
    std::vector<int> counts(ids.size(), 0);
    std::size_t distinct = 0, total = 0, j = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (j < i) j = i;
        while (j < tokens.size() && tokens[j].end - tokens[i].begin <= length - lead) {
            if (group[j] >= 0) { if (counts[group[j]]++ == 0) ++distinct; ++total; }
            ++j;
        }
        std::size_t score = distinct * 1000 + total;
        if (group[i] >= 0 && score > best_score) { best_score = score; best_begin = tokens[i].begin; }
        if (j > i && group[i] >= 0) { if (--counts[group[i]] == 0) --distinct; --total; }
    }

    // Back up for context, to a word boundary.
    std::size_t begin = best_begin;
    if (best_score > 0 && begin > 0) {
        begin = char_start(text, begin - std::min(lead, begin));
        std::size_t k = begin;
        while (k < best_begin && !is_blank(text[k])) ++k;
        if (k < best_begin) begin = k + 1;
    }
    std::size_t end = std::min(text.size(), begin + length);
    if (end < text.size()) {
        std::size_t k = end;
        while (k > begin && !is_blank(text[k])) --k;
        end = k > begin ? k : char_start(text, end);
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
