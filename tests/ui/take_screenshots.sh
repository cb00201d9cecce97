#!/usr/bin/env bash
# Runs the desktop app in a real X window under Xvfb on the demo data: loads it, trains a few epochs, labels the
# target, maps it, and saves a screenshot of each step (data, training, results, map by label / confidence / gene).
# usage: tests/ui/take_screenshots.sh [OUT_DIR] [EPOCHS]   (defaults resources/screenshots, 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-resources/screenshots}
epochs=${2:-30}
mkdir -p "$out"
export XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
app=build/app/nymstudio/nymstudio
xvfb-run -a -s "-screen 0 1400x900x24" "$app" --screenshots "$out" --epochs "$epochs"
echo "saved $out/{data,training,results,map_labels,map_confidence,map_gene,review,inspector,history}.png"
