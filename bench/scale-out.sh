#!/bin/bash
# bench/scale-out.sh: one index against the same articles in shards, local and remote.
# For one corpus size, generates the corpus like scale.sh (corpus/generate/generate.py; the
# corpora are shared with scale.sh under bench/out/scale/corpus/), then:
#   1. indexes it as ONE index (depeche-index --db ONE --full) and as N shards
#      (depeche-index --db DIR --full --shards N), each under /usr/bin/time -v: wall time,
#      CPU time, peak RSS; size on disk with du -sb;
#   2. runs bench/query_bench (modes snippets and facets) against the one index, the shards
#      opened locally (--db DIR, through DIR/shards.stub), and a remote stub: the local
#      lexicon plus one stock xapian-tcpsrv per shard, bound to 127.0.0.1 on free ports
#      (stopped at exit, whatever happens);
#   3. checks that the three give the same hit counts and top 10 ids, and prints one
#      markdown table side by side, written to bench/out/scale-out/scale-out-<size>.md.
#
# usage: bench/scale-out.sh [--size 1M] [--shards 4] [--input articles.jsonl.gz]
#                           [--queries FILE.tsv] [--warmup N] [--passes N] [--threads N]
#                           [--no-build] [--drop-index] [--report-only] [--queries-only]
# --size: one corpus size, e.g. 20k, 100k, 1M (default 1M: two full indexings, hours here).
# --report-only: rebuild the table from the logs of an earlier run of that size.
# --queries-only: keep the indexes of an earlier run of that size (and its indexing
#   figures), and run the query benchmarks again with the binaries built now.
# Output under bench/out/scale-out/<size>/: one/ and sharded/ (the indexes), remote.stub,
# index-*.time, *.bytes, runs-*.tsv, top-*.tsv, query_bench-*.txt, tcpsrv-*.log.
# Only loopback is used; nothing is downloaded.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$here/out
so=$out/scale-out
corpora=$out/scale/corpus
size=1M
shards=4
input=$repo/../shared/corpus/orangesum/articles.jsonl.gz
queries=$here/queries.tsv
warmup=1 passes=3 threads=0 build=1 drop=0 report_only=0 queries_only=0
die() { echo "scale-out.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift ;;
    --shards) shards=$2; shift ;;
    --input) input=$2; shift ;;
    --queries) queries=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --passes) passes=$2; shift ;;
    --threads) threads=$2; shift ;;
    --no-build) build=0 ;;
    --drop-index) drop=1 ;;
    --report-only) report_only=1; build=0 ;;
    --queries-only) queries_only=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
case $shards in ''|*[!0-9]*) die "--shards wants a number, not '$shards'" ;; esac
if [ "$shards" -lt 1 ] || [ "$shards" -gt 100 ]; then die "--shards must be between 1 and 100"; fi
queries=$(readlink -f "$queries")
log() { echo "== $(date +%H:%M:%S) $*" >&2; }

label=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$repo/corpus/generate'); import generate as g; print(g.size_label(g.parse_size('$size')))") ||
  die "bad size $size"
corpus=$corpora/corpus-$label.jsonl
d=$so/$label
one=$d/one
sharded=$d/sharded
stub=$d/remote.stub
bin=$out/build

if [ "$report_only" = 0 ]; then
  [ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
  command -v xapian-tcpsrv > /dev/null || die "xapian-tcpsrv is missing: apt-get install xapian-tools"
  command -v setsid > /dev/null || die "setsid is missing: apt-get install util-linux"
  if [ "$build" = 1 ]; then
    log "build (Release) in $bin"
    mkdir -p "$bin"
    { cmake -S "$repo" -B "$bin" -DCMAKE_BUILD_TYPE=Release -DDEPECHE_BUILD_BENCH=ON -DDEPECHE_BUILD_TESTS=OFF &&
      cmake --build "$bin" -j"$(nproc)" --target depeche-index depeche-search query_bench; } > "$out/build.log" 2>&1 ||
      die "build failed, see $out/build.log"
  fi
  for t in depeche-index bench/query_bench; do [ -x "$bin/$t" ] || die "$bin/$t missing (build first)"; done
  "$bin/depeche-index" --help 2>&1 | grep -- '--shards' > /dev/null || die "$bin/depeche-index has no --shards option (build a newer tree)"

  if [ ! -s "$corpus" ]; then
    [ -f "$input" ] || die "no input corpus at $input"
    log "generate corpus $label"
    mkdir -p "$corpora"
    /usr/bin/python3 "$repo/corpus/generate/generate.py" --input "$input" --out-dir "$corpora" --sizes "$label" ||
      die "generation failed"
  fi
fi

# ---- xapian-tcpsrv: one per shard, loopback only, stopped by the trap ----
pids=()
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null && wait "$p" 2> /dev/null; done
  pids=()
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
listening() {  # is something accepting connections on 127.0.0.1:$1?
  (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}
# start_server SHARD_DIR LOG: starts xapian-tcpsrv on a free port, left in $port (not run
# in a subshell, so that its pid reaches the trap).
start_server() {
  local dir=$1 slog=$2 try pid
  for try in 1 2 3 4 5; do
    port=$(free_port) || return 1
    # setsid: in its own process group, since xapian-tcpsrv's SIGTERM handler kills its
    # whole process group, which would otherwise be this script's.
    echo "port $port; a 'Got exception' line right after is the readiness probe's connection" >> "$slog"
    setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" --quiet "$dir" >> "$slog" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
      kill -0 "$pid" 2> /dev/null || break  # exited: the port was taken meanwhile; try another
      if listening "$port"; then
        pids+=("$pid")
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    echo "attempt $try on port $port failed" >> "$slog"
  done
  return 1
}

# time_index NAME DB [options]: one indexing under /usr/bin/time -v, then du.
time_index() {
  local name=$1 db=$2 rc
  shift 2
  rm -rf "$db"
  log "$label: index as $name ($(stat -c %s "$corpus" | awk '{printf "%.0f MB", $1/1e6}'))"
  /usr/bin/time -v -o "$d/index-$name.time" "$bin/depeche-index" --db "$db" --full --quiet --threads "$threads" "$@" \
    "$corpus" > "$d/index-$name.log" 2>&1
  rc=$?
  [ $rc -le 1 ] || { log "$label: indexing as $name failed (exit $rc), see $d/index-$name.log"; return 1; }
  du -sb "$db" | cut -f1 > "$d/$name.bytes"
}

# bench NAME DB: query_bench, modes snippets and facets; the top 10 of each run kept.
bench() {
  local name=$1 db=$2
  log "$label: query_bench on $name"
  "$bin/bench/query_bench" --db "$db" --queries "$queries" --warmup "$warmup" --passes "$passes" \
    --modes snippets,facets --tsv "$d/runs-$name.tsv" \
    --peer-results "snippets=$d/top-$name-snippets.tsv" --peer-results "facets=$d/top-$name-facets.tsv" \
    > "$d/query_bench-$name.txt" 2> "$d/search-$name.log" || log "$label: $name: some queries failed, see $d/search-$name.log"
}

if [ "$report_only" = 0 ]; then
  if [ "$queries_only" = 1 ]; then
    for x in "$one" "$sharded" "$d/index-one.time" "$d/index-sharded.time"; do
      [ -e "$x" ] || die "--queries-only: $x of an earlier run is missing"
    done
    [ "$(cat "$d/shards" 2> /dev/null)" = "$shards" ] || die "--queries-only: the earlier run of $label had another --shards"
    cut -d' ' -f1 /proc/loadavg > "$d/queries-load"
    git -C "$repo" rev-parse --short HEAD > "$d/queries-commit" 2> /dev/null || echo "?" > "$d/queries-commit"
    rm -f "$d"/runs-*.tsv "$d"/top-*.tsv "$d"/query_bench-*.txt "$d"/search-*.log "$d"/tcpsrv-*.log
  else
    rm -rf "$d"
    mkdir -p "$d"
    cut -d' ' -f1 /proc/loadavg > "$d/load"
    git -C "$repo" rev-parse --short HEAD > "$d/commit" 2> /dev/null || echo "?" > "$d/commit"
    echo "$shards" > "$d/shards"
    time_index one "$one" || exit 1
    time_index sharded "$sharded" --shards "$shards" || exit 1
    for f in shards.stub lexicon; do [ -e "$sharded/$f" ] || die "$sharded/$f missing after indexing"; done
    for n in $(seq 0 $((shards - 1))); do
      printf -v nn '%02d' "$n"
      [ -d "$sharded/shard-$nn" ] || die "$sharded/shard-$nn missing after indexing"
      du -sb "$sharded/shard-$nn" | cut -f1 > "$d/shard-$nn.bytes"
    done
    du -sb "$sharded/lexicon" | cut -f1 > "$d/lexicon.bytes"
  fi

  bench one "$one"
  bench local "$sharded"

  # The remote stub: shards.stub with each "auto shard-NN" served by its own
  # xapian-tcpsrv, and the lexicon (first) given by its absolute path.
  log "$label: start $shards xapian-tcpsrv on 127.0.0.1"
  cp "$sharded/shards.stub" "$d/shards.stub.orig"
  ports=()
  for n in $(seq 0 $((shards - 1))); do
    printf -v nn '%02d' "$n"
    start_server "$sharded/shard-$nn" "$d/tcpsrv-$nn.log" || die "xapian-tcpsrv for shard-$nn would not start, see $d/tcpsrv-$nn.log"
    ports+=("$port")
  done
  awk -v dir="$sharded" -v ports="${ports[*]}" '
    BEGIN { n = split(ports, p, " ") }
    $1 == "auto" && $2 ~ /^shard-[0-9][0-9]$/ { i = substr($2, 7) + 1; if (i > n) exit 1; print "remote 127.0.0.1:" p[i]; seen++; next }
    $1 == "auto" && $2 !~ /^\// { print "auto " dir "/" $2; next }
    { print }
    END { if (seen != n) exit 1 }' "$sharded/shards.stub" > "$stub" || die "cannot turn $sharded/shards.stub into $stub"
  bench remote "$stub"
  stop_servers
  [ "$drop" = 1 ] && rm -rf "$one" "$sharded"
else
  if [ ! -f "$d/runs-one.tsv" ] || [ ! -f "$d/one.bytes" ]; then die "no earlier run of $label under $d"; fi
fi

mkdir -p "$so"
report=$so/scale-out-$label.md
/usr/bin/python3 - "$label" "$corpus" "$d" "$queries" "$warmup" "$passes" > "$report" <<'EOF' || die "report failed"
import os, subprocess, sys
label, corpus, d, queries, warmup, passes = sys.argv[1:]
def read(name, default="?"):
    p = os.path.join(d, name)
    return open(p).read().strip() if os.path.exists(p) else default
shards = int(read("shards", "4"))
def pct(xs, p):
    xs = sorted(xs)
    if not xs: return float("nan")
    k = (len(xs) - 1) * p / 100.0; lo = int(k); hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
def timing(name):
    wall = cpu = rss = float("nan")
    p = os.path.join(d, "index-%s.time" % name)
    if not os.path.exists(p): return wall, cpu, rss
    cpu = 0.0
    for line in open(p):
        line = line.strip()
        if line.startswith("Elapsed (wall clock)"):
            wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(line.rsplit(" ", 1)[1].split(":"))))
        elif line.startswith(("User time", "System time")): cpu += float(line.rsplit(":", 1)[1])
        elif line.startswith("Maximum resident set size"): rss = int(line.rsplit(":", 1)[1]) / 1024.0
    return wall, cpu, rss
def latencies(name):
    lat = {"snippets": [], "facets": []}; failed = 0
    p = os.path.join(d, "runs-%s.tsv" % name)
    if not os.path.exists(p): return None, 0
    for line in open(p, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] in lat and int(f[3]) >= 1:
            if int(f[4]) < 0: failed += 1
            lat[f[0]].append(float(f[6]) / 1000)
    return lat, failed
def tops(name, mode):  # qno -> (hits, top 10 ids) of the first timed pass
    p = os.path.join(d, "top-%s-%s.tsv" % (name, mode)); r = {}
    if not os.path.exists(p): return None
    for line in open(p, encoding="utf-8"):
        if line.startswith("#"): continue
        f = line.rstrip("\n").split("\t")
        if f[0] == "1": r[int(f[1])] = (f[3], f[5])
    return r
n = sum(1 for line in open(corpus, encoding="utf-8") if line.strip()) if os.path.exists(corpus) else 0
mb = lambda name: int(read(name + ".bytes", "0")) / 1e6
fmt = lambda x, spec="%.2f": "—" if x != x else (spec % x)
configs = [("one", "one index", "`one/`"),
           ("local", "%d shards, local" % shards, "`--db sharded/` (its `shards.stub`)"),
           ("remote", "%d shards, remote" % shards, "`remote.stub`: local lexicon + %d `xapian-tcpsrv` on 127.0.0.1" % shards)]
lat = {c: latencies(c) for c, _, _ in configs}
ref = {m: tops("one", m) for m in ("snippets", "facets")}
def same(c):
    if lat[c][0] is None: return "not run"
    if c == "one": return "reference"
    bad = []; total = 0
    for m in ("snippets", "facets"):
        a, b = ref[m], tops(c, m)
        if a is None or b is None: return "?"
        for q in a:
            total += 1
            if b.get(q) != a[q]: bad.append("%s #%d" % (m, q))
    if lat[c][1]: bad.append("%d failed runs" % lat[c][1])
    return "yes (%d/%d)" % (total, total) if not bad else "**no**: " + ", ".join(bad[:8]) + (" ..." if len(bad) > 8 else "")
try:
    cpu_model = [l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines() if l.startswith("Model name:")][0]
except Exception:
    cpu_model = "?"
print("## Scale-out run: %s articles, one index against %d shards\n" % (label, shards))
source = "Source `%s`; load average %s at the start" % (read("commit"), read("load"))
if read("queries-commit", "") != "":
    source = ("Indexes built from source `%s` (load average %s at the start); queries run again from source `%s` "
              "(`--queries-only`, load average %s at the start)" % (read("commit"), read("load"), read("queries-commit"),
                                                                    read("queries-load")))
print("%s; %d cores (%s); corpus `%s` (%s articles, %.1f MB); "
      "queries `%s`, %s warm-up + %s timed passes per mode; latency in ms over all timed runs.\n"
      % (source, os.cpu_count(), cpu_model, os.path.basename(corpus), format(n, ","),
         os.path.getsize(corpus) / 1e6 if os.path.exists(corpus) else 0, os.path.basename(queries), warmup, passes))
print("| index | opened as | index wall s | index CPU s | peak RSS MiB | index MB | snippets p50 | snippets p95 | facets p50 | facets p95 | snippets p95 / one | same hits and top 10 as one |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
p95_one = pct(lat["one"][0]["snippets"], 95) if lat["one"][0] else float("nan")
for c, name, how in configs:
    built = "one" if c == "one" else "sharded"
    wall, cpu, rss = timing(built)
    if c == "remote":
        idx = ["(same)"] * 4
    else:
        idx = [fmt(wall, "%.1f"), fmt(cpu, "%.1f"), fmt(rss, "%.0f"), fmt(mb(built), "%.1f")]
    l = lat[c][0]
    if l is None:
        qs = ["—"] * 5
    else:
        qs = [fmt(pct(l["snippets"], 50)), fmt(pct(l["snippets"], 95)), fmt(pct(l["facets"], 50)), fmt(pct(l["facets"], 95)),
              fmt(pct(l["snippets"], 95) / p95_one) if c != "one" else "1.00"]
    print("| %s | %s | %s | %s | %s |" % (name, how, " | ".join(idx), " | ".join(qs), same(c)))
parts = ["lexicon %.1f" % mb("lexicon")] + ["shard-%02d %.1f" % (i, mb("shard-%02d" % i)) for i in range(shards)]
print("\nSharded index on disk (MB): %s." % ", ".join(parts))
w1, w4 = timing("one")[0], timing("sharded")[0]
r = lat["remote"][0]
def verdict(x, limit): return "—" if x != x else ("met" if x <= limit else "**missed**")
print("\n| target | measured | ratio | verdict |\n|---|---|---:|---|")
print("| building %d shards no slower than one index (wall) | %s s vs %s s | %s | %s |" % (shards, fmt(w4, "%.1f"), fmt(w1, "%.1f"), fmt(w4 / w1), verdict(w4 / w1, 1.0)))
for m in ("snippets", "facets"):
    a = pct(r[m], 95) if r else float("nan"); b = pct(lat["one"][0][m], 95) if lat["one"][0] else float("nan")
    print("| %s p95 with %d remote shards at most 0.7x one index's | %s ms vs %s ms | %s | %s |" % (m, shards, fmt(a), fmt(b), fmt(a / b), verdict(a / b, 0.7)))
EOF
cat "$report"
