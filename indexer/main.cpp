// depeche-index: index files and folders of French news articles.
#include <depeche/depeche.hpp>

#include <boost/program_options.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0, kExitInputFailed = 1, kExitUsage = 2, kExitIndex = 3;

const char* kUsage =
    "Usage: depeche-index [OPTIONS] PATH...\n"
    "Indexes articles from files and folders (recursively): .txt, .md, .json, .jsonl, .html, .htm.\n"
    "An article with the same id as one already indexed replaces it.\n\n"
    "Exit status: 0 all input indexed; 1 some input could not be read (the rest was indexed);\n"
    "2 bad usage; 3 the index cannot be opened (missing, incompatible, locked or corrupt).\n\n"
    "Options";

std::string default_db() {
    const char* env = std::getenv("DEPECHE_DB");
    return env && *env ? env : "depeche.db";
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts(kUsage);
    std::string db;
    std::size_t batch = 1000;
    opts.add_options()
        ("help,h", "show this help")
        ("version", "show the version")
        ("db,d", po::value<std::string>(&db)->default_value(default_db()), "index folder (default: $DEPECHE_DB, else ./depeche.db)")
        ("batch-size", po::value<std::size_t>(&batch)->default_value(1000), "articles per commit")
        ("full", "rebuild: start from an empty index")
        ("quiet,q", "no progress display, only problems and the summary");
    po::options_description hidden;
    hidden.add_options()("path", po::value<std::vector<std::string>>(), "input");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("path", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "depeche-index: " << e.what() << " (see --help)\n";
        return kExitUsage;
    }
    if (vm.count("help")) { std::cout << opts << "\n"; return kExitOk; }
    if (vm.count("version")) { std::cout << "depeche-index " << depeche::version() << "\n"; return kExitOk; }
    if (!vm.count("path")) {
        std::cerr << "depeche-index: no PATH given (see --help)\n";
        return kExitUsage;
    }
    if (batch == 0) {
        std::cerr << "depeche-index: --batch-size must be at least 1\n";
        return kExitUsage;
    }
    bool quiet = vm.count("quiet") > 0;
    bool progress_display = !quiet && isatty(STDERR_FILENO);

    try {
        depeche::WriterOptions wo;
        wo.batch_size = batch;
        wo.overwrite = vm.count("full") > 0;
        depeche::Writer writer(db, wo);
        auto show = [&](const depeche::Progress& p) {
            if (!progress_display) return;
            double rate = p.seconds > 0 ? static_cast<double>(p.articles) / p.seconds : 0;
            double eta = p.files_done > 0 ? p.seconds * static_cast<double>(p.files_total - p.files_done) / static_cast<double>(p.files_done) : 0;
            std::fprintf(stderr, "\r%zu/%zu files, %zu articles, %.0f articles/s, ETA %.0f s   ",
                         p.files_done, p.files_total, p.articles, rate, eta);
        };
        depeche::IndexSummary s = writer.index_paths(vm["path"].as<std::vector<std::string>>(), show);
        if (progress_display) std::fprintf(stderr, "\r\033[K");
        for (const auto& p : s.problems) {
            std::cerr << "depeche-index: " << p.to_string() << "\n";
        }
        std::printf("indexed %zu articles from %zu files in %.2f s", s.articles, s.files, s.seconds);
        if (s.skipped_files) std::printf("; %zu files skipped", s.skipped_files);
        if (!s.problems.empty()) std::printf("; %zu problems reported above", s.problems.size());
        std::printf("\n");
        return s.skipped_files || !s.problems.empty() ? kExitInputFailed : kExitOk;
    } catch (const depeche::Error& e) {
        std::cerr << "depeche-index: " << e.what() << "\n";
        return kExitIndex;
    }
}
