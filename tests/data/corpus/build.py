#!/usr/bin/env python3
"""Builds the corpus CSVs from the hand-kept staging files beside this script.

    python3 tests/data/corpus/build.py [--cities500 target/bench-data/cities500.txt]

A staging file (`af.staging`, `world.staging`) is a list of pages: a line
`@ URL LANGUAGE` opens a page, then each line `SPELLING<TAB>REF` is one spelling copied from
that page (a third field `LANGUAGE` when the spelling is in another language than the
page, such as the Persian name in a Bengali article), where REF is the GeoNames id of the place it names (checked by hand), or, for a
place the gazetteer lacks, `-NAME|PROVINCE|KIND`. Names, kinds and provinces of the rows come
from the gazetteer (`gazetteer/afghanistan.csv`; for the world rows `cities500.txt`, whose
country code stands in the province column). The script and the split are derived: the
script from the spelling's letters, the split from a fixed hash of the URL (one page in five
held out, all rows of a page together). Standard library only.
"""

import argparse
import csv
import hashlib
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
HEADER = ["id", "query", "expected_id", "expected_name", "kind", "province",
          "language", "script", "source_url", "split"]


def script_of(text):
    """The Unicode script of the spelling's first letter (Latin, Arabic, Cyrillic, ...)."""
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            word = name.split(" ")[0]
            return {"CJK": "Han", "HIRAGANA": "Japanese", "KATAKANA": "Japanese",
                    "HANGUL": "Hangul"}.get(word, word.capitalize())
    raise ValueError("no letter in %r" % text)


def split_of(url):
    """`heldout` for one URL in five by a fixed hash (SHA-1), else `dev`."""
    return "heldout" if int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:8], 16) % 5 == 0 else "dev"


def read_staging(path):
    url = lang = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("@ "):
                _, url, lang = line.split(" ")
                continue
            if url is None:
                sys.exit("%s:%d: a spelling before any '@ URL LANGUAGE' line" % (path, n))
            fields = line.split("\t")
            if len(fields) not in (2, 3):
                sys.exit("%s:%d: expected SPELLING<TAB>REF[<TAB>LANGUAGE]" % (path, n))
            yield n, url, fields[2] if len(fields) == 3 else lang, fields[0], fields[1]


def af_places():
    places = {}
    with open(os.path.join(ROOT, "gazetteer", "afghanistan.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            pid = r["id"].split(":")[1]
            province = r["name"] if r["kind"] == "province" else r["admin1"]
            places[pid] = (r["name"], r["kind"], province)
    return places


def world_places(path):
    places = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            places[c[0]] = (c[1], "city", c[8])
    return places


def build(staging, places, out, require_id):
    rows, seen = [], set()
    for n, url, lang, query, ref in read_staging(staging):
        if query != query.strip() or not query:
            sys.exit("%s:%d: spelling has surrounding blanks" % (staging, n))
        if ref.startswith("-"):
            if require_id:
                sys.exit("%s:%d: every world row needs a GeoNames id" % (staging, n))
            name, province, kind = ref[1:].split("|")
            pid = ""
        else:
            if ref not in places:
                sys.exit("%s:%d: GeoNames id %s is not in the gazetteer" % (staging, n, ref))
            name, kind, province = places[ref]
            pid = "geonames:" + ref
        key = (url, query, pid or name)
        if key in seen:
            sys.exit("%s:%d: the same spelling of the same place twice on one page" % (staging, n))
        seen.add(key)
        rows.append([query, pid, name, kind, province, lang, script_of(query), url, split_of(url)])
    with open(out + ".tmp", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for i, r in enumerate(rows, 1):
            w.writerow([i] + r)
    os.replace(out + ".tmp", out)
    pages = len({r[7] for r in rows})
    held = sum(r[8] == "heldout" for r in rows)
    langs = sorted({r[5] for r in rows})
    scripts = sorted({r[6] for r in rows})
    print("%s: %d rows from %d pages (%d held out), languages %s, scripts %s"
          % (os.path.relpath(out, ROOT), len(rows), pages, held, ",".join(langs), ",".join(scripts)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities500", default=os.path.join(ROOT, "target", "bench-data", "cities500.txt"))
    args = ap.parse_args()
    build(os.path.join(HERE, "af.staging"), af_places(), os.path.join(HERE, "spellings-af.csv"), False)
    world = os.path.join(HERE, "world.staging")
    if os.path.exists(world):
        if not os.path.exists(args.cities500):
            sys.exit("%s absent: run python3 benches/make_cities500.py first" % args.cities500)
        build(world, world_places(args.cities500), os.path.join(HERE, "spellings-world.csv"), True)


if __name__ == "__main__":
    main()
