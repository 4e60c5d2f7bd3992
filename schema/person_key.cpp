#include "schema/person_key.hpp"

#include "schema/lexicon.hpp"
#include "schema/text.hpp"

#include <set>
#include <vector>

namespace depeche {
namespace {

// Bump when person_key() changes what it makes of a name.
constexpr std::string_view kPersonKeyRules = "person-key-2";

// The folded forms of honorifics.txt's first column, dots removed.
const std::set<std::string, std::less<>>& honorific_keys() {
    static const std::set<std::string, std::less<>> keys = [] {
        std::set<std::string, std::less<>> out;
        lexicon::for_each_line(lexicon::embedded("honorifics.txt"), [&](std::string_view line) {
            std::string form;
            for (std::size_t i = 0; i < line.size();) {
                std::size_t at = i;
                if (text::is_space(text::decode(line, i))) break;
                form.append(line.substr(at, i - at));
            }
            std::string key;
            for (char c : text::fold(form))
                if (c != '.') key += c;
            if (!key.empty()) out.insert(std::move(key));
        });
        return out;
    }();
    return keys;
}

bool dropped(char c) {
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '"' || c == '(' || c == ')';
}

}  // namespace

bool is_honorific_key(std::string_view key_word) { return honorific_keys().count(key_word) > 0; }

std::string person_key(std::string_view name) {
    // Fold first: spaces of every kind become ' ', apostrophes ', hyphens -.
    const std::string folded = text::fold(name);
    std::vector<std::string> keys;
    std::string k;
    auto flush = [&] {
        // drop quotes and dashes left at the edges
        while (!k.empty() && (k.back() == '\'' || k.back() == '-')) k.pop_back();
        if (!k.empty()) keys.push_back(std::move(k));
        k.clear();
    };
    for (std::size_t i = 0; i < folded.size();) {
        const std::size_t at = i;
        const char32_t c = text::decode(folded, i);
        if (text::is_space(c)) {
            flush();
        } else if (c == U'\u00AB' || c == U'\u00BB' || c == U'\u201C' || c == U'\u201D') {
            continue;  // guillemets and quotes
        } else if (!(c < 0x80 && dropped(static_cast<char>(c)))) {
            k.append(folded, at, i - at);
        }
    }
    flush();
    if (keys.size() > 1 && is_honorific_key(keys.front())) keys.erase(keys.begin());
    std::string out;
    for (const auto& key : keys) {
        if (!out.empty()) out.push_back(' ');
        out += key;
    }
    return out;
}

std::string person_key_rules() {
    std::string out(kPersonKeyRules);
    for (const auto& k : honorific_keys()) out.append(" ").append(k);
    return out;
}

}  // namespace depeche
