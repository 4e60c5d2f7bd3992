#!/usr/bin/env bash
# Installs dependencies, builds, indexes the bundled corpus/ and runs a sample phrase search,
# then says how to open the web page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
rm -rf build/demo.db
./build/depeche-index --db build/demo.db corpus
echo
echo '$ depeche-search --db build/demo.db "\"Union européenne\""'
./build/depeche-search --db build/demo.db '"Union européenne"'
echo
echo "The web page: ./build/depeche-search --db build/demo.db --http 8080"
echo "then open http://127.0.0.1:8080/ in a browser (Ctrl-C stops the server)."
