// Replays every input saved by the fuzzers (fuzz/regressions/<target>/, see
// scripts/fuzz.sh) through the same entry points as the fuzz targets, so that a crash
// once found and fixed stays fixed. The build with DEPECHE_SANITIZE=ON gives these
// inputs the same checks as the fuzzers.
#include "fuzz/fuzz_targets.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Entry = void (*)(const std::uint8_t*, std::size_t);

const std::map<std::string, Entry>& targets() {
    static const std::map<std::string, Entry> t = {
        {"query", depeche::fuzz::query_input},     {"analyzer", depeche::fuzz::analyzer_input},
        {"readers", depeche::fuzz::readers_input}, {"dates", depeche::fuzz::dates_input},
        {"serve", depeche::fuzz::serve_input},
    };
    return t;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t replay(const std::string& target) {
    const fs::path dir = fs::path(DEPECHE_SOURCE_DIR) / "fuzz" / "regressions" / target;
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().filename().string()[0] != '.' && it->path().extension() != ".md")
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
        const std::string data = read_all(f);
        INFO("fuzz/regressions/" << target << "/" << f.filename().string() << " (" << data.size() << " bytes)");
        try {
            targets().at(target)(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        } catch (const std::logic_error& e) {  // a broken invariant (fuzz_targets.hpp)
            FAIL(e.what());
        } catch (const std::exception& e) { FAIL("exception escaped: " << e.what()); }
    }
    return files.size();
}

}  // namespace

TEST_CASE("fuzz regressions: saved inputs of every target pass", "[fuzz]") {
    for (const auto& [name, entry] : targets()) {
        (void)entry;
        DYNAMIC_SECTION("fuzz_" << name) {
            const std::size_t n = replay(name);
            if (n == 0) WARN("no saved inputs in fuzz/regressions/" << name << "/");
        }
    }
    // Every folder there is a known target (a typo would silently replay nothing).
    const fs::path root = fs::path(DEPECHE_SOURCE_DIR) / "fuzz" / "regressions";
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory()) CHECK(targets().count(it->path().filename().string()) == 1);
}
