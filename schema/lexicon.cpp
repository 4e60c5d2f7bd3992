#include "schema/lexicon.hpp"

#include "embedded_lexicon.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace depeche::lexicon {

std::string_view embedded(std::string_view name) {
    for (const auto& f : depeche::embedded::k_files)
        if (f.name == name) return f.text;
    throw std::logic_error("lexicon: no compiled-in file " + std::string(name));
}

std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (const auto& f : depeche::embedded::k_files) out.push_back(f.name);
    return out;
}

std::string read(const std::string& dir, std::string_view name) {
    if (dir.empty()) return std::string(embedded(name));
    const std::string path = dir + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read lexicon file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void for_each_line(std::string_view text, const std::function<void(std::string_view)>& fn) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        while (!line.empty() && blank(line.front())) line.remove_prefix(1);
        while (!line.empty() && blank(line.back())) line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        fn(line);
    }
}

}  // namespace depeche::lexicon
