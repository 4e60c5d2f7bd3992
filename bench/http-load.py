#!/usr/bin/env python3
"""bench/http-load.py: time and memory of `depeche-search --http` under concurrent facet queries.

Starts depeche-search --http on 127.0.0.1 (a free port) over an index (a folder, a sharded
folder or a stub naming remote shards), then runs ROUNDS rounds; in each round CLIENTS
threads send one /api/search?facets=1 request each, all at once, each with its own query.
After each round the server's resident memory (VmRSS) and its peak (VmHWM) are read from
/proc. Prints a markdown table; the server is stopped at the end (SIGTERM).

The first round of a fresh server opens its searchers and reads the facet values of the
index (the server is started with --warm 0, so that it has not read them before; --warm N
lets it warm up, bench/warm.py measures that); the later rounds show the steady state.

usage: bench/http-load.py --db INDEX [--search build/depeche-search] [--clients 16]
                          [--rounds 3] [--searchers N] [--threads N] [--warm 0]
Only loopback is used.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

QUERIES = ["France", "président", "Europe", "gouvernement", "ministre", "Paris", "loi", "guerre",
           "économie", "élection", "police", "santé", "école", "football", "climat", "justice"]


def memory_mib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--search", default=os.path.join(here, "..", "build", "depeche-search"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--searchers", type=int, default=0, help="--http-searchers (0: the default)")
    ap.add_argument("--threads", type=int, default=0, help="--http-threads (0: the default)")
    ap.add_argument("--warm", type=int, default=0, help="--warm (0: a cold first round)")
    a = ap.parse_args()

    cmd = [a.search, "--db", a.db, "--http", "127.0.0.1:0", "--warm", str(a.warm)]
    if a.searchers:
        cmd += ["--http-searchers", str(a.searchers)]
    if a.threads:
        cmd += ["--http-threads", str(a.threads)]
    log = tempfile.NamedTemporaryFile(prefix="http-load-", suffix=".log", delete=False)
    server = subprocess.Popen(cmd, stdout=log, stderr=log)
    port = None
    for _ in range(300):  # up to 30 s
        time.sleep(0.1)
        m = re.search(r"http://127\.0\.0\.1:(\d+)", open(log.name).read())
        if m:
            port = int(m.group(1))
            break
        if server.poll() is not None:
            break
    if port is None:
        sys.exit("http-load: the server did not start:\n" + open(log.name).read())

    rows = []
    try:
        rss, peak = memory_mib(server.pid)
        rows.append(("started", "", "", "", f"{rss:.0f}", f"{peak:.0f}"))
        for r in range(1, a.rounds + 1):
            times, errors = [], []
            lock = threading.Lock()

            def ask(query):
                url = f"http://127.0.0.1:{port}/api/search?facets=1&limit=10&q={urllib.parse.quote(query)}"
                t0 = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=600) as res:
                        res.read()
                        ok = res.status == 200
                except Exception as e:  # noqa: BLE001 (any failure is counted and shown)
                    ok = False
                    with lock:
                        errors.append(f"{query}: {e}")
                with lock:
                    times.append(time.perf_counter() - t0)
                    if not ok and not errors:
                        errors.append(query)

            start = time.perf_counter()
            threads = [threading.Thread(target=ask, args=(QUERIES[k % len(QUERIES)],)) for k in range(a.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
            rss, peak = memory_mib(server.pid)
            rows.append((str(r), f"{wall:.2f}", f"{max(times):.2f}", str(len(errors)), f"{rss:.0f}", f"{peak:.0f}"))
            for e in errors[:3]:
                print(f"http-load: round {r}: {e}", file=sys.stderr)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
        os.unlink(log.name)

    print(f"`depeche-search --http` over `{a.db}`: {a.clients} concurrent facet queries a round"
          + (f", --http-searchers {a.searchers}" if a.searchers else "")
          + (f", --http-threads {a.threads}" if a.threads else "")
          + (f", --warm {a.warm}" if a.warm else "") + "\n")
    print("| round | wall s | slowest request s | errors | RSS MiB | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
