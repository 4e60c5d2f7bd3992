// Article readers: turn one input file into articles (UTF-8), reporting problems.
#pragma once

#include "article.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace depeche {

// One problem found while reading input: "path:line: message" (line 0 = whole file).
struct ReadIssue {
    std::string path;
    std::size_t line = 0;
    std::string message;
    // The input was used anyway (an empty body, text repaired, a field ignored...): the
    // message then starts with "warning: ". Otherwise an article, a line or the whole
    // file was not indexed.
    bool warning = false;
    std::string to_string() const;  // one line, e.g. "a/b.jsonl:12: malformed JSON (...)"
};

// Files of the single-article formats (.txt .md .json .html) larger than this are
// skipped with an issue. JSONL files are streamed at any size, but one line longer
// than kMaxJsonLineBytes is skipped with an issue.
inline constexpr std::uintmax_t kMaxSingleArticleFileBytes = std::uintmax_t{64} << 20;
inline constexpr std::size_t kMaxJsonLineBytes = std::size_t{64} << 20;

enum class Format { Text, Markdown, Json, JsonLines, Html, Feed, Unknown };

// Which JSON key (or dotted path, "author.name") an article field is read from, before
// the keys known out of the box: field name -> keys, first present first. Fields: id,
// title, date, url, source, author, body, lede, people.
using FieldMap = std::vector<std::pair<std::string, std::string>>;

struct ReadOptions {
    FieldMap field_map;
    // Called now and then while a file is read, with the bytes of the file read so far
    // (compressed bytes for a compressed file).
    std::function<void(std::uintmax_t)> on_bytes;
};

// Format from the file name's extension (case-insensitive); Unknown if not handled.
Format format_for(const std::filesystem::path& path);

struct ReadStats {
    std::size_t articles = 0;  // articles passed to the sink
    bool failed = false;       // the file could not be read at all (see issues)
};

// Reads one file and calls sink for each article found (streaming: large JSONL files
// are never held whole in memory). Problems go to issues; reading goes on past bad
// lines. Never throws for bad input. `failed` is set when the file could not be read
// (I/O error, not a regular file, unsupported extension, too large); binary, empty or
// malformed content only gives issues. "byte N" in messages counts from 1, from the
// start of the file (of the line for JSONL). An exception thrown by the sink (the index
// cannot be written...) stops reading and comes out unchanged, never as an issue.
ReadStats read_file(const std::filesystem::path& path, const std::function<void(Article&&)>& sink,
                    std::vector<ReadIssue>& issues);
ReadStats read_file(const std::filesystem::path& path, const std::function<void(Article&&)>& sink,
                    std::vector<ReadIssue>& issues, const ReadOptions& options);

// Decodes raw bytes to UTF-8: strips a UTF-8 BOM, converts UTF-16 with a BOM, and
// detects legacy encodings (Windows-1252, Latin-1) with ICU. Replaces invalid
// sequences with U+FFFD. Sets `encoding` to the name of the source encoding.
std::string to_utf8(std::string_view bytes, std::string& encoding);

}  // namespace depeche
