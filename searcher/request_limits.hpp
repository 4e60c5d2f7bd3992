// Bounds on one request to a long-running searcher: depeche-search --serve applies them
// to every request line (docs/serve.md, "Limits"), and any other front end that takes
// JSON requests (an HTTP server) is meant to apply the same ones. Header-only, no
// dependency beyond the standard library.
#pragma once

#include <cstddef>
#include <streambuf>
#include <string>
#include <string_view>

namespace depeche::request_limits {

// Longest request line, in bytes (without its line end). A longer line is answered with
// an error and skipped without being kept in memory.
inline constexpr std::size_t kMaxRequestBytes = 1024 * 1024;
// Deepest nesting of JSON arrays and objects in a request ({"id": [[1]]} is 3 deep).
// Checked before the request is parsed, so hostile nesting never reaches the parser.
inline constexpr std::size_t kMaxRequestDepth = 64;

// The deepest nesting of arrays and objects in `text` (JSON, possibly malformed),
// brackets inside strings not counted. Stops early once `limit` is exceeded and then
// returns limit + 1.
inline std::size_t json_depth(std::string_view text, std::size_t limit = kMaxRequestDepth) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return limit + 1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

enum class LineStatus { Line, TooLong, End };

// Reads one line ('\n' ends it, and is not kept; a '\r' before it is removed) from `in`
// into `line`. A line longer than `max` bytes is read to its end but not kept: TooLong,
// with `line` holding its first `max` bytes, so memory stays bounded. End at end of
// input with nothing read.
inline LineStatus read_line(std::streambuf& in, std::string& line, std::size_t max = kMaxRequestBytes) {
    line.clear();
    bool any = false, too_long = false;
    for (;;) {
        const int c = in.sbumpc();
        if (c == std::char_traits<char>::eof()) break;
        any = true;
        if (c == '\n') break;
        if (line.size() < max + 1)
            line.push_back(static_cast<char>(c));
        else
            too_long = true;
    }
    if (!too_long && line.size() > max && !(line.size() == max + 1 && line.back() == '\r')) too_long = true;
    if (!too_long && !line.empty() && line.back() == '\r') line.pop_back();
    if (too_long) {
        line.resize(max);
        return LineStatus::TooLong;
    }
    return any ? LineStatus::Line : LineStatus::End;
}

}  // namespace depeche::request_limits
