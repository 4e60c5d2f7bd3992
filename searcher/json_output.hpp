// JSON for depeche-search: the --format json documents (docs/json-output.md) and the
// --serve protocol (docs/serve.md), built in one place so both modes print the same
// bytes for the same result. Header-only over the public API and nlohmann::json; the
// tests include it to compare the programs' output with the library's results.
#pragma once

#include <depeche/depeche.hpp>

#include "searcher/request_limits.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace depeche::json_output {

using nlohmann::json;

inline json hit_json(const Hit& h) {
    return json{{"rank", h.rank},
                {"id", h.id},
                {"score", h.score},
                {"title", h.title},
                {"date", h.date},
                {"url", h.url},
                {"path", h.path},
                {"author", h.author},
                {"source", h.source},
                {"snippet", h.snippet},
                {"people", h.people},
                {"story", h.story},
                {"other_versions", h.other_versions}};
}

inline json counts_json(const std::vector<FacetCount>& v, const char* key) {
    json a = json::array();
    for (const auto& c : v) {
        json entry{{key, c.value}, {"count", c.count}};
        if (c.ambiguous) entry["ambiguous"] = true;  // people only: an unresolved shared surname
        a.push_back(std::move(entry));
    }
    return a;
}

// The answer to a search (format_version 1).
inline json result_json(const std::string& query, const SearchResult& r) {
    json j{{"format_version", 1},
           {"query", query},
           {"total", r.total},
           {"total_exact", r.total_exact},
           {"total_lower", r.total_lower},
           {"total_upper", r.total_upper},
           {"suggestion", r.suggestion},
           {"notes", r.notes},
           {"partial", r.partial},
           {"missing_shards", r.missing_shards}};
    json hits = json::array();
    for (const auto& h : r.hits) hits.push_back(hit_json(h));
    j["hits"] = std::move(hits);
    if (r.facets) {
        j["facets"] = {{"people", counts_json(r.facets->people, "name")},
                       {"dates", counts_json(r.facets->dates, "value")},
                       {"date_interval", r.facets->date_interval},
                       {"mentioned", counts_json(r.facets->mentioned, "value")},
                       {"exact", r.facets->exact}};
    }
    return j;
}

// One article read whole (GET /api/article/ID, format_version 1).
inline json article_json(const ArticleView& a) {
    return json{{"format_version", 1}, {"id", a.id},
                {"title", a.title},    {"date", a.date},
                {"url", a.url},        {"path", a.path},
                {"author", a.author},  {"source", a.source},
                {"text", a.text},      {"highlighted", a.highlighted},
                {"people", a.people},  {"mentioned", a.mentioned},
                {"story", a.story}};
}

// The answer to --stats (format_version 1); `path` is the index folder as given.
inline json stats_json(const IndexStats& s, const std::string& path) {
    json list = json::array();
    for (const ShardStats& sh : s.shard_list)
        list.push_back(
            {{"name", sh.name}, {"period", sh.period}, {"location", sh.location}, {"articles", sh.articles}});
    return json{{"format_version", 1},        {"articles", s.articles},
                {"size_bytes", s.size_bytes}, {"schema_version", s.schema_version},
                {"analyzer", s.analyzer},     {"last_update", s.last_update},
                {"shards", s.shards},         {"path", path},
                {"partition", s.partition},   {"shard_list", list}};
}

// The statistics as a long-running searcher answers them (--serve's {"stats": true},
// GET /api/stats): --stats's object plus whether that searcher is warm (docs/http.md).
inline json live_stats_json(const IndexStats& s, const std::string& path) {
    json j = stats_json(s, path);
    j["facets_ready"] = s.facets_ready;
    return j;
}

// One line of output: compact, invalid UTF-8 replaced by U+FFFD (no trailing newline).
inline std::string dump_line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "auto", "year", "month", "week", "day" (the names of --date-interval and of the
// "date_interval" request field); nullopt for anything else.
inline std::optional<DateInterval> date_interval_named(const std::string& name) {
    if (name == "auto") return DateInterval::Auto;
    if (name == "year") return DateInterval::Year;
    if (name == "month") return DateInterval::Month;
    if (name == "week") return DateInterval::Week;
    if (name == "day") return DateInterval::Day;
    return std::nullopt;
}

// ---- --serve ------------------------------------------------------------------------

// Error codes in serve responses, the same numbers as depeche-search's exit status.
inline constexpr int kCodeRequest = 2;  // malformed request or query
inline constexpr int kCodeIndex = 3;    // missing, incompatible or damaged index
inline constexpr int kCodeIo = 4;       // the index could not be read

// A request that cannot be answered: becomes {"error": {...}} on its line.
struct RequestError {
    std::string message;
    std::optional<std::size_t> position;  // 0-based byte offset in the query (query errors)
    int code = kCodeRequest;
};

struct ServeRequest {
    bool stats = false;      // {"stats": true}: index statistics instead of a search
    SearchRequest search;    // the search (defaults from the command line)
    std::optional<json> id;  // echoed in the response when the request has one
};

// {"error": {"code": C, "message": M, "position": P?}} with "id" when given.
inline json error_json(const RequestError& e, const std::optional<json>& id) {
    json err{{"code", e.code}, {"message", e.message}};
    if (e.position) err["position"] = *e.position;
    json j{{"error", std::move(err)}};
    if (id) j["id"] = *id;
    return j;
}

namespace detail {

inline std::size_t unsigned_field(const json& v, const char* name) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        throw RequestError{std::string("\"") + name + "\" must be a non-negative integer", {}, kCodeRequest};
    return v.get<std::size_t>();
}

inline bool bool_field(const json& v, const char* name) {
    if (!v.is_boolean()) throw RequestError{std::string("\"") + name + "\" must be true or false", {}, kCodeRequest};
    return v.get<bool>();
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag.
inline std::string parse_message(const std::string& what) {
    std::size_t close = what.find("] ");
    return what.rfind("[json.exception.", 0) == 0 && close != std::string::npos ? what.substr(close + 2) : what;
}

}  // namespace detail

// Parses one request line. `defaults` carries the command-line options. Throws
// RequestError; `id` is filled as soon as the line is a JSON object with an "id", so
// that errors about the other fields can still echo it.
inline ServeRequest parse_request(const std::string& line, const SearchRequest& defaults, std::optional<json>& id) {
    id.reset();
    json j;
    // Refused before parsing: nesting deep enough to exhaust the stack (docs/serve.md).
    if (request_limits::json_depth(line) > request_limits::kMaxRequestDepth)
        throw RequestError{"request nested too deeply (the limit is " +
                               std::to_string(request_limits::kMaxRequestDepth) + " levels of arrays and objects)",
                           {},
                           kCodeRequest};
    try {
        j = json::parse(line);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
        throw RequestError{"malformed JSON request: " + detail::parse_message(e.what()), {}, kCodeRequest};
    }
    if (!j.is_object()) throw RequestError{"a request must be a JSON object", {}, kCodeRequest};
    if (auto it = j.find("id"); it != j.end()) id = *it;
    ServeRequest r;
    r.search = defaults;
    bool has_query = false;
    for (const auto& [key, v] : j.items()) {
        if (key == "id") continue;
        if (key == "query") {
            if (!v.is_string()) throw RequestError{"\"query\" must be a string", {}, kCodeRequest};
            r.search.query = v.get<std::string>();
            has_query = true;
        } else if (key == "limit") {
            r.search.limit = detail::unsigned_field(v, "limit");
        } else if (key == "offset") {
            r.search.offset = detail::unsigned_field(v, "offset");
        } else if (key == "sort") {
            std::string s = v.is_string() ? v.get<std::string>() : "";
            if (s == "relevance")
                r.search.sort = Sort::Relevance;
            else if (s == "date")
                r.search.sort = Sort::DateAscending;
            else if (s == "-date")
                r.search.sort = Sort::DateDescending;
            else
                throw RequestError{"\"sort\" must be \"relevance\", \"date\" or \"-date\"", {}, kCodeRequest};
            r.search.sort_given = true;
        } else if (key == "facets") {
            r.search.facets = detail::bool_field(v, "facets");
        } else if (key == "facet_limit") {
            r.search.facet_limit = detail::unsigned_field(v, "facet_limit");
        } else if (key == "exact") {
            r.search.exact_total = detail::bool_field(v, "exact");
        } else if (key == "estimate") {
            r.search.exact_total = !detail::bool_field(v, "estimate");
        } else if (key == "date_interval") {
            std::optional<DateInterval> d = v.is_string() ? date_interval_named(v.get<std::string>()) : std::nullopt;
            if (!d)
                throw RequestError{
                    "\"date_interval\" must be \"auto\", \"year\", \"month\", \"week\" or \"day\"", {}, kCodeRequest};
            r.search.date_interval = *d;
        } else if (key == "snippet_length") {
            r.search.snippet.length = detail::unsigned_field(v, "snippet_length");
        } else if (key == "collapse") {
            r.search.collapse = detail::bool_field(v, "collapse");
        } else if (key == "allow_partial") {
            r.search.allow_partial = detail::bool_field(v, "allow_partial");
        } else if (key == "like") {
            if (!v.is_string()) throw RequestError{"\"like\" must be a string (an article id)", {}, kCodeRequest};
            r.search.like = v.get<std::string>();
        } else if (key == "stats") {
            r.stats = detail::bool_field(v, "stats");
        } else {
            throw RequestError{"unknown field \"" + key +
                                   "\" (known: id, query, limit, offset, sort, facets, "
                                   "facet_limit, exact, estimate, date_interval, snippet_length, collapse, like, "
                                   "allow_partial, stats)",
                               {},
                               kCodeRequest};
        }
    }
    if (!r.stats && !has_query && r.search.like.empty())
        throw RequestError{"missing \"query\" (or \"like\", or \"stats\": true)", {}, kCodeRequest};
    return r;
}

}  // namespace depeche::json_output
