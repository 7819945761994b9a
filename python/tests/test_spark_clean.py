"""examples/spark_clean.py: PySpark (local mode, mapInArrow) cleans a column exactly as
`gazmap clean` does, each Python worker opening the index file once."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

if os.environ.get("GAZMAP_REQUIRE_SPARK") != "1":
    pytest.importorskip("pyspark")


def load_example():
    spec = importlib.util.spec_from_file_location(
        "spark_clean", os.path.join(ROOT, "examples/spark_clean.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["spark_clean"] = module
    spec.loader.exec_module(module)
    from pyspark import cloudpickle

    # executors get its functions by value: they cannot import it
    cloudpickle.register_pickle_by_value(module)
    return module


def messy_rows():
    """Corpus spellings (dev split) and the README's example names, with hard cases: empty
    names, padding, quotes and the delimiter inside a name, several scripts."""
    with open(os.path.join(ROOT, "tests/data/corpus/spellings-af.csv"), encoding="utf-8") as f:
        names = [r["query"] for r in csv.DictReader(f) if r["split"] == "dev"]
    with open(os.path.join(ROOT, "examples/clean-names.csv"), encoding="utf-8") as f:
        names += [r["district as reported"] for r in csv.DictReader(f, delimiter=";")]
    names += ["", " Kabul ", 'Kunduz "city"', "Pul-i-Hisar, Baghlan", "Qwxzvbnm Plork"]
    rows = []
    for i in range(3):  # repeats, as real columns have
        for n, name in enumerate(names):
            rows.append([str(len(rows) + 1), name, f"note {i}-{n}"])
    return rows


@pytest.fixture(scope="module")
def spark():
    example = load_example()
    s = example.session("local[2]", "gazmap-spark-test")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def index_file(tmp_path_factory, gazmap_bin):
    """The embedded gazetteer as an index file, built by `gazmap index build`: the one index
    every test of this module opens, so each worker process opens exactly one."""
    gzi = tmp_path_factory.mktemp("index") / "af.gzi"
    subprocess.run([gazmap_bin, "index", "build", "-o", str(gzi), "--quiet"], check=True)
    return gzi


def test_spark_clean_equals_gazmap_clean(spark, tmp_path, gazmap_bin, index_file):
    example = sys.modules["spark_clean"]
    rows = messy_rows()
    src = tmp_path / "names.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "district as reported", "note"])
        w.writerows(rows)
    gzi = index_file
    out = subprocess.run(
        [gazmap_bin, "--gazetteer", str(gzi), "clean", str(src),
         "--column", "district as reported", "--quiet"],
        check=True, capture_output=True, text=True,
    ).stdout
    expected = list(csv.reader(io.StringIO(out)))
    header, expected = expected[0], expected[1:]
    assert len(expected) == len(rows)

    df = example.read_csv(spark, str(src), ",").repartition(5)
    cleaned = example.clean_dataframe(df, "district as reported", str(gzi))
    assert cleaned.columns == header
    got = [[v if v is not None else "" for v in r] for r in cleaned.collect()]
    got.sort(key=lambda r: int(r[0]))
    assert got == expected
    # the answers are not all alike: the comparison covers matched, ambiguous and unmatched
    statuses = {r[header.index("gz_status")] for r in got}
    assert statuses == {"matched", "ambiguous", "unmatched"}


def test_each_worker_opens_the_index_once(spark, index_file):
    import pyarrow as pa

    example = sys.modules["spark_clean"]
    gzi = index_file
    df = spark.createDataFrame([(str(i), "Pul-i-Hisar") for i in range(2000)], ["id", "name"])
    df = df.repartition(8)
    index = str(gzi)
    clean_batches = example.clean_batches

    def probe(batches):
        import gazmap

        for b in clean_batches(batches, "name", index):
            yield pa.RecordBatch.from_pydict(
                {
                    "pid": [os.getpid()] * b.num_rows,
                    "opened": [gazmap._opened()] * b.num_rows,
                    "gz_name": b.column(b.schema.get_field_index("gz_name")),
                }
            )

    got = df.mapInArrow(probe, "pid long, opened long, gz_name string").collect()
    assert len(got) == 2000
    assert {r.gz_name for r in got} == {"Pul-e Ḩişār"}
    # 8 partitions ran on at most 2 reused worker processes, each of which opened one index
    assert {r.opened for r in got} == {1}
    assert 1 <= len({r.pid for r in got}) <= 2
