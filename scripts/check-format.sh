#!/usr/bin/env bash
# Checks that every C++ file follows .clang-format (clang-format 14, as in Debian
# bookworm). With --fix, rewrites the files instead. scripts/test.sh runs the check.
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ]; then
    echo "check-format.sh: clang-format-14 not found (scripts/install-deps.sh installs it)" >&2
    exit 2
fi
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
    "$format" -i "${files[@]}"
    exit 0
fi
if ! "$format" --dry-run -Werror "${files[@]}" 2> >(head -40 >&2); then
    echo "check-format.sh: files above differ from .clang-format; scripts/check-format.sh --fix rewrites them" >&2
    exit 1
fi
echo "check-format.sh: ${#files[@]} files follow .clang-format"
