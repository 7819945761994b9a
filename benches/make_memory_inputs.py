#!/usr/bin/env python3
"""The inputs of the README's peak-memory figures, made the same way every time.

    python3 benches/make_memory_inputs.py OUT_DIR [ADM2.geojson]

writes OUT_DIR/article-20mb.txt (the `date:` line of examples/article-en.txt, then its body
repeated until the article holds 20 MiB) and, given the
geoBoundaries ADM2 file, OUT_DIR/boundaries-220mb.geojson (530 polygons of 20,000
positions each, about 220 MiB: the district polygons in turn, each outer ring densified
by points along its edges, with shapeIDs made unique).
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLE_BYTES = 20 << 20
POLYGONS = 530
POSITIONS = 20_000


def article(out):
    with open(os.path.join(ROOT, "examples", "article-en.txt"), encoding="utf-8") as f:
        date, body = f.read().split("\n", 1)
    body = body.strip("\n") + "\n\n"
    text = [date + "\n"]
    size = len(text[0].encode())
    while size < ARTICLE_BYTES:
        text.append(body)
        size += len(body.encode())
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(text))


def densify(ring, n):
    """`ring` (closed) with points added along its edges so it has `n` positions."""
    edges = len(ring) - 1
    per = (n - 1) // edges
    extra = (n - 1) - per * edges
    out = []
    for k in range(edges):
        (x0, y0), (x1, y1) = ring[k][:2], ring[k + 1][:2]
        steps = per + (1 if k < extra else 0)
        for s in range(steps):
            t = s / steps
            out.append([round(x0 + (x1 - x0) * t, 6), round(y0 + (y1 - y0) * t, 6)])
    out.append(list(ring[0][:2]))
    return out


def boundaries(adm2, out):
    with open(adm2, encoding="utf-8") as f:
        features = json.load(f)["features"]
    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(POLYGONS):
            src = features[i % len(features)]
            g = src["geometry"]
            rings = g["coordinates"] if g["type"] == "Polygon" else g["coordinates"][0]
            props = dict(src["properties"])
            props["shapeID"] = f"{props['shapeID']}-{i}"
            feature = {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [densify(rings[0], POSITIONS)]},
            }
            f.write(("," if i else "") + json.dumps(feature, separators=(",", ":")) + "\n")
        f.write("]}\n")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    article(os.path.join(sys.argv[1], "article-20mb.txt"))
    if len(sys.argv) == 3:
        boundaries(sys.argv[2], os.path.join(sys.argv[1], "boundaries-220mb.geojson"))


if __name__ == "__main__":
    main()
