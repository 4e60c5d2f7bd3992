// Compressed input (.gz, .zst, .xz): read as streams, the same articles as the plain
// files; truncated, corrupt and hostile compressed data give one issue each.
#include "indexer/decompress.hpp"
#include "indexer/readers.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>

using namespace depeche;
using depeche::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string gzip(const std::string& data) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string zstd(const std::string& data) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
    REQUIRE_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

std::string xz(const std::string& data) {
    std::string out(lzma_stream_buffer_bound(data.size()), '\0');
    std::size_t pos = 0;
    REQUIRE(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(data.data()),
                                    data.size(), reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()) == LZMA_OK);
    out.resize(pos);
    return out;
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

struct Read {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    ReadStats stats;
};

Read read(const fs::path& p) {
    Read r;
    r.stats = read_file(
        p, [&](Article&& a) { r.articles.push_back(std::move(a)); }, r.issues);
    return r;
}

// JSON Lines of n articles, each with a body of about 2 KB (so that the compressed
// stream spans many reads).
std::string jsonl(int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += "{\"id\": \"a" + std::to_string(i) + "\", \"title\": \"Article " + std::to_string(i) +
               "\", \"body\": \"" + std::string(2000, static_cast<char>('a' + i % 26)) + " fin.\"}\n";
    return out;
}

}  // namespace

TEST_CASE("compressed: .gz, .zst and .xz give the articles of the plain file", "[readers][compressed]") {
    TempDir dir;
    const std::string plain = jsonl(300);  // 600 KB: many 64 KB chunks
    write(dir.path / "a.jsonl", plain);
    const Read expected = read(dir.path / "a.jsonl");
    REQUIRE(expected.articles.size() == 300);
    const std::vector<std::pair<std::string, std::string>> files = {
        {"a.jsonl.gz", gzip(plain)},
        {"a.jsonl.zst", zstd(plain)},
        {"a.jsonl.xz", xz(plain)},
        // Concatenated members and frames are one stream.
        {"b.jsonl.gz", gzip(plain.substr(0, plain.size() / 2)) + gzip(plain.substr(plain.size() / 2))},
        {"b.jsonl.zst", zstd(plain.substr(0, plain.size() / 3)) + zstd(plain.substr(plain.size() / 3))},
        {"b.jsonl.xz", xz(plain.substr(0, 1000)) + xz(plain.substr(1000))},
    };
    for (const auto& [name, bytes] : files) {
        INFO(name);
        write(dir.path / name, bytes);
        const Read r = read(dir.path / name);
        CHECK(r.issues.empty());
        CHECK_FALSE(r.stats.failed);
        REQUIRE(r.articles.size() == expected.articles.size());
        for (std::size_t i = 0; i < r.articles.size(); ++i) {
            CHECK(r.articles[i].id == expected.articles[i].id);
            CHECK(r.articles[i].body == expected.articles[i].body);
            CHECK(r.articles[i].line == expected.articles[i].line);
        }
    }
    // A single-article format.
    const std::string one = "{\"id\": \"x\", \"title\": \"Un titre\", \"body\": \"Un texte.\"}";
    write(dir.path / "x.json.gz", gzip(one));
    const Read x = read(dir.path / "x.json.gz");
    REQUIRE(x.articles.size() == 1);
    CHECK(x.articles[0].title == "Un titre");
}

TEST_CASE("compressed: truncated, corrupt or hostile data is one issue, what came before is kept",
          "[readers][compressed]") {
    TempDir dir;
    const std::string plain = jsonl(200);
    for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"t.jsonl.gz", gzip(plain)}, {"t.jsonl.zst", zstd(plain)}, {"t.jsonl.xz", xz(plain)}}) {
        INFO(name);
        // Cut in the middle: the complete lines before the cut are read.
        write(dir.path / name, bytes.substr(0, bytes.size() / 2));
        const Read r = read(dir.path / name);
        REQUIRE(r.issues.size() == 1);
        CHECK(r.issues[0].message.find("truncated") != std::string::npos);
        CHECK(r.articles.size() > 0);
        CHECK(r.articles.size() < 200);
        // One flipped byte past the header: an issue, no crash.
        std::string flipped = bytes;
        flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
        write(dir.path / ("f" + name), flipped);
        const Read f = read(dir.path / ("f" + name));
        CHECK(f.articles.size() <= 200);
        for (const ReadIssue& i : f.issues) CHECK(i.message.find('\n') == std::string::npos);
    }
    // Not compressed at all.
    write(dir.path / "n.json.gz", "{\"id\": \"n\"}");
    const Read n = read(dir.path / "n.json.gz");
    REQUIRE(n.issues.size() == 1);
    CHECK(n.issues[0].message.find("gzip") != std::string::npos);
    CHECK(n.articles.empty());
    // An empty file.
    write(dir.path / "e.jsonl.zst", "");
    CHECK(read(dir.path / "e.jsonl.zst").articles.empty());
    // A bomb: 200 MB of one character in a single-article file stops at the size limit.
    {
        std::string big(200u << 20, 'a');
        write(dir.path / "bomb.txt.zst", zstd(big));
    }
    const Read bomb = read(dir.path / "bomb.txt.zst");
    CHECK(bomb.articles.empty());
    REQUIRE(bomb.issues.size() == 1);
    CHECK(bomb.issues[0].message.find("too large") != std::string::npos);
}
