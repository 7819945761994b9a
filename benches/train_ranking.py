#!/usr/bin/env python3
"""Fits gazmap's fuzzy ranking model and writes src/resolve/weights.rs.

    python3 benches/make_cities500.py        # once: target/bench-data/cities500.txt
    cargo build --release --example fuzzy_pairs
    python3 benches/train_ranking.py [--world 12000] [--afghan 6000] [--seed 1]

The model is a logistic regression over the features of a query compared with a name
(`src/resolve/model.rs`): the probability that the name's place is the one meant. Labelled
queries, none from the benchmarks' seed (9) or the corpora's held-out split:
  * world: queries generated over GeoNames cities500 by benches/peers.py's recipe (one or two
    edits at any position, GeoNames alternate names), with another seed;
  * Afghan: one or two random edits of the embedded gazetteer's names, and the `dev` rows of
    tests/data/corpus/spellings-af.csv (a place's real-world spellings).
`target/release/examples/fuzzy_pairs` turns each query into the places the fuzzy pass reaches,
one row per place with its features; the expected place is the positive, the others the
negatives (places that share the expected place's name are left out: the spelling cannot
tell them apart). A fifth of the queries (by query, fixed seed) is kept out of the fit and
its calibration table printed. Runs in a venv it makes (target/train-venv, packages pinned
from PyPI).
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "train-venv")
PINNED = ["numpy==2.1.3", "scikit-learn==1.5.2"]
sys.path.insert(0, os.path.join(ROOT, "benches"))


def ensure_venv():
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q"] + PINNED, check=True)
    os.execv(py, [py] + sys.argv)


def afghan_queries(n, seed):
    """One or two edits of the embedded gazetteer's names, as (query, id)."""
    import peers
    rng = random.Random(seed)
    rows = []
    with open(os.path.join(ROOT, "gazetteer", "afghanistan.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for name in [r["name"]] + [a for a in r["alt_names"].split("|") if a]:
                if sum(c.isalpha() and c.isascii() for c in name) >= 4:
                    rows.append((name, r["id"]))
    out = []
    while len(out) < n:
        name, pid = rng.choice(rows)
        q = name
        for _ in range(rng.choice([1, 1, 2])):
            q, _ = peers.edit(q, rng)
        if q.lower() != name.lower() and q.strip():
            out.append((q, pid))
    with open(os.path.join(ROOT, "tests", "data", "corpus", "spellings-af.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["split"] == "dev" and r["expected_id"]:
                out.append((r["query"], r["expected_id"]))
    return out


def latin(name):
    return sum(c.isalpha() and c.isascii() for c in name) >= 4


def afghan_left_out(out_dir, seed):
    """Each Afghan place with alternate names loses one, at random: the gazetteer written
    without it, and the left-out names as (query, id) — a place's real other spellings."""
    import peers
    rng = random.Random(seed)
    src = os.path.join(ROOT, "gazetteer", "afghanistan.csv")
    path = os.path.join(out_dir, "afghanistan-left-out.csv")
    queries = []
    with open(src, encoding="utf-8", newline="") as f, open(path, "w", encoding="utf-8", newline="") as o:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(o, fieldnames=reader.fieldnames)
        writer.writeheader()
        for r in reader:
            alts = [a for a in r["alt_names"].split("|") if a]
            usable = [a for a in alts if latin(a) and peers.usable_alt(a)]
            if usable:
                a = rng.choice(usable)
                queries.append((a, r["id"]))
                r["alt_names"] = "|".join(x for x in alts if x != a)
            writer.writerow(r)
    return path, queries


def world_left_out(out_dir, n, seed):
    """As afghan_left_out, for n places of cities500: a dump without one alternate name of
    each, indexed, and the left-out names as queries."""
    import peers
    rng = random.Random(seed)
    src = os.path.join(ROOT, "target", "bench-data", "cities500.txt")
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    chosen = set(rng.sample(range(len(lines)), min(n, len(lines))))
    queries = []
    for i in sorted(chosen):
        c = lines[i].split("\t")
        if len(c) != 19:
            continue
        alts = [a for a in c[3].split(",") if a]
        folded = {c[1].lower(), c[2].lower()}
        usable = [a for a in alts if latin(a) and peers.usable_alt(a) and a.lower() not in folded]
        if usable:
            a = rng.choice(usable)
            queries.append((a, "geonames:" + c[0]))
            c[3] = ",".join(x for x in alts if x != a)
            lines[i] = "\t".join(c)
    dump = os.path.join(out_dir, "cities500-left-out.txt")
    with open(dump, "w", encoding="utf-8") as o:
        o.write("\n".join(lines))
    index = os.path.join(out_dir, "cities500-left-out.gzi")
    subprocess.run([os.path.join(ROOT, "target", "release", "gazmap"), "--quiet", "--gazetteer", dump,
                    "index", "build", "-o", index], check=True)
    return index, queries


def world_queries(n, seed):
    import peers
    places, _ = peers.load_cities(os.path.join(ROOT, "target", "bench-data", "cities500.txt"))
    qs = peers.make_queries(places, n, seed)
    return [(q["q"], q["id"]) for q in qs if q["kind"] != "exact"]


def pairs(queries, gazetteer, tag):
    """Runs fuzzy_pairs over the queries; returns (query key, label, features) rows."""
    exe = os.path.join(ROOT, "target", "release", "examples", "fuzzy_pairs")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as t:
        for q, pid in queries:
            t.write(q.replace("\t", " ").replace("\n", " ") + "\t" + pid + "\n")
    cmd = [exe, t.name] + (["--gazetteer", gazetteer] if gazetteer else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(t.name)
    rows = []
    reader = csv.reader(out.splitlines())
    header = next(reader)
    for r in reader:
        if r[2] == "1":
            continue
        rows.append((tag + r[0], int(r[1]), [float(x) for x in r[4:]]))
    return header[4:], rows


def calibration(p, y, bins=(0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)):
    lines = ["| score | pairs | right |", "|---|---:|---:|"]
    for lo, hi in zip(bins, bins[1:]):
        sel = [(a, b) for a, b in zip(p, y) if lo <= a < hi]
        if sel:
            lines.append("| %.2f–%.2f | %d | %.1f%% |" % (lo, min(hi, 1.0), len(sel),
                                                       100.0 * sum(b for _, b in sel) / len(sel)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=int, default=12000)
    ap.add_argument("--afghan", type=int, default=6000)
    ap.add_argument("--world-left-out", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--index", default=os.path.join(ROOT, "target", "bench-data", "cities500.gzi"))
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "resolve", "weights.rs"))
    args = ap.parse_args()
    ensure_venv()
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    out_dir = os.path.join(ROOT, "target", "train")
    os.makedirs(out_dir, exist_ok=True)
    names, af = pairs(afghan_queries(args.afghan, args.seed), None, "af")
    _, world = pairs(world_queries(args.world, args.seed), args.index, "w")
    gaz, queries = afghan_left_out(out_dir, args.seed)
    _, af_alt = pairs(queries, gaz, "afalt")
    index, queries = world_left_out(out_dir, args.world_left_out, args.seed)
    _, world_alt = pairs(queries, index, "walt")
    print("pairs: %d Afghan typos, %d Afghan left-out names, %d world, %d world left-out names"
          % (len(af), len(af_alt), len(world), len(world_alt)))
    af, world = af + af_alt, world + world_alt
    rows = af + world
    keys = sorted({k for k, _, _ in rows})
    rng = random.Random(args.seed)
    held = set(rng.sample(keys, len(keys) // 5))
    fit = [r for r in rows if r[0] not in held]
    check = [r for r in rows if r[0] in held]
    X = np.array([r[2] for r in fit])
    y = np.array([r[1] for r in fit])
    # Afghan pairs count as much as world pairs in the fit
    w_af = len(world) / max(len(af), 1)
    weight = np.array([w_af if r[0].startswith("af") else 1.0 for r in fit])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(X, y, sample_weight=weight)
    p = model.predict_proba(np.array([r[2] for r in check]))[:, 1]
    yc = [r[1] for r in check]
    print("pairs: %d Afghan, %d world; fitted on %d, checked on %d" % (len(af), len(world), len(fit), len(check)))
    for n, w in zip(names, model.coef_[0]):
        print("  %-16s %+.4f" % (n, w))
    print("  %-16s %+.4f" % ("bias", model.intercept_[0]))
    print("\ncalibration on the held-out fifth of the training queries (one row per place reached):")
    print(calibration(list(p), yc))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("//! The fitted weights of the fuzzy ranking model (see `model.rs`). Written by\n"
                "//! `benches/train_ranking.py --world %d --afghan %d --seed %d`; do not edit by hand.\n\n"
                % (args.world, args.afghan, args.seed))
        f.write("/// The model's intercept.\npub(super) const BIAS: f64 = %.6f;\n\n" % model.intercept_[0])
        f.write("/// One weight per feature, in the order of `model::FEATURE_NAMES`:\n")
        f.write("".join("/// %s,\n" % n for n in names).rstrip(",\n") + ".\n")
        f.write("pub(super) const WEIGHTS: [f64; super::model::FEATURE_COUNT] = [\n")
        f.write("".join("    %.6f,\n" % w for w in model.coef_[0]))
        f.write("];\n")
    print("\nwrote", os.path.relpath(args.out, ROOT))


if __name__ == "__main__":
    main()
