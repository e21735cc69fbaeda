#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The Debian packages, end to end (make test-deb; needs root and a Debian
# machine, and changes it: the packages are installed, then purged):
#   1. scripts/build-deb.sh builds them from a clean copy of the tree into a
#      temporary folder (DEBS=DIR tests those of an earlier `make deb` instead);
#   2. lintian: any error fails, warnings are listed;
#   3. apt-get install ./*.deb; no installed program carries a RUNPATH;
#   4. from a clean environment (env -i), `pgqpp --help`, `--version`, the
#      man page, `pgqpp demo` (a throwaway server with the packaged
#      extension, found through pg_config) and the ticker's unit file
#      (systemd-analyze verify) and config file;
#   5. a program built against libpgqpp-dev (pkg-config and find_package);
#   6. with the packages installed, the suite's server-side tests from the
#      checkout's build (the suite must not pick up the system's pgqpp;
#      DEB_SUITE=0 skips this step);
#   7. apt-get purge: no file or folder the packages installed remains, and
#      dpkg knows none of them.
# A file the packages would install that already exists (a `make install`
# into the system's PostgreSQL, say) stops the test before anything changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/testlib.sh"

[ "$(id -u)" = 0 ] || fail "needs root (it installs and purges the packages)"
for t in apt-get dpkg dpkg-deb lintian readelf; do command -v $t >/dev/null || fail "$t is not installed"; done

# What step 6 runs: the SQL and isolation tests and the tests that install,
# stage or look for the extension.
installed_suite='sql/|regress/|isolation/|integration/(cli_admin|cli_demo|cli_status|install_runs|lib_install|lib_client|extension_name_pgq|extension_update)'

work=$(mktemp -d /tmp/pgqpp-test-deb.XXXXXX)
chmod 755 "$work"
debs="$work/debs"
installed=()
cleanup() {
  local rc=$?
  if [ ${#installed[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${installed[@]}" >/dev/null 2>&1 || true
  fi
  if [ "${KEEP_TEST_WORK:-}" = "" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
  exit $rc
}
trap cleanup EXIT

# --- 1. build (or take the packages of an earlier `make deb` from DEBS=DIR) ---
if [ -n "${DEBS:-}" ]; then
  mkdir -p "$debs"
  cp "$DEBS"/*.deb "$DEBS"/*.changes "$DEBS"/*.buildinfo "$debs"/ || fail "no packages in DEBS=$DEBS"
  echo "note: testing the packages in $DEBS, not building them"
else
  "$root/scripts/build-deb.sh" "$debs" >"$work/build.out" 2>&1 || { cat "$work/build.out"; fail "building the packages failed"; }
fi
packages=()
for deb in "$debs"/*.deb; do packages+=("$(dpkg-deb -f "$deb" Package)"); done
echo "ok: built ${packages[*]}"
for p in postgresql-15-pgqpp pgqpp libpgqpp2 libpgqpp-dev; do
  printf '%s\n' "${packages[@]}" | grep -qx "$p" || fail "no package $p was built"
done
stat -c '  %s	%n' "$debs"/*.deb

# --- 2. lintian ---
# (stderr only warns that root runs it)
lintian --fail-on error "$debs"/*.changes >"$work/lintian.out" 2>"$work/lintian.err" || {
  cat "$work/lintian.out" "$work/lintian.err"
  fail "lintian reports errors"
}
if [ -s "$work/lintian.out" ]; then
  echo "lintian (no errors):"
  sed 's/^/  /' "$work/lintian.out"
else
  echo "ok: lintian reports nothing"
fi

# --- 3. install ---
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qv '^not-installed$'; then
    fail "$p is already known to dpkg: apt-get purge it first"
  fi
done
# What the packages hold; none of their files may exist yet.
for deb in "$debs"/*.deb; do dpkg-deb --fsys-tarfile "$deb" | tar -t; done |
  sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' | sort -u >"$work/contents"
: >"$work/existed"
while read -r path; do
  if [ -d "$path" ]; then  # (a folder, or a link to one: /lib on merged /usr)
    echo "$path" >>"$work/existed"
  elif [ -e "$path" ] || [ -L "$path" ]; then
    fail "$path already exists (not from a package): remove it first"
  fi
done <"$work/contents"
installed=("${packages[@]}")
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$debs"/*.deb >"$work/install.out" 2>&1 || {
  cat "$work/install.out"
  fail "apt-get install ./*.deb failed"
}
for p in "${packages[@]}"; do dpkg -L "$p"; done | grep -vx "/\\." | sort -u >"$work/dpkg-files"
echo "ok: installed, $(wc -l <"$work/dpkg-files") paths"
while read -r f; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  if readelf -d "$f" 2>/dev/null | grep -qE 'RPATH|RUNPATH'; then fail "$f carries an RPATH"; fi
done < <(grep -E '^/usr/(bin|lib)/' "$work/dpkg-files")
echo "ok: no installed program or library carries an RPATH"

# --- 4. the tool, the man page, the demo, the ticker's unit and config ---
clean=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
[ "$(command -v pgqpp)" = /usr/bin/pgqpp ] || fail "pgqpp on the PATH is $(command -v pgqpp), not /usr/bin/pgqpp"
out=$("${clean[@]}" pgqpp --help) || fail "pgqpp --help failed"
echo "$out" | grep -q ticker || fail "pgqpp --help does not mention the ticker: $out"
version=$("${clean[@]}" pgqpp --version)
[ "$version" = "$(dpkg-query -W -f='${Version}' pgqpp)" ] || fail "pgqpp --version says '$version'"
echo "ok: pgqpp --help and --version ($version) from /usr/bin"

man=$(dpkg -L pgqpp | grep -E '/man1/pgqpp\.1\.gz$') || fail "pgqpp installs no man page"
zcat "$man" | grep -q '^\.TH PGQPP "1"' || fail "$man is not a section 1 page for pgqpp"
for c in $(python3 "$root/scripts/cli-docs.py" --list --binary /usr/bin/pgqpp); do
  zcat "$man" | grep -q "pgqpp $c" || fail "the man page does not describe pgqpp $c"
done
sql_man=$(dpkg -L pgqpp | grep -E '/man7/pgqpp-sql\.7\.gz$') || fail "pgqpp installs no pgqpp-sql(7)"
zcat "$sql_man" | grep -q '^\.B pgq\.insert_event(' || fail "$sql_man does not describe pgq.insert_event"
for m in "$man" "$sql_man"; do
  if command -v man >/dev/null; then
    man -l "$m" >/dev/null 2>"$work/man.err" || fail "man cannot render $m"
    [ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man warns about $m"; }
  else
    echo "note: man is not installed; $m checked by its text only"
  fi
  echo "ok: man page $m"
done

"${clean[@]}" pgqpp demo --help >"$work/demo-help.out" || fail "pgqpp demo --help failed"
"${clean[@]}" pgqpp demo --seconds 3 --rate 500 >"$work/demo.out" 2>&1 || {
  cat "$work/demo.out"
  fail "pgqpp demo failed from the packaged files"
}
grep -q "every event reached every consumer exactly once" "$work/demo.out" || {
  cat "$work/demo.out"
  fail "pgqpp demo did not confirm delivery"
}
echo "ok: pgqpp demo from the packaged files: $(grep 'events produced' "$work/demo.out" | sed 's/^ *//')"

unit=$(dpkg -L pgqpp | grep -E '/systemd/system/pgqpp-ticker\.service$') || fail "pgqpp installs no pgqpp-ticker.service"
grep -q '^User=postgres$' "$unit" || fail "$unit does not run as postgres"
grep -q '^Restart=on-failure$' "$unit" || fail "$unit does not restart on failure"
grep -q '^ExecReload=.*-HUP' "$unit" || fail "$unit does not reload with SIGHUP"
grep -q '^ExecStart=/usr/bin/pgqpp ticker /etc/pgqpp/ticker.ini$' "$unit" || fail "$unit does not start the ticker on /etc/pgqpp/ticker.ini"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; fail "systemd-analyze verify $unit failed"; }
  if grep -i pgqpp "$work/verify.out"; then fail "systemd-analyze verify warns about $unit"; fi
  echo "ok: systemd-analyze verify $unit"
else
  echo "note: systemd-analyze is not installed; $unit checked by its keys only"
fi
dpkg-query -W -f='${Conffiles}\n' pgqpp | grep -q ' /etc/pgqpp/ticker.ini ' || fail "/etc/pgqpp/ticker.ini is not a conffile"
# The ticker takes the packaged config as the unit would start it (as postgres):
# a bad key would stop it at once with exit 2; a good one runs until SIGTERM.
set +e
"${clean[@]}" setpriv --reuid=postgres --regid=postgres --init-groups \
  timeout --preserve-status -s TERM 2 pgqpp ticker /etc/pgqpp/ticker.ini >"$work/ticker.out" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$work/ticker.out"; fail "pgqpp ticker /etc/pgqpp/ticker.ini exited $rc (0 expected on SIGTERM)"; }
echo "ok: pgqpp ticker runs on /etc/pgqpp/ticker.ini as postgres and stops on SIGTERM"

# --- 5. libpgqpp-dev ---
mkdir -p "$work/app"
cat >"$work/app/hello.cpp" <<'CPP'
#include <pgqpp/pgqpp.hpp>
int main() { pgqpp::ConsumerOptions o; return o.queue.empty() ? 0 : 1; }
CPP
cat >"$work/app/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(hello LANGUAGES CXX)
find_package(pgqpp 1.0 REQUIRED)
add_executable(hello hello.cpp)
target_link_libraries(hello PRIVATE pgqpp::pgqpp)
CMAKE
# shellcheck disable=SC2046  # pkg-config's flags as words
g++ "$work/app/hello.cpp" -o "$work/app/hello-pc" $(pkg-config --cflags --libs pgqpp) ||
  fail "building against libpgqpp-dev with pkg-config failed"
"${clean[@]}" "$work/app/hello-pc" || fail "the pkg-config build does not run"
cmake -S "$work/app" -B "$work/app/build" >"$work/app.log" 2>&1 && cmake --build "$work/app/build" >>"$work/app.log" 2>&1 ||
  { cat "$work/app.log"; fail "building against libpgqpp-dev with find_package(pgqpp) failed"; }
"${clean[@]}" "$work/app/build/hello" || fail "the find_package build does not run"
echo "ok: libpgqpp-dev: built and ran with pkg-config and find_package(pgqpp)"

# --- 6. the suite, with pgqpp installed system-wide ---
# The tests stage a server of their own from the checkout's build; files the
# packages put into Debian's PostgreSQL must not leak into it.
if [ "${DEB_SUITE:-1}" = 1 ]; then
  make -C "$root" test ONLY="$installed_suite" >"$work/suite.out" 2>&1 || {
    tail -60 "$work/suite.out"
    fail "the suite fails with pgqpp installed system-wide"
  }
  echo "ok: the suite with the packages installed; ctest's closing line:"
  grep -E '^[0-9]+% tests passed' "$work/suite.out" | tail -1
fi

# --- 7. purge ---
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >"$work/purge.out" 2>&1 || {
  cat "$work/purge.out"
  fail "apt-get purge failed"
}
installed=()
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qv '^not-installed$'; then
    fail "dpkg still knows $p after purge"
  fi
done
left=()
while read -r path; do
  grep -qxF "$path" "$work/existed" && continue
  if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
done < <(sort -u "$work/contents" "$work/dpkg-files")
for path in /etc/pgqpp /etc/systemd/system/multi-user.target.wants/pgqpp-ticker.service; do
  if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
done
[ ${#left[@]} = 0 ] || fail "left after apt-get purge: ${left[*]}"
echo "ok: apt-get purge removed all $(wc -l <"$work/dpkg-files") paths"
