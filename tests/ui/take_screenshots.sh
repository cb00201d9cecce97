#!/usr/bin/env bash
# Runs the desktop app in a real X window under Xvfb on the demo data and saves screenshots for the README.
# usage: tests/ui/take_screenshots.sh [OUT_DIR]   (default resources/screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-resources/screenshots}
mkdir -p "$out"
export XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
app=build/app/nymstudio/nymstudio
xvfb-run -a -s "-screen 0 1280x800x24" "$app" --demo --screenshot "$out/demo-preflight.png"
echo "saved $out/demo-preflight.png"
