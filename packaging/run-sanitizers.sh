#!/usr/bin/env bash
# Builds Nym Studio with AddressSanitizer + UndefinedBehaviorSanitizer in its own folder (build-asan/) and runs the
# whole CTest suite under them. Any ASan/UBSan report fails the test it occurs in (UBSan halts on the first error);
# LeakSanitizer reports leaks except those in packaging/sanitizers/lsan.supp (Debian libraries, each with a reason).
# Usage: bash packaging/run-sanitizers.sh [extra ctest arguments, e.g. -R tst_data]
#        NYM_SANITIZE_TARGETS="tst_data tst_io" bash packaging/run-sanitizers.sh -R 'tst_(data|io)'
#        (builds only those targets: the layers without LibTorch take a fraction of the full build)
# Takes long on 2 cores: a full build without ccache hits and tests 2–5× slower (see the time printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash packaging/install-deps.sh
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
extra=()
[ -n "${NYM_SHARED_DIR:-}" ] && extra+=("-DNYM_SHARED_DIR=$NYM_SHARED_DIR")
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" -DNYM_HNSWLIB_NO_SIMD=ON -DNYM_SANITIZE=ON "${extra[@]}" >/dev/null
targets=()
for t in ${NYM_SANITIZE_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build build-asan -j "${NYM_JOBS:-2}" "${targets[@]}"
built=$(date +%s)
supp="$(pwd)/packaging/sanitizers/lsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0"
cd build-asan
status=0
ctest --output-on-failure -j "${NYM_JOBS:-2}" "$@" || status=$?
end=$(date +%s)
echo "run-sanitizers: build $(( (built - start) / 60 )) min, tests $(( (end - built) / 60 )) min; ctest exit $status"
exit $status
