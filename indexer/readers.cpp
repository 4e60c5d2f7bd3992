// Article readers: file checks and reading, decoding, dispatch to the format readers
// (readers_text.cpp, readers_json.cpp, readers_html.cpp), and JSONL streaming.
#include "readers.hpp"

#include "readers_internal.hpp"

#include "indexer/decompress.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>

namespace depeche {

namespace fs = std::filesystem;
using namespace readers_detail;

namespace {

// Control characters (newlines included) become spaces: issues are one line.
std::string one_line(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
}

std::string os_error(int error) {
    char buffer[256];
    return ::strerror_r(error, buffer, sizeof buffer);  // GNU strerror_r: thread-safe
}

// A regular file opened for reading with POSIX calls (which report errno reliably).
class InputFile {
public:
    InputFile() = default;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile() {
        if (fd_ >= 0) ::close(fd_);
    }

    // O_NONBLOCK: should a FIFO replace the file after the type check, open() still
    // returns at once, and fstat() rejects it.
    bool open(const fs::path& path, std::string& error) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd_ < 0) {
            error = os_error(errno);
            return false;
        }
        struct stat info {};
        if (::fstat(fd_, &info) != 0) {
            error = os_error(errno);
            return false;
        }
        if (!S_ISREG(info.st_mode)) {
            error = "not a regular file";
            return false;
        }
        size_ = static_cast<std::uintmax_t>(info.st_size);
        try {
            decoder_ = make_decoder(compression_for(path));
        } catch (const std::runtime_error& e) {
            error = e.what();
            return false;
        }
        return true;
    }

    std::uintmax_t size() const { return size_; }
    std::uintmax_t consumed() const { return consumed_; }  // bytes of the file read so far

    // Appends the rest of the file to out, stopping once out is longer than limit.
    bool read_all(std::string& out, std::size_t limit, std::string& error) {
        constexpr std::size_t kStep = std::size_t{1} << 20;
        for (;;) {
            const std::size_t before = out.size();
            if (!read(out, kStep, error)) return false;
            if (out.size() - before < kStep || out.size() > limit) return true;
        }
    }

    // Appends up to n bytes to out (fewer only at the end of the file), decompressed
    // when the file is.
    bool read(std::string& out, std::size_t n, std::string& error) {
        if (!decoder_) return read_raw(out, n, error);
        constexpr std::size_t kRawChunk = std::size_t{1} << 16;
        const std::size_t start = out.size();
        out.resize(start + n);
        std::size_t got = 0;
        while (got < n && !done_) {
            if (pending_.empty() && !raw_end_) {
                raw_.clear();
                if (!read_raw(raw_, kRawChunk, error)) {
                    out.resize(start + got);
                    return false;
                }
                raw_end_ = raw_.size() < kRawChunk;
                pending_ = raw_;
            }
            const std::size_t before_out = got, before_in = pending_.size();
            if (!decoder_->step(pending_, raw_end_, out.data() + start + got, n - got, got, done_, error)) {
                out.resize(start + got);
                return false;
            }
            if (got == before_out && pending_.size() == before_in && raw_end_ && !done_) {
                error = "truncated compressed data";
                out.resize(start + got);
                return false;
            }
        }
        out.resize(start + got);
        return true;
    }

private:
    bool read_raw(std::string& out, std::size_t n, std::string& error) {
        const std::size_t start = out.size();
        out.resize(start + n);
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::read(fd_, out.data() + start + got, n - got);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                error = os_error(errno);
                out.resize(start + got);
                return false;
            }
            if (r == 0) break;
            got += static_cast<std::size_t>(r);
            consumed_ += static_cast<std::uintmax_t>(r);
        }
        out.resize(start + got);
        return true;
    }

    int fd_ = -1;
    std::uintmax_t size_ = 0, consumed_ = 0;
    std::unique_ptr<Decoder> decoder_;  // null for a file that is not compressed
    std::string raw_;                   // compressed bytes read and not yet all decoded
    std::string_view pending_;          // the part of raw_ not decoded yet
    bool raw_end_ = false, done_ = false;
};

// Why a path that is not a regular file cannot be read, or "" when it is one.
std::string not_regular_reason(const fs::path& path) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    switch (status.type()) {
        case fs::file_type::regular: return {};
        case fs::file_type::not_found: return os_error(ENOENT);
        case fs::file_type::directory: return os_error(EISDIR);
        case fs::file_type::fifo: return "a named pipe (FIFO), not a regular file";
        case fs::file_type::socket: return "a socket, not a regular file";
        case fs::file_type::block:
        case fs::file_type::character: return "a device, not a regular file";
        default: return ec ? ec.message() : "not a regular file";
    }
}

std::string too_large_message(std::uintmax_t size) {
    return "file too large: " + format_size(size) + ", limit " + std::to_string(kMaxSingleArticleFileBytes >> 20) +
           " MiB for single-article files";
}

// Decodes a whole single-article file and hands it to its format's reader.
void read_document(std::string&& raw, Format format, ReadContext& ctx) {
    if (trim(raw).empty()) {
        ctx.warn("empty file, skipped");
        return;
    }
    const bool html = format == Format::Html;
    const EncodingChoice choice =
        choose_encoding(raw, html ? html_declared_charset(raw) : std::string(), html, true, false);
    if (choice.binary) {
        ctx.issue("binary file, skipped");
        return;
    }
    if (!choice.note.empty()) ctx.warn(choice.note);

    TextStats stats;
    std::string text = decode_to_utf8(std::string_view(raw).substr(choice.bom_size), choice.name, stats);
    std::string().swap(raw);  // free the raw bytes before parsing
    if (stats.invalid_sequences > 0)
        ctx.warn("invalid UTF-8 at byte " + std::to_string(choice.bom_size + stats.first_invalid + 1) + " (" +
                 std::to_string(stats.invalid_sequences) + " bad sequence(s) replaced with U+FFFD)");
    normalize_text(text, stats);
    if (stats.nul_count > 0)  // UTF-8: counted with their position
        ctx.warn("removed " + std::to_string(stats.nul_count) + " NUL byte(s), first at byte " +
                 std::to_string(choice.bom_size + stats.first_nul + 1));
    else if (stats.nul_removed > 0)
        ctx.warn("removed " + std::to_string(stats.nul_removed) + " NUL character(s)");
    if (trim(text).empty()) {
        ctx.warn("empty file, skipped");
        return;
    }
    switch (format) {
        case Format::Text: parse_text(text, ctx); break;
        case Format::Markdown: parse_markdown(text, ctx); break;
        case Format::Json: parse_json_document(text, ctx); break;
        case Format::Html: parse_html(text, ctx); break;
        case Format::Feed:  // read raw by read_into(): libxml2 decodes by the XML declaration
        case Format::JsonLines:
        case Format::Unknown: break;
    }
}

// Splits a decoded JSONL stream into lines; lines over the limit are dropped as they
// come, so memory stays bounded by the limit.
class LineSplitter {
public:
    explicit LineSplitter(ReadContext& ctx) : ctx_(ctx) {}

    void feed(std::string_view data) {
        while (!data.empty()) {
            const std::size_t newline = data.find('\n');
            append(data.substr(0, newline));
            if (newline == std::string_view::npos) return;
            end_line();
            data.remove_prefix(newline + 1);
        }
    }
    void finish() {
        if (!line_.empty() || overlong_) end_line();
    }
    bool saw_content() const { return saw_content_; }
    std::size_t line_number() const { return line_no_; }

private:
    void append(std::string_view part) {
        if (overlong_) return;
        if (line_.size() + part.size() > kMaxJsonLineBytes) {
            overlong_ = true;
            std::string().swap(line_);
            return;
        }
        line_.append(part);
    }
    void end_line() {
        if (overlong_) {
            saw_content_ = true;
            ctx_.issue("line longer than " + std::to_string(kMaxJsonLineBytes >> 20) + " MiB, skipped", line_no_);
        } else {
            saw_content_ = saw_content_ || !trim(line_).empty();
            parse_json_line(line_, line_no_, ctx_);
        }
        overlong_ = false;
        ++line_no_;
        if (line_.capacity() > (std::size_t{1} << 20))
            std::string().swap(line_);  // after a huge line
        else
            line_.clear();
    }

    ReadContext& ctx_;
    std::string line_;
    std::size_t line_no_ = 1;
    bool overlong_ = false;
    bool saw_content_ = false;
};

// Streams a JSONL file chunk by chunk; the encoding is decided from the first chunk.
bool read_json_lines(InputFile& file, ReadContext& ctx) {
    constexpr std::size_t kChunk = std::size_t{1} << 16;
    std::string chunk, error;
    if (!file.read(chunk, kChunk, error)) {
        ctx.issue("cannot read: " + error);
        return false;
    }
    const EncodingChoice choice = choose_encoding(chunk, {}, false, true, true);
    if (choice.binary) {
        ctx.issue("binary file, skipped");
        return true;
    }
    std::optional<Utf8Transcoder> transcoder;
    if (choice.name != "UTF-8") transcoder.emplace(choice.name);

    LineSplitter lines(ctx);
    std::string decoded;
    std::string_view data = std::string_view(chunk).substr(choice.bom_size);
    for (bool end = chunk.size() < kChunk;;) {
        if (transcoder) {
            decoded.clear();
            transcoder->convert(data, end, decoded);
            lines.feed(decoded);
        } else {
            lines.feed(data);
        }
        ctx.bytes_read(file.consumed());
        if (end) break;
        chunk.clear();
        if (!file.read(chunk, kChunk, error)) {
            ctx.issue("read error: " + error, lines.line_number());
            return ctx.articles() > 0;
        }
        end = chunk.size() < kChunk;
        data = chunk;
    }
    lines.finish();
    if (!lines.saw_content()) ctx.warn("empty file, skipped");
    return true;
}

// Returns false when the file could not be read.
bool read_into(const fs::path& path, ReadContext& ctx) {
    const Format format = format_for(path);
    if (format == Format::Unknown) {
        const fs::path inner = without_compression(path);
        const std::string type =
            inner == path ? path.extension().string() : inner.extension().string() + path.extension().string();
        ctx.issue("unsupported file type '" + clip(type) + "', skipped");
        return false;
    }
    // Checked before opening, so that a FIFO never blocks.
    if (const std::string reason = not_regular_reason(path); !reason.empty()) {
        ctx.issue("cannot read: " + reason);
        return false;
    }
    InputFile file;
    std::string error;
    if (!file.open(path, error)) {
        ctx.issue("cannot open: " + error);
        return false;
    }
    try {
        if (format == Format::JsonLines) return read_json_lines(file, ctx);
        if (file.size() > kMaxSingleArticleFileBytes) {
            ctx.issue(too_large_message(file.size()));
            return false;
        }
        std::string raw;
        raw.reserve(static_cast<std::size_t>(file.size()) + 1);
        if (!file.read_all(raw, static_cast<std::size_t>(kMaxSingleArticleFileBytes), error)) {
            ctx.issue("cannot read: " + error);
            return false;
        }
        if (raw.size() > kMaxSingleArticleFileBytes) {  // the file grew meanwhile
            ctx.issue(too_large_message(raw.size()));
            return false;
        }
        if (format == Format::Feed)
            parse_xml(raw, ctx);  // libxml2 decodes by the XML declaration
        else
            read_document(std::move(raw), format, ctx);
        return true;
    } catch (const std::runtime_error& e) {  // an ICU converter that cannot be set up
        ctx.issue(std::string("cannot decode: ") + e.what());
        return false;
    }
}

}  // namespace

namespace readers_detail {

namespace {
// An exception thrown by the sink (the writer: an index that cannot be written, or a
// caller's callback), carried past the readers' own handlers, which are for reading
// errors only, and rethrown unchanged by read_file().
struct SinkException {
    std::exception_ptr error;
};
}  // namespace

void ReadContext::issue(std::string_view message, std::size_t line) {
    issues_.push_back(ReadIssue{path_, line, one_line(message), false});
}

void ReadContext::warn(std::string_view message, std::size_t line) {
    issues_.push_back(ReadIssue{path_, line, "warning: " + one_line(message), true});
}

void ReadContext::emit(Article&& article) {
    article.path = path_;
    ++articles_;
    try {
        sink_(std::move(article));
    } catch (...) { throw SinkException{std::current_exception()}; }
}

}  // namespace readers_detail

std::string ReadIssue::to_string() const {
    std::string out = one_line(path);
    if (line > 0) out += ":" + std::to_string(line);
    out += ": " + one_line(message);
    return out;
}

Format format_for(const fs::path& path) {
    // "a.jsonl.gz": the format of what it decompresses to.
    const std::string ext = to_lower_ascii(without_compression(path).extension().string());
    if (ext == ".txt") return Format::Text;
    if (ext == ".md" || ext == ".markdown") return Format::Markdown;
    if (ext == ".json") return Format::Json;
    if (ext == ".jsonl" || ext == ".ndjson") return Format::JsonLines;
    if (ext == ".html" || ext == ".htm") return Format::Html;
    if (ext == ".rss" || ext == ".atom" || ext == ".xml") return Format::Feed;
    return Format::Unknown;
}

ReadStats read_file(const fs::path& path, const std::function<void(Article&&)>& sink, std::vector<ReadIssue>& issues) {
    return read_file(path, sink, issues, ReadOptions{});
}

ReadStats read_file(const fs::path& path, const std::function<void(Article&&)>& sink, std::vector<ReadIssue>& issues,
                    const ReadOptions& options) {
    ReadContext ctx(path.generic_string(), sink, issues, &options);
    ReadStats stats;
    try {
        stats.failed = !read_into(path, ctx);
    } catch (const readers_detail::SinkException& e) {
        std::rethrow_exception(e.error);
    } catch (const std::bad_alloc&) {
        ctx.issue("out of memory while reading, skipped");
        stats.failed = true;
    }
    stats.articles = ctx.articles();
    return stats;
}

}  // namespace depeche
