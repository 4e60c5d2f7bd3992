// depeche-index --watch: after indexing the given paths, keeps watching their folders
// (inotify) and indexes what changes, through the public Writer only.
#pragma once

#include <depeche/depeche.hpp>

#include <functional>
#include <string>
#include <vector>

namespace depeche::watch {

struct Options {
    // A change is indexed once no file has changed for this long and no file is still
    // being written (modified and not yet closed), docs/cli.md "Watching folders".
    int quiet_ms = 1000;
    // A file modified and never closed is taken as it is after this long.
    int stale_write_ms = 30000;
    // Polled between events; true ends the watch (after committing).
    std::function<bool()> stop;
    // Called after each round of indexing with its summary.
    std::function<void(const IndexSummary&)> report;
};

// Watches the folders of `paths` (and of the files among them), recursively, and calls
// writer.index_paths(paths) after each burst of changes: new, changed, removed and
// renamed files are then indexed, each round committed. Returns when options.stop()
// says so (0), or 3 if inotify cannot be used (a message is printed).
int run(Writer& writer, const std::vector<std::string>& paths, const Options& options);

}  // namespace depeche::watch
