#!/usr/bin/env python3
"""Rows per second of the Python package on the Spark figures' column
(target/bench-data/spark-names.csv, from benches/make_spark_names.py), embedded gazetteer:
resolve_many (a list of dicts), resolve_arrow and clean_arrow (Arrow in, Arrow out), on one
thread and on every core. Needs `pip install ./python pyarrow`.

    python benches/python_throughput.py
"""
import csv
import os
import time

import pyarrow as pa

import gazmap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(label, rows, f, repeat=3):
    best = min(_once(f) for _ in range(repeat))
    print(f"{label}: {rows} rows in {best:.3f} s, {rows / best:,.0f} rows/s (best of {repeat})")


def _once(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    path = os.path.join(ROOT, "target/bench-data/spark-names.csv")
    with open(path, encoding="utf-8") as f:
        names = [r["name"] for r in csv.DictReader(f)]
    arr = pa.array(names)
    r = gazmap.Resolver()
    n = len(names)
    print(f"{n} rows, {len(set(names))} distinct names, {os.cpu_count()} cores")
    for threads, label in ((1, "1 thread"), (None, "every core")):
        timed(f"resolve_many, {label}", n, lambda: r.resolve_many(names, threads=threads))
        timed(f"resolve_arrow, {label}", n, lambda: r.resolve_arrow(arr, threads=threads))
        timed(f"clean_arrow, {label}", n, lambda: r.clean_arrow(arr, threads=threads))
    distinct = sorted(set(names))
    timed("resolve_many of the distinct names, 1 thread", len(distinct),
          lambda: r.resolve_many(distinct, threads=1))


if __name__ == "__main__":
    main()
