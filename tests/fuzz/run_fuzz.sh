#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 600).
# usage: tests/fuzz/run_fuzz.sh [SECONDS] [structured|raw|both]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
which=${2:-both}
shared=${NYM_SHARED_DIR:-$(pwd)/../shared}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNYM_FUZZ=ON \
  -DNYM_BUILD_GUI=OFF -DNYM_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" >/dev/null
cmake --build build-fuzz -j 2 --target fuzz_readers_structured fuzz_readers_raw
mkdir -p build-fuzz/corpus-structured build-fuzz/corpus-raw build-fuzz/artifacts
# Seed the raw fuzzer with the small real layouts (copied into the build folder, never into the sources).
if [ -d "$shared/fixtures/h5" ]; then
  for f in "$shared"/fixtures/h5/*.h5*; do
    [ "$(stat -c %s "$f")" -lt 300000 ] && cp -n "$f" build-fuzz/corpus-raw/ || true
  done
fi
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
for mode in structured raw; do
  [ "$which" = both ] || [ "$which" = "$mode" ] || continue
  echo "== fuzz_readers_$mode for ${secs}s"
  # Raw mode keeps going after a crash (fork mode) so that every distinct libhdf5 crash is collected; each is
  # then replayed through `nym inspect`, whose isolated structure check must turn it into an error message.
  extra=()
  [ "$mode" = raw ] && extra=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  ./build-fuzz/tests/fuzz/fuzz_readers_$mode build-fuzz/corpus-$mode -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -artifact_prefix=build-fuzz/artifacts/$mode- -print_final_stats=1 "${extra[@]}" 2>&1 | tail -25 || true
done

# Replay every crash input through the real CLI (isolation on): each must exit 1 with a message, never die.
if [ -x build/app/nym/nym ]; then
  bad=0
  for f in build-fuzz/artifacts/*; do
    [ -f "$f" ] || continue
    rc=0
    ./build/app/nym/nym inspect "$f" >/dev/null 2>&1 || rc=$?
    if [ $rc -ne 1 ] && [ $rc -ne 0 ] && [ $rc -ne 2 ]; then echo "NOT CONTAINED (exit $rc): $f"; bad=1; fi
  done
  echo "replayed $(ls build-fuzz/artifacts | wc -l) crash inputs through nym inspect: $([ $bad = 0 ] && echo all contained || echo FAILURES)"
fi
