// story_eval: pairwise precision and recall of story keys (indexer/story.hpp) against the
// duplicate groups of OrangeSum, and against versions made by editing real articles.
// Standalone program, not a unit test; figures in bench/README.md ("Stories").
//
// Build: cmake -S . -B build -DDEPECHE_BUILD_BENCH=ON && cmake --build build --target story_eval
// Run:   build/bench/story_eval [--corpus FILE.jsonl[.gz]] [--duplicates FILE] [--edits N]
//                               [--examples N] [--seed S]
// (defaults: the shared data's corpus/orangesum/articles.jsonl.gz and duplicates.txt, 2000 edits).
//
// Keys are assigned exactly as a fresh index assigns them (story::group over the
// signatures of the analysed bodies, build_document's analysis). "Pairwise": every pair of
// articles listed in one duplicates.txt group is a positive; every pair of articles given
// one key is a prediction. Precision = predicted pairs that are positives / predicted
// pairs; recall = positives predicted / positives.
//
// Edited versions: for N articles of at least 6 sentences, a copy with 1 to 3 sentences
// replaced (by sentences of another article), deleted or inserted (likewise) is added to
// the collection; recall = copies given the key of their original; a copy is a false
// merge when its story also holds an article that is neither its original nor in the
// original's story before the edit.
#include "indexer/story.hpp"
#include "schema/analyzer.hpp"
#include "schema/hash.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using json = nlohmann::json;
namespace story = depeche::story;

namespace {

struct Item {
    std::string id, title, body;
};

std::vector<Item> read_corpus(const std::string& path) {
    std::vector<Item> out;
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    FILE* f = gz ? popen(("gzip -dc '" + path + "'").c_str(), "r") : fopen(path.c_str(), "r");
    if (!f) {
        std::cerr << "story_eval: cannot read " << path << "\n";
        std::exit(2);
    }
    std::string line;
    char buf[1 << 16];
    while (fgets(buf, sizeof buf, f)) {
        line += buf;
        if (line.empty() || line.back() != '\n') continue;
        json j = json::parse(line, nullptr, false);
        line.clear();
        if (j.is_discarded()) continue;
        Item it;
        it.id = j.value("id", "");
        if (j.contains("title") && j["title"].is_string()) it.title = j["title"];
        if (j.contains("body") && j["body"].is_string()) it.body = j["body"];
        out.push_back(std::move(it));
    }
    if (gz)
        pclose(f);
    else
        fclose(f);
    return out;
}

// Groups of ids: "N.json" -> "orangesum-N".
std::vector<std::vector<std::string>> read_groups(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "story_eval: cannot read " << path << "\n";
        std::exit(2);
    }
    std::vector<std::vector<std::string>> out;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> g;
        std::stringstream ss(line);
        std::string name;
        while (std::getline(ss, name, ',')) {
            while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
            while (!name.empty() && name.front() == ' ') name.erase(0, 1);
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
            if (!name.empty()) g.push_back("orangesum-" + name);
        }
        if (g.size() > 1) out.push_back(std::move(g));
    }
    return out;
}

// Sentences: cut after . ! ? followed by a space or directly by an upper-case letter
// (the glued sentences of OrangeSum).
std::vector<std::string> sentences(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        const char c = text[i];
        if (c != '.' && c != '!' && c != '?') continue;
        const char n = text[i + 1];
        if (n == ' ' || (n >= 'A' && n <= 'Z')) {
            out.push_back(text.substr(start, i + 1 - start));
            start = i + 1;
            while (start < text.size() && text[start] == ' ') ++start;
            i = start;
        }
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += ' ';
        out += p;
    }
    return out;
}

using Pair = std::pair<std::size_t, std::size_t>;
Pair ordered(std::size_t a, std::size_t b) { return a < b ? Pair{a, b} : Pair{b, a}; }

}  // namespace

int main(int argc, char** argv) {
#ifndef DEPECHE_SHARED_DIR
#define DEPECHE_SHARED_DIR "../shared"
#endif
    std::string corpus = DEPECHE_SHARED_DIR "/corpus/orangesum/articles.jsonl.gz";
    std::string dups = DEPECHE_SHARED_DIR "/corpus/orangesum/duplicates.txt";
    std::size_t edits = 2000, examples = 10;
    unsigned seed = 17;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "story_eval: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--corpus")
            corpus = next();
        else if (a == "--duplicates")
            dups = next();
        else if (a == "--edits")
            edits = std::stoul(next());
        else if (a == "--examples")
            examples = std::stoul(next());
        else if (a == "--seed")
            seed = static_cast<unsigned>(std::stoul(next()));
        else {
            std::cerr << "story_eval: unknown option " << a << "\n";
            return 2;
        }
    }
    using Clock = std::chrono::steady_clock;
    std::vector<Item> items = read_corpus(corpus);
    const std::size_t n_real = items.size();
    const auto groups = read_groups(dups);
    std::unordered_map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < items.size(); ++i) index_of.emplace(items[i].id, i);

    // Edited copies.
    std::mt19937 rng(seed);
    std::vector<std::size_t> original;  // for items n_real.. : the index of their original
    std::vector<std::string> edit_kind;
    std::map<std::string, std::size_t> kinds;
    for (std::size_t tries = 0; original.size() < edits && tries < edits * 20; ++tries) {
        const std::size_t o = rng() % n_real;
        std::vector<std::string> s = sentences(items[o].body);
        if (s.size() < 6) continue;
        std::vector<std::string> donor = sentences(items[rng() % n_real].body);
        if (donor.size() < 3) continue;
        const int k = 1 + static_cast<int>(rng() % 3);
        const int op = static_cast<int>(rng() % 3);
        for (int e = 0; e < k; ++e) {
            const std::size_t at = rng() % s.size();
            const std::string& d = donor[rng() % donor.size()];
            if (op == 0)
                s[at] = d;
            else if (op == 1)
                s.erase(s.begin() + static_cast<long>(at));
            else
                s.insert(s.begin() + static_cast<long>(at), d);
        }
        Item copy{items[o].id + "-edited", items[o].title, join(s)};
        items.push_back(std::move(copy));
        original.push_back(o);
        const std::string kind = std::string(op == 0   ? "replace "
                                             : op == 1 ? "delete "
                                                       : "insert ") +
                                 std::to_string(k);
        edit_kind.push_back(kind);
        ++kinds[kind];
    }

    // Signatures, as build_document computes them.
    depeche::Analyzer analyzer;
    std::vector<story::Signature> sigs(items.size());
    std::vector<std::string> own(items.size());
    const auto t0 = Clock::now();
    std::vector<depeche::Token> tokens;
    for (std::size_t i = 0; i < items.size(); ++i) {
        tokens.clear();
        analyzer.analyze(analyzer.normalize(items[i].body), tokens, 1000);
        sigs[i] = story::signature(tokens);
        own[i] = story::own_key(items[i].id);
    }
    const double sig_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

    auto evaluate = [&](std::size_t count, bool print) {
        const auto t1 = Clock::now();
        std::vector<story::Signature> part(sigs.begin(), sigs.begin() + static_cast<long>(count));
        std::vector<std::string> part_own(own.begin(), own.begin() + static_cast<long>(count));
        std::vector<std::string> keys = story::group(part, part_own);
        const double group_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
        if (print)
            std::printf("signatures: %.1f s for %zu articles (%.0f us each); grouping: %.2f s\n", sig_seconds,
                        items.size(), 1e6 * sig_seconds / double(items.size()), group_seconds);
        return keys;
    };

    // 1. Real articles against duplicates.txt.
    std::vector<std::string> keys = evaluate(n_real, false);
    std::set<Pair> positives;
    std::vector<long> group_of(n_real, -1);
    std::size_t listed = 0, missing = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::vector<std::size_t> members;
        for (const auto& id : groups[g]) {
            auto it = index_of.find(id);
            if (it == index_of.end() || it->second >= n_real) {
                ++missing;
                continue;
            }
            members.push_back(it->second);
            group_of[it->second] = static_cast<long>(g);
        }
        listed += members.size();
        for (std::size_t x = 0; x < members.size(); ++x)
            for (std::size_t y = x + 1; y < members.size(); ++y) positives.insert(ordered(members[x], members[y]));
    }
    std::unordered_map<std::string, std::vector<std::size_t>> by_key;
    for (std::size_t i = 0; i < n_real; ++i) by_key[keys[i]].push_back(i);
    std::set<Pair> predicted;
    std::size_t stories = 0, grouped_articles = 0;
    for (const auto& [k, members] : by_key) {
        if (members.size() < 2) continue;
        ++stories;
        grouped_articles += members.size();
        for (std::size_t x = 0; x < members.size(); ++x)
            for (std::size_t y = x + 1; y < members.size(); ++y) predicted.insert(ordered(members[x], members[y]));
    }
    std::size_t tp = 0;
    for (const Pair& p : predicted) tp += positives.count(p);
    std::printf("duplicates.txt: %zu groups, %zu articles listed (%zu names not in the corpus), %zu positive pairs\n",
                groups.size(), listed, missing, positives.size());
    std::printf("story keys: %zu stories of 2+ articles holding %zu articles, %zu predicted pairs\n", stories,
                grouped_articles, predicted.size());
    std::printf("pairwise precision %.4f (%zu / %zu), recall %.4f (%zu / %zu)\n",
                predicted.empty() ? 1.0 : double(tp) / double(predicted.size()), tp, predicted.size(),
                positives.empty() ? 1.0 : double(tp) / double(positives.size()), tp, positives.size());
    // Break-down of the predicted pairs that are not listed: between two listed groups, or
    // with an article no group lists.
    std::size_t cross = 0, unlisted = 0;
    std::vector<Pair> extra;
    for (const Pair& p : predicted) {
        if (positives.count(p)) continue;
        if (group_of[p.first] >= 0 && group_of[p.second] >= 0)
            ++cross;
        else
            ++unlisted;
        extra.push_back(p);
    }
    std::printf("predicted pairs not listed: %zu between two listed groups, %zu with an unlisted article\n", cross,
                unlisted);
    // Resemblance of the bodies of positive, missed and unlisted predicted pairs: the two
    // listed groups of 55 and 83 daily round-ups ("Coronavirus: le point sur la pandémie
    // dans le monde", one per day, same title, different text) hold most positive pairs.
    auto histogram = [&](const char* what, const std::vector<Pair>& pairs) {
        std::size_t h[6] = {};
        for (const auto& [a, b] : pairs) {
            const double r = story::resemblance(sigs[a], sigs[b]);
            const bool identical = depeche::schema::fnv1a64(items[a].body) == depeche::schema::fnv1a64(items[b].body);
            ++h[identical ? 5 : r >= 0.9 ? 4 : r >= 0.5 ? 3 : r >= 0.2 ? 2 : r > 0.05 ? 1 : 0];
        }
        std::printf(
            "  %-28s %6zu pairs: identical bodies %zu, resemblance >=0.9 %zu, 0.5-0.9 %zu, 0.2-0.5 %zu, "
            "0.05-0.2 %zu, <=0.05 %zu\n",
            what, pairs.size(), h[5], h[4], h[3], h[2], h[1], h[0]);
    };
    std::vector<Pair> extra_listed, extra_unlisted;
    for (const Pair& p : extra)
        (group_of[p.first] >= 0 && group_of[p.second] >= 0 ? extra_listed : extra_unlisted).push_back(p);
    // Groups whose members are different texts under one title (round-ups): more than
    // 20 members.
    std::set<Pair> pos_small;
    for (const Pair& p : positives)
        if (groups[static_cast<std::size_t>(group_of[p.first])].size() <= 20) pos_small.insert(p);
    std::size_t tp_small = 0, pred_small = 0;
    for (const Pair& p : predicted) {
        const long g = group_of[p.first] >= 0 ? group_of[p.first] : group_of[p.second];
        if (g >= 0 && groups[static_cast<std::size_t>(g)].size() > 20) continue;  // pairs touching a round-up group
        ++pred_small;
        tp_small += pos_small.count(p);
    }
    std::printf("without the 2 groups of more than 20 articles: precision %.4f (%zu / %zu), recall %.4f (%zu / %zu)\n",
                pred_small ? double(tp_small) / double(pred_small) : 1.0, tp_small, pred_small,
                pos_small.empty() ? 1.0 : double(tp_small) / double(pos_small.size()), tp_small, pos_small.size());
    std::vector<Pair> pos_all(positives.begin(), positives.end()), pos_kept(pos_small.begin(), pos_small.end());
    std::printf("body resemblance of pairs:\n");
    histogram("listed pairs", pos_all);
    histogram("listed, groups <= 20", pos_kept);
    std::vector<Pair> missed_small;
    for (const Pair& p : pos_small)
        if (!predicted.count(p)) missed_small.push_back(p);
    histogram("missed, groups <= 20", missed_small);
    histogram("predicted, across 2 groups", extra_listed);
    histogram("predicted, unlisted article", extra_unlisted);
    std::vector<Pair> missed;
    for (const Pair& p : positives)
        if (!predicted.count(p)) missed.push_back(p);
    auto show = [&](const char* what, std::vector<Pair>& pairs) {
        std::shuffle(pairs.begin(), pairs.end(), rng);
        for (std::size_t i = 0; i < std::min(examples, pairs.size()); ++i) {
            const auto [a, b] = pairs[i];
            std::printf(
                "  %s %s / %s: resemblance %.2f containment %.2f shingles %u/%u\n    \"%.70s\"\n    \"%.70s\"\n", what,
                items[a].id.c_str(), items[b].id.c_str(), story::resemblance(sigs[a], sigs[b]),
                story::containment(sigs[a], sigs[b]), sigs[a].shingles, sigs[b].shingles, items[a].title.c_str(),
                items[b].title.c_str());
        }
    };
    show("extra", extra);
    show("missed", missed_small);

    // 2. Edited copies among the whole corpus.
    if (!original.empty()) {
        std::vector<std::string> all = evaluate(items.size(), true);
        std::unordered_map<std::string, std::vector<std::size_t>> members;
        for (std::size_t i = 0; i < items.size(); ++i) members[all[i]].push_back(i);
        std::map<std::string, std::pair<std::size_t, std::size_t>> per_kind;  // kind -> (found, total)
        std::size_t found = 0, false_merges = 0;
        for (std::size_t e = 0; e < original.size(); ++e) {
            const std::size_t c = n_real + e, o = original[e];
            const bool ok = all[c] == all[o];
            found += ok;
            auto& pk = per_kind[edit_kind[e]];
            pk.first += ok;
            ++pk.second;
            for (std::size_t m : members[all[c]])
                if (m < n_real && m != o && keys[m] != keys[o]) {
                    ++false_merges;
                    break;
                }
        }
        std::printf("edited copies: %zu, recall %.4f (%zu found with their original), %zu joined to another story\n",
                    original.size(), double(found) / double(original.size()), found, false_merges);
        for (const auto& [kind, fc] : per_kind)
            std::printf("  %-10s recall %.3f (%zu / %zu)\n", kind.c_str(), double(fc.first) / double(fc.second),
                        fc.first, fc.second);
    }
    return 0;
}
