#!/usr/bin/env bash
# Installs every Debian 12 package Nym Studio needs to build, run and test.
# Idempotent: packages already present are skipped by apt; the BLAS pin is re-applied.
set -euo pipefail

PKGS=(
  # build
  cmake ninja-build g++ pkg-config ccache
  # libraries (TOOLCHAIN.md)
  qt6-base-dev qt6-svg-dev libtorch-dev libopenblas0-openmp libhdf5-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libhnswlib-dev libspectra-dev libcli11-dev nlohmann-json3-dev libeigen3-dev liblzf-dev zlib1g-dev libdeflate-dev
  # tests: interop with anndata, real windows and screenshots, file inspection
  python3 python3-anndata python3-h5py python3-numpy python3-scipy python3-pandas
  xvfb xauth imagemagick hdf5-tools
  # packaging: man pages from --help, PNG icons, desktop-file and AppStream checks, dpkg-shlibdeps
  help2man librsvg2-bin desktop-file-utils appstream dpkg-dev
  # fuzzing (libFuzzer ships with clang; clang's OpenMP runtime so the fuzz build configures core)
  clang libclang-rt-14-dev libomp-dev
)

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -E bash "$0" "$@"
  fi
  echo "install-deps: needs root to install Debian packages." >&2
  echo "  Run: sudo bash packaging/install-deps.sh" >&2
  echo "  or install these packages yourself: ${PKGS[*]}" >&2
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi

# Debian's libtorch calls the system BLAS; pin it to the OpenMP OpenBLAS (TOOLCHAIN.md, pitfall 1).
ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
OB=/usr/lib/$ARCH/openblas-openmp
for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target="$OB/$alt"
  if [ -e "$target" ] && update-alternatives --list "$alt-$ARCH" >/dev/null 2>&1; then
    update-alternatives --quiet --set "$alt-$ARCH" "$target"
  fi
done
echo "install-deps: BLAS -> $(readlink -f /usr/lib/$ARCH/libblas.so.3)"
