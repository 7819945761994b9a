#!/usr/bin/env python3
"""Writes the name column the Spark figures in the README are measured on:
target/bench-data/spark-names.csv, 200,000 rows (id,name,source) drawn with a fixed seed from
the dev split of tests/data/corpus/spellings-af.csv and the names of examples/clean-names.csv
(the held-out fifth of the corpus is left out, as it is of all tuning and measuring).

    python3 benches/make_spark_names.py [ROWS]
"""
import csv
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with open(os.path.join(ROOT, "tests/data/corpus/spellings-af.csv"), encoding="utf-8") as f:
        names = [r["query"] for r in csv.DictReader(f) if r["split"] == "dev"]
    with open(os.path.join(ROOT, "examples/clean-names.csv"), encoding="utf-8") as f:
        names += [r["district as reported"] for r in csv.DictReader(f, delimiter=";")]
    rng = random.Random(14)
    out_dir = os.path.join(ROOT, "target/bench-data")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "spark-names.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "source"])
        for i in range(rows):
            w.writerow([i + 1, rng.choice(names), rng.choice(["ACLED", "OCHA", "UNAMA", "press"])])
    print(f"wrote {path}: {rows} rows, {len(set(names))} distinct names")


if __name__ == "__main__":
    main()
