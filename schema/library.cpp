// The public API's free functions (include/depeche/depeche.hpp): the library's version and
// the analyzer. Writer is implemented in indexer/writer.cpp, Searcher in
// searcher/searcher.cpp.
#include "schema/analyzer.hpp"
#include "schema/errors.hpp"

#include <depeche/depeche.hpp>

#include <string>
#include <vector>

namespace depeche {

std::string version() { return DEPECHE_VERSION_STRING; }

std::vector<AnalyzedToken> analyze(const std::string& text, std::string* normalized) {
    return guard_errors(
        [&] {
            thread_local Analyzer analyzer;
            std::string n = analyzer.normalize(text);
            std::vector<Token> tokens;
            analyzer.analyze(n, tokens);
            std::vector<AnalyzedToken> out;
            out.reserve(tokens.size());
            for (Token& t : tokens)
                out.push_back({std::move(t.exact), std::move(t.stem), t.pos, t.begin, t.end, t.stop});
            if (normalized) *normalized = std::move(n);
            return out;
        },
        "");
}

}  // namespace depeche
