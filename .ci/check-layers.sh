#!/usr/bin/env bash
# Checks the layers `gazmap export` (or, with SUBCOMMAND=extract, `gazmap extract`) writes with a real consumer, GDAL's ogrinfo: every layer
# opens without warnings or errors, with the feature count and geometry type of the expected
# file (`layer count geometry` lines; `unresolved.csv count` for the unresolved rows), and no
# other layer is written. `field NAME TYPE` lines name the type ogrinfo must read for a field in
# every layer (`date_start Date`, `fatalities Integer`, …) where it has a value (GeoJSON has no
# schema, so GDAL types a field that is null in every feature, as date_start in `undated`, as String).
# LAYER_BY=date|none passes --layer-by; a layer line `*` then stands for whatever layers appear.
# Usage: [SUBCOMMAND=extract] [LAYER_BY=…] .ci/check-layers.sh GAZMAP INPUT EXPECTED [gazmap global options…]
set -euo pipefail
gazmap=$1 events=$2 expected=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$gazmap" "$@" "${SUBCOMMAND:-export}" "$events" -o "$out" --quiet ${LAYER_BY:+--layer-by "$LAYER_BY"}
fail=0
want_layers=()
fields=()
while read -r kw name type; do
    [[ "$kw" == field ]] && fields+=("$name:$type")
done <"$expected"
check_fields() { # LAYER INFO
    local layer=$1 info=$2 f got bad=0 nulls
    nulls=" $(python3 -c 'import json,sys
fs=json.load(open(sys.argv[1]))["features"]
keys={k for f in fs for k in f["properties"]}
print(" ".join(sorted(k for k in keys if all(f["properties"].get(k) is None for f in fs))))' "$out/$layer.geojson") "
    for f in "${fields[@]}"; do
        [[ "$nulls" == *" ${f%%:*} "* ]] && continue
        got=$(sed -n "s/^${f%%:*}: \([A-Za-z]*\).*/\1/p" <<<"$info")
        [[ "$got" == "${f#*:}" ]] || { echo "$layer: field ${f%%:*} is ${got:-missing}, expected ${f#*:}"; bad=1; }
    done
    return $bad
}
if grep -qE '^\* ' "$expected"; then
    # any layers: check each one written
    for file in "$out"/*.geojson; do
        layer=$(basename "$file" .geojson)
        info=$(ogrinfo -ro -al -so "$file" 2>&1) || { echo "$layer: ogrinfo failed:"; echo "$info"; fail=1; continue; }
        if grep -qiE 'warning|error' <<<"$info"; then echo "$layer: ogrinfo complains:"; grep -iE 'warning|error' <<<"$info"; fail=1; fi
        check_fields "$layer" "$info" || { fail=1; continue; }
        want_layers+=("$layer.geojson")
    done
    echo "ok  ${#want_layers[@]} layers by ${LAYER_BY:-event}: fields ${fields[*]}"
fi
while read -r layer count geometry; do
    [[ -z "$layer" || "$layer" == \#* || "$layer" == field || "$layer" == '*' ]] && continue
    if [[ "$layer" == unresolved.csv ]]; then
        got=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$out/unresolved.csv")
        [[ "$got" == "$count" ]] || { echo "unresolved.csv: $got rows, expected $count"; fail=1; }
        continue
    fi
    want_layers+=("$layer.geojson")
    file="$out/$layer.geojson"
    if [[ ! -f "$file" ]]; then echo "$layer: not written"; fail=1; continue; fi
    info=$(ogrinfo -ro -al -so "$file" 2>&1) || { echo "$layer: ogrinfo failed:"; echo "$info"; fail=1; continue; }
    bad=0
    if grep -qiE 'warning|error' <<<"$info"; then echo "$layer: ogrinfo complains:"; grep -iE 'warning|error' <<<"$info"; bad=1; fi
    got_count=$(sed -n 's/^Feature Count: //p' <<<"$info")
    got_geom=$(sed -n 's/^Geometry: //p' <<<"$info")
    [[ "$got_count" == "$count" ]] || { echo "$layer: $got_count features, expected $count"; bad=1; }
    [[ "$got_geom" == "$geometry" ]] || { echo "$layer: geometry $got_geom, expected $geometry"; bad=1; }
    check_fields "$layer" "$info" || bad=1
    if [[ $bad == 0 ]]; then echo "ok  $layer: $got_count × $got_geom"; else fail=1; fi
done <"$expected"
for f in "$out"/*.geojson; do
    name=$(basename "$f")
    [[ " ${want_layers[*]} " == *" $name "* ]] || { echo "$name: written but not expected"; fail=1; }
done
exit $fail
