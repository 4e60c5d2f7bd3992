#!/bin/sh
# Installs the build into a temporary prefix and builds examples/ against it as an
# outside project would: with find_package(depeche) (shared, then static library) and
# with pkg-config. Each program must print the same ids, in the same order, as
# `depeche-search --format json` for the same queries on an index of tests/data.
#
#   consumer_test.sh BUILD_DIR SOURCE_DIR [CMAKE_COMMAND]
set -eu

build=$1
src=$2
cmake=${3:-cmake}
cxx=${CXX:-c++}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/depeche-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix

fail() { echo "consumer_test: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "install failed"; }

# What was installed: the public header(s) only, both libraries, the package files,
# the lexicon and the programs.
[ -f "$prefix/include/depeche/depeche.hpp" ] || fail "header not installed"
[ "$(find "$prefix/include" -type f | grep -vc '/depeche/[^/]*\.hpp$')" = 0 ] || fail "non-public files under include/"
libdir=$(dirname "$(find "$prefix" -name 'libdepeche.so' | head -n 1)")
[ -n "$libdir" ] && [ -f "$libdir/libdepeche.a" ] || fail "libraries not installed"
[ -f "$libdir/cmake/depeche/depecheConfig.cmake" ] || fail "CMake package not installed"
[ -f "$libdir/pkgconfig/depeche.pc" ] || fail "depeche.pc not installed"
[ -f "$prefix/share/depeche/lexicon/people.txt" ] || fail "lexicon not installed"
[ -x "$prefix/bin/depeche-index" ] && [ -x "$prefix/bin/depeche-search" ] || fail "programs not installed"
# The shared library exports the API and not the internals.
if command -v nm >/dev/null; then
    nm -DC --defined-only "$libdir/libdepeche.so" | grep -q 'depeche::Searcher::search' || fail "Searcher::search not exported"
    if nm -DC --defined-only "$libdir/libdepeche.so" | grep -E ' T depeche::(QueryParser|Analyzer|FacetSpy|build_document)'; then
        fail "internal symbols exported"
    fi
fi

# An index of tests/data, built by the installed depeche-index.
"$prefix/bin/depeche-index" --quiet --db "$tmp/db" "$src/tests/data" >/dev/null || fail "depeche-index failed"

# 1. CMake, shared library (the default).
"$cmake" -S "$src/examples" -B "$tmp/cmake-shared" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "configure (shared) failed"; }
"$cmake" --build "$tmp/cmake-shared" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "build (shared) failed"; }
# 2. CMake, static library.
"$cmake" -S "$src/examples" -B "$tmp/cmake-static" -DCMAKE_PREFIX_PATH="$prefix" -DDEPECHE_USE_STATIC_LIBS=ON \
    >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "configure (static) failed"; }
"$cmake" --build "$tmp/cmake-static" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "build (static) failed"; }
if command -v ldd >/dev/null && ldd "$tmp/cmake-static/depeche-example-search" | grep -q libdepeche; then
    fail "the static build links libdepeche.so"
fi
# 3. pkg-config.
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[ "$(pkg-config --modversion depeche)" = "$("$prefix/bin/depeche-search" --version | cut -d' ' -f2)" ] || fail "pkg-config version differs"
# shellcheck disable=SC2046,SC2086
"$cxx" -std=c++20 ${CXXFLAGS:-} -o "$tmp/pc-search" "$src/examples/search.cpp" $(pkg-config --cflags --libs depeche) ${LDFLAGS:-} \
    2>"$tmp/log" || { cat "$tmp/log" >&2; fail "pkg-config build failed"; }

for query in 'Ukraine' '"Emmanuel Macron"' 'électricité OR gaz' 'élect*' 'zzzxqj'; do
    expected=$("$build/depeche-search" --db "$tmp/db" --format json --limit 5 -- "$query" |
        python3 -c 'import json,sys; print("\n".join(h["id"] for h in json.load(sys.stdin)["hits"]))')
    for program in "$tmp/cmake-shared/depeche-example-search" "$tmp/cmake-static/depeche-example-search" "$tmp/pc-search"; do
        got=$(LD_LIBRARY_PATH="$libdir" "$program" "$tmp/db" "$query" 5 | cut -f2)
        [ "$got" = "$expected" ] || fail "$program '$query': got [$got], expected [$expected]"
    done
done
# Errors come out typed through the library boundary.
LD_LIBRARY_PATH="$libdir" "$tmp/pc-search" "$tmp/db" '"unterminated' 2>"$tmp/err" && fail "bad query accepted"
grep -q 'bad query (byte 0)' "$tmp/err" || fail "QueryError not caught as such: $(cat "$tmp/err")"
LD_LIBRARY_PATH="$libdir" "$tmp/cmake-shared/depeche-example-search" "$tmp/nowhere" x 2>/dev/null && fail "missing index accepted"
echo "consumer_test: installed package OK (find_package shared and static, pkg-config)"
