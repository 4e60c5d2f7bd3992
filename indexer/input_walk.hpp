// Walking the input: the files below the paths given, in a stable order, with the
// .depecheignore rules, hidden entries and symbolic links as docs/cli.md "What gets read"
// says. Internal to the writer.
#pragma once

#include <depeche/depeche.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace depeche::writer_detail {

struct Input {
    std::vector<std::filesystem::path> files;  // absolute, in a stable order
    std::vector<std::filesystem::path> roots;  // absolute paths given (folders and files)
};

// Whether file is below one of roots (or is one).
bool under(const std::filesystem::path& file, const std::vector<std::filesystem::path>& roots);

// The files to read below `paths` (files and folders); paths that cannot be used are
// reported in summary (and counted as failed), as are links passed over (warnings).
Input collect_files(const std::vector<std::string>& paths, IndexSummary& summary, bool follow_symlinks);

}  // namespace depeche::writer_detail
