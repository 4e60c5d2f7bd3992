// An article as read from an input file, before analysis.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace depeche {

struct Article {
    std::string id;      // stable unique id; empty means "assign one" (see indexer)
    std::string title;
    std::string date;    // raw publication date as found in the input (parsed later)
    std::string url;
    std::string author;
    std::string source;
    std::string body;    // plain text, UTF-8, paragraphs separated by blank lines
    std::vector<std::string> people;  // people named in the metadata
    std::string path;    // file the article came from
    std::size_t line = 0;  // 1-based line for JSONL input, 0 otherwise
};

}  // namespace depeche
