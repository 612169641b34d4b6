#!/usr/bin/env bash
# Builds the Debian package onshi with Debian's own tooling (debhelper, packaging/debian) from
# the working tree as it is (git-tracked files plus untracked ones that are not ignored), and
# checks it with lintian.
# Usage: packaging/build-deb.sh [OUTDIR]   (default ./build-deb)
# Prints the .deb's path as its last line. Fails when the build fails, or when lintian reports
# an error or a warning that packaging/debian/onshi.lintian-overrides does not override.
# Needs: dpkg-dev, debhelper, lintian and the Build-Depends of packaging/debian/control
# (packaging/install-deps.sh test installs them).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
outdir=${1:-./build-deb}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# The changelog names the package's version; it has to be the one the binaries report.
cmake_version=$(sed -n 's/^project(onshi VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
deb_version=$(dpkg-parsechangelog -l "$repo/packaging/debian/changelog" -S Version)
if [ "${deb_version%%[-+~]*}" != "$cmake_version" ]; then
  echo "build-deb: packaging/debian/changelog is at $deb_version but CMakeLists.txt at" \
       "$cmake_version: add a changelog entry (dch -v $cmake_version)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/onshi-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/onshi-$deb_version"
mkdir "$src"
# Files deleted in the working tree are still listed by git until committed: skip them.
(cd "$repo" && git ls-files -z -co --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -C "$src" -xf -
rm -rf "$src/debian"
cp -a "$src/packaging/debian" "$src/debian"

echo "build-deb: building onshi $deb_version in $src" >&2
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
log="$outdir/onshi_${deb_version}_${arch}.build.log"
# The project's tests are not run here (nocheck; debian/rules configures -DONSHI_TESTS=OFF).
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) > "$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "build-deb: dpkg-buildpackage failed (whole log: $log)" >&2
  exit 1
fi

deb="onshi_${deb_version}_${arch}.deb"
cp "$work/$deb" "$outdir/"
# The detached debug symbols (dh_strip), for a site that wants them.
cp "$work/onshi-dbgsym_${deb_version}_${arch}.deb" "$outdir/"

echo "build-deb: lintian $outdir/$deb" >&2
if ! lintian --fail-on error,warning --display-info "$outdir/$deb" >&2; then
  echo "build-deb: lintian failed (fix the tags above, or override one in" \
       "packaging/debian/onshi.lintian-overrides with a comment saying why)" >&2
  exit 1
fi
echo "$outdir/$deb"
