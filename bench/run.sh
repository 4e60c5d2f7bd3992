#!/bin/bash
# bench/run.sh: the whole benchmark in one command.
#   1. builds Dépêche (Release) in bench/out/build, with bench/query_bench;
#   2. indexes the corpus with depeche-index under /usr/bin/time -v (wall, CPU, peak RSS),
#      and measures the index size on disk;
#   3. runs bench/query_bench on it (modes ids, snippets, facets) and times the start-up
#      of depeche-search (hyperfine if installed, else a loop);
#   4. runs the peer engines through ../shared/bench-peers (setup.sh, then run-all.sh)
#      with the same corpus and queries; a peer that cannot be set up is reported with
#      its status (build_failed, index_failed...) instead of stopping the run;
#   5. prints one report (bench/out/run/report.txt) and plots latency per query class for
#      every engine to bench/out/latency.png (gnuplot).
#
# usage: bench/run.sh [--no-peers] [--peers "xapian lucene8 ..."] [--corpus FILE.jsonl[.gz]]
#                     [--queries FILE.tsv] [--warmup N] [--passes N] [--no-build] [--name NAME]
# Defaults: corpus ../shared/corpus/orangesum/articles.jsonl.gz, queries bench/queries.tsv,
# all peers, 3 warm-up + 5 timed passes. Everything is written under bench/out/ (git-ignored):
# the run in bench/out/run/ and the plot in bench/out/latency.png, or with --name NAME in
# bench/out/run-NAME/ and bench/out/latency-NAME.png (to keep several runs side by side).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$here/out
name=
peers_dir=${BENCH_PEERS_DIR:-$repo/../shared/bench-peers}
corpus=$repo/../shared/corpus/orangesum/articles.jsonl.gz
queries=$here/queries.tsv
peers="xapian lucene8 lucene4 postgres sqlite sphinx minisearch"
warmup=3 passes=5 build=1 with_peers=1

die() { echo "run.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --no-peers) with_peers=0 ;;
    --peers) peers=$2; shift ;;
    --corpus) corpus=$2; shift ;;
    --queries) queries=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --passes) passes=$2; shift ;;
    --no-build) build=0 ;;
    --name) name=$2; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
case $name in *[!A-Za-z0-9._-]*) die "--name takes letters, digits, '.', '_' and '-'" ;; esac
run=$out/run${name:+-$name}
plot=$out/latency${name:+-$name}.png
[ -f "$corpus" ] || die "no corpus at $corpus (use --corpus)"
[ -f "$queries" ] || die "no query file at $queries"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
corpus=$(readlink -f "$corpus"); queries=$(readlink -f "$queries")
log() { echo "== $(date +%H:%M:%S) $*" >&2; }

commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"

# ---- 1. build ----
bin=$out/build
if [ "$build" = 1 ]; then
  log "build (Release) in $bin"
  mkdir -p "$bin"
  { cmake -S "$repo" -B "$bin" -DCMAKE_BUILD_TYPE=Release -DDEPECHE_BUILD_BENCH=ON -DDEPECHE_BUILD_TESTS=OFF &&
    cmake --build "$bin" -j"$(nproc)" --target depeche-index depeche-search query_bench; } > "$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log" >&2; die "build failed, see $out/build.log"; }
fi
for t in depeche-index depeche-search bench/query_bench; do [ -x "$bin/$t" ] || die "$bin/$t missing (build first)"; done

# ---- corpus: the indexers and peers read plain JSONL ----
case $corpus in
  *.gz)
    plain=$out/corpus/$(basename "$(dirname "$corpus")")-$(basename "$corpus" .gz)
    if [ ! -s "$plain" ] || [ "$corpus" -nt "$plain" ]; then
      log "decompress $corpus"
      mkdir -p "$out/corpus"; zcat "$corpus" > "$plain.tmp" && mv "$plain.tmp" "$plain" || die "cannot decompress $corpus"
    fi ;;
  *) plain=$corpus ;;
esac

rm -rf "$run"; mkdir -p "$run/depeche" "$run/depeche-ids" "$run/depeche-facets" "$run/idx"
chmod 755 "$run"
grep -v '^[[:space:]]*#' "$queries" | grep . | awk -F'\t' '{print (NF>1 ? $2 : $1)}' > "$run/queries.txt"
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 2. index with Dépêche ----
d=$run/depeche; idx=$run/idx/depeche
log "depeche: index $(basename "$plain")"
/usr/bin/time -v -o "$d/index.time" "$bin/depeche-index" --db "$idx" --full --quiet "$plain" > "$d/index.log" 2>&1
rc=$?
case $rc in
  0) echo ok > "$d/status" ;;
  1) echo "ok (input warnings)" > "$d/status" ;;
  *) echo index_failed > "$d/status"; tail -5 "$d/index.log" >&2 ;;
esac
if [ -d "$idx" ]; then du -sb "$idx" | cut -f1 > "$d/index_bytes"; fi

# ---- 3. queries and start-up ----
if [ "$rc" -le 1 ]; then
  log "depeche: query_bench (warm-up $warmup, passes $passes, modes ids snippets facets)"
  if /usr/bin/time -v -o "$d/search.time" "$bin/bench/query_bench" --db "$idx" --queries "$queries" \
      --warmup "$warmup" --passes "$passes" --modes ids,snippets,facets --per-query --tsv "$run/depeche-runs.tsv" \
      --peer-results snippets="$d/results.tsv" --peer-results ids="$run/depeche-ids/results.tsv" \
      --peer-results facets="$run/depeche-facets/results.tsv" > "$d/query_bench.txt" 2> "$d/search.log"; then
    st=ok
  else
    st=ok_with_query_errors; [ -s "$d/results.tsv" ] || st=search_failed
  fi
  for m in depeche-ids depeche-facets; do echo "$st" > "$run/$m/status"; done
  [ "$st" = ok ] || echo "$st" > "$d/status"

  log "depeche-search start-up"
  s=$bin/depeche-search
  if command -v hyperfine > /dev/null; then
    echo "hyperfine $(hyperfine --version | cut -d' ' -f2), --shell=none, 3 warm-up + 30 runs" > "$run/startup.tool"
    hyperfine --shell=none --warmup 3 --runs 30 --style none --export-csv "$run/startup.csv" \
      -n "start only: --version" "$s --version" \
      -n "open index: --stats" "$s --db $idx --stats" \
      -n "open + query: --exact Ukraine" "$s --db $idx --exact --color never Ukraine" > "$run/startup.log" 2>&1
    awk -F, 'NR==1{print "command\tmean ms\tmedian ms\tmin ms\tmax ms"; next}
             {printf "%s\t%.1f\t%.1f\t%.1f\t%.1f\n", $1, $2*1000, $4*1000, $7*1000, $8*1000}' "$run/startup.csv" > "$run/startup.tsv"
  else
    echo "loop of 30 runs (hyperfine not installed)" > "$run/startup.tool"
    printf 'command\tmean ms\tmedian ms\tmin ms\tmax ms\n' > "$run/startup.tsv"
    for spec in "--version" "--db $idx --stats" "--db $idx --exact --color never Ukraine"; do
      for i in $(seq 1 33); do
        t0=$(date +%s%N); $s $spec > /dev/null 2>&1; t1=$(date +%s%N)
        [ "$i" -gt 3 ] && echo $(( (t1 - t0) / 1000 ))
      done | sort -n | awk -v c="$spec" '{x[NR]=$1; s+=$1} END {printf "%s\t%.1f\t%.1f\t%.1f\t%.1f\n", c, s/NR/1000, x[int((NR+1)/2)]/1000, x[1]/1000, x[NR]/1000}' >> "$run/startup.tsv"
    done
  fi
fi

# ---- 4. peers ----
engines="depeche depeche-ids depeche-facets"
if [ "$with_peers" = 1 ]; then
  engines="$engines $peers"
  if [ ! -x "$peers_dir/run-all.sh" ]; then
    log "no peer harness at $peers_dir: peers reported as unavailable"
    for p in $peers; do mkdir -p "$run/$p"; echo "unavailable (no bench-peers)" > "$run/$p/status"; done
  else
    log "peers: setup ($peers_dir/setup.sh)"
    "$peers_dir/setup.sh" > "$run/peers-setup.log" 2>&1 || log "peer setup failed (see $run/peers-setup.log); trying each peer anyway"
    log "peers: run-all.sh with PEERS=\"$peers\" (long: see $run/peers.log)"
    PEERS="$peers" WARMUP=$warmup PASSES=$passes REF=${REF:-${peers%% *}} \
      "$peers_dir/run-all.sh" "$plain" "$run/queries.txt" "$run" > "$run/peers.log" 2>&1
    [ -f "$run/meta.txt" ] && mv "$run/meta.txt" "$run/meta-peers.txt"
    for p in $peers; do [ -f "$run/$p/status" ] || { mkdir -p "$run/$p"; echo "not run" > "$run/$p/status"; }; done
  fi
fi

# ---- 5. report and plot ----
{ echo "date	$(date -Is)"; echo "corpus	$plain"; echo "docs	$(grep -c . "$plain")"
  echo "corpus_bytes	$(stat -c %s "$plain")"; echo "queries	$queries"
  echo "warmup	$warmup"; echo "passes	$passes"
  echo "machine	$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r)"
  echo "cpu	$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "load	$loadavg_start (at start), $(cut -d' ' -f1-3 /proc/loadavg) (at end)"
  echo "commit	$commit (when run.sh started$([ "$build" = 1 ] || echo ', --no-build: binaries may be older'))"
} > "$run/meta.txt"
/usr/bin/python3 "$here/report.py" "$run" "$queries" $engines
echo
echo "Dépêche per-query latency: $d/query_bench.txt; every run: $run/depeche-runs.tsv"
if command -v gnuplot > /dev/null; then
  plotted=$(head -1 "$run/by_class.tsv" | tr '\t' '\n' | sed -n 's/_p50$//p' | tr '\n' ' ')
  ours=$(echo "$plotted" | tr ' ' '\n' | grep -c '^depeche')
  gnuplot -e "datafile='$run/by_class.tsv'; outfile='$plot'; engines='$plotted'; ours=$ours; subtitle='$(basename "$plain"), $(date +%F)'" \
    "$here/latency.gp" && echo "plot: $plot"
fi
