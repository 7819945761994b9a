"""Clean a column of place names with PySpark, the way `gazmap clean` cleans a CSV column.

Spark does the scale-out; gazmap adds no scheduler. Each batch of rows goes through
``mapInArrow`` to ``gazmap.Resolver.clean_arrow``, which appends the same ``gz_*`` columns as
``gazmap clean``, with the very same strings. Every Python worker process opens the index
file once (``gazmap.shared_resolver``, a per-process cache) and memory-maps it, so all the
workers of a machine share one copy of its pages.

On a cluster, the index file must be readable at the same path by every executor: copy it to
each node, or put it on a shared file system (NFS, a mounted bucket); ``spark.files`` /
``--files`` also works, with ``SparkFiles.get(name)`` as the path. Build it once with
``gazmap index build GAZETTEER.csv -o places.gzi`` (or ``gazmap.Resolver(csv).write_index``).

    python examples/spark_clean.py INPUT.csv --column NAME --index places.gzi -o OUT_DIR
    python examples/spark_clean.py INPUT.csv --column NAME --index places.gzi --bench

``--bench`` cleans without writing (Spark's ``noop`` sink) and prints rows per second;
``--bench --baseline`` appends empty columns instead, to show what Spark and Arrow cost alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Iterator, Optional

import pyarrow as pa


def clean_batches(
    batches: Iterator[pa.RecordBatch],
    column: str,
    index: str,
    prefix: str = "gz_",
    threads: Optional[int] = 1,
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: each batch with the ``gz_*`` columns appended.

    ``threads=1`` resolves on the task's own thread: Spark already runs one task per core.
    """
    import gazmap  # imported on the executor

    resolver = gazmap.shared_resolver(index)
    for batch in batches:
        names = batch.column(batch.schema.get_field_index(column))
        gz = resolver.clean_arrow(names, prefix=prefix, threads=threads)
        yield pa.RecordBatch.from_arrays(
            list(batch.columns) + gz.flatten(),
            names=list(batch.schema.names) + [f.name for f in gz.type],
        )


def empty_batches(batches: Iterator[pa.RecordBatch], prefix: str = "gz_"):
    """The baseline of ``--bench``: each batch with empty ``gz_*`` columns, nothing resolved
    (what Spark and Arrow cost without gazmap)."""
    import gazmap

    for batch in batches:
        empty = pa.array([""] * batch.num_rows, type=pa.string())
        yield pa.RecordBatch.from_arrays(
            list(batch.columns) + [empty] * len(gazmap.GZ_COLUMNS),
            names=list(batch.schema.names) + [prefix + c for c in gazmap.GZ_COLUMNS],
        )


def clean_dataframe(df, column: str, index: str, prefix: str = "gz_", baseline: bool = False):
    """``df`` with the ``gz_*`` string columns of ``gazmap clean`` appended (``baseline``:
    empty ones, for measuring what the rest costs)."""
    import gazmap
    from pyspark.sql.types import StringType, StructField, StructType

    if column not in df.columns:
        raise ValueError(f"no column {column!r} (the columns: {', '.join(df.columns)})")
    index = os.path.abspath(index)
    if __name__ != "__main__":
        # ship this module's functions by value, so executors need not import it
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    schema = StructType(
        list(df.schema.fields)
        + [StructField(prefix + c, StringType(), False) for c in gazmap.GZ_COLUMNS]
    )
    if baseline:
        return df.mapInArrow(lambda it: empty_batches(it, prefix), schema)
    return df.mapInArrow(lambda it: clean_batches(it, column, index, prefix), schema)


def read_csv(spark, path: str, delimiter: str):
    """A CSV read as strings (an empty field is read as null, which cleans as empty)."""
    return (
        spark.read.option("header", True)
        .option("sep", delimiter)
        .option("inferSchema", False)
        .option("multiLine", True)
        .option("escape", '"')
        .csv(path)
    )


def session(master: str, app: str = "gazmap-clean"):
    """A local Spark session with Arrow on and the UI off."""
    from pyspark.sql import SparkSession

    # the Python workers run this interpreter (with gazmap and pyarrow), not python3 on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="the CSV file to clean")
    p.add_argument("--column", "-c", required=True, help="the column holding the names")
    p.add_argument("--index", required=True, help="the index file (.gzi) every executor opens")
    p.add_argument("--delimiter", "-d", default=",", help="field delimiter (default ,)")
    p.add_argument("--master", default="local[*]", help="Spark master (default local[*])")
    p.add_argument("--partitions", type=int, default=0, help="repartition the input first")
    p.add_argument("--output", "-o", help="directory to write the cleaned CSV parts to")
    p.add_argument("--bench", action="store_true", help="clean without writing; print rows/s")
    p.add_argument(
        "--baseline", action="store_true", help="with --bench: append empty columns instead"
    )
    a = p.parse_args(argv)
    if not a.output and not a.bench:
        p.error("give --output DIR or --bench")
    spark = session(a.master)
    try:
        df = read_csv(spark, a.input, a.delimiter)
        if a.partitions:
            df = df.repartition(a.partitions)
        if a.bench:
            df = df.cache()
            rows = df.count()  # read and cached before the clock starts
            def run(frame):
                cleaned = clean_dataframe(frame, a.column, a.index, baseline=a.baseline)
                cleaned.write.format("noop").mode("overwrite").save()

            run(df.limit(1))  # starts the Python workers and opens the index in them
            start = time.perf_counter()
            run(df)
            seconds = time.perf_counter() - start
            print(
                f"{a.master}{' baseline' if a.baseline else ''}: {rows} rows in {seconds:.2f} s,"
                f" {rows / seconds:,.0f} rows/s",
                flush=True,
            )
        else:
            clean_dataframe(df, a.column, a.index).write.option("header", True).option(
                "sep", a.delimiter
            ).mode("overwrite").csv(a.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
