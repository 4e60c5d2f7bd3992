#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite (build/), then builds it
# again with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/, CMake option
# DEPECHE_SANITIZE) and runs it there too. Any sanitizer report, in a test or in a
# program a test runs, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
jobs=$(nproc)
# Style first: every C++ file follows .clang-format (seconds).
scripts/check-format.sh

# The benchmarks are built too (not run), so they keep compiling with the library.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEPECHE_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "test.sh: the same tests under AddressSanitizer and UndefinedBehaviorSanitizer (build-asan)"
# -O1 -g1 (line tables for the reports): half the compile time of -O2 -g, which the
# 90-minute CI budget on 2 cores needs; the sanitizers find the same errors.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEPECHE_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null
cmake --build build-asan -j"$jobs"
# Reports go to files (one per process), and the process fails: a program that a test
# runs may be expected to fail (exit status 1 for bad input...), so its report would go
# unnoticed otherwise; the files are shown below, and any of them fails the script.
# halt_on_error: the first report ends the process (the build also has
# -fno-sanitize-recover=all). detect_leaks: leaks are reports too (none is suppressed).
# The only checks turned off, in a few tests only, are explained in tests/CMakeLists.txt
# ([xapian-check]: a new/delete mismatch inside libxapian, and libxapian's reads past a
# buffer when its check meets tables damaged on purpose).
reports=$(mktemp -d "${TMPDIR:-/tmp}/depeche-sanitizer.XXXXXX")
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
status=0
ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=$?
if [ -n "$(ls -A "$reports")" ]; then
    echo "test.sh: sanitizer reports:" >&2
    for f in "$reports"/*; do echo "== $f" >&2; cat "$f" >&2; done
    status=1
fi
exit "$status"
