#!/usr/bin/env python3
"""Combine one bench/run.sh run into tables, target checks and gnuplot data.

usage: report.py RUNDIR QUERIES.tsv ENGINE...

Reads, for each ENGINE, RUNDIR/<engine>/{status,index.time,index_bytes,results.tsv}
(results.tsv in the ../shared/bench-peers format: pass qno query hits latency_us top10 ...,
pass 0 = warm-up), RUNDIR/meta.txt (corpus, docs, corpus_bytes) and RUNDIR/startup.tsv.
Query classes come from QUERIES.tsv (class<TAB>query, same order as the query file the
engines ran). Writes RUNDIR/report.txt (also printed), RUNDIR/engines.tsv,
RUNDIR/by_class.tsv (p50 and p95 per class per engine, for gnuplot) and RUNDIR/hits.tsv.
Python 3 standard library only."""
import os
import statistics
import sys

# Rows for Dépêche measured by query_bench in several modes; the first one carries the
# index figures. Labels say what each mode does.
DEPECHE_MODES = {
    "depeche": "exact total + snippets",
    "depeche-ids": "exact total, ids only",
    "depeche-facets": "exact total + snippets + facets",
}


def pct(xs, p):
    """Linear interpolation between closest ranks (as bench-peers/common/summarize.py)."""
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return default


def time_v(path):
    """wall s, cpu s (user+sys), peak RSS MiB from /usr/bin/time -v."""
    wall = cpu = rss = None
    if os.path.exists(path):
        u = s = 0.0
        for line in open(path):
            line = line.strip()
            if line.startswith("Elapsed (wall clock)"):
                t = line.rsplit(" ", 1)[1].split(":")
                wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
            elif line.startswith("User time"):
                u = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time"):
                s = float(line.rsplit(":", 1)[1])
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(":", 1)[1]) / 1024.0
        cpu = u + s
    return wall, cpu, rss


def results(path):
    rows = []
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) >= 5:
                rows.append((int(f[0]), int(f[1]), f[2], int(f[3]), float(f[4])))
    return rows


def read_classes(path):
    out = []
    for line in open(path, encoding="utf-8"):
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        c, _, q = t.partition("\t")
        out.append((c.strip(), q.strip()) if q else ("other", c.strip()))
    return out


def f1(v, nd=1):
    return "-" if v is None else ("%." + str(nd) + "f") % v


def table(header, rows, left=1):
    """Plain-text table; the first `left` columns are left-aligned, the others right-aligned."""
    w = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w[i]) if i < left else str(c).rjust(w[i]) for i, c in enumerate(r)).rstrip()
    return "\n".join([line(header), "  ".join("-" * x for x in w)] + [line(r) for r in rows])


def main():
    run, qfile, engines = sys.argv[1], sys.argv[2], sys.argv[3:]
    classes = read_classes(qfile)
    meta = dict(l.split("\t", 1) for l in read(os.path.join(run, "meta.txt")).splitlines() if "\t" in l)
    docs = int(meta.get("docs", "0") or 0)
    corpus_bytes = int(meta.get("corpus_bytes", "0") or 0)
    out = []
    p = out.append

    p("Run: %s   corpus: %s (%d articles, %.1f MB)" % (meta.get("date", "?"), meta.get("corpus", "?"), docs,
                                                        corpus_bytes / 1e6))
    p("Machine: %s; %s" % (meta.get("machine", "?"), meta.get("cpu", "?")))
    p("Queries: %d (%s), %s warm-up + %s timed passes per engine, one engine at a time"
      % (len(classes), qfile, meta.get("warmup", "?"), meta.get("passes", "?")))
    if meta.get("commit"):
        p("Source: %s" % meta["commit"])
    if meta.get("load"):
        p("Load average: %s (the machine is shared: timings are noisy)" % meta["load"])
    p("")

    E = {}
    for e in engines:
        d = os.path.join(run, e)
        wall, cpu, rss = time_v(os.path.join(d, "index.time"))
        rows = results(os.path.join(d, "results.tsv"))
        timed = [r for r in rows if r[0] >= 1]
        first = {}
        for r in timed:
            first.setdefault(r[1], r)
        ib = read(os.path.join(d, "index_bytes"))
        E[e] = dict(status=read(os.path.join(d, "status"), "not run"), wall=wall, cpu=cpu, rss=rss,
                    bytes=int(ib) if ib.isdigit() else None, timed=timed, first=first,
                    lat=[r[4] for r in timed])

    # ---- Table 1: engines ----
    hdr = ["engine", "status", "index wall s", "index cpu s", "peak RSS MiB", "index MB", "bytes/article",
           "x input", "p50 ms", "p95 ms", "p99 ms", "queries"]
    rows = []
    for e in engines:
        x = E[e]
        name = e + (" (%s)" % DEPECHE_MODES[e] if e in DEPECHE_MODES else "")
        b = x["bytes"]
        rows.append([name, x["status"], f1(x["wall"]), f1(x["cpu"]), f1(x["rss"]),
                     f1(b / 1e6 if b else None), f1(b / docs if b and docs else None, 0),
                     f1(b / corpus_bytes if b and corpus_bytes else None, 2),
                     f1(pct(x["lat"], 50) / 1000 if x["lat"] else None, 2),
                     f1(pct(x["lat"], 95) / 1000 if x["lat"] else None, 2),
                     f1(pct(x["lat"], 99) / 1000 if x["lat"] else None, 2), str(len(x["first"]))])
    p("Engines (index: /usr/bin/time -v of the indexing command, peak RSS of its largest process;")
    p("latency: every timed run of every query, in the engine's own client process)")
    p(table(hdr, rows, 2))
    with open(os.path.join(run, "engines.tsv"), "w") as f:
        f.write("\t".join(hdr) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n")

    # ---- Dépêche: wall vs CPU time (query_bench records both) ----
    runs_tsv = os.path.join(run, "depeche-runs.tsv")
    if os.path.exists(runs_tsv):
        wall_cpu = {}
        for line in open(runs_tsv, encoding="utf-8"):
            f = line.rstrip("\n").split("\t")
            if f[0] == "mode" or len(f) < 9 or int(f[3]) < 1:
                continue
            wall_cpu.setdefault(f[0], ([], []))
            wall_cpu[f[0]][0].append(float(f[6]))
            wall_cpu[f[0]][1].append(float(f[8]))
        if wall_cpu:
            p("")
            p("Dépêche per mode: wall time vs process CPU time of each search() call, ms")
            p("(CPU time does not count time spent waiting for a core on the shared machine)")
            rows = []
            for m, (w, c) in wall_cpu.items():
                rows.append([m, f1(pct(w, 50) / 1000, 2), f1(pct(w, 95) / 1000, 2), f1(pct(w, 99) / 1000, 2),
                             f1(pct(c, 50) / 1000, 2), f1(pct(c, 95) / 1000, 2), f1(pct(c, 99) / 1000, 2)])
            p(table(["mode", "wall p50", "wall p95", "wall p99", "cpu p50", "cpu p95", "cpu p99"], rows, 1))

    # ---- Start-up ----
    st = read(os.path.join(run, "startup.tsv"))
    if st:
        p("")
        p("depeche-search process start-up (%s)" % (read(os.path.join(run, "startup.tool")) or "loop"))
        srows = [l.split("\t") for l in st.splitlines()]
        p(table(srows[0], srows[1:], 1))

    # ---- Per class ----
    cls_order = []
    for c, _ in classes:
        if c not in cls_order:
            cls_order.append(c)
    active = [e for e in engines if E[e]["timed"]]
    bycls = {}
    for e in active:
        for c in cls_order:
            qn = {i + 1 for i, (cc, _) in enumerate(classes) if cc == c}
            xs = [r[4] for r in E[e]["timed"] if r[1] in qn]
            bycls[(e, c)] = (pct(xs, 50), pct(xs, 95))
    p("")
    p("Latency per query class, p50 / p95 in ms")
    hdr = ["class", "n"] + active
    rows = []
    for c in cls_order:
        n = sum(1 for cc, _ in classes if cc == c)
        rows.append([c, str(n)] + ["%s / %s" % (f1(bycls[(e, c)][0] / 1000 if bycls[(e, c)][0] is not None else None, 2),
                                                f1(bycls[(e, c)][1] / 1000 if bycls[(e, c)][1] is not None else None, 2))
                                   for e in active])
    p(table(hdr, rows))
    with open(os.path.join(run, "by_class.tsv"), "w") as f:
        f.write("class\t" + "\t".join("%s_p50\t%s_p95" % (e, e) for e in active) + "\n")
        for c in cls_order:
            vals = []
            for e in active:
                a, b = bycls[(e, c)]
                vals += [f1(a / 1000 if a is not None else None, 3), f1(b / 1000 if b is not None else None, 3)]
            f.write(c + "\t" + "\t".join(v if v != "-" else "NaN" for v in vals) + "\n")

    # ---- Hits side by side ----
    hit_engines = [e for e in active if e not in ("depeche-ids", "depeche-facets")]
    p("")
    p("Hit counts per query (exact totals; '-' = no result; differences come from analysis:")
    p("elisions, accents, stemmers, stop words; see ../shared/bench-peers/README.md, Pitfalls)")
    hdr = ["#", "class", "query"] + hit_engines
    rows = []
    for i, (c, q) in enumerate(classes, 1):
        rows.append([str(i), c, q[:38]] + [str(E[e]["first"][i][3]) if i in E[e]["first"] else "-"
                                            for e in hit_engines])
    p(table(hdr, rows, 3))
    with open(os.path.join(run, "hits.tsv"), "w") as f:
        f.write("\t".join(hdr) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n")

    # ---- Targets of the issue ----
    p("")
    p("Targets of the issue (ratios to the peers of this same run)")
    tr = []

    def ratio(a, b):
        return a / b if a is not None and b else None

    D, X, L = E.get("depeche"), E.get("xapian"), E.get("lucene8")
    F = E.get("depeche-facets")

    def verdict(r, limit):
        if r is None:
            return "not measured"
        return ("met" if r <= limit else "MISSED") + " (x%.2f, limit x%g)" % (r, limit)

    if D and X and X["wall"]:
        tr.append(["indexing wall time <= 1/2 of Xapian scriptindex", "%s s vs %s s" % (f1(D["wall"]), f1(X["wall"])),
                   verdict(ratio(D["wall"], X["wall"]), 0.5)])
        tr.append(["  (same, CPU time user+sys, less sensitive to the shared machine)",
                   "%s s vs %s s" % (f1(D["cpu"]), f1(X["cpu"])), verdict(ratio(D["cpu"], X["cpu"]), 0.5)])
        tr.append(["index size <= 1/2 of Xapian scriptindex",
                   "%s MB vs %s MB" % (f1(D["bytes"] / 1e6 if D["bytes"] else None), f1(X["bytes"] / 1e6 if X["bytes"] else None)),
                   verdict(ratio(D["bytes"], X["bytes"]), 0.5)])
    else:
        tr.append(["indexing time and size vs Xapian scriptindex", "-", "xapian peer not run"])
    if D and L and L["lat"]:
        for q in (50, 95):
            a, b = pct(D["lat"], q), pct(L["lat"], q)
            tr.append(["query p%d (exact total + snippets) <= Lucene 8" % q,
                       "%s ms vs %s ms" % (f1(a / 1000 if a else None, 2), f1(b / 1000 if b else None, 2)),
                       verdict(ratio(a, b), 1)])
    else:
        tr.append(["query latency vs Lucene 8", "-", "lucene8 peer not run"])
    if D and F and D["lat"] and F["lat"]:
        # The facet target: the same queries with facets, against without them.
        a, b = pct(F["lat"], 95), pct(D["lat"], 95)
        tr.append(["facets p95 within 3x of the same queries without facets",
                   "%s ms vs %s ms" % (f1(a / 1000, 2), f1(b / 1000, 2)), verdict(ratio(a, b), 3)])
    if D:
        tr.append(["indexer peak memory bounded", "%s MiB for %.0f MB of input" % (f1(D["rss"]), corpus_bytes / 1e6),
                   "see bench/scale.sh (peak RSS per corpus size)"])
    p(table(["target", "measured", "verdict"], tr, 3))

    text = "\n".join(out) + "\n"
    with open(os.path.join(run, "report.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
