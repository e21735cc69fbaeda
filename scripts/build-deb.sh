#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Builds the Debian packages (debian/: one postgresql-<major>-pgqpp per major
# in debian/pgversions, pgqpp, libpgqpp2, libpgqpp-dev) with
# dpkg-buildpackage, from a clean copy of the source tree in a temporary
# folder, so that no build output mixes with the checkout. The .deb files
# (with the .buildinfo and .changes) land in OUT (default: build-deb/).
#
#   scripts/build-deb.sh [OUT]          JOBS=2 by default
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for t in dpkg-buildpackage dh pg_buildext help2man; do
  command -v $t >/dev/null || {
    echo "$t is not installed (apt-get install dpkg-dev debhelper postgresql-server-dev-all help2man)" >&2
    exit 1
  }
done

version=$(sed -n 's/^project(pgqpp VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
changelog=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
if [ "$version" != "$changelog" ]; then
  echo "debian/changelog is at $changelog, CMakeLists.txt at $version: add a changelog entry (dch -v $version)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/pgqpp-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/pgqpp-$version"
mkdir "$src"
# The files of the checkout as they are now (tracked and new, not ignored);
# without git (an unpacked tarball), everything but build folders.
if git -C "$root" rev-parse --show-toplevel >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$src"
else
  (cd "$root" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$src"
fi

echo "building the packages of pgqpp $version in $src"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=${JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
  nice dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
  tail -60 "$work/build.log" >&2
  echo "dpkg-buildpackage failed (the last lines are above)" >&2
  exit 1
}
cp "$work/build.log" "$out/pgqpp_${version}_build.log"
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
ls -l "$out"/*.deb
