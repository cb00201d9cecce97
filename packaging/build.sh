#!/usr/bin/env bash
# Configures and builds Nym Studio into build/ (Release, Ninja, 2 jobs by default; NYM_JOBS to change).
# Extra arguments go to CMake, e.g. -DNYM_BUILD_GUI=OFF for a headless node.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${NYM_JOBS:-2}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNYM_WERROR=$werror "$@" >/dev/null
cmake --build build -j "$jobs"
