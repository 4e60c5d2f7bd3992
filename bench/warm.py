#!/usr/bin/env python3
"""bench/warm.py: what warming up saves the first facet query of `depeche-search --http`.

Starts depeche-search --http on 127.0.0.1 (a free port) over an index, with --warm 1 and
then with --warm 0. With warming, it first waits until /api/stats says facets_ready (the
time is printed). Then it times one facet query (QUERY, `France` by default), and for
each of COMMITS commits (one new article each, written by depeche-index from a folder of
probe files) waits PAUSE seconds, times the first facet query after it, then the same
query again. Prints a markdown table per mode.

The probe articles are removed from the index at the end (their folder emptied and
indexed again), so the index keeps its articles; its revision moves on. Use a copy of
an index you care about. Only loopback is used.

usage: bench/warm.py --db INDEX [--search build/depeche-search] [--index build/depeche-index]
                     [--query France] [--commits 3] [--pause 2]
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def start(a, warm):
    log = tempfile.NamedTemporaryFile(prefix="warm-", suffix=".log", delete=False)
    server = subprocess.Popen([a.search, "--db", a.db, "--http", "127.0.0.1:0", "--warm", str(warm)],
                              stdout=log, stderr=log)
    for _ in range(600):  # up to 60 s
        time.sleep(0.1)
        m = re.search(r"http://127\.0\.0\.1:(\d+)", open(log.name).read())
        if m:
            return server, int(m.group(1)), log.name
        if server.poll() is not None:
            break
    sys.exit("warm: the server did not start:\n" + open(log.name).read())


def get(port, path):
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=600) as res:
        body = json.load(res)
    return (time.perf_counter() - t0) * 1000, body


def wait_ready(port):
    t0 = time.perf_counter()
    while not get(port, "/api/stats")[1]["facets_ready"]:
        time.sleep(0.05)
    return (time.perf_counter() - t0) * 1000


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--search", default=os.path.join(here, "..", "build", "depeche-search"))
    ap.add_argument("--index", default=os.path.join(here, "..", "build", "depeche-index"))
    ap.add_argument("--query", default="France")
    ap.add_argument("--commits", type=int, default=3)
    ap.add_argument("--pause", type=float, default=2.0)
    a = ap.parse_args()
    query = "/api/search?facets=1&limit=10&q=" + urllib.parse.quote(a.query)
    probes = tempfile.mkdtemp(prefix="warm-probes-")
    count = 0

    def commit():
        nonlocal count
        count += 1
        with open(os.path.join(probes, f"probe-{count}.json"), "w", encoding="utf-8") as f:
            json.dump({"id": f"bench-warm-probe-{os.getpid()}-{count}", "date": "2025-08-15",
                       "title": f"{a.query} : article de mesure {count}",
                       "body": f"{a.query}. Article de mesure {count}, indexé puis retiré par bench/warm.py."}, f)
        subprocess.run([a.index, "--quiet", "--db", a.db, probes], check=True, stdout=subprocess.DEVNULL)

    tables = []
    try:
        for warm in (1, 0):
            server, port, log = start(a, warm)
            rows = []
            try:
                ready = wait_ready(port) if warm else None
                ms, _ = get(port, query)
                rows.append(("start", "%.0f" % ready if ready is not None else "", "%.0f" % ms, ""))
                for _ in range(a.commits):
                    commit()
                    ready = wait_ready(port) if warm else None
                    time.sleep(a.pause)
                    first, _ = get(port, query)
                    again, _ = get(port, query)
                    rows.append((f"commit {count}", "%.0f" % ready if ready is not None else "",
                                 "%.0f" % first, "%.0f" % again))
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait()
                os.unlink(log)
            tables.append((warm, rows))
    finally:
        for name in os.listdir(probes):
            os.unlink(os.path.join(probes, name))
        if count:
            subprocess.run([a.index, "--quiet", "--db", a.db, probes], check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(probes, ignore_errors=True)

    for warm, rows in tables:
        print(f"`depeche-search --http --warm {warm}` over `{a.db}`, facet query `{a.query}`"
              + (f", {a.pause:g} s after each commit" if a.commits else "") + "\n")
        print("| when | ready after ms | first facet query ms | the same again ms |")
        print("|---|---:|---:|---:|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()


if __name__ == "__main__":
    main()
