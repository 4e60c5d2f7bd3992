#!/usr/bin/env python3
"""Compares the answers of a sharded index with those of one index over the same articles.

usage: bench/shard_compare.py --search BUILD/depeche-search --one ONE_DB --sharded DB_OR_STUB
                              [--sharded ...] [--queries bench/queries.tsv] [--limit 20]

Every query of the file (class<TAB>query lines) is run with each option set below on the
one index and on each sharded form (a sharded folder, its shards.stub, a stub naming remote
shards) with --format json. The answers must be identical, field by field, except scores,
which must agree within 1e-9 relative, and the sharded answers' own fields (partial,
missing_shards). Prints one line per difference and a summary table; exits 1 if any.
"""
import argparse
import json
import subprocess
import sys

OPTION_SETS = [
    [],
    ["--facets"],
    ["--collapse"],
    ["--sort", "date"],
    ["--sort", "-date", "--offset", "5"],
]


def run(search, db, query, opts, limit):
    cmd = [search, "--db", db, "--format", "json", "--limit", str(limit)] + opts + ["--", query]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": p.stderr.strip(), "status": p.returncode}
    return json.loads(p.stdout)


def diff(a, b, path=""):
    """First difference between two JSON values, or None."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b)):
                return None
        return f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'one' if k in a else 'sharded'}"
            d = diff(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--search", required=True)
    ap.add_argument("--one", required=True)
    ap.add_argument("--sharded", action="append", required=True)
    ap.add_argument("--queries", default="bench/queries.tsv")
    ap.add_argument("--limit", type=int, default=20)
    args = ap.parse_args()
    queries = []
    with open(args.queries, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            queries.append(line.split("\t", 1)[1])
    counts = {s: [0, 0] for s in args.sharded}
    for q in queries:
        for opts in OPTION_SETS:
            one = run(args.search, args.one, q, opts, args.limit)
            for s in args.sharded:
                other = run(args.search, s, q, opts, args.limit)
                counts[s][0] += 1
                d = diff(one, other)
                if d:
                    counts[s][1] += 1
                    print(f"DIFF {s} {' '.join(opts)} {q!r}: {d}")
    print(f"\n{len(queries)} queries x {len(OPTION_SETS)} option sets, top {args.limit}, every JSON field compared")
    print("| sharded form | answers compared | differing |")
    print("|---|---:|---:|")
    for s, (n, bad) in counts.items():
        print(f"| {s} | {n} | {bad} |")
    return 1 if any(bad for _, bad in counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
