// depeche::compact_cold_shards (depeche-index --compact-cold): the cold shards of a
// year-partitioned index compacted one at a time, each swapped in atomically.
#include "indexer/store.hpp"
#include "schema/errors.hpp"
#include "schema/schema.hpp"
#include "schema/shards.hpp"

#include <depeche/depeche.hpp>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace depeche {
namespace {

std::uint64_t folder_bytes(const fs::path& folder) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code fe;
        if (!it->is_regular_file(fe)) continue;
        const std::uintmax_t size = it->file_size(fe);
        if (!fe) total += size;
    }
    return total;
}

// Compaction folders (.shard-NN.compact-PID) left in the index folder by a run that was
// killed: removed when that process is gone. Before the swap such a folder is a partial
// copy; after it, the old shard: neither is part of the index.
void remove_stale_compactions(const fs::path& folder) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        const std::string name = e.path().filename().string();
        const std::size_t mark = name.find(".compact-");
        if (name.rfind(".shard-", 0) != 0 || mark == std::string::npos) continue;
        const std::string digits = name.substr(mark + 9);
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
        std::error_code rm;
        fs::remove_all(e.path(), rm);
    }
}

int current_year() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

CompactionReport compact_cold(const std::string& index_dir) {
    const std::string dir = tidy_path(index_dir);
    if (!shards::is_sharded_folder(dir)) require_index_folder(dir);  // the usual message when none is there
    if (!shards::is_sharded_folder(dir))
        throw IndexIncompatibleError("index " + dir +
                                     " is not partitioned by year (--compact-cold compacts the shards of past years "
                                     "of an index built with --partition year; see docs/scale-out.md)");
    WriterLock lock(dir);
    const fs::path folder = index_path(dir);
    remove_stale_compactions(folder);
    // The layout checked as a writer opens it: the contract, every shard's record.
    ShardRouting routing;
    open_writable_sharded(folder, dir, routing).close();
    if (routing.partition.empty())
        throw IndexIncompatibleError("index " + dir + " has " + std::to_string(routing.shards) +
                                     " shards by hash, not one per year: --compact-cold applies to an index built "
                                     "with --partition year (compact a hash shard with xapian-compact, see "
                                     "docs/scale-out.md)");
    CompactionReport report;
    const int year = current_year();
    for (std::size_t k = 0; k < routing.shards; ++k) {
        const std::string& period = routing.periods[k];
        if (period == shards::kUndated || std::stoi(period) >= year) continue;  // not cold
        const std::string name = shards::shard_name(k), label = shards::shard_label(k, period);
        const fs::path path = folder / name;
        const fs::path copy = folder / ("." + name + ".compact-" + std::to_string(::getpid()));
        try {
            Xapian::Database src(path.string());
            const shards::ShardRecord r = shards::parse_record(src.get_metadata(schema::kMetaShard), true);
            if (r.compacted == src.get_revision()) {
                ++report.unchanged;
                continue;
            }
            // A shard that lost a table is not compacted (its copy would look sound).
            require_tables(src, path, "index " + dir + ": " + label);
            std::error_code ec;
            fs::remove_all(copy, ec);
            const std::uint64_t before = folder_bytes(path);
            // Nothing writes the shard meanwhile: this process holds the writer's lock.
            src.compact(copy.string(), Xapian::Compactor::FULLER);
            {
                Xapian::WritableDatabase c(copy.string(), Xapian::DB_OPEN);
                if (c.get_doccount() != src.get_doccount())
                    throw IoError("index " + dir + ": the compacted copy of " + label + " holds " +
                                  std::to_string(c.get_doccount()) + " articles, the shard " +
                                  std::to_string(src.get_doccount()) + "; the shard was left as it was");
                // The revision this commit makes: the shard is compact until it changes.
                c.set_metadata(schema::kMetaShard,
                               shards::period_shard_record(k, routing.index_id, period, c.get_revision() + 1));
                record_tables(c, copy, true);
                c.commit();
            }
            fs::permissions(copy, fs::status(path).permissions(), ec);
            src.close();
            // Exchanged in one rename: a searcher opens the old shard or the new one.
            replace_directory(path, copy);
            report.bytes_before += before;
            report.bytes_after += folder_bytes(path);
            report.compacted.push_back(label);
        } catch (const Xapian::Error& e) {
            std::error_code ec;
            fs::remove_all(copy, ec);
            rethrow_xapian(e, dir + "/" + label);
        } catch (...) {
            std::error_code ec;
            fs::remove_all(copy, ec);
            throw;
        }
    }
    return report;
}

}  // namespace

CompactionReport compact_cold_shards(const std::string& index_dir) {
    return guard_errors([&] { return compact_cold(index_dir); }, index_dir);
}

}  // namespace depeche
