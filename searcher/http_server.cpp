#include "searcher/http_server.hpp"

#include "searcher/json_output.hpp"
#include "searcher/web_assets.hpp"
#include "schema/text.hpp"

#include <httplib.h>  // Debian's build: CPPHTTPLIB_*_SUPPORT come from its pkg-config flags

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>
#include <utility>
#include <vector>

namespace depeche::http {

namespace jo = depeche::json_output;
using nlohmann::json;

bool parse_address(const std::string& text, std::string& host, int& port) {
    std::string p = text;
    host = "127.0.0.1";
    if (!text.empty() && text[0] == '[') {  // [::1]:8080
        const std::size_t close = text.find("]:");
        if (close == std::string::npos) return false;
        host = text.substr(1, close - 1);
        p = text.substr(close + 2);
    } else if (const std::size_t colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        p = text.substr(colon + 1);
    }
    if (host.empty() || p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
        return false;
    port = std::stoi(p);
    return port <= 65535;
}

bool is_loopback(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

namespace {

// cpp-httplib's task queue with a fixed number of workers and a bounded queue: when
// every worker is busy and kMaxQueued connections wait, the accepting thread waits too
// (new connections then stay in the kernel's backlog) instead of queueing without end.
class BoundedPool : public httplib::TaskQueue {
public:
    explicit BoundedPool(std::size_t workers) {
        for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
    }
    ~BoundedPool() override = default;

    void enqueue(std::function<void()> fn) override {
        std::unique_lock<std::mutex> lock(mutex_);
        room_.wait(lock, [&] { return jobs_.size() < kMaxQueued || stopping_; });
        if (stopping_) return;
        jobs_.push_back(std::move(fn));
        ready_.notify_one();
    }

    void shutdown() override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        room_.notify_all();
        for (std::thread& t : threads_) t.join();
    }

private:
    void work() {
        for (;;) {
            std::function<void()> fn;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                ready_.wait(lock, [&] { return !jobs_.empty() || stopping_; });
                if (jobs_.empty()) return;  // stopping, nothing left
                fn = std::move(jobs_.front());
                jobs_.pop_front();
                room_.notify_one();
            }
            fn();
        }
    }

    std::vector<std::thread> threads_;
    std::deque<std::function<void()>> jobs_;
    std::mutex mutex_;
    std::condition_variable ready_, room_;
    bool stopping_ = false;
};

// Status for a library error: 400 for a query, 503 while the index cannot be opened or
// read (missing, incompatible, damaged, busy), 500 for the rest.
int status_of(const Error& e) {
    if (dynamic_cast<const QueryError*>(&e)) return 400;
    if (dynamic_cast<const IndexMissingError*>(&e) || dynamic_cast<const IndexIncompatibleError*>(&e) ||
        dynamic_cast<const IoError*>(&e))
        return 503;
    return 500;
}

void send_json(httplib::Response& res, int status, const json& j) {
    res.status = status;
    res.set_content(jo::dump_line(j) + "\n", "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& message,
                std::optional<std::size_t> position = std::nullopt) {
    // The codes of --serve: 2 for the request, 3 for the index, 4 for the rest.
    jo::RequestError e{message, position,
                       status < 500    ? jo::kCodeRequest
                       : status == 503 ? jo::kCodeIndex
                                       : jo::kCodeIo};
    send_json(res, status, jo::error_json(e, std::nullopt));
}

bool valid_utf8(const std::string& s) { return text::invalid_utf8_at(s) == std::string::npos; }

// markers=page: private-use characters that article text does not hold, so that the page
// can escape the text and then turn them into <mark> elements.
void use_markers(const httplib::Request& req, SnippetOptions& snippet) {
    if (req.get_param_value("markers") != "page") return;
    snippet.highlight_open = "\xEE\x80\x80";   // U+E000
    snippet.highlight_close = "\xEE\x80\x81";  // U+E001
}

// Parameters of /api/search and /api/export.csv into a request; throws RequestError for
// an unknown parameter or a bad value (the same rules and messages as --serve).
SearchRequest request_from(const httplib::Request& req, const SearchRequest& defaults, bool export_all) {
    json j = json::object();
    for (const auto& [key, value] : req.params) {
        if (!valid_utf8(key) || !valid_utf8(value))
            throw jo::RequestError{
                "parameter \"" + (valid_utf8(key) ? key : std::string("?")) + "\" is not valid UTF-8",
                {},
                jo::kCodeRequest};
        if (req.params.count(key) > 1)
            throw jo::RequestError{"parameter \"" + key + "\" given twice", {}, jo::kCodeRequest};
        auto number = [&]() -> json {
            if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos)
                throw jo::RequestError{"\"" + key + "\" must be a non-negative integer", {}, jo::kCodeRequest};
            return json(std::stoull(value));
        };
        auto boolean = [&]() -> json {
            if (value == "1" || value == "true") return true;
            if (value == "0" || value == "false") return false;
            throw jo::RequestError{"\"" + key + "\" must be 1 or 0", {}, jo::kCodeRequest};
        };
        if (key == "q")
            j["query"] = value;
        else if (export_all && key != "sort")
            throw jo::RequestError{"unknown parameter \"" + key + "\" (known: q, sort)", {}, jo::kCodeRequest};
        else if (key == "limit" || key == "offset" || key == "facet_limit" || key == "snippet_length")
            j[key] = number();
        else if (key == "facets" || key == "estimate" || key == "exact" || key == "collapse" || key == "allow_partial")
            j[key] = boolean();
        else if (key == "like")
            j[key] = value;
        else if (key == "sort" || key == "date_interval")
            j[key] = value;
        else if (key == "markers") {
            if (value != "stars" && value != "page")
                throw jo::RequestError{"\"markers\" must be \"stars\" or \"page\"", {}, jo::kCodeRequest};
        } else
            throw jo::RequestError{
                "unknown parameter \"" + key +
                    "\" (known: q, limit, offset, sort, facets, "
                    "facet_limit, date_interval, estimate, snippet_length, collapse, like, allow_partial, markers)",
                {},
                jo::kCodeRequest};
    }
    if (!j.contains("query") && !j.contains("like"))
        throw jo::RequestError{"missing parameter \"q\" (the query) or \"like\"", {}, jo::kCodeRequest};
    std::optional<json> id;
    SearchRequest r = jo::parse_request(j.dump(), defaults, id).search;
    if (r.limit > kMaxLimit && !export_all)
        throw jo::RequestError{
            "\"limit\" is at most " + std::to_string(kMaxLimit) + " (use /api/export.csv for every match)",
            {},
            jo::kCodeRequest};
    use_markers(req, r.snippet);
    return r;
}

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A
// field that a spreadsheet would take for a formula (=, +, -, @, tab, CR first) gets a
// leading apostrophe.
std::string csv_field(const std::string& v) {
    std::string s = v;
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        s.insert(0, 1, '\'');
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

std::string csv_line(const Hit& h) {
    std::string people;
    for (const std::string& p : h.people) people += (people.empty() ? "" : "; ") + p;
    return csv_field(h.id) + "," + csv_field(h.date) + "," + csv_field(h.title) + "," + csv_field(h.url) + "," +
           csv_field(h.author) + "," + csv_field(h.source) + "," + csv_field(people) + "\r\n";
}

// Constant-time comparison of the bearer token.
bool same_secret(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    return diff == 0 && !b.empty();
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
    const std::string cookies = req.get_header_value("Cookie");
    for (std::size_t start = 0; start < cookies.size();) {
        std::size_t end = std::min(cookies.find(';', start), cookies.size());
        std::string part = cookies.substr(start, end - start);
        part.erase(0, part.find_first_not_of(' '));
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
        start = end + 1;
    }
    return {};
}

// Searchers lent to requests. Workers are many (one per connection, kept-alive ones
// included), but searching is the machine's CPU work: a few searchers, each opened on
// first use and kept with its caches (the index's people, the facet values of remote
// shards, connections to them), serve every worker. A request borrows one, waiting when
// all are lent, reopened first so that the answer reflects the latest commit. One that
// met an index error is closed (the index may have been removed or rebuilt: it is
// opened again next time).
class SearcherPool {
public:
    SearcherPool(std::string db, std::size_t size) : db_(std::move(db)), size_(std::max<std::size_t>(1, size)) {}

    class Lease {
    public:
        Lease(SearcherPool& pool, std::unique_ptr<Searcher> s) : pool_(&pool), s_(std::move(s)) {}
        Lease(const Lease&) = delete;  // returned and kept as it is made (C++17 elision)
        Lease& operator=(const Lease&) = delete;
        ~Lease() { pool_->give_back(std::move(s_)); }
        Searcher& operator*() const { return *s_; }
        void discard() { s_.reset(); }

    private:
        SearcherPool* pool_;
        std::unique_ptr<Searcher> s_;
    };

    Lease borrow() {
        std::unique_ptr<Searcher> s;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            free_.wait(lock, [this] { return lent_ < size_; });
            ++lent_;
            if (!idle_.empty()) {
                s = std::move(idle_.back());
                idle_.pop_back();
            }
        }
        try {
            if (s)
                s->reopen();
            else
                s = std::make_unique<Searcher>(db_);
        } catch (...) {
            give_back(nullptr);
            throw;
        }
        return Lease(*this, std::move(s));
    }

    // Reopens the searcher idle longest and warms it (Searcher::warm(): the people and
    // facet values of the latest commit read before a query needs them), or opens a
    // first one. Returns at once when every searcher is lent: requests are being
    // answered, and read what they need themselves. Searchers that requests have never
    // needed are not opened (over remote shards, each holds its own facet values).
    void warm_idle() {
        std::unique_ptr<Searcher> s;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (lent_ >= size_ || (idle_.empty() && lent_ > 0)) return;
            if (!idle_.empty()) {
                s = std::move(idle_.front());
                idle_.erase(idle_.begin());
            }
            ++lent_;
        }
        try {
            if (s)
                s->reopen();
            else
                s = std::make_unique<Searcher>(db_);
            s->warm();
        } catch (const std::exception&) {
            // An index missing, damaged or being replaced: the searcher is closed, and
            // the next request opens the index again and answers with the error.
            s.reset();
        }
        give_back(std::move(s));
    }

private:
    void give_back(std::unique_ptr<Searcher> s) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --lent_;
            if (s) idle_.push_back(std::move(s));
        }
        free_.notify_one();
    }

    const std::string db_;
    const std::size_t size_;
    std::mutex mutex_;
    std::condition_variable free_;
    std::vector<std::unique_ptr<Searcher>> idle_;  // opened, not lent
    std::size_t lent_ = 0;                         // lent, or being opened for a request
};

// Warms an idle searcher of the pool every `every` seconds, on a thread of its own,
// until destroyed (docs/http.md, "Warming up").
class Warmer {
public:
    Warmer(SearcherPool& pool, std::size_t every) {
        if (every == 0) return;
        thread_ = std::thread([this, &pool, every] {
            std::unique_lock<std::mutex> lock(mutex_);
            while (!stop_) {
                lock.unlock();
                pool.warm_idle();
                lock.lock();
                wake_.wait_for(lock, std::chrono::seconds(every), [this] { return stop_; });
            }
        });
    }
    Warmer(const Warmer&) = delete;
    Warmer& operator=(const Warmer&) = delete;
    ~Warmer() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Runs f(searcher) with a searcher of the pool; an index error closes it.
template <class F>
auto with_searcher(SearcherPool& pool, F&& f) -> decltype(f(std::declval<Searcher&>())) {
    SearcherPool::Lease s = pool.borrow();
    try {
        return f(*s);
    } catch (const QueryError&) {  // the request's fault (ArticleNotFoundError too): the searcher is sound
        throw;
    } catch (const Error&) {
        s.discard();
        throw;
    }
}

// Runs a handler body, turning errors into JSON answers.
template <class F>
void answer(httplib::Response& res, F&& f) {
    try {
        f();
    } catch (const jo::RequestError& e) {
        send_error(res, 400, e.message, e.position);
    } catch (const ArticleNotFoundError& e) {  // like=ID: no such article, as /api/article/ID
        send_error(res, 404, e.what());
    } catch (const QueryError& e) { send_error(res, 400, e.what(), e.position()); } catch (const Error& e) {
        send_error(res, status_of(e), e.what());
    } catch (const std::bad_alloc&) { send_error(res, 503, "out of memory"); } catch (const std::exception& e) {
        send_error(res, 500, std::string("internal error: ") + e.what());
    }
}

std::atomic<bool> g_stop{false};

}  // namespace

int serve_http(const Options& o) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t workers = o.threads ? o.threads : std::max<std::size_t>(16, 8 * cores);
    // Declared before the server, so destroyed after it (and its workers).
    SearcherPool pool(o.db, o.searchers ? o.searchers : std::min(workers, std::max<std::size_t>(4, 2 * cores)));
    httplib::Server server;
    server.new_task_queue = [workers] { return new BoundedPool(workers); };
    server.set_read_timeout(kReadTimeoutSeconds);
    server.set_write_timeout(kWriteTimeoutSeconds);
    server.set_keep_alive_timeout(kKeepAliveSeconds);
    server.set_keep_alive_max_count(kKeepAliveRequests);
    server.set_payload_max_length(64 * 1024);
    server.set_tcp_nodelay(true);

    // Headers on every answer: the page may run only its own scripts and styles, talk
    // only to this server, and be framed by no one.
    server.set_default_headers({
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cache-Control", "no-store"},
    });

    // Read-only: anything but GET and HEAD is refused before routing; with a token, a
    // request without it too.
    const std::string token = o.token;
    server.set_pre_routing_handler([token](const httplib::Request& req, httplib::Response& res) {
        if (req.method != "GET" && req.method != "HEAD") {
            res.set_header("Allow", "GET, HEAD");
            send_error(res, 405, "method " + req.method + " not allowed: the service is read-only");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (token.empty()) return httplib::Server::HandlerResponse::Unhandled;
        // The page logs in once with /?token=TOKEN, which sets a cookie; API clients send
        // "Authorization: Bearer TOKEN".
        const std::string auth = req.get_header_value("Authorization");
        const bool bearer = auth.rfind("Bearer ", 0) == 0 && same_secret(auth.substr(7), token);
        const bool cookie = same_secret(cookie_value(req, "depeche_token"), token);
        if (req.path == "/" && req.has_param("token") && same_secret(req.get_param_value("token"), token)) {
            res.set_header("Set-Cookie", "depeche_token=" + token + "; HttpOnly; SameSite=Strict; Path=/");
            res.set_redirect("/");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (bearer || cookie) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        send_error(res, 401, "a bearer token is required (Authorization: Bearer TOKEN, or open /?token=TOKEN)");
        return httplib::Server::HandlerResponse::Handled;
    });

    const std::string db = o.db;
    const SearchRequest defaults = o.defaults;

    for (const web::Asset& asset : web::assets()) {
        const std::string path = asset.path;
        server.Get(path == "/index.html" ? "/" : path, [&asset](const httplib::Request&, httplib::Response& res) {
            res.set_content(std::string(asset.data, asset.size), asset.type);
        });
    }

    server.Get("/api/search", [&pool, defaults](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            SearchRequest r = request_from(req, defaults, false);
            const std::string query = r.query;
            SearchResult result = with_searcher(pool, [&](Searcher& s) { return s.search(r); });
            send_json(res, 200, jo::result_json(query, result));
        });
    });

    server.Get("/api/stats", [&pool, db](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            if (!req.params.empty()) throw jo::RequestError{"/api/stats takes no parameter", {}, jo::kCodeRequest};
            const IndexStats stats = with_searcher(pool, [](Searcher& s) { return s.stats(); });
            send_json(res, 200, jo::live_stats_json(stats, db));
        });
    });

    server.Get("/api/article/(.+)", [&pool, defaults](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            for (const auto& [key, value] : req.params)
                if (!valid_utf8(value))
                    throw jo::RequestError{"parameter \"" + key + "\" is not valid UTF-8", {}, jo::kCodeRequest};
                else if (key != "q" && key != "markers")
                    throw jo::RequestError{
                        "unknown parameter \"" + key + "\" (known: q, markers)", {}, jo::kCodeRequest};
            SnippetOptions markers = defaults.snippet;
            use_markers(req, markers);
            const std::string id = req.matches[1];
            std::optional<ArticleView> a =
                with_searcher(pool, [&](Searcher& s) { return s.article(id, req.get_param_value("q"), markers); });
            if (!a) {
                send_error(res, 404, "no article with this id");
                return;
            }
            send_json(res, 200, jo::article_json(*a));
        });
    });

    server.Get("/api/export.csv", [db, defaults](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            SearchRequest r = request_from(req, defaults, true);
            r.snippet.length = 0;
            r.facets = false;
            r.suggest = false;
            r.limit = 0;
            // Every match, a chunk at a time, from a searcher of this request: it reads one
            // revision from the first chunk to the last unless a writer's commits discard
            // it. The query is checked and the index opened before the answer starts, so
            // that their errors are JSON answers.
            auto searcher = std::make_shared<Searcher>(db);
            searcher->search(r);
            auto base = std::make_shared<SearchRequest>(r);
            auto next = std::make_shared<std::size_t>(0);
            res.set_header("Content-Disposition", "attachment; filename=\"depeche-export.csv\"");
            res.set_chunked_content_provider(
                "text/csv; charset=utf-8", [searcher, base, next](std::size_t, httplib::DataSink& sink) {
                    try {
                        std::string out;
                        if (*next == 0) out = "id,date,title,url,author,source,people\r\n";
                        SearchRequest page = *base;
                        page.offset = *next;
                        page.limit = kExportChunk;
                        page.exact_total = false;  // no second pass to count: the hits are what is wanted
                        SearchResult chunk = searcher->search(page);
                        for (const Hit& h : chunk.hits) out += csv_line(h);
                        *next += chunk.hits.size();
                        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
                        if (chunk.hits.size() < kExportChunk) sink.done();
                        return true;
                    } catch (const std::exception&) {
                        return false;  // the connection is closed: an incomplete file, not a wrong one
                    }
                });
        });
    });

    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) {
            const int status = res.status;
            send_error(res, status, status == 404 ? "not found" : status == 413 ? "request too large" : "bad request");
        }
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_error(res, 500, "internal error");
    });

    // SIGINT and SIGTERM stop the server from a thread of its own (blocked in every other
    // thread, which inherit the mask).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    int port = o.port;
    if (port == 0) {
        port = server.bind_to_any_port(o.host);
        if (port <= 0) {
            std::cerr << "depeche-search: cannot listen on " << o.host << " (any port)\n";
            return 4;
        }
    } else if (!server.bind_to_port(o.host, port)) {
        std::cerr << "depeche-search: cannot listen on " << o.host << ":" << port
                  << " (address in use, or not an address of this machine)\n";
        return 4;
    }
    // Started once listening, stopped (after the warming under way) before the pool goes.
    Warmer warmer(pool, o.warm_seconds);
    std::thread stopper([&server, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        g_stop = true;
        server.stop();
    });
    const bool v6 = o.host.find(':') != std::string::npos;
    std::cerr << "depeche-search: serving " << o.db << " on http://" << (v6 ? "[" : "") << o.host << (v6 ? "]" : "")
              << ":" << port << "/" << (o.token.empty() ? "" : " (a bearer token is required on every request)")
              << " with " << workers << " workers; Ctrl-C stops\n"
              << std::flush;
    server.listen_after_bind();
    if (!g_stop) {  // stopped by something else than a signal: wake the signal thread up
        pthread_kill(stopper.native_handle(), SIGTERM);
    }
    stopper.join();
    return 0;
}

}  // namespace depeche::http
