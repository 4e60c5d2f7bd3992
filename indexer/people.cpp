// Rule-based person extraction for French news. See people.hpp for the contract and the
// display-name policy; the header comment of each indexer/lexicon file for the curated lists.
//
// Pipeline for one text:
//   1. tokenise (words with internal hyphens, elisions "d'" split off, one token per
//      punctuation mark), mark sentence starts;
//   2. find honorifics ("M.", "Mme", "MM." ...) and capitalised chunks (capitalised words,
//      initials "J.", internal particles "de", "von der", "d'");
//   3. turn each chunk into at most one candidate: drop leading common words, places and
//      demonyms ("Culture Rachida Dati" -> "Rachida Dati", "Britannique Chris Froome"), cut at
//      organisation/place words, look for evidence (honorific, role before the chunk,
//      demonym noun), classify as a full name or a short (surname-only) mention;
//   4. resolve within the article: full names merge when one extends the other; short
//      mentions attach to the full name whose surname they are; unresolved short mentions
//      survive only with evidence or when the curated people list knows the surname.
//
// Files: people_lexicon.cpp (lists and hunspell), people_candidates.cpp (steps 1-3), this file
// (step 4 and the public API); shared types in people_internal.hpp.
#include "indexer/people.hpp"

#include "indexer/people_internal.hpp"
#include "schema/person_key.hpp"

#include <algorithm>

namespace depeche {
namespace {

struct Person {
    std::vector<std::string> keys;   // of the best (longest) full form, or of the short form
    std::vector<std::string> words;  // display words of the best form
    std::string hon;                 // honorific, for short-only persons
    bool full = false;
    bool from_gazetteer = false;
    long first_pos = 0;
    long last_pos = 0;
    std::vector<std::size_t> cands;  // indices of candidates attributed to this person
};

bool is_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
    if (shorter.empty() || shorter.size() > longer.size()) return false;
    return std::equal(shorter.rbegin(), shorter.rend(), longer.rbegin());
}

std::size_t display_length(const std::vector<std::string>& words) {
    std::size_t n = 0;
    for (const auto& w : words) n += w.size();
    return n;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty() &&
            !(out.back() == '\'' || (out.size() >= 3 && out.compare(out.size() - 3, 3, "\xE2\x80\x99") == 0)))
            out.push_back(' ');
        out += w;
    }
    return out;
}

// Do two full names denote the same person? Same surname and compatible first words.
bool same_full(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a == b) return true;
    if (is_suffix(a, b) || is_suffix(b, a)) return true;
    if (a.back() != b.back()) return false;
    const std::string& fa = a.front();
    const std::string& fb = b.front();
    if (fa == fb) return true;
    // "J. Vance" / "JD Vance" / "James Vance": one first word is an initial of the other.
    if (fa.size() == 1 && !fb.empty() && fb[0] == fa[0]) return true;
    if (fb.size() == 1 && !fa.empty() && fa[0] == fb[0]) return true;
    return false;
}

}  // namespace

PeopleExtractor::Analysis PeopleExtractor::Impl::analyse(std::string_view text,
                                                         const std::vector<std::string>& meta) const {
    std::vector<Candidate> cands;
    // Metadata names first (negative positions keep their order ahead of the text).
    long meta_pos = -static_cast<long>(meta.size()) - 1;
    for (const auto& m : meta) {
        ++meta_pos;
        auto words = split_ws(m);
        if (!words.empty() && words.size() > 1 && is_honorific_key(key_of_word(words.front())))
            words.erase(words.begin());
        if (words.empty()) continue;
        Candidate c;
        c.words = words;
        for (const auto& w : words) c.keys.push_back(key_of_word(w));
        c.full = words.size() >= 2 && !particles.count(c.keys.front());
        c.evidence = kMeta;
        c.pos = meta_pos;
        cands.push_back(std::move(c));
    }
    std::size_t n_meta = cands.size();
    collect_candidates(*this, text, cands);

    std::vector<Person> persons;
    std::vector<long> cand_person(cands.size(), -1);
    // 1. Full names.
    for (std::size_t ci = 0; ci < cands.size(); ++ci) {
        const Candidate& c = cands[ci];
        if (!c.full) continue;
        long found = -1;
        for (std::size_t p = 0; p < persons.size(); ++p)
            if (same_full(persons[p].keys, c.keys)) {
                found = static_cast<long>(p);
                break;
            }
        if (found < 0) {
            Person p;
            p.keys = c.keys;
            p.words = c.words;
            p.full = true;
            p.first_pos = p.last_pos = c.pos;
            persons.push_back(std::move(p));
            found = static_cast<long>(persons.size() - 1);
        } else {
            Person& p = persons[static_cast<std::size_t>(found)];
            bool longer = c.words.size() > p.words.size() ||
                          (c.words.size() == p.words.size() && display_length(c.words) > display_length(p.words));
            if (longer) {
                p.keys = c.keys;
                p.words = c.words;
            }
            p.first_pos = std::min(p.first_pos, c.pos);
            p.last_pos = std::max(p.last_pos, c.pos);
        }
        cand_person[ci] = found;
        persons[static_cast<std::size_t>(found)].cands.push_back(ci);
    }
    std::size_t n_full_persons = persons.size();
    // 2. Short mentions: attach to a full name whose surname they are, else to an earlier
    //    short-only person with the same key, else create one if there is evidence.
    for (std::size_t ci = 0; ci < cands.size(); ++ci) {
        const Candidate& c = cands[ci];
        if (c.full) continue;
        long best = -1;
        long best_score = 0;
        for (std::size_t p = 0; p < n_full_persons; ++p) {
            const Person& P = persons[p];
            bool match = P.keys.size() > c.keys.size() && is_suffix(c.keys, P.keys);
            // "Assad" for "Bachar al-Assad"
            if (!match && c.keys.size() == 1) {
                const std::string& last = P.keys.back();
                auto dash = last.find('-');
                if (dash != std::string::npos && arabic_prefixes().count(last.substr(0, dash)) &&
                    last.substr(dash + 1) == c.keys[0])
                    match = true;
            }
            if (!match) continue;
            // Prefer the person mentioned most recently before; else the first one after.
            long score = 0;
            long before = -1;
            for (std::size_t k : P.cands)
                if (cands[k].pos <= c.pos) before = std::max(before, cands[k].pos);
            score = before >= 0 ? 2000000000L + before : 1000000000L - P.first_pos;
            if (best < 0 || score > best_score) {
                best = static_cast<long>(p);
                best_score = score;
            }
        }
        if (best < 0) {
            for (std::size_t p = n_full_persons; p < persons.size(); ++p)
                if (persons[p].keys == c.keys) {
                    best = static_cast<long>(p);
                    break;
                }
        }
        if (best >= 0) {
            Person& P = persons[static_cast<std::size_t>(best)];
            P.first_pos = std::min(P.first_pos, c.pos);
            P.last_pos = std::max(P.last_pos, c.pos);
            if (P.hon.empty() && !c.hon.empty()) P.hon = c.hon;
            P.cands.push_back(ci);
            cand_person[ci] = best;
            continue;
        }
        Person p;
        p.keys = c.keys;
        p.words = c.words;
        p.hon = c.hon;
        p.first_pos = p.last_pos = c.pos;
        p.cands.push_back(ci);
        persons.push_back(std::move(p));
        cand_person[ci] = static_cast<long>(persons.size() - 1);
    }
    // 3. Short-only persons: keep those with evidence or a known surname; expand with the
    //    curated people list when it is unambiguous.
    std::vector<bool> keep(persons.size(), true);
    for (std::size_t p = n_full_persons; p < persons.size(); ++p) {
        Person& P = persons[p];
        uint8_t ev = kNone;
        for (std::size_t k : P.cands) ev = std::max(ev, cands[k].evidence);
        std::string key = join(P.keys, 0, P.keys.size());
        auto g = gaz_surname.find(key);
        if (g != gaz_surname.end()) {
            // A well-known surname: a person, unless the honorific contradicts every entry.
            bool female_hon = P.hon == "Mme" || P.hon == "Mlle";
            bool male_hon = P.hon == "M.";
            bool compatible = false;
            for (std::size_t idx : g->second) {
                const GazetteerEntry& e = gazetteer[idx];
                if (!(female_hon && !e.female) && !(male_hon && e.female)) compatible = true;
            }
            if (compatible) {
                P.from_gazetteer = true;
                continue;
            }
        }
        if (ev >= kRole) continue;
        keep[p] = false;
    }

    // Output in order of first mention.
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < persons.size(); ++p)
        if (keep[p]) order.push_back(p);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return persons[a].first_pos < persons[b].first_pos; });
    Analysis out;
    std::vector<long> out_index(persons.size(), -1);
    for (std::size_t p : order) {
        const Person& P = persons[p];
        std::string name = join_words(P.words);
        if (!P.full && !P.hon.empty()) name = P.hon + " " + name;
        out_index[p] = static_cast<long>(out.people.size());
        out.people.push_back(std::move(name));
    }
    for (std::size_t ci = n_meta; ci < cands.size(); ++ci) {
        long p = cand_person[ci];
        if (p < 0) continue;
        std::size_t pp = static_cast<std::size_t>(p);
        if (!keep[pp]) continue;
        if (out_index[pp] < 0) continue;
        out.mentions.push_back({cands[ci].b, cands[ci].e, static_cast<std::size_t>(out_index[pp])});
    }
    std::sort(out.mentions.begin(), out.mentions.end(),
              [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
    return out;
}

// ---------------------------------------------------------------------------------------------

PeopleExtractor::PeopleExtractor(const std::string& lexicon_dir, const std::string& hunspell_dic) {
    auto impl = std::make_unique<Impl>();
    impl->load_lexicon(lexicon_dir);
    if (!hunspell_dic.empty()) impl->load_hunspell(hunspell_dic);
    impl_ = std::move(impl);
}

PeopleExtractor::~PeopleExtractor() = default;
PeopleExtractor::PeopleExtractor(PeopleExtractor&&) noexcept = default;
PeopleExtractor& PeopleExtractor::operator=(PeopleExtractor&&) noexcept = default;

std::vector<std::string> PeopleExtractor::extract(std::string_view title, std::string_view body,
                                                  const std::vector<std::string>& meta_people) const {
    if (title.empty()) return impl_->analyse(body, meta_people).people;
    std::string text;
    text.reserve(title.size() + body.size() + 2);
    text.append(title);
    text.append("\n\n");
    text.append(body);
    return impl_->analyse(text, meta_people).people;
}

PeopleExtractor::Analysis PeopleExtractor::analyse(std::string_view text,
                                                   const std::vector<std::string>& meta_people) const {
    return impl_->analyse(text, meta_people);
}

std::vector<std::size_t> PeopleExtractor::lexicon_sizes() const {
    return {impl_->curated_first.size(), impl_->hun_first.size(),
            impl_->hun_surname.size(),   impl_->proper_nonperson.size() + impl_->non_person.size(),
            impl_->stems.size(),         impl_->n_rules,
            impl_->gazetteer.size()};
}

}  // namespace depeche
