#!/usr/bin/env bash
# Fetches the map page's JavaScript dependencies from the npm registry at pinned versions,
# checks each tarball against the sha512 integrity the registry published for it, and unpacks
# the files the page embeds into web/vendor/ (not committed). `cargo build --features html`
# embeds them; build.rs refuses to build the feature without them or with other files.
#
#   bash web/fetch.sh
#
# Needs: npm, tar, python3. Network: the npm registry only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vendor="$here/vendor"

# name@version, sha512 integrity as `npm view NAME@VERSION dist.integrity` prints it
declare -A INTEGRITY=(
  [leaflet@1.9.4]=sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==
  [leaflet.markercluster@1.5.3]=sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==
)
# tarball path -> file name in web/vendor
declare -A FILES=(
  [leaflet@1.9.4:package/dist/leaflet.js]=leaflet.js
  [leaflet@1.9.4:package/dist/leaflet.css]=leaflet.css
  [leaflet@1.9.4:package/LICENSE]=LICENSE-leaflet
  [leaflet.markercluster@1.5.3:package/dist/leaflet.markercluster.js]=leaflet.markercluster.js
  [leaflet.markercluster@1.5.3:package/dist/MarkerCluster.css]=MarkerCluster.css
  [leaflet.markercluster@1.5.3:package/dist/MarkerCluster.Default.css]=MarkerCluster.Default.css
  [leaflet.markercluster@1.5.3:package/MIT-LICENCE.txt]=LICENSE-leaflet.markercluster
)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gazmap-web.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "${!INTEGRITY[@]}" >/dev/null )
for spec in "${!INTEGRITY[@]}"; do
  name=${spec%@*} version=${spec##*@}
  tgz="$tmp/$name-$version.tgz"
  got="sha512-$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tgz")"
  if [[ "$got" != "${INTEGRITY[$spec]}" ]]; then
    echo "web/fetch.sh: integrity mismatch for $spec: got $got, expected ${INTEGRITY[$spec]}" >&2
    exit 1
  fi
  mkdir -p "$tmp/$name" && tar -xzf "$tgz" -C "$tmp/$name"
done
rm -rf "$vendor.new" && mkdir -p "$vendor.new"
for key in "${!FILES[@]}"; do
  spec=${key%%:*} path=${key#*:}
  cp "$tmp/${spec%@*}/$path" "$vendor.new/${FILES[$key]}"
done
# what build.rs checks: the pinned versions and their integrity
for spec in $(printf '%s\n' "${!INTEGRITY[@]}" | sort); do
  echo "$spec ${INTEGRITY[$spec]}"
done >"$vendor.new/VERSIONS"
rm -rf "$vendor" && mv "$vendor.new" "$vendor"
echo "web/fetch.sh: $(ls "$vendor" | wc -l) files in $vendor" >&2
