// The lexicons (indexer/lexicon/*.txt) as the library holds them: compiled in at build
// time, the one place every lexicon is read from. A file is a list of lines; blank lines
// and lines starting with '#' are comments.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace depeche::lexicon {

// The text of the compiled-in file `name` ("honorifics.txt"); throws std::logic_error
// when there is no such file.
std::string_view embedded(std::string_view name);

// The names of the compiled-in files, sorted.
std::vector<std::string_view> names();

// The text of `name` from the folder `dir` (a development or installed copy), or the
// compiled-in one when dir is empty. Throws std::runtime_error naming the file when it
// cannot be read.
std::string read(const std::string& dir, std::string_view name);

// Calls fn with each line of text that is not blank or a comment, trimmed of spaces and
// tabs (and of a trailing carriage return).
void for_each_line(std::string_view text, const std::function<void(std::string_view)>& fn);

}  // namespace depeche::lexicon
