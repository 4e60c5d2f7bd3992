#include "schema/shards.hpp"

#include "schema/hash.hpp"

#include <depeche/depeche.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <unistd.h>

namespace fs = std::filesystem;

namespace depeche::shards {

std::string shard_name(std::size_t k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "shard-%02zu", k);
    return buf;
}

std::string shard_label(std::size_t k, const std::string& period) {
    return period.empty() ? shard_name(k) : shard_name(k) + " [" + period + "]";
}

std::string period_of_date(std::string_view date_value) {
    if (date_value.size() < 4) return kUndated;
    for (std::size_t i = 0; i < 4; ++i)
        if (date_value[i] < '0' || date_value[i] > '9') return kUndated;
    return std::string(date_value.substr(0, 4));
}

bool valid_period(std::string_view period) {
    if (period == kUndated) return true;
    if (period.size() != 4) return false;
    for (char c : period)
        if (c < '0' || c > '9') return false;
    return true;
}

std::size_t shard_of(std::string_view id_term, std::size_t n) {
    return n <= 1 ? 0 : static_cast<std::size_t>(schema::fnv1a64(id_term) % n);
}

bool is_sharded_folder(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) && fs::is_regular_file(path / kStubName, ec);
}

std::vector<StubEntry> read_stub(const fs::path& stub) {
    std::ifstream in(stub, std::ios::binary);
    if (!in) throw IndexMissingError("cannot read stub file " + stub.string());
    const fs::path base = fs::absolute(stub).parent_path();
    std::vector<StubEntry> out;
    std::string line;
    std::size_t no = 0;
    auto bad = [&](const std::string& why) {
        return IndexMissingError(stub.string() + ":" + std::to_string(no) + ": " + why);
    };
    while (std::getline(in, line)) {
        ++no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        StubEntry e;
        e.text = line;
        e.line = no;
        const std::size_t space = line.find(' ');
        const std::string type = line.substr(0, space);
        const std::string rest = space == std::string::npos ? std::string() : line.substr(space + 1);
        if (type == "auto" || type == "glass") {
            if (rest.empty()) throw bad("'" + type + "' needs a path");
            fs::path p(rest);
            e.path = (p.is_relative() ? base / p : p).lexically_normal().string();
        } else if (type == "remote" && !rest.empty() && rest[0] == ':') {
            e.kind = StubEntry::Kind::Program;
            const std::size_t sp = rest.find(' ');
            e.program = rest.substr(1, sp == std::string::npos ? std::string::npos : sp - 1);
            if (sp != std::string::npos) e.args = rest.substr(sp + 1);
            if (e.program.empty()) throw bad("'remote :' needs a program");
        } else if (type == "remote") {
            const std::size_t colon = rest.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
                throw bad("'remote' needs HOST:PORT or :PROGRAM ARGS, not '" + rest + "'");
            e.kind = StubEntry::Kind::Tcp;
            e.host = rest.substr(0, colon);
            if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']')
                e.host = e.host.substr(1, e.host.size() - 2);
            unsigned long port = 0;
            for (std::size_t k = colon + 1; k < rest.size(); ++k) {
                if (rest[k] < '0' || rest[k] > '9' || port > 65535) throw bad("bad port in '" + rest + "'");
                port = port * 10 + static_cast<unsigned long>(rest[k] - '0');
            }
            if (port == 0 || port > 65535) throw bad("bad port in '" + rest + "'");
            e.port = static_cast<unsigned>(port);
        } else {
            throw bad("unknown database type '" + type + "' (auto, glass or remote)");
        }
        out.push_back(std::move(e));
    }
    return out;
}

void write_stub(const fs::path& folder, std::size_t n) {
    std::string s =
        "# Dépêche sharded index: the lexicon (metadata and synonyms, kept local) first, then the shards.\n"
        "# A shard line may be replaced by 'remote HOST:PORT' (xapian-tcpsrv) or\n"
        "# 'remote :ssh HOST xapian-progsrv PATH'; see docs/scale-out.md.\n";
    s += std::string("auto ") + kLexiconName + "\n";
    for (std::size_t k = 0; k < n; ++k) s += "auto " + shard_name(k) + "\n";
    // A temporary file, synced, renamed over the stub, then the folder synced: a reader
    // (or a crash) sees the old stub or the new one, never half of one.
    const fs::path target = folder / kStubName;
    const fs::path tmp = folder / ("." + std::string(kStubName) + ".tmp-" + std::to_string(::getpid()));
    auto fail = [&](const char* what) {
        const int error = errno;
        std::error_code ec;
        fs::remove(tmp, ec);
        throw IoError("cannot write " + target.string() + ": " + what + ": " + std::strerror(error));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("open");
    for (std::size_t done = 0; done < s.size();) {
        const ssize_t w = ::write(fd, s.data() + done, s.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            ::close(fd);
            fail("write");
        }
        done += static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        fail("fsync");
    }
    ::close(fd);
    if (::rename(tmp.c_str(), target.c_str()) != 0) fail("rename");
    if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::string new_index_id() {
    std::random_device rd;
    const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    return schema::hex64(v);
}

std::string lexicon_record(std::size_t n, const std::string& index_id) { return std::to_string(n) + " " + index_id; }

std::string lexicon_record(const std::string& index_id, const std::vector<std::string>& periods) {
    std::string list;
    for (const std::string& p : periods) list += (list.empty() ? "" : ",") + p;
    return std::to_string(periods.size()) + " " + index_id + " " + kPartitionYear + " " + list;
}

std::string shard_record(std::size_t k, std::size_t n, const std::string& index_id) {
    return std::to_string(k) + " " + std::to_string(n) + " " + index_id;
}

std::string period_shard_record(std::size_t k, const std::string& index_id, const std::string& period,
                                unsigned long long compacted) {
    return std::to_string(k) + " " + index_id + " " + kPartitionYear + " " + period + " " + std::to_string(compacted);
}

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return out;
        start = end + 1;
    }
}

// A decimal number of at most `digits` digits.
bool number(const std::string& s, std::size_t digits, unsigned long long& out) {
    if (s.empty() || s.size() > digits) return false;
    out = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<unsigned long long>(c - '0');
    }
    return true;
}

}  // namespace

ShardRecord parse_record(const std::string& value, bool with_k) {
    ShardRecord r;
    const std::vector<std::string> t = split(value, ' ');
    unsigned long long k = 0, n = 0;
    for (const std::string& token : t)
        if (token.empty()) return r;
    if (!with_k && t.size() == 2) {  // N ID
        if (!number(t[0], 6, n)) return r;
        r.n = static_cast<std::size_t>(n);
        r.index_id = t[1];
        r.ok = r.n >= 1 && r.n <= kMaxShards;
    } else if (!with_k && t.size() == 4 && t[2] == kPartitionYear) {  // N ID year P0,P1,...
        if (!number(t[0], 6, n)) return r;
        r.n = static_cast<std::size_t>(n);
        r.index_id = t[1];
        r.partition = t[2];
        r.periods = split(t[3], ',');
        r.ok = r.n >= 1 && r.n <= kMaxShards && r.periods.size() == r.n;
        for (std::size_t i = 0; i < r.periods.size() && r.ok; ++i) {
            r.ok = valid_period(r.periods[i]);
            for (std::size_t j = 0; j < i && r.ok; ++j) r.ok = r.periods[j] != r.periods[i];
        }
    } else if (with_k && t.size() == 3) {  // K N ID
        if (!number(t[0], 6, k) || !number(t[1], 6, n)) return r;
        r.k = static_cast<std::size_t>(k);
        r.n = static_cast<std::size_t>(n);
        r.index_id = t[2];
        r.ok = r.n >= 1 && r.n <= kMaxShards && r.k < r.n;
    } else if (with_k && t.size() == 5 && t[2] == kPartitionYear) {  // K ID year PERIOD REV
        if (!number(t[0], 6, k) || !number(t[4], 20, r.compacted)) return r;
        r.k = static_cast<std::size_t>(k);
        r.index_id = t[1];
        r.partition = t[2];
        r.period = t[3];
        r.ok = r.k < kMaxShards && valid_period(r.period);
    }
    return r;
}

bool belongs(const ShardRecord& shard, const ShardRecord& lexicon, std::size_t k) {
    if (!shard.ok || !lexicon.ok || shard.k != k || shard.index_id != lexicon.index_id ||
        shard.partition != lexicon.partition)
        return false;
    if (lexicon.partition.empty()) return shard.n == lexicon.n;
    return k < lexicon.periods.size() && shard.period == lexicon.periods[k];
}

std::string expected_record(const ShardRecord& lexicon, std::size_t k) {
    if (lexicon.partition.empty()) return shard_record(k, lexicon.n, lexicon.index_id);
    return std::to_string(k) + " " + lexicon.index_id + " " + lexicon.partition + " " + period_of_shard(lexicon, k) +
           " REV";
}

std::string period_of_shard(const ShardRecord& lexicon, std::size_t k) {
    return k < lexicon.periods.size() ? lexicon.periods[k] : std::string();
}

}  // namespace depeche::shards
