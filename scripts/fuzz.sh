#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in build-fuzz/, and
# runs each for a bounded time on a corpus seeded from corpus/, tests/data and
# fuzz/seeds/, with a dictionary from fuzz/dict/.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh query readers   # some targets
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 scripts/fuzz.sh
#
# Inputs that crash, hang (over FUZZ_TIMEOUT seconds) or exhaust memory are saved in
# fuzz/regressions/<target>/; the test suite replays every file there
# (tests/test_fuzz_regressions.cpp), so commit them once fixed. The growing corpora
# stay in fuzz/corpus-<target>/ (not in git). Exit status 1 if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
all_targets=(query analyzer readers dates serve)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

if [ -z "$cxx" ]; then
    echo "fuzz.sh: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 2
fi
for t in "${targets[@]}"; do
    case " ${all_targets[*]} " in *" $t "*) ;; *) echo "fuzz.sh: unknown target '$t' (${all_targets[*]})" >&2; exit 2 ;; esac
done

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDEPECHE_FUZZ=ON -DDEPECHE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

# Seed corpora: files as they are, and one file per line of fuzz/seeds/*.txt.
seeds_from_lines() {  # file dir
    local n=0
    mkdir -p "$2"
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        printf '%s' "$line" >"$2/line-$n"
    done <"$1"
}
seeds_from_files() {  # dir
    mkdir -p "$1"
    find corpus tests/data -type f ! -name '*.sh' ! -name '*.py' -size -256k -print0 |
        while IFS= read -r -d '' f; do cp "$f" "$1/$(echo "$f" | tr '/' '_')"; done
}

status=0
for t in "${targets[@]}"; do
    seeds="$(cd "$build" && pwd)/seeds-$t"
    rm -rf "$seeds"
    case $t in
        query) seeds_from_lines fuzz/seeds/queries.txt "$seeds"; dict=fuzz/dict/query.dict; max_len=4096 ;;
        dates) seeds_from_lines fuzz/seeds/dates.txt "$seeds"; seeds_from_files "$seeds"; dict=fuzz/dict/dates.dict; max_len=8192 ;;
        analyzer) seeds_from_files "$seeds"; seeds_from_lines fuzz/seeds/queries.txt "$seeds/q"; dict=fuzz/dict/query.dict; max_len=8192 ;;
        readers) seeds_from_files "$seeds"; dict=fuzz/dict/readers.dict; max_len=65536 ;;
        serve) seeds_from_lines fuzz/seeds/requests.txt "$seeds"; dict=fuzz/dict/serve.dict; max_len=16384 ;;
    esac
    corpus="$root/fuzz/corpus-$t"
    regressions="$root/fuzz/regressions/$t"
    mkdir -p "$corpus" "$regressions"
    echo "== fuzz_$t: ${seconds} s, corpus fuzz/corpus-$t, crashes to fuzz/regressions/$t/"
    log="$build/fuzz_$t.log"
    # -jobs > 1 runs parallel fuzzing processes writing fuzz-N.log files in the cwd.
    if ! (cd "$build" && ./fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout="$timeout" \
            -rss_limit_mb="$rss_mb" -max_len="$max_len" -dict="$root/$dict" \
            -artifact_prefix="$regressions/" -print_final_stats=1 \
            $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") \
            "$corpus" "$seeds" >"fuzz_$t.log" 2>&1); then
        status=1
        echo "fuzz_$t FAILED: see $log and the new files in fuzz/regressions/$t/" >&2
        grep -E "^(==[0-9]+==ERROR|SUMMARY|fuzz invariant)" "$log" | head -5 >&2 || true
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$log" || true
done
exit $status
