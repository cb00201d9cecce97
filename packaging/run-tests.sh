#!/usr/bin/env bash
# Command 2 of the README: set up, build, and run every test with CTest.
# The shared test data is looked up in ../shared (override with NYM_SHARED_DIR); tests needing it skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
extra=()
[ -n "${NYM_SHARED_DIR:-}" ] && extra+=("-DNYM_SHARED_DIR=$NYM_SHARED_DIR")
bash packaging/build.sh "${extra[@]}"
cd build
ctest --output-on-failure -j 2
