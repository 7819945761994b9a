#!/usr/bin/env python3
"""gazmap against the tools people already use, on the same queries in one run.

    python3 benches/make_cities500.py       # once: target/bench-data/cities500.txt
    cargo build --release                   # the gazmap binary under test
    python3 benches/peers.py [--queries 20000] [--seed 9] [--sample rapidfuzz=200 ...]
                             [--only gazmap,symspell,tantivy,fts5,rapidfuzz] [--no-corpus]

Each peer's table is printed as soon as it is done, and again all together at the end; peers
can run in separate processes (`--only`), whose tables add up (the queries depend only on the
seed). `--sample PEER=N` runs a slow peer on a fixed sample of N queries.

Peers: symspellpy (max edit distance 2), tantivy (fuzzy term queries, distance 2), SQLite
FTS5 with the trigram tokenizer (python sqlite3) and rapidfuzz (`process.extractOne`, WRatio,
on a fixed sample of the queries: one query is a pass over every name, about half a second).
They run in a venv this script makes, `target/peers-venv`, with the packages pinned below from
PyPI; the script re-runs itself inside it.

Queries (fixed seed): places of world cities500 drawn uniformly among those whose name has at
least four letters; 30% the place's name exactly, 25% the name with one edit and 25% with two
edits (deletion, insertion, substitution or swap of neighbours, at any position, the first
letter included), 20% one of the place's GeoNames alternate names (any script; codes, links
and names with digits left out). Ground truth is the GeoNames id. "id" counts answers that
are the labelled place, "name" also answers that are another place of the labelled place's
name (a query without context cannot tell those apart). Every peer sees the same names: the
name, ASCII name and alternate names of each place, a name shared by several places standing
for the most populous of them (gazmap ranks them its own way). queries/s per core is queries
divided by the CPU seconds of the query loop (of the whole `gazmap resolve` process for
gazmap, index opening included).

Then the same peers on the hand-labelled corpora of tests/data/corpus (Afghan rows against
the embedded gazetteer, world rows against cities500), top-1 id without and with the
province (Afghan rows) or country (world rows) given.
"""

import argparse
import collections
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata

from geonames_dump import dump_rows

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "peers-venv")
PINNED = ["symspellpy==6.10.1", "tantivy==0.27.0", "rapidfuzz==3.14.6"]
KINDS = ["exact", "one edit", "two edits", "variant"]
FIRST = "first letter touched"
PEERS = ["gazmap", "symspell", "tantivy", "fts5", "rapidfuzz"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def ensure_venv():
    """Re-runs this script inside target/peers-venv, made and filled on first use."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        print("making %s (%s)" % (os.path.relpath(VENV, ROOT), ", ".join(PINNED)), flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + PINNED,
                   check=True)
    os.execv(py, [py] + sys.argv)


# ---------------------------------------------------------------- data

class Names:
    """Every distinct lower-cased name of a gazetteer, each standing for one place."""

    def __init__(self):
        self.owner = {}  # lower-cased name -> place key
        self.names = []  # distinct lower-cased names, in first-seen order
        self.by_area = collections.defaultdict(list)  # area -> names of places in it
        self._area_owner = {}

    def add(self, name, key, rank, areas):
        low = name.strip().lower()
        if not low:
            return
        old = self.owner.get(low)
        if old is None:
            self.owner[low] = (key, rank)
            self.names.append(low)
        elif rank > old[1]:
            self.owner[low] = (key, rank)
        for a in areas:
            self.by_area[a].append((low, key, rank))

    def place(self, low):
        return self.owner[low][0]

    def area_owner(self, area):
        """name -> best place among those in `area`."""
        if area in self._area_owner:
            return self._area_owner[area]
        best = {}
        for low, key, rank in self.by_area.get(area, ()):
            if low not in best or rank > best[low][1]:
                best[low] = (key, rank)
        self._area_owner[area] = {n: k for n, (k, _) in best.items()}
        return self._area_owner[area]


def usable_alt(a):
    return (len(a) >= 3 and not any(c.isdigit() for c in a) and "/" not in a and ":" not in a
            and any(c.isalpha() for c in a) and not (a.isupper() and len(a) <= 4))


def load_cities(path):
    places = {}
    names = Names()
    for pid, c in dump_rows(path):
        pop = int(c[14] or 0)
        alts = [a for a in c[3].split(",") if a]
        places[pid] = {"name": c[1], "ascii": c[2], "alts": alts, "cc": c[8], "pop": pop}
        for n in [c[1], c[2]] + alts:
            names.add(n, pid, pop, [c[8]])
    return places, names


PREFER = {"district": 7, "city": 6, "town": 5, "village": 4, "province": 3, "country": 1}


def load_afghan(path):
    places = {}
    names = Names()
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            prov = r["name"] if r["kind"] == "province" else r["admin1"]
            pop = int(r["population"] or 0)
            places[r["id"]] = {"name": r["name"], "kind": r["kind"], "province": prov}
            rank = (PREFER.get(r["kind"], 0), pop)
            for n in [r["name"]] + [a for a in r["alt_names"].split("|") if a]:
                names.add(n, r["id"], rank, [prov] if prov else [])
    return places, names


def edit(word, rng):
    """One random edit of `word` at a random position; returns (new word, position)."""
    chars = list(word)
    op = rng.choice(["delete", "insert", "substitute", "swap"] if len(chars) > 1 else ["insert", "substitute"])
    if op == "delete":
        i = rng.randrange(len(chars))
        del chars[i]
    elif op == "insert":
        i = rng.randrange(len(chars) + 1)
        chars.insert(i, rng.choice(LETTERS))
    elif op == "substitute":
        i = rng.randrange(len(chars))
        chars[i] = rng.choice([c for c in LETTERS if c != chars[i].lower()])
    else:
        i = rng.randrange(len(chars) - 1)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars), i


def make_queries(places, n, seed):
    rng = random.Random(seed)
    ids = sorted((p for p, v in places.items() if sum(ch.isalpha() for ch in v["name"]) >= 4),
                 key=lambda p: int(p.split(":")[1]))
    out = []
    quotas = [("exact", 0.30), ("one edit", 0.25), ("two edits", 0.25), ("variant", 0.20)]
    for kind, share in quotas:
        want = round(n * share)
        while want:
            pid = rng.choice(ids)
            p = places[pid]
            first = False
            if kind == "exact":
                q = p["name"]
            elif kind == "variant":
                folded = {p["name"].lower(), p["ascii"].lower()}
                alts = [a for a in p["alts"] if usable_alt(a) and a.lower() not in folded]
                if not alts:
                    continue
                q = rng.choice(alts)
            else:
                q = p["name"]
                for _ in range(1 if kind == "one edit" else 2):
                    q, pos = edit(q, rng)
                    first = first or pos == 0
                if q.lower() == p["name"].lower() or not q.strip():
                    continue
            out.append({"q": q, "id": pid, "kind": kind, "first": first})
            want -= 1
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------- peers

def cpu():
    return time.process_time()


def levenshtein_pick(query, hits, rank_of):
    """The hit nearest the query by edit distance, then by the place's rank."""
    from rapidfuzz.distance import Levenshtein
    return min(hits, key=lambda h: (Levenshtein.distance(query, h), -rank_of(h)), default=None)


class SymSpellPeer:
    label = "symspellpy 6.10.1 (max edit distance 2)"

    def __init__(self, names):
        from symspellpy import SymSpell
        self.names = names
        self.sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for low in names.names:
            rank = names.owner[low][1]
            count = (rank[1] if isinstance(rank, tuple) else rank) + 1
            self.sym.create_dictionary_entry(low, count)

    def answer(self, q, area=None):
        from symspellpy import Verbosity
        low = q.lower()
        if area is None:
            s = self.sym.lookup(low, Verbosity.CLOSEST, max_edit_distance=2)
            return self.names.place(s[0].term) if s else None
        owners = self.names.area_owner(area)
        s = [x for x in self.sym.lookup(low, Verbosity.ALL, max_edit_distance=2) if x.term in owners]
        return owners[s[0].term] if s else None


class TantivyPeer:
    label = "tantivy 0.27.0 (fuzzy term query, distance 2, on the whole lower-cased name)"

    def __init__(self, names):
        import tantivy
        self.t = tantivy
        self.names = names
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("name", stored=True, tokenizer_name="raw")
        sb.add_text_field("area", stored=False, tokenizer_name="raw")
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)
        w = self.index.writer(heap_size=500_000_000, num_threads=1)
        areas = collections.defaultdict(set)
        for a, rows in names.by_area.items():
            for low, _, _ in rows:
                areas[low].add(a)
        for low in names.names:
            w.add_document(tantivy.Document(name=low, area=sorted(areas.get(low, ()))))
        w.commit()
        w.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def answer(self, q, area=None):
        t = self.t
        low = q.lower()
        owners = self.names.owner if area is None else self.names.area_owner(area)
        hits = []
        # the exact term first (a term query), then the fuzzy one, whose hits all score alike
        for query, limit in ((t.Query.term_query(self.schema, "name", low), 1),
                             (t.Query.fuzzy_term_query(self.schema, "name", low, distance=2,
                                                       transposition_cost_one=True), 200)):
            if area is not None:
                query = t.Query.boolean_query([
                    (t.Occur.Must, query),
                    (t.Occur.Must, t.Query.term_query(self.schema, "area", area)),
                ])
            hits = [self.searcher.doc(a)["name"][0] for _, a in self.searcher.search(query, limit).hits]
            if hits:
                break
        best = levenshtein_pick(low, hits, lambda h: rank_num(owners_rank(self.names, h)))
        if best is None:
            return None
        return self.names.place(best) if area is None else owners[best]


def owners_rank(names, low):
    return names.owner[low][1]


def rank_num(rank):
    return rank if not isinstance(rank, tuple) else rank[0] * 10 ** 9 + rank[1]


class Fts5Peer:
    label = "SQLite %s FTS5 trigram (phrase and trigram bm25 top 20 each, nearest by edit distance)"

    def __init__(self, names):
        import sqlite3
        self.label = self.label % sqlite3.sqlite_version
        self.names = names
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE n USING fts5(name, area UNINDEXED, tokenize='trigram')")
        areas = collections.defaultdict(set)
        for a, rows in names.by_area.items():
            for low, _, _ in rows:
                areas[low].add(a)
        self.db.executemany("INSERT INTO n(name, area) VALUES (?, ?)",
                            (( low, "|" + "|".join(sorted(areas.get(low, ()))) + "|")
                             for low in names.names))
        self.db.commit()

    def answer(self, q, area=None):
        low = q.lower()
        grams = sorted({low[i:i + 3] for i in range(len(low) - 2)})
        if not grams:
            return None
        # names holding the whole query, then names sharing most of its trigrams (bm25)
        phrase = '"%s"' % low.replace('"', '""')
        match = " OR ".join('"%s"' % g.replace('"', '""') for g in grams)
        hits = []
        for m in (phrase, match):
            if area is None:
                rows = self.db.execute("SELECT name FROM n WHERE n MATCH ? ORDER BY rank LIMIT 20",
                                       (m,)).fetchall()
            else:
                rows = self.db.execute(
                    "SELECT name FROM n WHERE n MATCH ? AND instr(area, ?) > 0 ORDER BY rank LIMIT 20",
                    (m, "|" + area + "|")).fetchall()
            hits += [r[0] for r in rows]
        best = levenshtein_pick(low, hits, lambda h: rank_num(owners_rank(self.names, h)))
        if best is None:
            return None
        return self.names.place(best) if area is None else self.names.area_owner(area)[best]


class RapidfuzzPeer:
    label = "rapidfuzz 3.14.6 extractOne (WRatio, default_process)"

    def __init__(self, names):
        from rapidfuzz import utils
        self.names = names
        self.choices = [utils.default_process(n) for n in names.names]

    def answer(self, q, area=None):
        from rapidfuzz import fuzz, process, utils
        if area is None:
            best = process.extractOne(utils.default_process(q), self.choices, scorer=fuzz.WRatio)
            return self.names.place(self.names.names[best[2]]) if best else None
        owners = self.names.area_owner(area)
        keys = list(owners)
        best = process.extractOne(utils.default_process(q), [utils.default_process(k) for k in keys],
                                  scorer=fuzz.WRatio)
        return owners[keys[best[2]]] if best else None


PEER_CLASSES = {"symspell": SymSpellPeer, "tantivy": TantivyPeer, "fts5": Fts5Peer,
                "rapidfuzz": RapidfuzzPeer}


def gazmap_run(binary, gazetteer, queries, extra=(), first=None):
    """gazmap's best place id per query: one `gazmap resolve --format json` process. With a
    list as `first`, it also gets each query's first candidate (the best, or for an
    `unmatched` query the nearest suggestion), the answer a spelling checker would give."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [binary, "--quiet"] + (["--gazetteer", gazetteer] if gazetteer else []) + \
        ["resolve", "--format", "json", "--top", "1"] + list(extra)
    out = subprocess.run(cmd, input="\n".join(queries) + "\n", capture_output=True, text=True,
                         check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    answers = []
    for line in out.splitlines():
        row = json.loads(line)
        best = row["best"]
        answers.append(best["id"] if best else None)
        if first is not None:
            cands = row["candidates"]
            first.append(best["id"] if best else (cands[0]["id"] if cands else None))
    if len(answers) != len(queries):
        sys.exit("gazmap answered %d lines for %d queries" % (len(answers), len(queries)))
    return answers, secs


# ---------------------------------------------------------------- report

def score(rows, answers, places):
    t = collections.Counter()
    for r, a in zip(rows, answers):
        groups = ["all", r["kind"]] + ([FIRST + " (" + r["kind"] + ")"] if r["first"] else [])
        ok_id = a == r["id"]
        ok_name = ok_id or (a is not None and places[a]["name"] == places[r["id"]]["name"])
        for g in groups:
            t[g, "n"] += 1
            t[g, "id"] += ok_id
            t[g, "name"] += ok_name
    return t


def pct(t, g, what):
    n = t[g, "n"]
    return "%5.1f%%" % (100.0 * t[g, what] / n) if n else "    - "


def print_table(results, groups):
    print("\n| peer | queries | q/s per core | " + " | ".join(groups) + " |")
    print("|---|---:|---:|" + "---:|" * len(groups))
    for label, t, qps, sample in results:
        cells = ["%s / %s" % (pct(t, g, "id").strip(), pct(t, g, "name").strip()) for g in groups]
        print("| %s | %s | %s | %s |" % (label, sample, "{:,.1f}".format(qps) if qps < 100 else "{:,.0f}".format(qps),
                                        " | ".join(cells)))
    print("(each cell: top-1 right id / right name)")


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["expected_id"]]


def corpus_runs(args, peers, label, rows, places, gazetteer, area_flag):
    """Top-1 id on a labelled corpus, without and with the area (province or country)."""
    out = []
    qs = [r["query"] for r in rows]
    if "gazmap" in args.only:
        plain, _ = gazmap_run(args.gazmap, gazetteer, qs)
        within = [None] * len(rows)
        by_area = collections.defaultdict(list)
        for i, r in enumerate(rows):
            by_area[r["province"]].append(i)
        for area, idx in sorted(by_area.items()):
            flag = ["--within", area] if area_flag == "within" else ["--country", area]
            got, _ = gazmap_run(args.gazmap, gazetteer, [qs[i] for i in idx], flag)
            for i, g in zip(idx, got):
                within[i] = g
        out.append(("gazmap", plain, within))
    for name, peer in peers.items():
        plain = [peer.answer(q) for q in qs]
        within = [peer.answer(r["query"], r["province"]) for r in rows]
        out.append((name, plain, within))
    print("\n%s: %d rows with a GeoNames id (dev %d, held out %d)"
          % (label, len(rows), sum(r["split"] == "dev" for r in rows),
             sum(r["split"] == "heldout" for r in rows)))
    print("| peer | top-1 id | with the %s given | held out | held out, %s given |"
          % (("province", "province") if area_flag == "within" else ("country", "country")))
    print("|---|---:|---:|---:|---:|")
    for name, plain, within in out:
        def rate(ans, split=None):
            sel = [(r, a) for r, a in zip(rows, ans) if split is None or r["split"] == split]
            return "%.1f%%" % (100.0 * sum(a == r["expected_id"] for r, a in sel) / max(len(sel), 1))
        print("| %s | %s | %s | %s | %s |" % (name, rate(plain), rate(within),
                                             rate(plain, "heldout"), rate(within, "heldout")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities500", default=os.path.join(ROOT, "target", "bench-data", "cities500.txt"))
    ap.add_argument("--index", default=os.path.join(ROOT, "target", "bench-data", "cities500.gzi"))
    ap.add_argument("--gazmap", default=os.path.join(ROOT, "target", "release", "gazmap"))
    ap.add_argument("--queries", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--sample", action="append", default=[], metavar="PEER=N",
                    help="run PEER on a fixed sample of N of the queries (default rapidfuzz=200)")
    ap.add_argument("--rapidfuzz-world", action="store_true",
                    help="also run rapidfuzz on the world corpus (about a minute per 200 rows)")
    ap.add_argument("--only", default=",".join(PEERS))
    ap.add_argument("--no-corpus", action="store_true", help="skip the hand-labelled corpora")
    args = ap.parse_args()
    args.only = args.only.split(",")
    samples = {"rapidfuzz": 200}
    for item in args.sample:
        peer, _, n = item.partition("=")
        if peer not in PEERS or not n.isdigit():
            sys.exit("--sample %r: expected PEER=N with PEER one of %s" % (item, ",".join(PEERS)))
        samples[peer] = int(n)
    ensure_venv()
    if not os.path.exists(args.cities500):
        sys.exit("%s absent: run python3 benches/make_cities500.py" % args.cities500)
    if "gazmap" in args.only and not os.path.exists(args.gazmap):
        sys.exit("%s absent: run cargo build --release" % args.gazmap)

    t = time.perf_counter()
    places, names = load_cities(args.cities500)
    queries = make_queries(places, args.queries, args.seed)
    print("cities500: %d places, %d distinct names; %d queries (seed %d) in %.1f s"
          % (len(places), len(names.names), len(queries), args.seed, time.perf_counter() - t),
          flush=True)
    counts = collections.Counter(q["kind"] for q in queries)
    print("  " + ", ".join("%s %d" % (k, counts[k]) for k in KINDS) +
          ", first letter touched %d" % sum(q["first"] for q in queries))

    results, peers = [], {}
    groups = ["all"] + KINDS + [FIRST + " (one edit)", FIRST + " (two edits)"]
    if "gazmap" in args.only:
        if not os.path.exists(args.index) or os.path.getmtime(args.index) < os.path.getmtime(args.gazmap):
            t = time.perf_counter()
            subprocess.run([args.gazmap, "--quiet", "--gazetteer", args.cities500, "index", "build",
                            "-o", args.index], check=True)
            print("gazmap index build: %.1f s" % (time.perf_counter() - t), flush=True)
        version = subprocess.run([args.gazmap, "--version"], capture_output=True, text=True).stdout.strip()
        first = []
        answers, secs = gazmap_run(args.gazmap, args.index, [q["q"] for q in queries], first=first)
        results.append((version + " (resolve --format json, index file)", score(queries, answers, places),
                        len(queries) / secs, len(queries)))
        results.append((version + ", first candidate (an unmatched query's nearest suggestion)",
                        score(queries, first, places), len(queries) / secs, len(queries)))
        print("gazmap: %.1f CPU s" % secs, flush=True)
        print_table(results[-2:], groups)
    for name in PEERS[1:]:
        if name not in args.only:
            continue
        t = time.perf_counter()
        peer = PEER_CLASSES[name](names)
        peers[name] = peer
        print("%s: built in %.1f s" % (name, time.perf_counter() - t), flush=True)
        sample = queries
        if name in samples and samples[name] < len(queries):
            sample = random.Random(args.seed).sample(queries, samples[name])
        c = cpu()
        answers = [peer.answer(q["q"]) for q in sample]
        secs = cpu() - c
        results.append((peer.label, score(sample, answers, places), len(sample) / max(secs, 1e-9),
                        len(sample)))
        print("%s: %d queries in %.1f CPU s" % (name, len(sample), secs), flush=True)
        print_table(results[-1:], groups)

    print("\nworld cities500, %d generated queries (seed %d)" % (len(queries), args.seed))
    print_table(results, groups)

    if args.no_corpus:
        return
    corpus = os.path.join(ROOT, "tests", "data", "corpus")
    world = os.path.join(corpus, "spellings-world.csv")
    if os.path.exists(world):
        corpus_runs(args, {k: v for k, v in peers.items() if k != "rapidfuzz" or args.rapidfuzz_world},
                    "world corpus",
                    read_corpus(world), places, args.index, "country")
    af_places, af_names = load_afghan(os.path.join(ROOT, "gazetteer", "afghanistan.csv"))
    af_peers = {}
    for name in PEERS[1:]:
        if name in args.only:
            af_peers[name] = PEER_CLASSES[name](af_names)
    corpus_runs(args, af_peers, "Afghan corpus (embedded gazetteer)",
                read_corpus(os.path.join(corpus, "spellings-af.csv")), af_places, None, "within")


if __name__ == "__main__":
    main()
