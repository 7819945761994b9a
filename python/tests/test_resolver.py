"""gazmap.Resolver: single names, lists, Arrow columns, filters and errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import threading

import pyarrow as pa
import pytest

import gazmap

NAMES = [
    "Pul-i-Hisar",
    "Koundouz",
    "Dih Salah",
    "Fayzabad",
    "Kabul",
    "Lashkar Gah",
    "Nowhere at all, really",
    "",
    "Jalalabad",
    "Pul-i-Hisar",
]


@pytest.fixture(scope="module")
def resolver() -> gazmap.Resolver:
    return gazmap.Resolver()


def corpus_queries(root, limit=None):
    with open(root / "tests/data/corpus/spellings-af.csv", newline="", encoding="utf-8") as f:
        rows = [r["query"] for r in csv.DictReader(f) if r["split"] == "dev"]
    return rows[:limit] if limit else rows


def test_acceptance_pul_i_hisar(resolver):
    r = resolver.resolve("Pul-i-Hisar")
    # the Pul-e-Hisar district of Baghlan, by its GeoNames name and id
    assert r["best"]["name"] == "Pul-e Ḩişār"
    assert r["best"]["id"] == "geonames:7052909"
    assert r["best"]["kind"] == "district"
    assert r["best"]["admin1"] == "Baghlan"
    assert r["status"] == "matched"
    assert r["query"] == "Pul-i-Hisar"
    assert isinstance(r["best"]["score"], float)


def test_unmatched_has_no_best(resolver):
    r = resolver.resolve("Qwxzvbnm Plork")
    assert r["status"] == "unmatched"
    assert r["best"] is None
    assert isinstance(r["candidates"], list)


def test_dict_is_the_cli_json(resolver, root, gazmap_bin):
    names = corpus_queries(root, 80) + NAMES[:7]
    out = subprocess.run(
        [gazmap_bin, "resolve", "--format", "json", *names],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cli = [json.loads(line) for line in out.splitlines()]
    assert len(cli) == len(names)
    assert [resolver.resolve(n) for n in names] == cli


def test_filters_match_the_cli(resolver, gazmap_bin):
    for flags, kwargs in [
        (["--within", "Baghlan"], {"within": "Baghlan"}),
        (["--kind", "province"], {"kind": "province"}),
        (["--country", "af"], {"country": "af"}),
    ]:
        out = subprocess.run(
            [gazmap_bin, "resolve", "--format", "json", *flags, "Kunduz", "Pul-i-Hisar"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cli = [json.loads(line) for line in out.splitlines()]
        assert [resolver.resolve(n, **kwargs) for n in ("Kunduz", "Pul-i-Hisar")] == cli


def test_kind_filter_changes_the_answer(resolver):
    assert resolver.resolve("Kunduz", kind="province")["best"]["kind"] == "province"
    assert resolver.resolve("Kunduz", kind="city")["best"]["kind"] == "city"


def test_bad_filters_raise(resolver):
    with pytest.raises(ValueError, match="unknown kind"):
        resolver.resolve("Kabul", kind="galaxy")
    with pytest.raises(gazmap.GazmapError, match="no place of the gazetteer is in that country"):
        resolver.resolve("Kabul", country="FR")
    with pytest.raises(gazmap.GazmapError, match="alpha-2"):
        resolver.resolve("Kabul", country="AFG")
    with pytest.raises(gazmap.GazmapError, match="no country, province or district"):
        resolver.resolve("Kabul", within="Qwxzvbnm Plork")
    with pytest.raises(ValueError, match="threshold"):
        resolver.resolve("Kabul", threshold=1.5)
    with pytest.raises(ValueError, match="threads"):
        resolver.resolve_many(["Kabul"], threads=0)
    with pytest.raises(TypeError):
        resolver.resolve_many("Kabul")  # a str is not a list of names
    # the filters are keywords: a misspelt one, one a method does not take, or a value of
    # the wrong type is a TypeError naming it
    with pytest.raises(TypeError, match="unexpected keyword argument 'treshold'"):
        resolver.resolve("Kabul", treshold=0.5)
    with pytest.raises(TypeError, match="resolve\\(\\) got an unexpected keyword argument 'threads'"):
        resolver.resolve("Kabul", threads=2)
    with pytest.raises(TypeError, match="top"):
        resolver.resolve_many(["Kabul"], top="5")
    with pytest.raises(TypeError, match="clean_arrow\\(\\) got an unexpected keyword argument 'top'"):
        resolver.clean_arrow(["Kabul"], top=3)


def test_resolve_many_equals_resolve(resolver, root):
    names = corpus_queries(root) + NAMES
    many = resolver.resolve_many(names)
    assert len(many) == len(names)
    assert many == [resolver.resolve(n) for n in names]
    assert resolver.resolve_many(names, threads=1) == many
    assert resolver.resolve_many(names, threads=2, within="Baghlan") == [
        resolver.resolve(n, within="Baghlan") for n in names
    ]
    assert resolver.resolve_many([]) == []
    # a repeated name is resolved once but each row has a dict of its own
    twice = resolver.resolve_many(["Kunduz", "Kunduz"])
    assert twice[0] == twice[1] and twice[0] is not twice[1]
    assert twice[0]["best"] is not twice[1]["best"]


def test_resolve_many_from_threads(resolver, root):
    names = corpus_queries(root)
    expected = resolver.resolve_many(names)
    results = [None] * 4

    def work(i):
        results[i] = resolver.resolve_many(names)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def check_row(row, d):
    assert row["query"] == d["query"]
    assert row["status"] == d["status"]
    best = d["best"]
    for field in ("id", "name", "kind", "country", "admin1", "admin2", "lat", "lon",
                  "score", "method", "matched_name", "reason"):
        assert row[field] == (best[field] if best else None), field
    assert row["candidates"] == [c["id"] for c in d["candidates"]]
    assert row["left_out"] == d.get("left_out", 0)


def test_resolve_arrow_agrees_with_resolve_many(resolver, root):
    names = corpus_queries(root) + NAMES
    many = resolver.resolve_many(names)
    for typ in (pa.string(), pa.large_string(), pa.string_view()):
        out = resolver.resolve_arrow(pa.array(names, type=typ))
        assert isinstance(out, pa.StructArray)
        assert len(out) == len(names)
        assert out.null_count == 0
        for row, d in zip(out.to_pylist(), many):
            check_row(row, d)


def test_resolve_arrow_nulls_slices_and_filters(resolver):
    arr = pa.array(["Kunduz", None, "Pul-i-Hisar", None])
    out = resolver.resolve_arrow(arr, kind="province")
    rows = out.to_pylist()
    assert rows[1] is None and rows[3] is None
    check_row(rows[0], resolver.resolve("Kunduz", kind="province"))
    # a slice is read at its offset, not from the start of the buffers
    sliced = resolver.resolve_arrow(pa.array(NAMES).slice(2, 3))
    assert [r["query"] for r in sliced.to_pylist()] == NAMES[2:5]
    assert len(resolver.resolve_arrow(pa.array([], type=pa.string()))) == 0


def test_chunked_columns_give_chunked_answers(resolver):
    whole = resolver.resolve_arrow(pa.array(NAMES)).to_pylist()
    chunked = pa.chunked_array([NAMES[:4], NAMES[4:]])
    out = resolver.resolve_arrow(chunked)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert out.to_pylist() == whole
    table = pa.table({"name": chunked})
    cleaned = resolver.clean_arrow(table.column("name"))
    assert cleaned.to_pylist() == resolver.clean_arrow(pa.array(NAMES)).to_pylist()
    empty = resolver.resolve_arrow(pa.chunked_array([], type=pa.string()))
    assert len(empty) == 0 and empty.type == out.type


def test_resolve_arrow_refuses_other_types(resolver):
    with pytest.raises(TypeError, match="array of strings"):
        resolver.resolve_arrow(pa.array([1, 2, 3]))


def test_clean_arrow_is_gazmap_clean(resolver, root, gazmap_bin):
    src = root / "examples/clean-names.csv"
    out = subprocess.run(
        [gazmap_bin, "clean", str(src), "--column", "district as reported", "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    header, rows = rows[0], rows[1:]
    gz = [h for h in header if h.startswith("gz_")]
    assert gz == ["gz_" + c for c in gazmap.GZ_COLUMNS]
    names = [r[header.index("district as reported")] for r in rows]
    cleaned = resolver.clean_arrow(pa.array(names))
    assert cleaned.type.names == gz
    got = [[row[c] for c in gz] for row in cleaned.to_pylist()]
    assert got == [r[len(header) - len(gz):] for r in rows]


def test_bad_gazetteer_path_raises(tmp_path):
    missing = tmp_path / "no-such-gazetteer.csv"
    with pytest.raises(gazmap.GazmapError, match="no-such-gazetteer.csv"):
        gazmap.Resolver(missing)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nx\n", encoding="utf-8")
    with pytest.raises(gazmap.GazmapError, match="bad.csv"):
        gazmap.Resolver(str(bad))
    broken = tmp_path / "broken.gzi"
    broken.write_bytes(b"GAZMAPIX" + b"\0" * 100)
    with pytest.raises(gazmap.GazmapError, match="broken.gzi"):
        gazmap.Resolver(broken)


def test_csv_and_index_file_agree(root, tmp_path):
    from_csv = gazmap.Resolver(root / "tests/data/mini.csv")
    assert from_csv.places == 2
    r = from_csv.resolve("Nowhere Abad")
    assert r["best"]["id"] == "test:1"
    gzi = tmp_path / "mini.gzi"
    from_csv.write_index(gzi)
    mapped = gazmap.Resolver(str(gzi))
    assert mapped.places == 2
    names = ["Nowhere Abad", "Nowhereabad", "Baghlan", "Baglan", "Kabul"]
    assert mapped.resolve_many(names) == from_csv.resolve_many(names)
    assert "mini.gzi" in repr(mapped)


def test_embedded_index_file_matches_embedded(resolver, root, tmp_path):
    gzi = tmp_path / "af.gzi"
    resolver.write_index(gzi)
    names = corpus_queries(root, 150)
    assert gazmap.Resolver(gzi).resolve_many(names) == resolver.resolve_many(names)


def test_shared_resolver_opens_once(root):
    before = gazmap._opened()
    a = gazmap.shared_resolver(root / "tests/data/mini.csv")
    b = gazmap.shared_resolver(str(root / "tests/data/mini.csv"))
    assert a is b
    assert gazmap._opened() == before + 1


def test_the_gil_is_released_while_resolving(resolver, root):
    import time

    def watch(arr):
        """Resolves `arr` on a thread while this one ticks; returns (call time, longest stall)."""
        done = threading.Event()
        took = []

        def work():
            start = time.perf_counter()
            resolver.resolve_arrow(arr, threads=1)
            took.append(time.perf_counter() - start)
            done.set()

        t = threading.Thread(target=work)
        ticks = [time.perf_counter()]
        t.start()
        while not done.is_set():
            ticks.append(time.perf_counter())
        t.join()
        return took[0], max(b - a for a, b in zip(ticks, ticks[1:]))

    # distinct names (no two alike, so nothing is cached); the list grows until one call
    # takes long enough to watch, since a fast machine resolves the first size too quickly
    queries = corpus_queries(root)
    copies = 2
    while True:
        arr = pa.array([f"{q} {i}" for i, q in enumerate(queries * copies)])
        took, gap = watch(arr)
        if took > 0.5 or copies >= 64:
            break
        copies *= 2
    assert took > 0.2, f"too quick to tell: {took:.3f} s with {len(arr)} names"
    # with the GIL held for the call, this thread would stall for all of it
    assert gap < took / 2, f"longest stall {gap:.3f} s of a {took:.3f} s call"
