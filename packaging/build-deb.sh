#!/usr/bin/env bash
# Builds the Debian package build/nymstudio_<version>_<arch>.deb (CPack; runtime dependencies from dpkg-shlibdeps).
# Installs the build dependencies first (packaging/install-deps.sh), builds in build/ like packaging/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh "$@"
cd build
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log >&2; echo "build-deb: cpack failed (log above)" >&2; exit 1; }
deb=$(ls -t nymstudio_*.deb | head -1)
echo "build-deb: $(pwd)/$deb"
dpkg-deb --field "$deb" Package Version Architecture Depends
