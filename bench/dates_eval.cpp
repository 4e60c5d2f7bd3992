// Evaluates depeche::extract_dates() against French TimeBank 1.1 (and, as a
// secondary check, the WiNER gold "Date" spans of French Wikinews), and
// measures its throughput. Standalone program; see bench/README-dates.md.
//
//   dates_eval [--shared DIR] [--verbose | --verbose-winer] [--reps N]
//
// --verbose prints the TimeBank errors, --verbose-winer the WiNER ones.
//
// DIR defaults to DEPECHE_SHARED_DIR (the build's ../shared).
#include "indexer/dates.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#ifndef DEPECHE_SHARED_DIR
#define DEPECHE_SHARED_DIR "../shared"
#endif

namespace {

using depeche::MentionedDate;

struct Span {
    std::size_t b = 0, e = 0;  // code point offsets
    std::string value;         // gold TIMEX3 value, or our ISO value
    std::string type;          // gold TIMEX3 type
    std::string text;
};

// Code point index of every byte offset of a UTF-8 string (size + 1 entries).
std::vector<std::size_t> cp_index(const std::string& s) {
    std::vector<std::size_t> idx(s.size() + 1);
    std::size_t cp = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        idx[i] = cp;  // code points wholly before byte i
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++cp;
    }
    idx[s.size()] = cp;
    return idx;
}

struct Counts {
    long gold = 0, pred = 0, strict = 0, relaxed = 0, value = 0;
};

double f1(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0; }

void print_row(const char* name, const Counts& c) {
    auto pr = [&](long ok, const char* what) {
        const double p = c.pred ? 100.0 * ok / c.pred : 0, r = c.gold ? 100.0 * ok / c.gold : 0;
        std::printf("  %-34s %-8s P %6.2f  R %6.2f  F1 %6.2f   (%ld ok)\n", name, what, p, r, f1(p, r), ok);
    };
    std::printf("%s: %ld gold, %ld predicted\n", name, c.gold, c.pred);
    pr(c.strict, "strict");
    pr(c.relaxed, "relaxed");
    pr(c.value, "value");
}

bool overlaps(const Span& a, const Span& b) { return a.b < b.e && b.b < a.e; }

// One-to-one matching; returns for each gold the index of its predicted span or -1.
// Exact matches first, then the remaining overlaps in text order.
std::vector<int> match(const std::vector<Span>& gold, const std::vector<Span>& pred, bool exact_only) {
    std::vector<int> g2p(gold.size(), -1);
    std::vector<bool> used(pred.size(), false);
    for (std::size_t g = 0; g < gold.size(); ++g)
        for (std::size_t p = 0; p < pred.size(); ++p)
            if (!used[p] && pred[p].b == gold[g].b && pred[p].e == gold[g].e) {
                g2p[g] = static_cast<int>(p);
                used[p] = true;
                break;
            }
    if (exact_only) return g2p;
    for (std::size_t g = 0; g < gold.size(); ++g) {
        if (g2p[g] >= 0) continue;
        for (std::size_t p = 0; p < pred.size(); ++p)
            if (!used[p] && overlaps(gold[g], pred[p])) {
                g2p[g] = static_cast<int>(p);
                used[p] = true;
                break;
            }
    }
    return g2p;
}

// The date part of a calendar TIMEX3 value ("1999-05-20TEV" -> "1999-05-20"),
// or "" when the value is not a plain calendar date (durations, weeks, seasons,
// decades, PRESENT_REF, XXXX-...).
std::string calendar_part(const std::string& v) {
    auto digits = [&](std::size_t from, std::size_t n) {
        if (v.size() < from + n) return false;
        for (std::size_t i = from; i < from + n; ++i)
            if (v[i] < '0' || v[i] > '9') return false;
        return true;
    };
    if (!digits(0, 4)) return "";
    std::size_t len = 4;
    if (v.size() > 4) {
        if (v[4] != '-' || !digits(5, 2)) return "";
        len = 7;
        if (v.size() > 7) {
            if (v[7] != '-' || !digits(8, 2)) return "";
            len = 10;
            if (v.size() > 10 && v[10] != 'T') return "";
        }
    }
    return v.substr(0, len);
}

void add(Counts& c, const std::vector<Span>& gold, const std::vector<Span>& pred, bool value_by_date_part) {
    c.gold += static_cast<long>(gold.size());
    c.pred += static_cast<long>(pred.size());
    for (int p : match(gold, pred, true))
        if (p >= 0) ++c.strict;
    const auto g2p = match(gold, pred, false);
    for (std::size_t g = 0; g < gold.size(); ++g) {
        if (g2p[g] < 0) continue;
        ++c.relaxed;
        const std::string gv = value_by_date_part ? calendar_part(gold[g].value) : gold[g].value;
        if (gv == pred[static_cast<std::size_t>(g2p[g])].value) ++c.value;
    }
}

std::vector<Span> predict(const std::string& text, const std::optional<depeche::DateTime>& pub,
                          const std::vector<std::size_t>& idx) {
    std::vector<Span> out;
    for (const MentionedDate& m : depeche::extract_dates(text, pub)) {
        Span s;
        s.b = idx[m.begin];
        s.e = idx[m.end];
        s.value = depeche::iso_string(m);
        s.text = text.substr(m.begin, m.end - m.begin);
        out.push_back(std::move(s));
    }
    return out;
}

std::string context(const std::string& text, const std::vector<std::size_t>& idx, const Span& s) {
    // byte range of the code point span, plus some context
    std::size_t b = 0, e = text.size();
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (idx[i] == s.b && (i == 0 || idx[i - 1] != s.b)) b = i;
        if (idx[i] == s.e && (i == 0 || idx[i - 1] != s.e)) {
            e = i;
            break;
        }
    }
    std::size_t cb = b > 50 ? b - 50 : 0;
    while (cb > 0 && (static_cast<unsigned char>(text[cb]) & 0xC0) == 0x80) --cb;
    std::size_t ce = std::min(text.size(), e + 30);
    while (ce < text.size() && (static_cast<unsigned char>(text[ce]) & 0xC0) == 0x80) ++ce;
    std::string out = text.substr(cb, b - cb) + "[" + text.substr(b, e - b) + "]" + text.substr(e, ce - e);
    for (char& c : out)
        if (c == '\n') c = ' ';
    return out;
}

int timebank(const std::string& shared, bool verbose) {
    const std::string path = shared + "/nlp/fr-timebank/fr_timebank_timex.jsonl";
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 1;
    }
    Counts all, scope, date_type;
    std::map<std::string, std::pair<long, long>> by_type;  // type -> (gold, relaxed found)
    std::string line;
    int docs = 0;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        ++docs;
        const std::string text = j["text"].get<std::string>();
        const auto pub = depeche::parse_date(j["dct"].get<std::string>());
        const auto idx = cp_index(text);
        std::vector<Span> gold;
        for (const auto& t : j["timex3"]) {
            Span s;
            s.b = t["start"].get<std::size_t>();
            s.e = t["end"].get<std::size_t>();
            s.value = t["value"].get<std::string>();
            s.type = t["type"].get<std::string>();
            s.text = t["text"].get<std::string>();
            gold.push_back(std::move(s));
        }
        const std::vector<Span> pred = predict(text, pub, idx);

        // A. every in-text TIMEX3 (DATE, TIME, DURATION, SET)
        add(all, gold, pred, false);
        {
            const auto g2p = match(gold, pred, false);
            for (std::size_t g = 0; g < gold.size(); ++g) {
                auto& bt = by_type[gold[g].type];
                ++bt.first;
                if (g2p[g] >= 0) ++bt.second;
            }
        }
        // B. calendar dates only: gold whose value is YYYY, YYYY-MM or YYYY-MM-DD[T...];
        //    predictions overlapping an out-of-scope gold TIMEX3 are left out.
        std::vector<Span> gold_in, gold_out, pred_in;
        for (const auto& g : gold) (calendar_part(g.value).empty() ? gold_out : gold_in).push_back(g);
        for (const auto& p : pred) {
            bool ignored = false;
            for (const auto& g : gold_out) ignored = ignored || overlaps(g, p);
            bool hits_in = false;
            for (const auto& g : gold_in) hits_in = hits_in || overlaps(g, p);
            if (!ignored || hits_in) pred_in.push_back(p);
        }
        add(scope, gold_in, pred_in, true);
        // C. TIMEX3 of type DATE only, same rule for predictions
        std::vector<Span> gold_date, gold_other, pred_date;
        for (const auto& g : gold) (g.type == "DATE" ? gold_date : gold_other).push_back(g);
        for (const auto& p : pred) {
            bool ignored = false, hits = false;
            for (const auto& g : gold_other) ignored = ignored || overlaps(g, p);
            for (const auto& g : gold_date) hits = hits || overlaps(g, p);
            if (!ignored || hits) pred_date.push_back(p);
        }
        add(date_type, gold_date, pred_date, false);

        if (verbose) {
            const auto g2p = match(gold_in, pred_in, false);
            std::vector<bool> used(pred_in.size(), false);
            for (std::size_t g = 0; g < gold_in.size(); ++g) {
                const std::string dct = j["dct"].get<std::string>();
                if (g2p[g] < 0) {
                    std::printf("MISS  %s %-10s %-12s %s\n", dct.c_str(), gold_in[g].type.c_str(),
                                gold_in[g].value.c_str(), context(text, idx, gold_in[g]).c_str());
                    continue;
                }
                const Span& p = pred_in[static_cast<std::size_t>(g2p[g])];
                used[static_cast<std::size_t>(g2p[g])] = true;
                const bool span_ok = p.b == gold_in[g].b && p.e == gold_in[g].e;
                const bool val_ok = p.value == calendar_part(gold_in[g].value);
                if (!span_ok || !val_ok)
                    std::printf("%s %s gold %-12s ours %-12s gold [%s] ours [%s]  %s\n", span_ok ? "    " : "SPAN",
                                val_ok ? "     " : "VALUE", gold_in[g].value.c_str(), p.value.c_str(),
                                gold_in[g].text.c_str(), p.text.c_str(), context(text, idx, gold_in[g]).c_str());
            }
            for (std::size_t p = 0; p < pred_in.size(); ++p)
                if (!used[p])
                    std::printf("FALSE %s %-12s %s\n", j["dct"].get<std::string>().c_str(), pred_in[p].value.c_str(),
                                context(text, idx, pred_in[p]).c_str());
        }
    }
    std::printf("French TimeBank 1.1: %d documents\n\n", docs);
    print_row("A. all TIMEX3 (DATE/TIME/DUR/SET)", all);
    std::printf("     relaxed recall by gold type:");
    for (const auto& [type, c] : by_type) std::printf("  %s %ld/%ld", type.c_str(), c.second, c.first);
    std::printf("\n\n");
    print_row("B. calendar-date TIMEX3", scope);
    std::printf("\n");
    print_row("C. TIMEX3 of type DATE", date_type);
    std::printf(
        "\nReference (HeidelTime on the same corpus, all TIMEX3): strict F1 85.99, relaxed F1 90.97,\n"
        "value F1 73.63 (reference-scores/README.txt).\n\n");
    return 0;
}

// Lower-cased text contains a digit or a month name: an "explicit" date.
bool explicit_date(const std::string& s) {
    for (char c : s)
        if (c >= '0' && c <= '9') return true;
    std::string low;
    for (char c : s) low += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    static const char* const kMonths[] = {"janv",
                                          "f\xc3\xa9vr",
                                          "fevr",
                                          "mars",
                                          "avr",
                                          "mai",
                                          "juin",
                                          "juil",
                                          "ao\xc3\xbbt",
                                          "aout",
                                          "sept",
                                          "oct",
                                          "nov",
                                          "d\xc3\xa9"
                                          "c",
                                          "dec"};
    for (const char* m : kMonths)
        if (low.find(m) != std::string::npos) return true;
    return false;
}

int winer(const std::string& shared, bool verbose) {
    const std::string dir = shared + "/corpus/wikinews-fr/";
    std::ifstream arts(dir + "articles.jsonl"), ents(dir + "entities.jsonl");
    if (!arts || !ents) {
        std::fprintf(stderr, "cannot read %s{articles,entities}.jsonl\n", dir.c_str());
        return 1;
    }
    std::map<std::string, std::vector<Span>> gold_by_id;
    std::string line;
    while (std::getline(ents, line)) {
        const auto j = nlohmann::json::parse(line);
        auto& v = gold_by_id[j["id"].get<std::string>()];
        for (const auto& e : j["entities"]) {
            if (e["type"] != "Date") continue;
            Span s;
            s.b = e["start"].get<std::size_t>();
            s.e = e["end"].get<std::size_t>();
            s.text = e["text"].get<std::string>();
            v.push_back(std::move(s));
        }
    }
    long gold = 0, pred = 0, strict = 0, strict_nodet = 0, relaxed = 0, docs = 0, datelines = 0, dateline_ok = 0;
    while (std::getline(arts, line)) {
        const auto j = nlohmann::json::parse(line);
        ++docs;
        const std::string body = j["body"].get<std::string>();
        const std::string text = j["title"].get<std::string>() + "\n\n" + body;
        auto pub = depeche::find_dateline(body);
        const auto meta = depeche::parse_date(j["date"].get<std::string>());
        if (pub) {
            ++datelines;
            if (meta && pub->year == meta->year && pub->month == meta->month && pub->day == meta->day) ++dateline_ok;
        } else {
            pub = meta;
        }
        const auto idx = cp_index(text);
        std::vector<Span> p;
        for (Span& s : predict(text, pub, idx))
            if (explicit_date(s.text)) p.push_back(std::move(s));
        const auto& g = gold_by_id[j["id"].get<std::string>()];
        gold += static_cast<long>(g.size());
        pred += static_cast<long>(p.size());
        for (int m : match(g, p, true))
            if (m >= 0) ++strict;
        const auto g2p = match(g, p, false);
        for (int m : g2p)
            if (m >= 0) ++relaxed;
        if (verbose) {
            std::vector<bool> used(p.size(), false);
            for (std::size_t k = 0; k < g.size(); ++k) {
                if (g2p[k] >= 0)
                    used[static_cast<std::size_t>(g2p[k])] = true;
                else
                    std::printf("WMISS  %s\n", context(text, idx, g[k]).c_str());
            }
            for (std::size_t k = 0; k < p.size(); ++k)
                if (!used[k]) std::printf("WFALSE %s %s\n", p[k].value.c_str(), context(text, idx, p[k]).c_str());
        }
        // strict, but ignoring a leading determiner of ours ("le 15 mars" vs "15 mars")
        std::vector<Span> nodet = p;
        for (Span& s : nodet) {
            for (const char* det : {"le ", "Le ", "les ", "Les ", "ce ", "Ce "}) {
                const std::size_t n = std::strlen(det);
                if (s.text.compare(0, n, det) == 0) {
                    s.b += n;
                    break;
                }
            }
        }
        for (int m : match(g, nodet, true))
            if (m >= 0) ++strict_nodet;
    }
    std::printf(
        "WiNER French Wikinews (%ld articles, gold type Date: explicit dates only, no \"le\";\n"
        "our mentions kept when they hold a digit or a month name):\n",
        docs);
    auto row = [&](const char* what, long ok) {
        const double p = pred ? 100.0 * ok / pred : 0, r = gold ? 100.0 * ok / gold : 0;
        std::printf("  %-28s P %6.2f  R %6.2f  F1 %6.2f   (%ld ok)\n", what, p, r, f1(p, r), ok);
    };
    std::printf("  %ld gold, %ld predicted\n", gold, pred);
    row("strict", strict);
    row("strict without our \"le\"", strict_nodet);
    row("relaxed (overlap)", relaxed);
    std::printf("  find_dateline: found in %ld/%ld bodies, equal to the metadata date in %ld\n\n", datelines, docs,
                dateline_ok);
    return 0;
}

int throughput(const std::string& shared, int reps) {
    std::ifstream arts(shared + "/corpus/wikinews-fr/articles.jsonl");
    if (!arts) return 1;
    std::vector<std::string> bodies;
    std::string line;
    std::size_t bytes = 0;
    while (std::getline(arts, line)) {
        bodies.push_back(nlohmann::json::parse(line)["body"].get<std::string>());
        bytes += bodies.back().size();
    }
    const auto pub = depeche::parse_date("2017-01-01");
    std::size_t found = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r)
        for (const auto& b : bodies) found += depeche::extract_dates(b, pub).size();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("Throughput: %zu bodies x %d = %.1f MB in %.3f s: %.0f articles/s, %.1f MB/s (%zu mentions)\n",
                bodies.size(), reps, bytes * reps / 1e6, s, bodies.size() * reps / s, bytes * reps / 1e6 / s, found);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string shared = DEPECHE_SHARED_DIR;
    bool verbose = false, verbose_winer = false;
    int reps = 10;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--verbose"))
            verbose = true;
        else if (!std::strcmp(argv[i], "--verbose-winer"))
            verbose_winer = true;
        else if (!std::strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: %s [--shared DIR] [--verbose | --verbose-winer] [--reps N]\n", argv[0]);
            return 2;
        }
    }
    if (verbose_winer) return winer(shared, true);
    int rc = timebank(shared, verbose);
    if (!verbose) {
        rc |= winer(shared, false);
        rc |= throughput(shared, reps);
    }
    return rc;
}
