#include "searcher/suggest.hpp"

#include "schema/schema.hpp"
#include "schema/terms.hpp"
#include "searcher/query_parser.hpp"

#include <algorithm>
#include <cctype>

namespace depeche {

bool within_one_edit(std::string_view a, std::string_view b) {
    if (a.size() > b.size()) std::swap(a, b);
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (i == a.size()) return b.size() - a.size() <= 1;
    if (a.size() == b.size()) {
        if (a.substr(i + 1) == b.substr(i + 1)) return true;
        return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
    }
    return b.size() - a.size() == 1 && a.substr(i) == b.substr(i + 1);
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max) {
    if (max == 1) return within_one_edit(a, b) ? (a == b ? 0 : 1) : 2;
    const std::size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > max) return max + 1;
    // Three rows of the optimal-string-alignment table: two back (transpositions), one
    // back and the current one.
    std::vector<std::size_t> before(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        std::size_t row_min = cur[0];
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, before[j - 2] + 1);
            cur[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > max) return max + 1;
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return std::min(prev[m], max + 1);
}

std::optional<std::string> closest_indexed_word(const Xapian::Database& db, const std::string& folded,
                                                bool from_forms_table) {
    if (folded.size() < 3) return std::nullopt;
    const std::size_t max = folded.size() <= 5 ? 1 : 2;
    const Xapian::doccount own = db.get_termfreq(folded);
    const Xapian::doccount needed = std::max<Xapian::doccount>(2, own * 3 + 1);
    // Candidates: the indexed words, stopwords and numbers aside, that start with the
    // word's first letter, with its second (a letter too many in front) or with a silent
    // h ("Ollande" -> "Hollande"), of a length within reach. Unprefixed terms (title and
    // body words) are lower case; prefixed ones start with a capital, so a letter's range
    // holds only words. With remote shards they are read from the forms table (every
    // exact form of a stemmed word: the same words, kept in the local lexicon) rather
    // than from every shard's terms. (Xapian 1.4 leaks a cursor when a commit interrupts
    // the opening of a metadata key list, so one database, written while it is read,
    // keeps to its terms.) Then the closest, the most frequent on a tie, the first in
    // byte order on a tie of both.
    std::vector<std::string> candidates;
    auto consider = [&](std::string_view word, std::string_view start) {
        if (word.size() + max < folded.size() || word.size() > folded.size() + max) return;
        if (word.substr(0, start.size()) != start || word == folded || Analyzer::is_stopword(word)) return;
        if (word.find_first_not_of("0123456789") == std::string_view::npos) return;
        candidates.emplace_back(word);
    };
    const std::string ranges[3] = {folded.substr(0, 1), folded.substr(1, 1), "h"};
    for (int r = 0; r < 3; ++r) {
        if ((r == 1 && ranges[1] == ranges[0]) || (r == 2 && (ranges[2] == ranges[0] || ranges[2] == ranges[1])))
            continue;
        const std::string& start = ranges[r];
        if (from_forms_table) {
            const std::string key = std::string(schema::kFormsKey) + start;
            for (auto it = db.metadata_keys_begin(key); it != db.metadata_keys_end(key); ++it)
                for_each_item(db.get_metadata(*it), [&](std::string_view form) { consider(form, start); });
        } else {
            for (auto it = db.allterms_begin(start); it != db.allterms_end(start); ++it) consider(*it, start);
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::optional<std::string> best;
    std::size_t best_distance = max + 1;
    Xapian::doccount best_freq = 0;
    for (const std::string& term : candidates) {
        const std::size_t d = edit_distance(folded, term, std::min(max, best_distance));
        if (d > max || d > best_distance) continue;
        const Xapian::doccount freq = db.get_termfreq(term);
        if (freq < needed) continue;
        if (d < best_distance || (d == best_distance && freq > best_freq)) {
            best = term;
            best_distance = d;
            best_freq = freq;
        }
    }
    return best;
}

namespace {

// Plain words of the query a suggestion may replace: not in a phrase, a field or an
// exclusion, not wildcards.
void plain_words(const Node& n, std::vector<const Node*>& out) {
    switch (n.type) {
        case Node::Type::Word: out.push_back(&n); return;
        case Node::Type::And:
        case Node::Type::Or:
        case Node::Type::Near:
        case Node::Type::Required:
            for (const auto& k : n.kids) plain_words(*k, out);
            return;
        default: return;
    }
}

// The word as the articles write it: the form of `folded` in the first article holding
// it (with its accents and capitals), lower-cased when the query word was.
std::string written_form(const SuggestSources& src, const std::string& folded, std::string_view query_word) {
    std::string form = folded;
    // The newest article holding the word (then by id: the rank slot), not the first by
    // document id, which depends on how the index is laid out (shards interleave ids).
    Xapian::Enquire first(src.db);
    first.set_query(Xapian::Query(folded));
    first.set_weighting_scheme(Xapian::BoolWeight());
    first.set_sort_by_value(schema::kSlotRank, false);
    const Xapian::MSet holder = src.text_of ? first.get_mset(0, 1) : Xapian::MSet();
    if (!holder.empty()) {
        const std::string text = src.text_of(*holder.begin());
        std::string normalized = src.analyzer.normalize(text);
        std::vector<Token> tokens;
        src.analyzer.analyze(normalized, tokens);
        for (const Token& t : tokens)
            if (t.exact == folded) {
                form = normalized.substr(t.begin, t.end - t.begin);
                break;
            }
    }
    const bool capital = !query_word.empty() && std::isupper(static_cast<unsigned char>(query_word[0]));
    if (!capital && !form.empty() && std::isupper(static_cast<unsigned char>(form[0])))
        form[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(form[0])));
    if (capital && !form.empty() && std::islower(static_cast<unsigned char>(form[0])))
        form[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(form[0])));
    return form;
}

}  // namespace

std::string suggest(const std::string& query, std::size_t found, const SuggestSources& src) {
    std::unique_ptr<Node> tree = parse_syntax(query);
    std::vector<const Node*> words;
    plain_words(*tree, words);
    // Replacements, by byte range in the query, in query order.
    struct Change {
        std::size_t begin, end;
        std::string text;
    };
    std::vector<Change> changes;
    for (const Node* w : words) {
        std::vector<Token> tokens = src.analyzer.tokens(w->text);
        if (tokens.size() != 1 || tokens[0].stop || tokens[0].number) continue;
        const std::string& folded = tokens[0].exact;
        std::optional<std::string> replacement;
        if (src.person_form) replacement = src.person_form(w->text);
        if (replacement && src.analyzer.fold(*replacement) == folded) replacement.reset();
        if (!replacement)
            if (std::optional<std::string> near = closest_indexed_word(src.db, folded, src.from_forms_table))
                replacement = written_form(src, *near, w->text);
        if (replacement) changes.push_back({w->pos, w->pos + w->text.size(), *replacement});
        if (changes.size() >= 8) break;
    }
    if (changes.empty()) return {};
    std::string out;
    std::size_t at = 0;
    for (const Change& c : changes) {
        out.append(query, at, c.begin - at);
        out += c.text;
        at = c.end;
    }
    out.append(query, at, std::string::npos);
    if (src.count && src.count(out) <= found) return {};
    return out;
}

}  // namespace depeche
