// Fuzz target: the article readers. The input is parsed in memory as every format
// (.txt .md .json .jsonl .html), through the same decoding steps as read_file(), and is
// also written to a temporary file read by read_file() itself (one extension per
// input, chosen by its size) to cover file checks and JSONL streaming. Articles hold
// valid UTF-8; problems are one line each.
#include "fuzz/fuzz_targets.hpp"
#include "indexer/readers.hpp"
#include "indexer/readers_internal.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace depeche::fuzz {
namespace {

using namespace readers_detail;

void check_articles(const std::vector<Article>& articles, const std::vector<ReadIssue>& issues) {
    for (const Article& a : articles) {
        for (const std::string* field : {&a.id, &a.title, &a.date, &a.url, &a.author, &a.source, &a.body})
            DEPECHE_FUZZ_CHECK(valid_utf8(*field));
        for (const std::string& p : a.people) DEPECHE_FUZZ_CHECK(valid_utf8(p));
        DEPECHE_FUZZ_CHECK(!a.title.empty() || !a.body.empty());
        DEPECHE_FUZZ_CHECK(a.title.find('\n') == std::string::npos);
    }
    for (const ReadIssue& i : issues) {
        DEPECHE_FUZZ_CHECK(!i.message.empty());
        DEPECHE_FUZZ_CHECK(i.to_string().find('\n') == std::string::npos);
    }
}

// What read_file() does with the bytes of a file of this format, in memory.
void parse_as(std::string_view raw, Format format, const char* name) {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    const std::function<void(Article &&)> sink = [&](Article&& a) { articles.push_back(std::move(a)); };
    ReadContext ctx(name, sink, issues);
    if (format == Format::JsonLines) {
        std::size_t line = 1;
        for (std::string_view rest = raw;; ++line) {
            const std::size_t nl = rest.find('\n');
            parse_json_line(rest.substr(0, nl), line, ctx);
            if (nl == std::string_view::npos) break;
            rest.remove_prefix(nl + 1);
        }
    } else if (!trim(raw).empty()) {
        const bool html = format == Format::Html;
        const EncodingChoice choice =
            choose_encoding(raw, html ? html_declared_charset(raw) : std::string(), html, true, false);
        if (choice.binary) return;
        TextStats stats;
        std::string text;
        try {
            text = decode_to_utf8(raw.substr(choice.bom_size), choice.name, stats);
        } catch (const std::runtime_error&) {  // read_file() reports these too
            return;
        }
        DEPECHE_FUZZ_CHECK(valid_utf8(text));
        normalize_text(text, stats);
        switch (format) {
            case Format::Text: parse_text(text, ctx); break;
            case Format::Markdown: parse_markdown(text, ctx); break;
            case Format::Json: parse_json_document(text, ctx); break;
            case Format::Html: parse_html(text, ctx); break;
            default: break;
        }
    }
    check_articles(articles, issues);
}

// A private folder for the input files, removed at exit.
struct ScratchDir {
    std::filesystem::path path;
    ScratchDir()
        : path(std::filesystem::temp_directory_path() / ("depeche-fuzz-readers-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

void read_through_file(std::string_view raw, const char* extension) {
    static const ScratchDir dir;
    const std::filesystem::path file = dir.path / (std::string("input") + extension);
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(raw.data(), static_cast<std::streamsize>(raw.size()));
    }
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    ReadStats stats = read_file(
        file, [&](Article&& a) { articles.push_back(std::move(a)); }, issues);
    DEPECHE_FUZZ_CHECK(stats.articles == articles.size());
    check_articles(articles, issues);
    std::error_code ec;
    std::filesystem::remove(file, ec);
}

}  // namespace

void readers_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    parse_as(raw, Format::Text, "fuzz.txt");
    parse_as(raw, Format::Markdown, "fuzz.md");
    parse_as(raw, Format::Json, "fuzz.json");
    parse_as(raw, Format::JsonLines, "fuzz.jsonl");
    parse_as(raw, Format::Html, "fuzz.html");
    static const char* const extensions[] = {".txt", ".md", ".json", ".jsonl", ".html"};
    read_through_file(raw, extensions[size % 5]);
    std::string encoding;
    DEPECHE_FUZZ_CHECK(valid_utf8(to_utf8(raw, encoding)));
}

}  // namespace depeche::fuzz

DEPECHE_FUZZ_ENTRY(readers_input)
