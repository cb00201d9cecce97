#!/usr/bin/env bash
# Installs the built package on this machine (as root, with apt-get), runs the installed programs, checks the
# desktop files, then purges it and checks that nothing is left. Usage: packaging/test-deb.sh [PACKAGE.deb]
#        packaging/test-deb.sh --cpack BUILD_DIR   (builds the package there first; the CTest test package_install)
# Exit 77 (skipped) when not root or when another nymstudio package is already installed (it is not touched).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--cpack" ]; then
  build=$(readlink -f "$2")
  if [ "$(id -u)" -ne 0 ]; then echo "test-deb: skipped (needs root to install a package)"; exit 77; fi
  rm -f "$build"/nymstudio_*.deb
  (cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log" >&2; echo "test-deb: cpack failed" >&2; exit 1; }
  set -- "$(ls "$build"/nymstudio_*.deb | head -1)"
fi
deb=${1:-$(ls -t build/nymstudio_*.deb 2>/dev/null | head -1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "test-deb: no package; run packaging/build-deb.sh first" >&2; exit 1; }
deb=$(readlink -f "$deb")
if [ "$(id -u)" -ne 0 ]; then echo "test-deb: skipped (needs root to install a package)"; exit 77; fi
if dpkg-query -W -f='${Status}' nymstudio 2>/dev/null | grep -q "install ok installed"; then
  echo "test-deb: skipped (a nymstudio package is already installed; not touching it)"; exit 77
fi
version=$(dpkg-deb --field "$deb" Version)
work=$(mktemp -d)
cleanup() { apt-get purge -y -qq nymstudio >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }

echo "test-deb: installing $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
  || { cat "$work/apt.log" >&2; fail "apt-get install"; }
dpkg -L nymstudio >"$work/files"
while read -r f; do
  case "$f" in /usr|/usr/*|/.) ;; *) fail "installs $f outside /usr" ;; esac
done <"$work/files"

# The installed programs, found on PATH as a user would.
v=$(/usr/bin/nym --version)
[[ "$v" == "nym $version "* ]] || fail "nym --version says '$v', the package is $version"
cd "$work"
nym simulate --cells 600 --genes 300 --types 3 --domains 2 --seed 1 --out demo >/dev/null
nym train --train demo/batch1.h5ad --target demo/batch2.h5ad --label cell_type --truth cell_type --epochs 3 \
  --model demo/m.nym --table demo/labels.csv --report demo/report.json >/dev/null
[ "$(wc -l <demo/labels.csv)" -gt 100 ] || fail "nym train wrote no labels"
nym predict --model demo/m.nym --input demo/batch2.h5ad --table demo/again.csv >/dev/null
# A damaged file is checked by the installed helper in its own process and named, not a crash.
helper=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/nym/nym-isolate
[ -x "$helper" ] || fail "missing $helper"
head -c 5000 demo/batch2.h5ad >demo/cut.h5ad
for h in "" "$helper"; do
  if NYM_ISOLATE_HELPER="$h" nym inspect demo/cut.h5ad >"$work/cut.log" 2>&1; then fail "nym inspect read a cut file"; fi
  grep -q "cut.h5ad" "$work/cut.log" || { cat "$work/cut.log" >&2; fail "nym inspect: no message naming the cut file"; }
done
QT_QPA_PLATFORM=offscreen timeout 120 nymstudio --version | grep -q "$version" || fail "nymstudio --version"
QT_QPA_PLATFORM=offscreen timeout 300 nymstudio --screenshots shots --epochs 2 >"$work/studio.log" 2>&1 \
  || { cat "$work/studio.log" >&2; fail "nymstudio --screenshots (the demo tour)"; }
[ "$(ls shots/*.png | wc -l)" -ge 3 ] || fail "the demo tour saved no screenshots"
cd - >/dev/null

# Desktop integration files are valid and in place.
appstreamcli validate --no-net /usr/share/metainfo/io.github.nymstudio.nymstudio.metainfo.xml >/dev/null \
  || fail "appstreamcli validate"
desktop-file-validate /usr/share/applications/io.github.nymstudio.nymstudio.desktop || fail "desktop-file-validate"
for f in /usr/share/icons/hicolor/scalable/apps/nymstudio.svg /usr/share/icons/hicolor/48x48/apps/nymstudio.png \
         /usr/share/mime/packages/nymstudio.xml /usr/share/man/man1/nym.1.gz /usr/share/man/man1/nymstudio.1.gz \
         /usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/nym/libnym_engine.so /usr/share/doc/nymstudio/copyright \
         /usr/share/doc/nymstudio/changelog.gz; do
  [ -e "$f" ] || fail "missing $f"
done
zcat /usr/share/man/man1/nym.1.gz | grep -q 'nym train' || fail "nym.1 lacks the train command"

# Purge: nothing of ours is left.
apt-get purge -y -qq nymstudio >/dev/null 2>&1 || fail "apt-get purge"
left=0
while read -r f; do
  if [ -f "$f" ] || [ -L "$f" ]; then echo "test-deb: left behind: $f" >&2; left=1; fi
done <"$work/files"
[ $left -eq 0 ] || fail "files left after purge"
echo "test-deb: OK ($version: installed, ran nym and nymstudio, validated, purged)"
