#include "indexer/watch.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace depeche::watch {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kEvents = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                                  IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB;

class Watcher {
public:
    Watcher() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
    ~Watcher() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    int fd() const { return fd_; }

    // Watches `dir` and the folders below it, as the indexer reads them: hidden folders
    // and links to folders are left out.
    void add_tree(const fs::path& dir) {
        std::error_code ec;
        if (!fs::is_directory(fs::symlink_status(dir, ec))) return;
        add(dir);
        for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            std::error_code se;
            if (!name.empty() && name[0] == '.') {
                if (it->is_directory(se)) it.disable_recursion_pending();
                continue;
            }
            if (fs::is_directory(it->symlink_status(se))) add(it->path());
        }
    }

    // Reads the pending events; returns false if none could be read.
    template <class F>
    bool drain(F&& on_event) {
        alignas(inotify_event) char buffer[64 * 1024];
        bool any = false;
        for (;;) {
            const ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n <= 0) return any;
            any = true;
            for (char* p = buffer; p < buffer + n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(p);
                p += sizeof(inotify_event) + e->len;
                if (e->mask & IN_Q_OVERFLOW) {
                    on_event(fs::path(), e->mask);
                    continue;
                }
                auto dir = dirs_.find(e->wd);
                if (dir == dirs_.end()) continue;
                if (e->mask & IN_IGNORED) {
                    dirs_.erase(dir);
                    continue;
                }
                on_event(e->len ? dir->second / e->name : dir->second, e->mask);
            }
        }
    }

private:
    void add(const fs::path& dir) {
        const int wd = inotify_add_watch(fd_, dir.c_str(), kEvents | IN_ONLYDIR);
        if (wd >= 0)
            dirs_[wd] = dir;
        else if (errno == ENOSPC)
            std::cerr << "depeche-index: cannot watch " << dir.string()
                      << ": the system's limit of inotify watches is reached (fs.inotify.max_user_watches)\n";
    }

    int fd_;
    std::map<int, fs::path> dirs_;
};

bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

}  // namespace

int run(Writer& writer, const std::vector<std::string>& paths, const Options& options) {
    Watcher w;
    if (!w.ok()) {
        std::cerr << "depeche-index: cannot watch folders: " << std::strerror(errno) << "\n";
        return 3;
    }
    for (const std::string& p : paths) {
        std::error_code ec;
        const fs::path path = fs::absolute(p, ec);
        // A file given by name: its folder is watched (index_paths reads only that file).
        w.add_tree(fs::is_directory(path, ec) ? path : path.parent_path());
    }
    bool dirty = false;
    Clock::time_point last_change{};
    std::map<fs::path, Clock::time_point> writing;  // modified, not yet closed
    const auto quiet = std::chrono::milliseconds(options.quiet_ms);
    const auto stale = std::chrono::milliseconds(options.stale_write_ms);
    while (!(options.stop && options.stop())) {
        int timeout = 500;
        if (dirty) {
            const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(last_change + quiet - Clock::now());
            timeout = static_cast<int>(std::clamp<long long>(wait.count(), 10, 500));
        }
        pollfd pfd{w.fd(), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, timeout);
        if (ready < 0 && errno != EINTR) {
            std::cerr << "depeche-index: watching failed: " << std::strerror(errno) << "\n";
            return 3;
        }
        if (ready > 0)
            w.drain([&](const fs::path& path, std::uint32_t mask) {
                const auto now = Clock::now();
                if (path.empty()) {  // the kernel's queue overflowed: look at everything
                    dirty = true;
                    last_change = now;
                    return;
                }
                if (hidden(path) && !(mask & (IN_MOVED_FROM | IN_DELETE))) return;
                if ((mask & IN_ISDIR) && (mask & (IN_CREATE | IN_MOVED_TO))) w.add_tree(path);
                if (mask & IN_MODIFY) writing[path] = now;
                if (mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) writing.erase(path);
                dirty = true;
                last_change = now;
            });
        if (!dirty) continue;
        const auto now = Clock::now();
        if (now - last_change < quiet) continue;
        bool still_written = false;
        for (const auto& [path, when] : writing)
            if (now - when < stale) still_written = true;
        if (still_written) continue;
        writing.clear();
        dirty = false;
        IndexSummary s = writer.index_paths(paths);
        if (options.report) options.report(s);
    }
    return 0;
}

}  // namespace depeche::watch
