"""geoBoundaries polygons for the embedded gazetteer: reading, rounding, WKT, interior
points and the name join to the GeoNames provinces and districts.

Standard library only.  Used by build_afghanistan.py; see gazetteer/README.md
("Polygons") for the rules.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

DECIMALS = 5

ADM1_FILE = "geoBoundaries-AFG-ADM1_simplified.geojson"
ADM2_FILE = "geoBoundaries-AFG-ADM2_simplified.geojson"


class BoundaryError(Exception):
    """A boundary that cannot be used as it is."""


# --------------------------------------------------------------------------
# geometry

def fmt_num(x: float) -> str:
    """A coordinate rounded to DECIMALS, without trailing zeros (70.5 not 70.50000)."""
    s = f"{x:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def round_ring(ring):
    """A closed ring with its coordinates rounded and consecutive repeats dropped; None when
    it collapses to fewer than 3 distinct points (4 positions with the closing one)."""
    out = []
    for c in ring:
        p = (round(c[0], DECIMALS), round(c[1], DECIMALS))
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4 or len(set(out)) < 3:
        return None
    return out


dropped: list[str] = []


def polygons_of(geometry, where: str):
    """The rounded polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon. A part or
    hole that collapses under rounding (a sliver a few metres wide) is dropped and noted in
    `dropped`; a geometry with nothing left is an error."""
    t = geometry["type"]
    if t == "Polygon":
        polys = [geometry["coordinates"]]
    elif t == "MultiPolygon":
        polys = geometry["coordinates"]
    else:
        raise BoundaryError(f"{where}: geometry is a {t}, not a (Multi)Polygon")
    out = []
    for i, p in enumerate(polys, 1):
        shell = round_ring(p[0])
        if shell is None:
            dropped.append(f"{where}: part {i} collapses under rounding; dropped")
            continue
        holes = []
        for j, h in enumerate(p[1:], 1):
            r = round_ring(h)
            if r is None:
                dropped.append(f"{where}: hole {j} of part {i} collapses under rounding; dropped")
            else:
                holes.append(r)
        out.append([shell, *holes])
    if not out:
        raise BoundaryError(f"{where}: every ring collapses under rounding")
    return out


def wkt(polys) -> str:
    def ring(r):
        return "(" + ",".join(f"{fmt_num(x)} {fmt_num(y)}" for x, y in r) + ")"

    def poly(p):
        return "(" + ",".join(ring(r) for r in p) + ")"

    if len(polys) == 1:
        return "POLYGON" + poly(polys[0])
    return "MULTIPOLYGON(" + ",".join(poly(p) for p in polys) + ")"


def in_ring(x: float, y: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y):
            if x1 + (y - y1) * (x2 - x1) / (y2 - y1) > x:
                inside = not inside
    return inside


def contains(polys, x: float, y: float) -> bool:
    """Even-odd point in (multi)polygon, holes excluded."""
    return any(in_ring(x, y, p[0]) and not any(in_ring(x, y, h) for h in p[1:]) for p in polys)


def bbox(polys):
    xs = [x for p in polys for r in p for x, _ in r]
    ys = [y for p in polys for r in p for _, y in r]
    return min(xs), min(ys), max(xs), max(ys)


def ring_area(r) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(r, r[1:]))) / 2


def interior_point(polys):
    """A point inside the largest polygon, away from its edges: on each of 21 horizontal
    lines across it, the middle of the widest stretch inside; the widest of those wins. The
    point is rounded like the vertices and checked to still be inside."""
    p = max(polys, key=lambda p: ring_area(p[0]) - sum(ring_area(h) for h in p[1:]))
    _, y0, _, y1 = bbox([p])
    best = None
    for k in range(1, 22):
        y = y0 + (y1 - y0) * k / 22
        xs = []
        for r in p:
            for (ax, ay), (bx, by) in zip(r, r[1:]):
                if (ay > y) != (by > y):
                    xs.append(ax + (y - ay) * (bx - ax) / (by - ay))
        xs.sort()
        for a, b in zip(xs[0::2], xs[1::2]):
            pt = (round((a + b) / 2, DECIMALS), round(y, DECIMALS))
            if (best is None or b - a > best[0]) and contains(polys, *pt):
                best = (b - a, pt)
    if best is None:
        raise BoundaryError("no interior point found")
    return best[1]


# --------------------------------------------------------------------------
# reading

def read_features(path: Path):
    """(number, shapeName, shapeID, rounded polygons) of each feature, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, f in enumerate(data["features"], 1):
        props = f["properties"]
        name = props["shapeName"]
        where = f"{path.name}: feature {i} ({name.strip()!r})"
        out.append({
            "number": i,
            "shapeName": name,
            "name": " ".join(name.split()),
            "shapeID": props["shapeID"],
            "polys": polygons_of(f["geometry"], where),
        })
    return out


# --------------------------------------------------------------------------
# the name join

def name_key(s: str) -> str:
    """A loose romanization key for joining names: accents, case, designators and ezafe
    particles dropped, vowel and doubled-letter variants merged."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"\b(district|province|wuluswali)\b", " ", s)
    s = re.sub(r"[^a-z]+", " ", s)
    words = [w for w in s.split() if w not in ("e", "i", "ye", "yi", "wa", "va", "o")]
    # an ezafe glued to the word before it: Dashte Archi, Puli Alam, Qalay-i Zal
    words = [re.sub(r"(?<=..)(ay|y|i|e)$", "", w) if n < len(words) - 1 else w
             for n, w in enumerate(words)]
    s = "".join(words)
    for a, b in (("ou", "u"), ("ee", "i"), ("oo", "u"), ("aa", "a"), ("q", "k"), ("w", "v"),
                 ("y", "i"), ("e", "i"), ("o", "u")):
        s = s.replace(a, b)
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"(?<=[aiu])h$", "", s)
    s = re.sub(r"(?<=[aiu])h(?=[^aiu])", "", s)
    return s


def feature_keys(name: str) -> set[str]:
    """Keys of a boundary name and of its parts: 'Reg(Khanshin)' gives Reg and Khanshin."""
    keys = {name_key(name)}
    m = re.match(r"^(.*?)\((.*)\)\s*$", name)
    if m:
        keys |= {name_key(m.group(1)), name_key(m.group(2))}
    return {k for k in keys if k}


def read_join_table(path: Path):
    """The reviewed join rows: level, shapeID, shapeName, id (a gazetteer id or empty), note."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["level"] not in ("ADM1", "ADM2"):
            raise BoundaryError(f"{path.name}: bad level {r['level']!r}")
        if not r["note"].strip():
            raise BoundaryError(f"{path.name}: row for {r['shapeName']!r} has no note")
    return rows


def join(features, places, table_rows, level: str, province_of=None):
    """Joins boundary features to places (dicts with id, name, names, admin1).

    A feature joins automatically when exactly one place (of the feature's province candidates,
    if `province_of` gives them) shares a name key with it and no other feature claims that
    place. The reviewed table decides every other feature; a table row for a feature the
    automatic join already decided must agree with it. Returns ({shapeID: place id},
    {place id: shapeID}, stats, problems)."""
    table = {r["shapeID"]: r for r in table_rows if r["level"] == level}
    by_key: dict[str, set[str]] = {}
    for p in places:
        for n in p["names"]:
            k = name_key(n)
            if k:
                by_key.setdefault(k, set()).add(p["id"])
    place_admin1 = {p["id"]: p["admin1"] for p in places}
    auto = {}
    for f in features:
        cands = set()
        for k in feature_keys(f["name"]):
            cands |= by_key.get(k, set())
        if province_of is not None and len(cands) > 1:
            provs = province_of(f)
            cands = {c for c in cands if place_admin1[c] in provs}
        if len(cands) == 1:
            auto[f["shapeID"]] = next(iter(cands))
    claims = Counter(auto.values())
    auto = {s: p for s, p in auto.items() if claims[p] == 1}

    problems = []
    joined = {}
    stats = Counter()
    for f in features:
        sid = f["shapeID"]
        row = table.get(sid)
        if row is not None:
            if row["shapeName"] != f["name"]:
                problems.append(f"table row {sid}: shapeName {row['shapeName']!r} but the file has {f['name']!r}")
            if sid in auto and auto[sid] != row["id"]:
                problems.append(f"table row {sid} ({f['name']}): says {row['id'] or 'no place'}, the automatic join {auto[sid]}")
            if row["id"]:
                joined[sid] = row["id"]
                stats["table"] += 1
            else:
                stats["table: no place"] += 1
        elif sid in auto:
            joined[sid] = auto[sid]
            stats["automatic"] += 1
        else:
            problems.append(f"{level} feature {f['number']} {f['name']!r} ({sid}): no automatic join and no table row")
    for sid in table:
        if sid not in {f["shapeID"] for f in features}:
            problems.append(f"table row {sid}: no such {level} feature")
    by_place: dict[str, str] = {}
    for sid, pid in joined.items():
        if pid not in place_admin1:
            problems.append(f"{sid}: joined to unknown id {pid}")
        elif pid in by_place:
            problems.append(f"{pid} joined to two features: {by_place[pid]} and {sid}")
        else:
            by_place[pid] = sid
    return joined, by_place, stats, problems


def province_votes(feature, provinces, province_name, share: float = 0.1, n: int = 10):
    """The provinces (by gazetteer name) holding at least `share` of an n×n grid of points
    sampled inside a district feature: a hint for telling apart districts of one name, since
    geoBoundaries' ADM1 polygons do not follow its ADM2 borders exactly."""
    votes = Counter()
    x0, y0, x1, y1 = bbox(feature["polys"])
    for i in range(n):
        for j in range(n):
            x = x0 + (x1 - x0) * (i + 0.5) / n
            y = y0 + (y1 - y0) * (j + 0.5) / n
            if not contains(feature["polys"], x, y):
                continue
            for (bx0, by0, bx1, by1), p in provinces:
                if bx0 <= x <= bx1 and by0 <= y <= by1 and contains(p["polys"], x, y):
                    votes[province_name.get(p["shapeID"], "?")] += 1
    total = sum(votes.values())
    return {k for k, v in votes.items() if v >= share * total}


def extra_names(shape_name: str) -> list[str]:
    """geoBoundaries' spelling as alternate names: whitespace collapsed, a space after a
    hyphen dropped ('Qala-I- Naw' → 'Qala-I-Naw'), and the parts of 'A (B)' on their own."""
    s = re.sub(r"-\s+", "-", " ".join(shape_name.split()))
    out = [s]
    m = re.match(r"^(.*?)\s*\(\s*(.*?)\s*\)$", s)
    if m:
        out += [m.group(1), m.group(2)]
    return [x for x in out if x]
