// A minimal program embedding Dépêche: opens an index, runs one query and prints the
// top hits, one per line: rank, id and title separated by tabs.
//
//   search INDEX_DIR QUERY [LIMIT]
//
// Build it against an installed Dépêche with examples/CMakeLists.txt (find_package) or
// with pkg-config:  c++ -std=c++20 search.cpp $(pkg-config --cflags --libs depeche)
#include <depeche/depeche.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: %s INDEX_DIR QUERY [LIMIT]   (depeche %s)\n", argv[0], depeche::version().c_str());
        return 2;
    }
    try {
        depeche::Searcher searcher(argv[1]);
        depeche::SearchRequest request;
        request.query = argv[2];
        if (argc == 4) request.limit = std::strtoul(argv[3], nullptr, 10);
        depeche::SearchResult result = searcher.search(request);
        for (const depeche::Hit& hit : result.hits)
            std::printf("%zu\t%s\t%s\n", hit.rank, hit.id.c_str(), hit.title.c_str());
        return 0;
    } catch (const depeche::QueryError& e) {
        std::fprintf(stderr, "bad query (byte %zu): %s\n", e.position(), e.what());
        return 2;
    } catch (const depeche::Error& e) {  // missing, incompatible or unreadable index
        std::fprintf(stderr, "%s\n", e.what());
        return 3;
    }
}
