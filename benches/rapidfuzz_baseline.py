#!/usr/bin/env python3
"""The baseline a user would otherwise reach for: `rapidfuzz.process.extractOne` (WRatio)
over every name and alternate name of the GeoNames dump, on the labelled queries
`cargo bench --bench scale` wrote, with gazmap's answers to the same queries beside it.

    pip install rapidfuzz
    cargo build --release
    python3 benches/rapidfuzz_baseline.py [--gazetteer cities500] [--sample 200]

Queries: the first SAMPLE of the `mixed` set (variant and typo queries alternating) in
target/bench-data/queries-<gazetteer>.tsv. Names: the dump's name, asciiname and
alternatenames of every place, each lower-cased and stripped of punctuation once
(rapidfuzz.utils.default_process), so each query costs one pass of WRatio over them.
Top-1 "id" counts answers that are the labelled place, "name" also answers that are another
place with the labelled place's name (a query without context cannot tell those apart).
"""

import argparse
import json
import os
import subprocess
import sys
import time

from rapidfuzz import fuzz, process, utils

from geonames_dump import dump_rows


def load_names(dump):
    choices, owners, primary = [], [], {}
    for pid, c in dump_rows(dump):
        primary[pid] = c[1]
        seen = set()
        for n in [c[1], c[2]] + c[3].split(","):
            n = n.strip()
            if n and n not in seen:
                seen.add(n)
                choices.append(utils.default_process(n))
                owners.append(pid)
    return choices, owners, primary


def load_queries(path, sample):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            s, q, label_id, label_name = line.rstrip("\n").split("\t")
            if s == "mixed":
                rows.append((q, label_id, label_name))
    return rows[:sample]


def gazmap_answers(binary, dump, queries):
    """gazmap's best place id and name per query: the release binary, one run, JSON Lines."""
    t = time.perf_counter()
    out = subprocess.run(
        [binary, "--gazetteer", dump, "resolve", "--format", "json", "--top", "1"],
        input="\n".join(q for q, _, _ in queries) + "\n",
        capture_output=True, text=True, check=True,
    ).stdout
    elapsed = time.perf_counter() - t
    answers = []
    for line in out.splitlines():
        best = json.loads(line)["best"]
        answers.append((best["id"], best["name"]) if best else (None, None))
    return answers, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gazetteer", default="cities500")
    ap.add_argument("--data", default="target/bench-data")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--gazmap", default="target/release/gazmap")
    args = ap.parse_args()
    dump = os.path.join(args.data, args.gazetteer + ".txt")
    queries = load_queries(os.path.join(args.data, "queries-%s.tsv" % args.gazetteer), args.sample)
    t = time.perf_counter()
    choices, owners, primary = load_names(dump)
    print("rapidfuzz %s: %d names of %d places loaded in %.1f s; %d mixed variant/typo queries"
          % (sys.modules["rapidfuzz"].__version__, len(choices), len(primary),
             time.perf_counter() - t, len(queries)))
    ok_id = ok_name = 0
    t = time.perf_counter()
    for q, label_id, label_name in queries:
        best = process.extractOne(utils.default_process(q), choices, scorer=fuzz.WRatio)
        pid = owners[best[2]] if best else None
        ok_id += pid == label_id
        ok_name += pid == label_id or (pid is not None and primary[pid] == label_name)
    elapsed = time.perf_counter() - t
    n = max(len(queries), 1)
    print("rapidfuzz extractOne WRatio: %.2f queries/s (%.0f ms each), top-1 id %.1f%%, name %.1f%%"
          % (n / elapsed, 1000 * elapsed / n, 100 * ok_id / n, 100 * ok_name / n))
    if os.path.exists(args.gazmap):
        answers, g_elapsed = gazmap_answers(args.gazmap, dump, queries)
        g_id = sum(a[0] == q[1] for a, q in zip(answers, queries))
        g_name = sum(a[0] == q[1] or (a[1] is not None and a[1] == q[2])
                     for a, q in zip(answers, queries))
        print("gazmap resolve (same queries, one process, load and index included, %.1f s): "
              "top-1 id %.1f%%, name %.1f%%" % (g_elapsed, 100 * g_id / n, 100 * g_name / n))
    else:
        print("gazmap: %s absent (cargo build --release) — accuracy not compared" % args.gazmap)


if __name__ == "__main__":
    main()
