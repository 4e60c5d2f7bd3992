// The web page's files (web/), compiled into depeche-search by cmake/EmbedAssets.cmake so
// that the server reads nothing from the file system to answer a request.
#pragma once

#include <cstddef>
#include <vector>

namespace depeche::web {

struct Asset {
    const char* path;  // URL path: "/index.html", "/app.js"...
    const char* type;  // Content-Type
    const char* data;
    std::size_t size;
};

// Every file of web/, in name order.
const std::vector<Asset>& assets();

}  // namespace depeche::web
