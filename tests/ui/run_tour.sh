#!/usr/bin/env bash
# Runs `nymstudio --screenshots` (the app on its demo data: load, train a few epochs, label) and checks that each
# step's screenshot is a real PNG. usage: run_tour.sh NYMSTUDIO OUT_DIR
set -euo pipefail
app=$1
out=$2
rm -rf "$out"
"$app" --screenshots "$out" --epochs 3
for f in data training results map_labels map_confidence map_gene review inspector history; do
  png="$out/$f.png"
  [ -s "$png" ] || { echo "missing $png" >&2; exit 1; }
  head -c 8 "$png" | od -An -c | grep -q 'P   N   G' || { echo "$png is not a PNG" >&2; exit 1; }
done
echo "tour screenshots: $(ls "$out")"
