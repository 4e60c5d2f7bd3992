#!/usr/bin/env bash
# Installs the Debian bookworm packages Dépêche needs to build, test and benchmark.
# Does nothing (and needs no root) when they are all present already. With --tests, also
# Chromium, ChromeDriver and Selenium for the browser tests.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libxapian-dev xapian-tools
  libstemmer-dev snowball-data
  libicu-dev
  libboost-program-options-dev
  catch2
  ccache
  nlohmann-json3-dev
  libgumbo-dev
  libzstd-dev
  zlib1g-dev
  liblzma-dev
  libxml2-dev
  libtomlplusplus-dev
  libcpp-httplib-dev
  libmimalloc-dev
  hunspell-fr-comprehensive
  clang-14 libclang-rt-14-dev clang-format-14
)
# --tests: also what the test suite drives the web page with (headless Chromium).
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium chromium-driver python3-selenium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
