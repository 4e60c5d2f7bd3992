#!/usr/bin/env python3
"""Compares the answers of a sharded index with those of one index over the same articles.

usage: bench/shard_compare.py --search BUILD/depeche-search --one ONE_DB --sharded DB_OR_STUB
                              [--sharded ...] [--queries bench/queries.tsv] [--limit 20] [--serve]

Every query of the file (class<TAB>query lines) is run with each option set below on the
one index and on each sharded form (a sharded folder, its shards.stub, a stub naming remote
shards) with --format json. The answers must be identical, field by field, except scores,
which must agree within 1e-9 relative, and the sharded answers' own fields (partial,
missing_shards). Prints one line per difference and a summary table; exits 1 if any.

By default each answer comes from a depeche-search process of its own (a command-line
search). With --serve, every answer for one database comes from the same
`depeche-search --serve` process, as a long-running searcher gives them (from its facet
columns once built, where a one-off search mostly reads values).
"""
import argparse
import json
import subprocess
import sys

# Command-line options, and the same as a --serve request's fields.
OPTION_SETS = [
    ([], {}),
    (["--facets"], {"facets": True}),
    (["--collapse"], {"collapse": True}),
    (["--sort", "date"], {"sort": "date"}),
    (["--sort", "-date", "--offset", "5"], {"sort": "-date", "offset": 5}),
]


class Server:
    """One `depeche-search --serve` process: a request line in, a response line out."""

    def __init__(self, search, db):
        self.p = subprocess.Popen([search, "--db", db, "--serve", "--format", "json"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def ask(self, query, fields, limit):
        request = dict(fields, query=query, limit=limit)
        self.p.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            return {"error": "the server exited", "status": self.p.wait()}
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait()


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
    ap.add_argument("--serve", action="store_true", help="one --serve process per database")
    args = ap.parse_args()
    queries = []
    with open(args.queries, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            queries.append(line.split("\t", 1)[1])
    counts = {s: [0, 0] for s in args.sharded}
    servers = {db: Server(args.search, db) for db in [args.one] + args.sharded} if args.serve else {}

    def answer(db, q, opts, fields):
        if args.serve:
            return servers[db].ask(q, fields, args.limit)
        return run(args.search, db, q, opts, args.limit)

    for q in queries:
        for opts, fields in OPTION_SETS:
            one = answer(args.one, q, opts, fields)
            for s in args.sharded:
                other = answer(s, q, opts, fields)
                counts[s][0] += 1
                d = diff(one, other)
                if d:
                    counts[s][1] += 1
                    print(f"DIFF {s} {' '.join(opts)} {q!r}: {d}")
    for server in servers.values():
        server.close()
    how = "one --serve process per database" if args.serve else "one process per answer"
    print(f"\n{len(queries)} queries x {len(OPTION_SETS)} option sets, top {args.limit}, every JSON field compared ({how})")
    print("| sharded form | answers compared | differing |")
    print("|---|---:|---:|")
    for s, (n, bad) in counts.items():
        print(f"| {s} | {n} | {bad} |")
    return 1 if any(bad for _, bad in counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
