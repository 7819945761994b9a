"""The one reader of GeoNames dumps (`cities500.txt` and the like) that the Python benchmark
scripts share."""


def dump_rows(path):
    """Yields (place id, columns) for each well-formed line (19 tab-separated columns) of the
    dump at `path`; the id is `geonames:` and the dump's geonameid."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) == 19:
                yield "geonames:" + c[0], c
