// Snippets: the passage of an article that best shows why it matched.
#pragma once

#include "schema/stored.hpp"
#include "schema/analyzer.hpp"
#include "searcher/query_parser.hpp"

#include <functional>
#include <string>
#include <xapian.h>

namespace depeche {

// The part of a stored text worth analysing for a snippet: [from, to) in bytes, both at
// word starts (or the ends of the text).
struct SnippetRegion {
    std::size_t from = 0;
    std::size_t to = std::string::npos;
    // Set when the index located the best window: the word position of the first word
    // at `from`, the position of the window's first matched word, and the byte offset of
    // the first mark past that word (npos: none). make_snippet then analyses up to that
    // mark, finds the word, and analyses only as far as a snippet can reach beyond it.
    bool anchored = false;
    std::uint32_t from_pos = 0;
    std::uint32_t start_pos = 0;
    std::size_t past_start = std::string::npos;
};

// Finds where the query's words occur in the body of document `did` from the index's
// word positions (no text analysis), picks the window of about `length` bytes with the
// most distinct matched words, and returns that window's region, widened to the marks
// (StoredArticle::marks) around it. Without body matches, the beginning of the text.
SnippetRegion snippet_region(const Xapian::Database& db, Xapian::docid did, const StoredArticle& a, const Highlights& h,
                             std::size_t length);
// The same from the positions the analyzer gives the stored body (the ones the indexer
// gave it): for a document on a remote shard, where each word's positions would cost a
// round trip, the text at hand is analysed once instead. The same region.
SnippetRegion snippet_region(Analyzer& analyzer, const StoredArticle& a, const Highlights& h, std::size_t length);

// The window of about `length` bytes of `text` (NFC-normalised, as stored) holding the
// most distinct matched words, cut at word boundaries, with "…" where text was cut and
// each matched word (or whole phrase) wrapped in open/close. Without any match, the
// beginning of the text. Only text[region.from, region.to) is analysed and searched for
// matches.
std::string make_snippet(Analyzer& analyzer, const std::string& text, const Highlights& h, std::size_t length,
                         const std::string& open, const std::string& close, SnippetRegion region = {});

}  // namespace depeche
