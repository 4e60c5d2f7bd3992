// people_resolution: does `personne:SURNAME` find the articles that name a person by that
// surname, and does the people facet show one entry per person? Public API only, so the
// same source measures any version of the library.
//
//   people_resolution INDEX ARTICLES.jsonl [--top N] [--lexicon DIR]
//
// INDEX is an index of ARTICLES.jsonl (depeche-index --db INDEX ARTICLES.jsonl). For the
// N (50) people of the people facet over every dated article, the surname is the display
// name's last word with the particles before it ("Macron", "Le Pen", "de Gaulle"). The
// text scan counts the articles whose title or body names that surname as a person (see
// bench/README-people.md: whole word, same capitals, not part of a street, building or
// other place name); the engine side is `personne:"SURNAME"`. Printed per person: the
// scan count, the articles of the scan the query finds (recall), the articles the query
// finds outside the scan, and the facet's surname-only entries for that surname.
// Then the facet's surname-only entries overall, and those for a surname that one full
// name of the facet dominates (90% or more of the articles of the full names with it).
#include <depeche/depeche.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t e = s.find(' ', i);
        if (e == std::string::npos) e = s.size();
        if (e > i) out.push_back(s.substr(i, e - i));
        i = e + 1;
    }
    return out;
}

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string upper_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// A byte that continues a word: letters (any UTF-8 sequence byte counts as a letter),
// digits and hyphens.
bool word_byte(char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Words before a name that make it a place, a building or an organisation named after a
// person ("rue Jean-Jaurès", "lycée Victor-Hugo", "place Charles de Gaulle").
const std::set<std::string>& place_words() {
    static const std::set<std::string> s = {
        "rue",      "avenue", "boulevard", "bd",           "place",    "quai",    "cours",     "allée",
        "impasse",  "square", "pont",      "porte",        "lycée",    "collège", "école",     "université",
        "aéroport", "stade",  "gare",      "station",      "hôpital",  "musée",   "fondation", "institut",
        "centre",   "parc",   "port",      "porte-avions", "paquebot", "prix",    "salle",     "espace",
        "avenues",  "rues",   "tunnel",    "métro",        "pavillon", "théâtre", "mémorial"};
    return s;
}

// The word before position `at` (lower-cased ASCII letters), skipping spaces.
std::string word_before(const std::string& text, std::size_t at) {
    std::size_t e = at;
    while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\n')) --e;
    std::size_t b = e;
    while (b > 0 && word_byte(text[b - 1])) --b;
    return lower_ascii(text.substr(b, e - b));
}

// Does the text name `surname` (as written, or in capitals) as a person?
bool names(const std::string& text, const std::string& surname) {
    for (const std::string& form : {surname, upper_ascii(surname)}) {
        for (std::size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
            if (at > 0 && word_byte(text[at - 1])) continue;
            std::size_t end = at + form.size();
            if (end < text.size() && word_byte(text[end])) continue;
            if (place_words().count(word_before(text, at))) continue;
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: people_resolution INDEX ARTICLES.jsonl [--top N] [--lexicon DIR]\n";
        return 2;
    }
    const std::string index = argv[1], articles = argv[2];
    std::size_t top = 50;
    std::string lexicon = "indexer/lexicon";
    for (int i = 3; i + 1 < argc; i += 2) {
        std::string opt = argv[i];
        if (opt == "--top")
            top = std::stoul(argv[i + 1]);
        else if (opt == "--lexicon")
            lexicon = argv[i + 1];
    }
    std::unordered_set<std::string> particles;
    {
        std::ifstream in(lexicon + "/particles.txt");
        if (!in) {
            std::cerr << "people_resolution: cannot read " << lexicon << "/particles.txt\n";
            return 2;
        }
        std::string line;
        while (std::getline(in, line))
            if (!line.empty() && line[0] != '#') particles.insert(lower_ascii(line));
    }
    auto is_particle = [&](const std::string& w) { return particles.count(lower_ascii(w)) > 0; };
    // A name's words without a leading honorific ("M. Fillon" -> "Fillon").
    auto name_words = [&](const std::string& name) {
        auto words = split_words(name);
        static const std::set<std::string> honorifics = {"M.", "Mme", "Mlle", "MM.", "Dr", "Me", "Pr", "Mgr"};
        if (words.size() > 1 && honorifics.count(words[0])) words.erase(words.begin());
        return words;
    };
    // A surname-only name: one name word, with particles before it.
    auto surname_only = [&](const std::string& name) {
        auto words = name_words(name);
        for (std::size_t k = 0; k + 1 < words.size(); ++k)
            if (!is_particle(words[k])) return false;
        return !words.empty();
    };
    // The surname: the last word and the particles before it; a surname-only name whole.
    auto surname_of = [&](const std::string& name) {
        auto words = name_words(name);
        std::size_t from = words.empty() ? 0 : words.size() - 1;
        while (from > 0 && is_particle(words[from - 1])) --from;
        if (from == 0 && !surname_only(name)) ++from;  // "Le Drian" is a surname, "Jean Le Drian" not
        std::string s;
        for (std::size_t k = from; k < words.size(); ++k) s += (s.empty() ? "" : " ") + words[k];
        return s;
    };
    // A name's words as the analyzer folds them (case and accents ignored).
    auto fold = [](const std::string& name) {
        std::string out;
        for (const auto& t : depeche::analyze(name)) out += (out.empty() ? "" : " ") + t.term;
        return out;
    };
    // Does a name end with the words of a surname?
    auto ends_with_surname = [&](const std::string& name, const std::string& surname) {
        std::string n = fold(name), t = " " + fold(surname);
        return n.size() > t.size() && n.compare(n.size() - t.size(), t.size(), t) == 0;
    };

    depeche::Searcher searcher(index);
    auto run = [&](const std::string& q, bool facets) {
        depeche::SearchRequest r;
        r.query = q;
        r.limit = facets ? 0 : 1000000;
        r.facets = facets;
        r.facet_limit = 1000000;
        r.snippet.length = 0;
        return searcher.search(r);
    };
    // Every dated article (OrangeSum's are all dated).
    depeche::SearchResult broad = run("date:1000..2999", true);
    if (!broad.facets) return 1;
    const auto& facet = broad.facets->people;
    std::printf("index %s: %zu articles in the broad query, %zu people facet entries\n", index.c_str(), broad.total,
                facet.size());

    std::vector<std::string> people, surnames;
    for (const auto& f : facet) {
        if (people.size() >= top) break;
        people.push_back(f.value);
        surnames.push_back(surname_of(f.value));
    }
    // Text scan.
    std::vector<std::set<std::string>> scanned(people.size());
    {
        std::ifstream in(articles);
        if (!in) {
            std::cerr << "people_resolution: cannot read " << articles << "\n";
            return 2;
        }
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.contains("id")) continue;
            std::string text = j.value("title", std::string()) + "\n" + j.value("body", std::string());
            std::string id = j["id"].get<std::string>();
            for (std::size_t p = 0; p < people.size(); ++p)
                if (names(text, surnames[p])) scanned[p].insert(id);
        }
    }
    std::printf("\n%-28s %-16s %7s %7s %7s %7s  %s\n", "person (facet)", "surname", "scan", "found", "recall", "extra",
                "surname-only facet entries");
    std::size_t sum_scan = 0, sum_found = 0;
    for (std::size_t p = 0; p < people.size(); ++p) {
        depeche::SearchResult r = run("personne:\"" + surnames[p] + "\"", false);
        std::size_t found = 0, extra = 0;
        for (const auto& h : r.hits) {
            if (scanned[p].count(h.id))
                ++found;
            else
                ++extra;
        }
        std::string entries;
        for (const auto& f : facet)
            if (surname_only(f.value) && fold(surname_of(f.value)) == fold(surnames[p]))
                entries += (entries.empty() ? "" : ", ") + f.value + " (" + std::to_string(f.count) + ")";
        sum_scan += scanned[p].size();
        sum_found += found;
        std::printf("%-28s %-16s %7zu %7zu %6.1f%% %7zu  %s\n", people[p].c_str(), surnames[p].c_str(),
                    scanned[p].size(), found, scanned[p].empty() ? 100.0 : 100.0 * found / scanned[p].size(), extra,
                    entries.empty() ? "-" : entries.c_str());
    }
    std::printf("%-28s %-16s %7zu %7zu %6.1f%%\n", "all", "", sum_scan, sum_found,
                sum_scan ? 100.0 * sum_found / sum_scan : 100.0);

    // Surname-only entries of the whole facet, and those one full name dominates: 90% or
    // more of the articles of the facet's full names ending with that surname.
    std::map<std::string, std::vector<const depeche::FacetCount*>> full_by_last;
    std::size_t short_entries = 0, short_articles = 0;
    for (const auto& f : facet) {
        if (surname_only(f.value)) {
            ++short_entries;
            short_articles += f.count;
        } else {
            full_by_last[fold(name_words(f.value).back())].push_back(&f);
        }
    }
    std::size_t dominated = 0, dominated_articles = 0;
    std::string examples;
    for (const auto& f : facet) {
        if (!surname_only(f.value)) continue;
        const std::string surname = surname_of(f.value);
        auto it = full_by_last.find(fold(name_words(f.value).back()));
        if (it == full_by_last.end()) continue;
        std::size_t total = 0, best = 0;
        const depeche::FacetCount* top_full = nullptr;
        for (const auto* g : it->second) {
            if (!ends_with_surname(g->value, surname)) continue;
            total += g->count;
            if (g->count > best) {
                best = g->count;
                top_full = g;
            }
        }
        if (top_full && best >= 0.9 * static_cast<double>(total)) {
            ++dominated;
            dominated_articles += f.count;
            if (dominated <= 10)
                examples += (examples.empty() ? "" : ", ") + f.value + " (" + std::to_string(f.count) + ") / " +
                            top_full->value + " (" + std::to_string(top_full->count) + ")";
        }
    }
    std::printf("\nsurname-only facet entries: %zu of %zu (%zu article counts)\n", short_entries, facet.size(),
                short_articles);
    std::printf("surname-only entries a full name of the facet dominates: %zu (%zu article counts)%s%s\n", dominated,
                dominated_articles, examples.empty() ? "" : ": ", examples.c_str());
    for (const char* pair : {"Putin|Poutine", "Zelenskyy|Zelensky", "Melenchon|Mélenchon", "Erdoğan|Erdogan"}) {
        std::string a(pair), b = a.substr(a.find('|') + 1);
        a = a.substr(0, a.find('|'));
        std::printf("personne:%s = %zu, personne:%s = %zu\n", a.c_str(), run("personne:" + a, false).total, b.c_str(),
                    run("personne:" + b, false).total);
    }
    return 0;
}
