#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `make install` leaves every installed program runnable, with no ldconfig
# and no LD_LIBRARY_PATH: each program finds libpgqpp through its RUNPATH
# ($ORIGIN/../lib), wherever the install went. Two installs:
#   1. the client components into a fresh prefix
#      (cmake --install BUILD --component libpgqpp|tool --prefix P);
#   2. everything, staged under DESTDIR with the configured prefix (the
#      extension's paths are pg_config's, so only DESTDIR keeps them away
#      from the system).
# Each program in bin/ then runs `--help` and `--version` from a clean
# environment (env -i), and the dynamic loader must take libpgqpp.so.2 from
# that install, not from a copy elsewhere on the system.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGQPP_BUILD_DIR PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

build="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}"
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/install_runs"
rm -rf "$work"
mkdir -p "$work"
for t in cmake readelf; do command -v $t >/dev/null || fail "$t is not installed"; done

# check_programs BINDIR LIBDIR: every program in BINDIR runs from env -i and
# loads libpgqpp.so.2 from LIBDIR.
check_programs() {
  local bindir=$1 libdir=$2 prog n=0 out loaded
  [ -d "$bindir" ] || fail "nothing installed in $bindir"
  for prog in "$bindir"/*; do
    [ -x "$prog" ] && [ -f "$prog" ] || continue
    n=$((n + 1))
    out=$(cd / && env -i "$prog" --help 2>&1) || fail "$prog --help failed in a clean environment: $out"
    echo "$out" | grep -q "Usage" || fail "$prog --help printed no usage: $out"
    out=$(cd / && env -i "$prog" --version 2>&1) || fail "$prog --version failed: $out"
    readelf -d "$prog" | grep -q 'R.*PATH.*\$ORIGIN' || fail "$prog has no \$ORIGIN RUNPATH"
    loaded=$(cd / && env -i LD_TRACE_LOADED_OBJECTS=1 "$prog" | awk '$1 == "libpgqpp.so.2" {print $3}')
    [ -n "$loaded" ] || fail "$prog does not load libpgqpp.so.2"
    [ "$(realpath "$loaded")" = "$(realpath "$libdir/libpgqpp.so.2")" ] ||
      fail "$prog loads $loaded, not the installed $libdir/libpgqpp.so.2"
    echo "ok: $prog runs from env -i ($out), libpgqpp from $libdir"
  done
  [ $n -gt 0 ] || fail "no program installed in $bindir"
}

# 1. The client components into a fresh prefix.
prefix="$work/prefix"
for c in libpgqpp tool; do
  cmake --install "$build" --component $c --prefix "$prefix" >>"$work/install.log"
done
lib=$(dirname "$(find "$prefix" -name 'libpgqpp.so.2' | head -1)")
[ "$lib" != . ] || fail "no libpgqpp.so.2 under $prefix"
check_programs "$prefix/bin" "$lib"

# 2. Everything, as `make install` does it, staged under DESTDIR.
dest="$work/dest"
DESTDIR="$dest" cmake --install "$build" >"$work/install-all.log"
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
lib=$(dirname "$(find "$dest$configured" -name 'libpgqpp.so.2' | head -1)")
[ "$lib" != . ] || fail "no libpgqpp.so.2 under $dest$configured"
find "$dest" -name '*.control' | grep -q . || fail "the full install has no extension control file"
check_programs "$dest$configured/bin" "$lib"
