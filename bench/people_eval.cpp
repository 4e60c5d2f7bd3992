// people_eval: precision / recall / F1 of the people facet (depeche::PeopleExtractor) against
// gold person annotations. Standalone program, not a unit test; see bench/README-people.md.
//
// Build (from the repository root):
//   g++ -std=c++20 -O2 -I. -DDEPECHE_SOURCE_DIR='"'$PWD'"' -DDEPECHE_SHARED_DIR='"'$PWD/../shared'"'
//       indexer/people.cpp bench/people_eval.cpp $(pkg-config --cflags --libs icu-uc icu-i18n)
//       -o /tmp/people_eval
// Run:
//   /tmp/people_eval [--shared DIR] [--lexicon DIR] [--hunspell DIC|none] [--set NAME]...
//                    [--errors FILE] [--throughput [THREADS]]
//
// Sets (all read from the shared data folder at run time, never copied into the repository):
//   wikinews      corpus/wikinews-fr (1,191 articles, WiNER gold Person)   <- tuning set
//   sequoia-news  nlp/sequoia-ne, domain annodis.er (Est Républicain), all splits, one
//                 sentence = one document (held out)
//   sequoia-all   nlp/sequoia-ne, every domain (held out)
//   hipe2020 / letemps / newseye   nlp/hipe2022-fr test sets (held out, OCR)
//
// Document-level metric (the facet): per document, the set of distinct gold people (gold
// mentions grouped when one is a word-suffix of another: "Trump" joins "Donald Trump") against
// the set of extracted people. A prediction matches a gold person when its person_key equals
// the key of one of that person's mentions, or when one is a word-suffix of the other (a gold
// surname-only mention resolved to our full name, or our "M. Dupont" for a gold "Jean Dupont").
// Matching is one-to-one (exact matches first), so a person extracted twice counts once right
// and once wrong. Micro-averaged over documents.
// --throughput: also time extract() on every OrangeSum article (corpus/orangesum, 36k articles,
// read through `gzip -dc`) with THREADS threads sharing one extractor (default 2).
// Mention-level metric (for comparison with published NER figures): every attributed mention
// span against gold spans, strict (same boundaries) and fuzzy (overlap), micro-averaged.
#include "indexer/people.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using depeche::PeopleExtractor;
using depeche::person_key;
using json = nlohmann::json;

namespace {

struct GoldMention {
    std::size_t begin = 0, end = 0;  // byte offsets in text
    std::string key;
};

struct Doc {
    std::string id;
    std::string text;  // title + "\n\n" + body for articles
    std::vector<GoldMention> gold;
};

struct Counts {
    std::size_t docs = 0;
    std::size_t gold_people = 0, pred_people = 0, tp_pred = 0, tp_gold = 0;
    std::size_t gold_mentions = 0, pred_mentions = 0, strict_tp = 0, fuzzy_tp_pred = 0, fuzzy_tp_gold = 0;
    double seconds = 0;
};

std::vector<std::string> words_of(const std::string& key) {
    std::vector<std::string> out;
    std::istringstream in(key);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

bool word_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
    if (shorter.empty() || shorter.size() > longer.size()) return false;
    return std::equal(shorter.rbegin(), shorter.rend(), longer.rbegin());
}

// Character (code point) offsets -> byte offsets.
std::vector<std::size_t> cp_to_byte(const std::string& s) {
    std::vector<std::size_t> map;
    map.reserve(s.size() + 1);
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) map.push_back(i);
    map.push_back(s.size());
    return map;
}

bool readable(const std::string& path) { return static_cast<bool>(std::ifstream(path)); }

std::vector<Doc> load_wikinews(const std::string& dir) {
    std::vector<Doc> docs;
    std::map<std::string, std::size_t> by_id;
    std::ifstream arts(dir + "/articles.jsonl");
    std::string line;
    while (std::getline(arts, line)) {
        auto j = json::parse(line);
        Doc d;
        d.id = j["id"].get<std::string>();
        d.text = j["title"].get<std::string>() + "\n\n" + j["body"].get<std::string>();
        by_id[d.id] = docs.size();
        docs.push_back(std::move(d));
    }
    std::ifstream ents(dir + "/entities.jsonl");
    while (std::getline(ents, line)) {
        auto j = json::parse(line);
        auto it = by_id.find(j["id"].get<std::string>());
        if (it == by_id.end()) continue;
        Doc& d = docs[it->second];
        auto map = cp_to_byte(d.text);
        for (const auto& e : j["entities"]) {
            if (e["type"] != "Person") continue;
            std::size_t s = e["start"].get<std::size_t>(), t = e["end"].get<std::size_t>();
            if (t >= map.size() || s >= t) continue;
            GoldMention g{map[s], map[t], person_key(e["text"].get<std::string>())};
            if (!g.key.empty()) d.gold.push_back(g);
        }
    }
    return docs;
}

std::vector<Doc> load_sequoia(const std::string& dir, bool news_only) {
    std::vector<Doc> docs;
    for (const char* split : {"train", "dev", "test"}) {
        std::ifstream in(dir + "/sequoia-ne." + split + ".jsonl");
        std::string line;
        while (std::getline(in, line)) {
            auto j = json::parse(line);
            if (news_only && j["domain"] != "annodis.er") continue;
            Doc d;
            d.id = j["id"].get<std::string>();
            d.text = j["text"].get<std::string>();
            auto map = cp_to_byte(d.text);
            for (const auto& e : j["entities"]) {
                if (e["type"] != "PERS") continue;
                std::size_t s = e["start"].get<std::size_t>(), t = e["end"].get<std::size_t>();
                if (t >= map.size() || s >= t) continue;
                GoldMention g{map[s], map[t], person_key(e["text"].get<std::string>())};
                if (!g.key.empty()) d.gold.push_back(g);
            }
            docs.push_back(std::move(d));
        }
    }
    return docs;
}

// HIPE spans include titles and functions ("le sieur Jaques Charles Gicot", "M. X, maire de Y"):
// the key drops the comp.title / comp.function / comp.qualifier / comp.demonym parts, cuts at the
// first comma and drops leading lower-case words.
std::vector<Doc> load_hipe(const std::string& path) {
    std::vector<Doc> docs;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        auto j = json::parse(line);
        Doc d;
        d.id = j["id"].get<std::string>();
        d.text = j["text"].get<std::string>();
        auto map = cp_to_byte(d.text);
        std::vector<std::pair<std::size_t, std::size_t>> comps;
        for (const auto& e : j["entities"]) {
            std::string type = e["type"].get<std::string>();
            if (e["layer"] == "comp" && type != "comp.name")
                comps.emplace_back(e["start"].get<std::size_t>(), e["end"].get<std::size_t>());
        }
        for (const auto& e : j["entities"]) {
            std::string type = e["type"].get<std::string>();
            if (e["layer"] != "coarse" || (type != "pers" && type != "PER")) continue;
            std::size_t s = e["start"].get<std::size_t>(), t = e["end"].get<std::size_t>();
            if (t >= map.size() || s >= t) continue;
            // Rebuild the name without its component titles/functions.
            std::string name;
            for (std::size_t c = s; c < t; ++c) {
                bool in_comp = false;
                for (const auto& [cb, ce] : comps)
                    if (c >= cb && c < ce) in_comp = true;
                if (!in_comp)
                    name.append(d.text, map[c], map[c + 1] - map[c]);
                else if (name.empty() || name.back() != ' ')
                    name.push_back(' ');
            }
            name = name.substr(0, name.find(','));
            std::istringstream ws(name);
            std::string w, kept;
            bool started = false;
            while (ws >> w) {
                unsigned char c0 = static_cast<unsigned char>(w[0]);
                bool lower_start = c0 >= 'a' && c0 <= 'z';
                if (!started && lower_start) continue;
                started = true;
                if (!kept.empty()) kept.push_back(' ');
                kept += w;
            }
            GoldMention g{map[s], map[t], person_key(kept)};
            if (!g.key.empty()) d.gold.push_back(g);
        }
        docs.push_back(std::move(d));
    }
    return docs;
}

// Groups gold mentions into people: a mention joins a longer one it is a word-suffix of.
std::vector<std::vector<std::string>> gold_people(const std::vector<GoldMention>& gold) {
    std::vector<std::string> keys;
    for (const auto& g : gold)
        if (std::find(keys.begin(), keys.end(), g.key) == keys.end()) keys.push_back(g.key);
    std::stable_sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
        return words_of(a).size() > words_of(b).size();
    });
    std::vector<std::vector<std::string>> people;
    for (const auto& k : keys) {
        auto kw = words_of(k);
        bool joined = false;
        for (auto& p : people)
            if (word_suffix(kw, words_of(p.front()))) {
                p.push_back(k);
                joined = true;
                break;
            }
        if (!joined) people.push_back({k});
    }
    return people;
}

int match_kind(const std::string& pred, const std::vector<std::string>& person) {
    auto pw = words_of(pred);
    for (const auto& k : person)
        if (k == pred) return 2;
    for (const auto& k : person) {
        auto kw = words_of(k);
        if (word_suffix(kw, pw) || word_suffix(pw, kw)) return 1;
    }
    return 0;
}

}  // namespace

#ifndef DEPECHE_SHARED_DIR
#define DEPECHE_SHARED_DIR "../shared"
#endif
#ifndef DEPECHE_SOURCE_DIR
#define DEPECHE_SOURCE_DIR "."
#endif

int main(int argc, char** argv) {
    std::string shared = DEPECHE_SHARED_DIR;
    std::string lexicon = std::string(DEPECHE_SOURCE_DIR) + "/indexer/lexicon";
    std::string hunspell = "/usr/share/hunspell/fr_FR.dic";
    std::vector<std::string> only;
    std::string errors_path;
    int throughput_threads = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "missing value after " << a << "\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--shared")
            shared = value();
        else if (a == "--lexicon")
            lexicon = value();
        else if (a == "--hunspell")
            hunspell = value();
        else if (a == "--set")
            only.push_back(value());
        else if (a == "--errors")
            errors_path = value();
        else if (a == "--throughput") {
            throughput_threads = 2;
            if (i + 1 < argc && argv[i + 1][0] != '-') throughput_threads = std::max(1, std::atoi(argv[++i]));
        } else {
            std::cerr << "usage: people_eval [--shared DIR] [--lexicon DIR] [--hunspell DIC|none] [--set NAME]... "
                         "[--errors FILE] [--throughput [THREADS]]\n"
                         "sets: wikinews sequoia-news sequoia-all hipe2020 letemps newseye\n";
            return a == "--help" || a == "-h" ? 0 : 2;
        }
    }
    if (hunspell == "none") hunspell.clear();

    auto t0 = std::chrono::steady_clock::now();
    PeopleExtractor ex(lexicon, hunspell);
    double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("extractor loaded in %.2f s (lexicon %s, hunspell %s)\n", load_s, lexicon.c_str(),
                hunspell.empty() ? "none" : hunspell.c_str());

    struct SetDef {
        std::string name, path, reference;
        int kind;  // 0 wikinews, 1 sequoia news, 2 sequoia all, 3 hipe
    };
    const std::string hipe = shared + "/nlp/hipe2022-fr/jsonl/HIPE-2022-v2.1-";
    std::vector<SetDef> defs = {
        {"wikinews", shared + "/corpus/wikinews-fr", "target P>=0.90 R>=0.85 (doc level)", 0},
        {"sequoia-news", shared + "/nlp/sequoia-ne", "none published for this subset", 1},
        {"sequoia-all", shared + "/nlp/sequoia-ne", "none published (spaCy fr WikiNER PER F1 .87-.92)", 2},
        {"hipe2020", hipe + "hipe2020-test-fr.jsonl", "best PERS strict .757 fuzzy .916 (mention level)", 3},
        {"letemps", hipe + "letemps-test-fr.jsonl", "baseline PERS strict .667 fuzzy .730 (mention level)", 3},
        {"newseye", hipe + "newseye-test-fr.jsonl", "baseline PER strict .764 fuzzy .877 (mention level)", 3},
    };

    std::ofstream errors;
    if (!errors_path.empty()) errors.open(errors_path);

    std::printf("\n%-13s %5s %6s %6s | %5s %5s %5s | %5s %5s %5s %5s | %s\n", "set", "docs", "gold", "pred", "P", "R",
                "F1", "mP", "mR", "mF1", "mF1s", "reference");
    std::printf("%-13s %5s %6s %6s | %17s | %23s |\n", "", "", "people", "people", "document level (facet)",
                "mentions fuzzy / strict");
    int ran = 0;
    for (const auto& def : defs) {
        if (!only.empty() && std::find(only.begin(), only.end(), def.name) == only.end()) continue;
        if (!readable(def.kind == 0   ? def.path + "/articles.jsonl"
                      : def.kind <= 2 ? def.path + "/sequoia-ne.test.jsonl"
                                      : def.path)) {
            std::printf("%-13s skipped: %s not found\n", def.name.c_str(), def.path.c_str());
            continue;
        }
        std::vector<Doc> docs = def.kind == 0   ? load_wikinews(def.path)
                                : def.kind == 1 ? load_sequoia(def.path, true)
                                : def.kind == 2 ? load_sequoia(def.path, false)
                                                : load_hipe(def.path);
        Counts c;
        auto start = std::chrono::steady_clock::now();
        for (const auto& d : docs) {
            auto a = ex.analyse(d.text);
            ++c.docs;
            // Document level.
            auto gold = gold_people(d.gold);
            std::vector<std::string> pred;
            for (const auto& p : a.people) pred.push_back(person_key(p));
            c.gold_people += gold.size();
            c.pred_people += pred.size();
            std::vector<bool> gold_used(gold.size(), false), pred_used(pred.size(), false);
            for (int pass = 2; pass >= 1; --pass)
                for (std::size_t p = 0; p < pred.size(); ++p) {
                    if (pred_used[p]) continue;
                    for (std::size_t g = 0; g < gold.size(); ++g)
                        if (!gold_used[g] && match_kind(pred[p], gold[g]) >= pass) {
                            gold_used[g] = pred_used[p] = true;
                            break;
                        }
                }
            std::size_t tp = static_cast<std::size_t>(std::count(pred_used.begin(), pred_used.end(), true));
            c.tp_pred += tp;
            c.tp_gold += tp;
            if (errors && def.kind == 0) {
                bool any = std::count(pred_used.begin(), pred_used.end(), false) ||
                           std::count(gold_used.begin(), gold_used.end(), false);
                if (any) {
                    errors << "== " << d.id << "\n";
                    for (std::size_t p = 0; p < pred.size(); ++p)
                        if (!pred_used[p]) errors << "FP\t" << a.people[p] << "\n";
                    for (std::size_t g = 0; g < gold.size(); ++g)
                        if (!gold_used[g]) {
                            errors << "FN\t" << gold[g].front();
                            // context of the first mention
                            for (const auto& m : d.gold)
                                if (m.key == gold[g].front()) {
                                    std::size_t b = m.begin > 60 ? m.begin - 60 : 0;
                                    std::string ctx = d.text.substr(b, m.end + 40 - b);
                                    std::replace(ctx.begin(), ctx.end(), '\n', ' ');
                                    errors << "\t..." << ctx << "...";
                                    break;
                                }
                            errors << "\n";
                        }
                }
            }
            // Mention level.
            c.gold_mentions += d.gold.size();
            c.pred_mentions += a.mentions.size();
            for (const auto& m : a.mentions) {
                bool strict = false, fuzzy = false;
                for (const auto& g : d.gold) {
                    if (m.begin < g.end && g.begin < m.end) fuzzy = true;
                    if (m.begin == g.begin && m.end == g.end) strict = true;
                }
                c.strict_tp += strict;
                c.fuzzy_tp_pred += fuzzy;
            }
            for (const auto& g : d.gold) {
                bool fuzzy = false;
                for (const auto& m : a.mentions)
                    if (m.begin < g.end && g.begin < m.end) fuzzy = true;
                c.fuzzy_tp_gold += fuzzy;
            }
        }
        c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        auto ratio = [](std::size_t a, std::size_t b) {
            return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
        };
        auto f1 = [](double p, double r) { return p + r == 0 ? 0.0 : 2 * p * r / (p + r); };
        double P = ratio(c.tp_pred, c.pred_people), R = ratio(c.tp_gold, c.gold_people);
        double mP = ratio(c.fuzzy_tp_pred, c.pred_mentions), mR = ratio(c.fuzzy_tp_gold, c.gold_mentions);
        double sP = ratio(c.strict_tp, c.pred_mentions), sR = ratio(c.strict_tp, c.gold_mentions);
        std::printf("%-13s %5zu %6zu %6zu | %.3f %.3f %.3f | %.3f %.3f %.3f %.3f | %s\n", def.name.c_str(), c.docs,
                    c.gold_people, c.pred_people, P, R, f1(P, R), mP, mR, f1(mP, mR), f1(sP, sR),
                    def.reference.c_str());
        std::fflush(stdout);
        ++ran;
    }
    if (throughput_threads > 0) {
        const std::string gz = shared + "/corpus/orangesum/articles.jsonl.gz";
        std::vector<std::pair<std::string, std::string>> articles;
        if (FILE* f = readable(gz) ? popen(("gzip -dc '" + gz + "'").c_str(), "r") : nullptr) {
            std::string line;
            char buf[65536];
            while (std::fgets(buf, sizeof buf, f)) {
                line += buf;
                if (line.empty() || line.back() != '\n') continue;
                auto j = json::parse(line, nullptr, false);
                line.clear();
                if (j.is_discarded()) continue;
                auto str = [&](const char* k) {
                    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
                };
                articles.emplace_back(str("title"), str("body"));
            }
            pclose(f);
        }
        if (articles.empty()) {
            std::printf("throughput   skipped: %s not found\n", gz.c_str());
        } else {
            std::size_t bytes = 0, found = 0;
            for (const auto& a : articles) bytes += a.first.size() + a.second.size();
            std::vector<std::size_t> per_thread(static_cast<std::size_t>(throughput_threads), 0);
            auto ts = std::chrono::steady_clock::now();
            std::clock_t cpu0 = std::clock();
            std::vector<std::thread> pool;
            for (int t = 0; t < throughput_threads; ++t)
                pool.emplace_back([&, t] {
                    for (std::size_t k = static_cast<std::size_t>(t); k < articles.size();
                         k += static_cast<std::size_t>(throughput_threads))
                        per_thread[static_cast<std::size_t>(t)] +=
                            ex.extract(articles[k].first, articles[k].second).size();
                });
            for (auto& th : pool) th.join();
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
            double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
            for (auto n : per_thread) found += n;
            std::printf(
                "throughput   orangesum: %zu articles, %.1f MB, %d thread(s): %.2f s wall, %.2f s CPU, "
                "%.0f articles/s, %.1f MB/s, %.2f people per article\n",
                articles.size(), static_cast<double>(bytes) / 1e6, throughput_threads, secs, cpu,
                static_cast<double>(articles.size()) / secs, static_cast<double>(bytes) / 1e6 / secs,
                static_cast<double>(found) / static_cast<double>(articles.size()));
            ++ran;
        }
    }
    std::printf(
        "\nP/R/F1: document level, distinct people per document (the facet). mP/mR/mF1: mention level,\n"
        "fuzzy (overlapping spans); mF1s: mention level, strict (same spans; our spans exclude honorifics,\n"
        "HIPE spans include them). Reference figures are published mention-level scores of neural systems.\n");
    return ran > 0 ? 0 : 1;
}
