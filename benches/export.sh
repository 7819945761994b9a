#!/usr/bin/env bash
# Measures `gazmap export` (and `import boundaries` when the geoBoundaries files are given):
# wall time and peak memory (GNU time) on a generated events CSV of realistic spellings.
# Usage: benches/export.sh [ROWS] [ADM2.geojson ADM1.geojson]     (default 100000 rows)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
cargo build --release --quiet
bin=target/release/gazmap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$rows" "$work/events.csv" <<'PY'
import csv, random, sys
random.seed(7)
names = ["Imam Sahib", "Dasht-i-Archi", "Ali Abad", "Ishkamish", "Chahar Dara", "Koundouz",
         "Qala-i-Zal", "Pul-i-Khumri", "Dih Salah", "Baghlan-e Jadid", "Kunduz", "Taloqan",
         "Sheberghan", "Pul-e-Khumri", "Mazar-i-Sharif", "Andarab", "Shibirghan", "Khinjan",
         "Farkhar", "Maimana", "Fayzabad", "Qarya-e Nowabad-e Bala", "Salang tunnel", "Khulm",
         "Nahrin", "Burka"]
events = ["Armed clash", "District captured", "Airstrike", "Protest", "Displacement", "Road closure"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["date", "place", "event", "source", "notes"])
    for i in range(int(sys.argv[1])):
        # one row in five has a spelling seen rarely (about 1,300 distinct places in all)
        place = random.choice(names) + ("" if random.random() < 0.8 else f" {i % 50}")
        w.writerow([f"2021-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}", place,
                    random.choice(events), "generated", f"row {i}"])
PY
echo "events: $rows rows, $(du -h "$work/events.csv" | cut -f1)"
/usr/bin/time -f "export --layer-by event: %e s, peak %M KB" "$bin" export "$work/events.csv" -o "$work/by-event" -q
/usr/bin/time -f "export --layer-by date:  %e s, peak %M KB" "$bin" export "$work/events.csv" -o "$work/by-date" -q --layer-by date
/usr/bin/time -f "export --format gpkg:    %e s, peak %M KB" "$bin" export "$work/events.csv" -o "$work/gpkg" -q --format gpkg
if [[ $# -ge 3 ]]; then
    /usr/bin/time -f "import boundaries:      %e s, peak %M KB" "$bin" import boundaries "$2" \
        --name-field shapeName --parents "$3" --parent-name-field shapeName -o "$work/adm2.csv" -q
    /usr/bin/time -f "export with polygons:   %e s, peak %M KB" "$bin" --gazetteer "$work/adm2.csv" \
        export "$work/events.csv" -o "$work/polygons" -q
    echo "polygon layers: $(du -sh "$work/polygons" | cut -f1)"
fi
