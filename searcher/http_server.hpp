// depeche-search --http: the HTTP API (docs/http.md) and the web page, served by
// cpp-httplib over the public library API, from the same process as the CLI.
#pragma once

#include <depeche/depeche.hpp>

#include <cstddef>
#include <string>

namespace depeche::http {

struct Options {
    std::string db;                  // index folder
    std::string host = "127.0.0.1";  // address to bind
    int port = 8080;                 // 0: any free port (printed on start)
    std::string token;               // bearer token required on every request ("": none)
    std::size_t threads = 0;         // worker threads (0: 8 per core, at least 16)
    std::size_t searchers = 0;       // searchers lent to requests (0: 2 per core, at least 4, at most threads)
    std::size_t warm_seconds = 1;    // between two warmings of an idle searcher (0: none; docs/http.md)
    SearchRequest defaults;          // the command line's options: defaults of /api/search
};

// Limits of the service (docs/http.md).
inline constexpr std::size_t kMaxQueued = 256;    // connections waiting for a worker
inline constexpr std::size_t kMaxLimit = 1000;    // hits per /api/search page
inline constexpr std::size_t kExportChunk = 500;  // hits fetched per step of an export
inline constexpr int kReadTimeoutSeconds = 5;
inline constexpr int kWriteTimeoutSeconds = 30;
inline constexpr int kKeepAliveSeconds = 5;
inline constexpr std::size_t kKeepAliveRequests = 100;

// "HOST:PORT", "PORT" or "[IPv6]:PORT" into host and port; false if malformed.
bool parse_address(const std::string& text, std::string& host, int& port);

// True for the loopback addresses (127.0.0.0/8, ::1, "localhost").
bool is_loopback(const std::string& host);

// Serves until SIGINT or SIGTERM; returns the exit status (0 after a signal, 4 if the
// address cannot be bound). Prints "depeche-search: serving INDEX on http://HOST:PORT/"
// on standard error once listening.
int serve_http(const Options& options);

}  // namespace depeche::http
