// Internal helpers shared by the article readers (readers*.cpp); not a public interface.
#pragma once

#include "readers.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::readers_detail {

// What a reader produces for one file: articles go to the sink, problems to the issues.
class ReadContext {
public:
    ReadContext(std::string path, const std::function<void(Article&&)>& sink, std::vector<ReadIssue>& issues,
                const ReadOptions* options = nullptr)
        : path_(std::move(path)), sink_(sink), issues_(issues), options_(options) {}

    const std::string& path() const { return path_; }
    const FieldMap* field_map() const {
        return options_ && !options_->field_map.empty() ? &options_->field_map : nullptr;
    }
    std::size_t articles() const { return articles_; }

    // Records a problem (input not indexed); the message is made single-line.
    void issue(std::string_view message, std::size_t line = 0);
    // Records a warning (input used anyway): "warning: " + message.
    void warn(std::string_view message, std::size_t line = 0);
    // Reports how far into the file reading is (bytes of the file itself).
    void bytes_read(std::uintmax_t n) const {
        if (options_ && options_->on_bytes) options_->on_bytes(n);
    }
    // Sets the article's path and passes it on.
    void emit(Article&& article);

private:
    std::string path_;
    const std::function<void(Article&&)>& sink_;
    std::vector<ReadIssue>& issues_;
    const ReadOptions* options_;
    std::size_t articles_ = 0;
};

// ---- Text helpers (readers_text.cpp) ----

std::string_view trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);
// Lower-cased, accents removed ("Écrit" -> "ecrit"), for matching metadata keys.
std::string fold_key(std::string_view key);
// At most max_chars code points of s on one line, with "..." when clipped.
std::string clip(std::string_view s, std::size_t max_chars = 60);
// All whitespace runs (including newlines) collapsed to one space, trimmed.
std::string single_line(std::string_view s);
// Line ends trimmed, at most one blank line between paragraphs, no blank lines at
// either end.
std::string tidy_body(std::string_view s);
// "A, B; C" -> {"A", "B", "C"}.
std::vector<std::string> split_people(std::string_view s);
// "200.0 MiB".
std::string format_size(std::uintmax_t bytes);

// Metadata fields shared by the .txt header and the Markdown front matter.
enum class MetaField { Title, Date, Author, Source, Url, People, Id, None };
MetaField meta_field_for(std::string_view key);  // key as written, any case/accents
// The same for front matter, where --map's keys (plain keys of the fields that front
// matter has: id, title, date, url, source, author, people) come first.
MetaField front_matter_field(std::string_view key, const ReadContext& ctx);
// Stores value in the article field; people are split on ',' and ';'.
void set_meta_field(Article& article, MetaField field, std::string_view value);

// ---- Encodings (readers_encoding.cpp) ----

// Counts of what repair_utf8()/normalize_text() changed.
struct TextStats {
    std::size_t invalid_sequences = 0;
    std::size_t first_invalid = 0;  // byte offset in repair_utf8's input
    std::size_t nul_count = 0;
    std::size_t first_nul = 0;    // byte offset in repair_utf8's input
    std::size_t nul_removed = 0;  // NULs removed by normalize_text()
};

struct EncodingChoice {
    std::string name;          // "UTF-8", "UTF-16LE", "windows-1252", ...
    std::size_t bom_size = 0;  // bytes to skip before decoding
    bool binary = false;       // only set when binary files are checked for
    std::string note;          // a problem worth reporting (e.g. unknown declared charset)
};

// Decides how to decode bytes (the whole text, or the first chunk of a stream when
// `is_sample`). `declared` is a charset named by the document itself (HTML meta),
// honoured when the bytes are not UTF-8.
EncodingChoice choose_encoding(std::string_view bytes, std::string_view declared, bool is_html, bool check_binary,
                               bool is_sample);

// True when the bytes look like UTF-8 (valid, or valid multi-byte sequences
// outnumbering the bad ones, i.e. damaged UTF-8 rather than a legacy encoding).
bool mostly_utf8(std::string_view bytes);

// Returns valid UTF-8: bad sequences replaced with U+FFFD and counted in stats.
// NUL bytes are counted with their offset (normalize_text() removes them).
std::string repair_utf8(std::string_view bytes, TextStats& stats);

// Decodes bytes (BOM already skipped) from `encoding` to valid UTF-8.
std::string decode_to_utf8(std::string_view bytes, const std::string& encoding, TextStats& stats);

// In place: removes NULs, turns CRLF and CR into LF, other control characters
// (except tab) into spaces.
void normalize_text(std::string& text, TextStats& stats);

// Streaming conversion from a legacy or UTF-16 encoding to UTF-8 (ICU ucnv).
class Utf8Transcoder {
public:
    explicit Utf8Transcoder(const std::string& encoding);  // throws std::runtime_error
    ~Utf8Transcoder();
    Utf8Transcoder(const Utf8Transcoder&) = delete;
    Utf8Transcoder& operator=(const Utf8Transcoder&) = delete;

    // Appends the UTF-8 for `bytes` to out; a sequence cut at the end of a chunk is
    // completed by the next call. flush = last chunk.
    void convert(std::string_view bytes, bool flush, std::string& out);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// ---- Formats ----

// readers_text.cpp: `text` is decoded, normalised UTF-8.
void parse_text(std::string_view text, ReadContext& ctx);
void parse_markdown(std::string_view text, ReadContext& ctx);

// readers_toml.cpp: fills article from the TOML front matter `text` (the lines between
// the "+++" lines; first_line is the number of its first line in the file). False, with
// an issue naming the line, when it is not valid TOML.
bool parse_toml_front_matter(std::string_view text, std::size_t first_line, Article& article, ReadContext& ctx);

// readers_json.cpp
void parse_json_document(std::string_view text, ReadContext& ctx);
// Handles one JSONL line (raw bytes without the line end) as UTF-8 or, for a line
// that is not, as windows-1252.
void parse_json_line(std::string_view raw_line, std::size_t line_no, ReadContext& ctx);

// readers_html.cpp
void parse_html(std::string_view text, ReadContext& ctx);
// The visible text of an HTML fragment (an RSS description, an Atom content), as the
// page reader extracts it; "" if it is nested too deeply to parse.
std::string html_fragment_text(std::string_view html);

// readers_page_meta.cpp: what a page's schema.org JSON-LD says of its article (the
// first object whose @type is an article: NewsArticle, ReportageNewsArticle, BlogPosting...,
// at the top, in a list or in "@graph"). Malformed or too deeply nested JSON-LD is ignored
// with a warning.
struct PageLinkedData {
    bool found = false;
    std::string headline, date, author, section, publisher, url, body;
};
PageLinkedData read_json_ld(const std::vector<std::string>& scripts, ReadContext& ctx);
// The title without the site's name after a last " | ", " - ", " – ", " — ": cut when it
// is one of site_names (og:site_name, the publisher, application-name), matches the host
// of one of urls, or, once and if `guess`, when it is a short name after a long title.
std::string cut_site_name(std::string title, const std::vector<std::string>& site_names,
                          const std::vector<std::string>& urls, bool guess = true);

// readers_feed.cpp: XML files (.rss, .atom, .xml), by their root element: RSS 2.0 and
// Atom feeds, one article per item or entry; NewsML-G2 and NITF (readers_newsml.cpp).
// `text` is the file, raw (libxml2 decodes it by its own declaration).
void parse_xml(std::string_view text, ReadContext& ctx);
// The charset named by <meta charset> or <meta http-equiv=content-type>, or "".
std::string html_declared_charset(std::string_view raw);

}  // namespace depeche::readers_detail
