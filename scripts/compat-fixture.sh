#!/usr/bin/env bash
# Builds tests/data/compat/schema-N, N being this tree's schema::kVersion: a 2-article
# index of corpus/text/2019-04-16-notre-dame-incendie.txt and
# tests/data/t04-tempete-finistere.txt, which tests/test_compat.cpp opens (the current
# version must find "incendie"; older ones must be refused with the re-index hint).
# Run it with the final build after bumping kVersion or changing the analyzer
# fingerprint, and commit the folder:  scripts/compat-fixture.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
version=$(sed -n 's/^inline constexpr int kVersion = \([0-9][0-9]*\);.*/\1/p' schema/schema.hpp)
[ -n "$version" ] || { echo "compat-fixture.sh: no kVersion in schema/schema.hpp" >&2; exit 2; }
out=tests/data/compat/schema-$version
rm -rf "$out"
"$build/depeche-index" --db "$out" corpus/text/2019-04-16-notre-dame-incendie.txt tests/data/t04-tempete-finistere.txt
rm -f "$out/flintlock"  # Xapian's lock file: created again by any writer
"$build/depeche-search" --db "$out" --limit 1 incendie >/dev/null
echo "compat-fixture.sh: built $out"
