#!/usr/bin/env bash
# Checks the GeoPackage `gazmap export --format gpkg` writes with GDAL: ogrinfo opens it without
# warnings or errors and lists every layer of the expected file (`layer count geometry` lines, as
# for check-layers.sh) with its feature count, `date_start`/`date_end` read as Date and `score` as
# Real in each, and a `layer_styles` table with one style per layer; GDAL's own GeoPackage
# validator (validate_gpkg.py, from python3-gdal) passes.
# Usage: [LAYER_BY=…] .ci/check-gpkg.sh GAZMAP EVENTS.csv EXPECTED [gazmap global options…]
set -euo pipefail
gazmap=$1 events=$2 expected=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$gazmap" "$@" export "$events" -o "$out" --quiet --format gpkg ${LAYER_BY:+--layer-by "$LAYER_BY"}
gpkg="$out/layers.gpkg"
fail=0
[[ ! -e "$out/unresolved.csv" ]] && { echo "unresolved.csv not written"; fail=1; }
ls "$out"/*.geojson >/dev/null 2>&1 && { echo "GeoJSON written though only gpkg was asked for"; fail=1; }
info=$(ogrinfo -ro -al -so "$gpkg" 2>&1) || { echo "ogrinfo failed:"; echo "$info"; exit 1; }
if grep -qiE 'warning|error' <<<"$info"; then echo "ogrinfo complains:"; grep -iE 'warning|error' <<<"$info"; fail=1; fi
layers=0
while read -r layer count geometry; do
    [[ -z "$layer" || "$layer" == \#* || "$layer" == field || "$layer" == unresolved.csv ]] && continue
    layers=$((layers + 1))
    block=$(awk -v l="Layer name: $layer" '$0 == l {p = 1; print; next} /^Layer name: / {p = 0} p' <<<"$info")
    [[ -n "$block" ]] || { echo "$layer: not in layers.gpkg"; fail=1; continue; }
    got=$(sed -n 's/^Feature Count: //p' <<<"$block")
    geom=$(sed -n 's/^Geometry: //p' <<<"$block")
    bad=0
    [[ "$got" == "$count" ]] || { echo "$layer: $got features, expected $count"; bad=1; }
    [[ "$geom" == "$geometry" ]] || { echo "$layer: geometry $geom, expected $geometry"; bad=1; }
    for f in date_start:Date date_end:Date score:Real time_precision_code:Integer64; do
        t=$(sed -n "s/^${f%%:*}: \([A-Za-z0-9]*\).*/\1/p" <<<"$block")
        [[ "$t" == "${f#*:}" ]] || { echo "$layer: ${f%%:*} is ${t:-missing}, expected ${f#*:}"; bad=1; }
    done
    if [[ $bad == 0 ]]; then echo "ok  gpkg $layer: $got × $geom"; else fail=1; fi
done <"$expected"
styles=$(ogrinfo -ro -q -sql "SELECT COUNT(DISTINCT f_table_name) AS n FROM layer_styles" "$gpkg" | sed -n 's/.*n (Integer) = //p')
tables=$(ogrinfo -ro -q "$gpkg" | grep -vc 'layer_styles')
[[ "$styles" == "$tables" && "$tables" == "$layers" ]] || { echo "layer_styles: $styles styles for $tables tables, $layers expected"; fail=1; }
validator=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
if [[ -f "$validator" ]]; then
    /usr/bin/python3 "$validator" "$gpkg" || { echo "validate_gpkg.py failed"; fail=1; }
    echo "ok  validate_gpkg.py"
else
    echo "validate_gpkg.py not found (python3-gdal)"; fail=1
fi
exit $fail
