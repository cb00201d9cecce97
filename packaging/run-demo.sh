#!/usr/bin/env bash
# Command 1 of the README: set up, build, and run the main job on the built-in demo data.
# With a display: the desktop app opened on the demo. Without one: the same job from the command line
# (simulate the demo training + target pair, check them with `nym inspect`, train scNym on one and label the other).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/app/nymstudio/nymstudio --demo
fi
echo "No display: running the demo job from the command line."
out=${NYM_DEMO_DIR:-build/demo}
./build/app/nym/nym simulate --cells 6000 --genes 2000 --types 6 --domains 2 --seed 42 --out "$out" --force
./build/app/nym/nym inspect "$out/batch1.h5ad" --target "$out/batch2.h5ad"
# The demo's true labels are only used to score the result (--truth), never for training.
./build/app/nym/nym train --train "$out/batch1.h5ad" --target "$out/batch2.h5ad" --label cell_type \
  --truth cell_type --model "$out/demo.nym" --output "$out/batch2.labelled.h5ad" --table "$out/batch2.labels.csv" \
  --report "$out/train-report.json" --force
./build/app/nym/nym explain --model "$out/demo.nym" --input "$out/batch2.h5ad" --top 10 \
  --output "$out/batch2.markers.csv" --force
echo "Outputs in $out: demo.nym (model), batch2.labelled.h5ad, batch2.labels.csv, batch2.markers.csv, train-report.json"
