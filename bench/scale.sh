#!/bin/bash
# bench/scale.sh: how Dépêche scales with corpus size.
# For each size, generates a corpus with corpus/generate/generate.py (real OrangeSum
# sentences recombined, dates 2011-2025; a smaller corpus is a prefix of a larger one),
# indexes it with depeche-index under /usr/bin/time -v, measures the index on disk, runs
# bench/query_bench (modes snippets and facets), and prints one table.
#
# usage: bench/scale.sh [--sizes 10k,100k] [--input articles.jsonl.gz] [--queries FILE.tsv]
#                       [--warmup N] [--passes N] [--no-build] [--drop-index] [--report-only]
# Sizes: any of 10k,100k,300k,1M (or other counts); default 10k,100k (1M takes hours here).
# Output under bench/out/scale/: corpus/, idx-<size>/, <size>/ logs, scale.tsv, scale.txt.
# --report-only: rebuild the table from the logs of an earlier run (index kept or not).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$here/out
sc=$out/scale
sizes=10k,100k
input=$repo/../shared/corpus/orangesum/articles.jsonl.gz
queries=$here/queries.tsv
warmup=1 passes=3 build=1 drop=0 report_only=0
die() { echo "scale.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift ;;
    --input) input=$2; shift ;;
    --queries) queries=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --passes) passes=$2; shift ;;
    --no-build) build=0 ;;
    --drop-index) drop=1 ;;
    --report-only) report_only=1; build=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
[ -f "$input" ] || die "no input corpus at $input"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
queries=$(readlink -f "$queries")
log() { echo "== $(date +%H:%M:%S) $*" >&2; }

bin=$out/build
if [ "$build" = 1 ]; then
  log "build (Release) in $bin"
  mkdir -p "$bin"
  { cmake -S "$repo" -B "$bin" -DCMAKE_BUILD_TYPE=Release -DDEPECHE_BUILD_BENCH=ON -DDEPECHE_BUILD_TESTS=OFF &&
    cmake --build "$bin" -j"$(nproc)" --target depeche-index depeche-search query_bench; } > "$out/build.log" 2>&1 ||
    die "build failed, see $out/build.log"
fi
for t in depeche-index bench/query_bench; do [ -x "$bin/$t" ] || die "$bin/$t missing (build first)"; done

mkdir -p "$sc/corpus"
label() { /usr/bin/python3 -c "import sys; sys.path.insert(0, '$repo/corpus/generate'); import generate as g; print(g.size_label(g.parse_size('$1')))"; }
missing=()
for s in ${sizes//,/ }; do
  l=$(label "$s") || die "bad size $s"
  [ -s "$sc/corpus/corpus-$l.jsonl" ] || missing+=("$l")
done
if [ ${#missing[@]} -gt 0 ] && [ "$report_only" = 0 ]; then
  log "generate corpora: ${missing[*]}"
  /usr/bin/python3 "$repo/corpus/generate/generate.py" --input "$input" --out-dir "$sc/corpus" \
    --sizes "$(IFS=,; echo "${missing[*]}")" || die "generation failed"
fi

tsv=$sc/scale.tsv
printf 'size\tarticles\tcorpus_MB\tindex_wall_s\tindex_cpu_s\tpeak_rss_MiB\tindex_MB\tbytes_per_article\tx_input\tsnip_p50_ms\tsnip_p95_ms\tsnip_cpu_p50_ms\tsnip_cpu_p95_ms\tfacets_p50_ms\tfacets_p95_ms\tload_at_start\n' > "$tsv"
for s in ${sizes//,/ }; do
  l=$(label "$s"); c=$sc/corpus/corpus-$l.jsonl; idx=$sc/idx-$l; d=$sc/$l
  if [ "$report_only" = 1 ]; then
    [ -f "$d/runs.tsv" ] && [ -f "$d/index_bytes" ] || { log "$l: no earlier run to report"; continue; }
  else
    rm -rf "$idx" "$d"; mkdir -p "$d"
    cut -d' ' -f1 /proc/loadavg > "$d/load"
    log "$l: index $(stat -c %s "$c" | awk '{printf "%.0f MB", $1/1e6}')"
    /usr/bin/time -v -o "$d/index.time" "$bin/depeche-index" --db "$idx" --full --quiet "$c" > "$d/index.log" 2>&1
    rc=$?
    [ $rc -le 1 ] || { log "$l: indexing failed (exit $rc), see $d/index.log"; continue; }
    du -sb "$idx" | cut -f1 > "$d/index_bytes"
    log "$l: query_bench"
    "$bin/bench/query_bench" --db "$idx" --queries "$queries" --warmup "$warmup" --passes "$passes" \
      --modes snippets,facets --tsv "$d/runs.tsv" > "$d/query_bench.txt" 2> "$d/search.log" || log "$l: some queries failed, see $d/search.log"
  fi
  /usr/bin/python3 - "$l" "$c" "$d" >> "$tsv" <<'EOF'
import os, sys
l, corpus, d = sys.argv[1:]
load = open(os.path.join(d, "load")).read().strip() if os.path.exists(os.path.join(d, "load")) else "?"
def pct(xs, p):
    xs = sorted(xs)
    if not xs: return float("nan")
    k = (len(xs) - 1) * p / 100.0; lo = int(k); hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
wall = cpu = rss = 0.0
for line in open(os.path.join(d, "index.time")):
    line = line.strip()
    if line.startswith("Elapsed (wall clock)"):
        wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(line.rsplit(" ", 1)[1].split(":"))))
    elif line.startswith(("User time", "System time")): cpu += float(line.rsplit(":", 1)[1])
    elif line.startswith("Maximum resident set size"): rss = int(line.rsplit(":", 1)[1]) / 1024.0
n = sum(1 for line in open(corpus, encoding="utf-8") if line.strip())
cb = os.path.getsize(corpus)
ib = int(open(os.path.join(d, "index_bytes")).read())
lat = {"snippets": [], "facets": []}
lat_cpu = []
for line in open(os.path.join(d, "runs.tsv"), encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] in lat and int(f[3]) >= 1:
        lat[f[0]].append(float(f[6]) / 1000)
        if f[0] == "snippets": lat_cpu.append(float(f[8]) / 1000)
print("\t".join([l, str(n), "%.1f" % (cb / 1e6), "%.1f" % wall, "%.1f" % cpu, "%.0f" % rss, "%.1f" % (ib / 1e6),
                 "%.0f" % (ib / n), "%.2f" % (ib / cb), "%.2f" % pct(lat["snippets"], 50), "%.2f" % pct(lat["snippets"], 95),
                 "%.2f" % pct(lat_cpu, 50), "%.2f" % pct(lat_cpu, 95),
                 "%.2f" % pct(lat["facets"], 50), "%.2f" % pct(lat["facets"], 95), load]))
EOF
  [ "$drop" = 1 ] && [ "$report_only" = 0 ] && rm -rf "$idx"
done
{ echo "Dépêche scale run, $(date -Is), $(nproc) cores ($(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)), shared machine"
  echo "corpora: corpus/generate/generate.py from $(basename "$input"); queries: $queries; $warmup warm-up + $passes timed passes"
  column -t -s $'\t' "$tsv"; } | tee "$sc/scale.txt"
