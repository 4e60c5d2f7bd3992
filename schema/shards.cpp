#include "schema/shards.hpp"

#include "schema/hash.hpp"

#include <depeche/depeche.hpp>

#include <cstdio>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace depeche::shards {

std::string shard_name(std::size_t k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "shard-%02zu", k);
    return buf;
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
    std::ofstream stub(folder / kStubName, std::ios::binary);
    stub << s;
    stub.close();
    if (!stub) throw IoError("cannot write " + (folder / kStubName).string());
}

std::string new_index_id() {
    std::random_device rd;
    const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    return schema::hex64(v);
}

std::string lexicon_record(std::size_t n, const std::string& index_id) { return std::to_string(n) + " " + index_id; }

std::string shard_record(std::size_t k, std::size_t n, const std::string& index_id) {
    return std::to_string(k) + " " + std::to_string(n) + " " + index_id;
}

ShardRecord parse_record(const std::string& value, bool with_k) {
    ShardRecord r;
    std::size_t i = 0;
    auto number = [&](std::size_t& out) {
        const std::size_t start = i;
        out = 0;
        while (i < value.size() && value[i] >= '0' && value[i] <= '9' && i - start < 6)
            out = out * 10 + static_cast<std::size_t>(value[i++] - '0');
        if (i == start || i >= value.size() || value[i] != ' ') return false;
        ++i;
        return true;
    };
    if (with_k && !number(r.k)) return r;
    if (!number(r.n)) return r;
    r.index_id = value.substr(i);
    r.ok = r.n >= 1 && r.n <= kMaxShards && r.k < r.n && !r.index_id.empty();
    return r;
}

}  // namespace depeche::shards
