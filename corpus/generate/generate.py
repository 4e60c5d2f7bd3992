#!/usr/bin/env python3
"""Scale corpora for the Dépêche benchmarks, derived from real French news.

Reads the OrangeSum articles (JSONL, optionally gzipped), cuts every body into sentences,
and writes synthetic articles that recombine real sentences:

  * each synthetic article starts from one real "base" article and keeps its length
    (number of sentences); each sentence slot keeps the base article's sentence with
    probability --keep (default 0.5), otherwise takes a random sentence of another
    article of the same section (france, politique, monde, societe/sante...), so the
    vocabulary, phrases and term statistics stay those of real news;
  * the title is the base article's title, or with probability --keep-title-other
    (default 0.3) the title of another article of the same section;
  * ids are unique ("gen-0000001"...), dates are spread uniformly over 2011-01-01 ..
    2025-12-31 (with a time and a +01:00/+02:00 offset, like the source), the author is
    the base article's, and the url is a unique https://depeche.invalid/... address.

Generation is sequential from one seeded random stream, so a smaller corpus is a prefix
of a larger one made with the same seed (the 10k corpus is the first 10k lines of the
100k corpus). Python 3 standard library only.

usage:
  generate.py --sizes 10k,100k --out-dir DIR [--input articles.jsonl.gz] [--seed 20251123]
      writes DIR/corpus-10k.jsonl, DIR/corpus-100k.jsonl
  generate.py --count 5000 --out FILE|-  (one corpus)
"""
import argparse
import datetime
import gzip
import json
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_INPUT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus", "orangesum",
                                              "articles.jsonl.gz"))

# A sentence ends at . ! ? or … (possibly followed by closing quotes), then either spaces
# or nothing at all: OrangeSum glues many sentences ("jeudi.Le gouvernement"). The next
# sentence must start with an upper-case letter, a digit or an opening quote.
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_SPLIT = re.compile(r'(?<=[.!?…])(["»”]?)\s*(?=[' + _UPPER + r'«"“0-9])')
# Fragments that are abbreviations or initials, not sentence ends: "M.", "Mme.", "J.-C.", "U.S."
_ABBREV = re.compile(r'(?:^|[\s(.])(?:M|MM|Mme|Mmes|Mlle|Dr|Pr|Me|Mgr|St|Ste|av|apr|J\.-C|etc|cf|vol|n°|[' + _UPPER + r'])\.$')
MIN_SENTENCE = 25  # characters: shorter pieces are merged with the next one


def split_sentences(text):
    text = " ".join(text.split())
    if not text:
        return []
    spans, pos = [], 0  # (begin, end) of each piece in text; merging keeps the original spacing
    for m in _SPLIT.finditer(text):
        spans.append((pos, m.start() + len(m.group(1))))
        pos = m.end()
    spans.append((pos, len(text)))
    merged = []
    for b, e in spans:
        if b >= e:
            continue
        if merged:
            prev = text[merged[-1][0]:merged[-1][1]]
            if len(prev) < MIN_SENTENCE or _ABBREV.search(prev):
                merged[-1] = (merged[-1][0], e)
                continue
        merged.append((b, e))
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < MIN_SENTENCE:
        last = merged.pop()
        merged[-1] = (merged[-1][0], last[1])
    return [text[b:e].strip() for b, e in merged]


def section_of(url):
    m = re.match(r"https?://[^/]+/([^/]+)(?:/([^/]+))?/", url or "")
    if not m:
        return "autre"
    first = m.group(1)
    if first == "societe" and m.group(2) and not m.group(2).endswith(".html"):
        return first + "/" + m.group(2)
    return first


def parse_size(s):
    s = s.strip().lower()
    mult = 1
    if s.endswith("k"):
        mult, s = 1000, s[:-1]
    elif s.endswith("m"):
        mult, s = 1000000, s[:-1]
    n = int(float(s) * mult)
    if n <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return n


def size_label(n):
    if n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    arts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            a = json.loads(line)
            sents = split_sentences(a.get("body") or "")
            if not sents:
                continue
            arts.append({"title": a.get("title") or "", "author": a.get("author"),
                         "section": section_of(a.get("url")), "sents": sents})
    return arts


def generate(arts, count, rng, keep, keep_title_other):
    by_section = {}
    for i, a in enumerate(arts):
        by_section.setdefault(a["section"], []).append(i)
    start = datetime.datetime(2011, 1, 1)
    span = int((datetime.datetime(2026, 1, 1) - start).total_seconds()) - 1
    for n in range(1, count + 1):
        base = arts[rng.randrange(len(arts))]
        peers = by_section[base["section"]]
        sents = []
        for s in base["sents"]:
            if rng.random() < keep:
                sents.append(s)
            else:
                other = arts[peers[rng.randrange(len(peers))]]["sents"]
                sents.append(other[rng.randrange(len(other))])
        title = base["title"]
        if rng.random() < keep_title_other:
            title = arts[peers[rng.randrange(len(peers))]]["title"] or title
        dt = start + datetime.timedelta(seconds=rng.randrange(span))
        offset = "+02:00" if 4 <= dt.month <= 10 else "+01:00"
        aid = "gen-%07d" % n
        yield {"id": aid, "title": title, "date": dt.strftime("%Y-%m-%dT%H:%M:00") + offset,
               "url": "https://depeche.invalid/%s/%s.html" % (base["section"], aid),
               "author": base["author"], "body": " ".join(sents)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default=DEFAULT_INPUT, help="OrangeSum JSONL(.gz) (default: %(default)s)")
    ap.add_argument("--sizes", help="comma-separated sizes, e.g. 10k,100k,300k,1M (with --out-dir)")
    ap.add_argument("--out-dir", help="folder for corpus-<size>.jsonl")
    ap.add_argument("--count", type=parse_size, help="one corpus of this size (with --out)")
    ap.add_argument("--out", help="output file for --count ('-' = stdout)")
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--keep", type=float, default=0.5, help="share of sentences kept from the base article")
    ap.add_argument("--keep-title-other", type=float, default=0.3, help="share of titles taken from another article")
    args = ap.parse_args()

    targets = []  # (size, path)
    if args.sizes:
        if not args.out_dir:
            ap.error("--sizes needs --out-dir")
        os.makedirs(args.out_dir, exist_ok=True)
        for s in args.sizes.split(","):
            n = parse_size(s)
            targets.append((n, os.path.join(args.out_dir, "corpus-%s.jsonl" % size_label(n))))
    elif args.count:
        if not args.out:
            ap.error("--count needs --out")
        targets.append((args.count, args.out))
    else:
        ap.error("give --sizes with --out-dir, or --count with --out")

    t0 = time.time()
    arts = load(args.input)
    nsent = sum(len(a["sents"]) for a in arts)
    sys.stderr.write("read %d articles with text, %d sentences from %s in %.1f s\n"
                     % (len(arts), nsent, args.input, time.time() - t0))
    rng = random.Random(args.seed)
    outs = []
    for n, path in targets:
        f = sys.stdout if path == "-" else open(path + ".tmp", "w", encoding="utf-8")
        outs.append([n, path, f, 0])
    biggest = max(n for n, _ in targets)
    t1 = time.time()
    for i, doc in enumerate(generate(arts, biggest, rng, args.keep, args.keep_title_other)):
        line = json.dumps(doc, ensure_ascii=False) + "\n"
        for o in outs:
            if i < o[0]:
                o[2].write(line)
                o[3] += len(line.encode("utf-8"))
        if (i + 1) % 100000 == 0:
            sys.stderr.write("  %d articles, %.0f s\n" % (i + 1, time.time() - t1))
    for n, path, f, nbytes in outs:
        if f is not sys.stdout:
            f.close()
            os.replace(path + ".tmp", path)
        sys.stderr.write("wrote %s: %d articles, %.1f MB\n" % (path, n, nbytes / 1e6))


if __name__ == "__main__":
    main()
