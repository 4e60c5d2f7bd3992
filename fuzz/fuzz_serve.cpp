// Fuzz target: depeche-search --serve's request handling without an index. The input is
// a stream of request lines: each is read with the line length limit (a small one here,
// so that long lines are met) and parsed with the nesting limit. Any line must give a
// request or a RequestError (code 2, one line), and the error object must serialise.
#include "fuzz/fuzz_targets.hpp"
#include "searcher/json_output.hpp"
#include "searcher/request_limits.hpp"

#include <depeche/depeche.hpp>

#include <sstream>

namespace depeche::fuzz {

void serve_input(const std::uint8_t* data, std::size_t size) {
    namespace jo = depeche::json_output;
    namespace rl = depeche::request_limits;
    constexpr std::size_t kMaxLine = 4096;
    std::stringbuf in(std::string(reinterpret_cast<const char*>(data), size));
    const SearchRequest defaults;
    std::string line;
    for (rl::LineStatus status; (status = rl::read_line(in, line, kMaxLine)) != rl::LineStatus::End;) {
        DEPECHE_FUZZ_CHECK(line.size() <= kMaxLine);
        if (status == rl::LineStatus::TooLong) continue;
        std::optional<nlohmann::json> id;
        try {
            jo::ServeRequest r = jo::parse_request(line, defaults, id);
            DEPECHE_FUZZ_CHECK(r.stats || r.search.query.size() <= line.size());
            DEPECHE_FUZZ_CHECK(rl::json_depth(line) <= rl::kMaxRequestDepth);
            if (id) (void)jo::dump_line(*id);
        } catch (const jo::RequestError& e) {
            DEPECHE_FUZZ_CHECK(e.code == jo::kCodeRequest);
            const std::string out = jo::dump_line(jo::error_json(e, id));
            DEPECHE_FUZZ_CHECK(out.find('\n') == std::string::npos);
        }
    }
}

}  // namespace depeche::fuzz

DEPECHE_FUZZ_ENTRY(serve_input)
