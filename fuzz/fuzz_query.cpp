// Fuzz target: the query language. Syntax (parse_syntax, describe) and resolution
// against the schema with an Analyzer and no index (QueryParser::parse). Any input must
// give a query or a QueryError with a position inside the input.
#include "fuzz/fuzz_targets.hpp"
#include "searcher/query_parser.hpp"

#include <depeche/depeche.hpp>

namespace depeche::fuzz {

void query_input(const std::uint8_t* data, std::size_t size) {
    const std::string query(reinterpret_cast<const char*>(data), size);
    try {
        std::unique_ptr<Node> tree = parse_syntax(query);
        DEPECHE_FUZZ_CHECK(tree != nullptr);
        (void)describe(*tree);
    } catch (const QueryError& e) {
        DEPECHE_FUZZ_CHECK(e.position() <= query.size());
        DEPECHE_FUZZ_CHECK(std::string_view(e.what()).find('\n') == std::string_view::npos);
    }
    static Analyzer analyzer;
    try {
        QueryParser parser(analyzer, nullptr);
        ParsedQuery parsed = parser.parse(query);
        (void)parsed.query.get_description();
        for (const std::string& w : parsed.highlights.exact) DEPECHE_FUZZ_CHECK(valid_utf8(w));
        for (const auto& phrase : parsed.highlights.phrases)
            for (const std::string& w : phrase) DEPECHE_FUZZ_CHECK(valid_utf8(w));
    } catch (const QueryError& e) {
        DEPECHE_FUZZ_CHECK(e.position() <= query.size());
        DEPECHE_FUZZ_CHECK(std::string_view(e.what()).find('\n') == std::string_view::npos);
    }
}

}  // namespace depeche::fuzz

DEPECHE_FUZZ_ENTRY(query_input)
