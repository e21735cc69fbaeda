#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp demo` with the staged server run-all.sh uses (pgqpp is not installed
# in the system's server): it starts its own cluster, prints live lines and a
# summary in which both consumers got every event exactly once, and leaves no
# cluster, process or folder behind: after a normal run, after SIGINT, and
# after a failure (a bindir without programs, a server without pgqpp).
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/cli_demo
mkdir -p "$work/tmp"
chmod 755 "$work" "$work/tmp"
export TMPDIR=$work/tmp
fail_context() { echo "--- output:"; cat "$work/out" 2>/dev/null; }
: "${PG_STAGED_POSTGRES:?run from the ctest fixture, tests/harness/fixture.sh, which stages the server}"
staged_bin=$(dirname "$PG_STAGED_POSTGRES")
# The staged folder holds only postgres; pgqpp demo wants initdb and pg_ctl
# next to it (scripts/demo.sh links them the same way).
ln -sf "$PG_BINDIR/initdb" "$staged_bin/initdb"
ln -sf "$PG_BINDIR/pg_ctl" "$staged_bin/pg_ctl"

# nothing_left FOLDER: the folder is gone, no process mentions it, TMPDIR is empty.
nothing_left() {
  [ -n "$1" ] || fail "the demo did not say where its folder is"
  [ ! -e "$1" ] || fail "the demo left $1 behind"
  if pgrep -af -- "$1" >/dev/null; then fail "processes left behind: $(pgrep -af -- "$1")"; fi
  [ -z "$(ls -A "$TMPDIR")" ] || fail "TMPDIR not empty: $(ls -A "$TMPDIR")"
}
folder_of() { grep -oE "in $TMPDIR/pgqpp-demo\.[A-Za-z0-9]+" "$work/out" | head -1 | cut -d' ' -f2; }

# --- a normal run: live lines, summary, exit 0, nothing left ---
"$pgqpp" demo --bindir "$staged_bin" --seconds 2 >"$work/out" 2>"$work/err" || fail "demo failed: $(cat "$work/err")"
folder=$(folder_of)
grep -qE '^ +[0-9.]+ s  produced [0-9,]+ \([0-9,]+/s\)  shipping [0-9,]+  billing [0-9,]+' "$work/out" ||
  fail "no live line"
grep -q $'\r' "$work/out" && fail "carriage returns in a non-terminal output"
grep -qE '^  events produced +[0-9,]+ in ' "$work/out" || fail "no produced count"
produced=$(grep -oE '^  events produced +[0-9,]+' "$work/out" | grep -oE '[0-9,]+$' | tr -d ,)
[ "$produced" -gt 100 ] || fail "only $produced events produced in 2 s"
for c in shipping billing; do
  line=$(grep -E "^  consumer $c " "$work/out") || fail "no summary line for $c"
  echo "$line" | grep -qE "consumer $c +[0-9,]+ events in [0-9,]+ batches, latency p50 [0-9.]+ ms, p99 [0-9.]+ ms, lost 0, duplicated 0$" ||
    fail "summary line for $c: $line"
  got=$(echo "$line" | grep -oE "$c +[0-9,]+" | grep -oE '[0-9,]+$' | tr -d ,)
  [ "$got" = "$produced" ] || fail "$c consumed $got of $produced"
done
grep -q "every event reached every consumer exactly once" "$work/out" || fail "no exactly-once line"
nothing_left "$folder"
echo "normal run: $(grep -E '^  (events|consumer)' "$work/out" | tr -s ' ' | paste -sd';')"

# --- --web: the console serves the demo's queue while it runs, and stops with it ---
: >"$work/out"
"$pgqpp" demo --bindir "$staged_bin" --seconds 8 --web --web-listen "127.0.0.1:$(free_port)" \
  >"$work/out" 2>"$work/err" &
pid=$!
wait_for 60 "the demo's console" grep -q "^==> the console: open http://" "$work/out"
url=$(grep -oE "^==> the console: open http://[0-9.]+:[0-9]+/" "$work/out" | grep -oE "http://.*")
wait_for 15 "orders in the console's status" sh -c "curl -s --max-time 5 ${url}api/status | grep -q '\"name\":\"orders\"'"
curl -s --max-time 5 "${url}api/status" | grep -q '"name":"shipping"' || fail "no consumer shipping in ${url}api/status"
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || fail "demo --web: exit $rc: $(cat "$work/err")"
folder=$(folder_of)
curl -s --max-time 2 "${url}api/status" >/dev/null && fail "the console still answers after the demo"
nothing_left "$folder"
echo "--web: the console served the demo's queue at $url and stopped with it"

# --- as an ordinary user (here: postgres), no runuser involved ---
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$work/usertmp"
  chown postgres "$work/usertmp"
  runuser -u postgres -- env TMPDIR="$work/usertmp" "$pgqpp" demo --bindir "$staged_bin" --seconds 1 \
    >"$work/out" 2>"$work/err" || fail "demo as an ordinary user failed: $(cat "$work/err")"
  grep -q "every event reached every consumer exactly once" "$work/out" || fail "demo as an ordinary user: no summary"
  [ -z "$(ls -A "$work/usertmp")" ] || fail "demo as an ordinary user left $(ls -A "$work/usertmp")"
  echo "as an ordinary user: the same summary, nothing left"
fi

# --- SIGINT in the middle: exit 1 with one line, everything removed ---
# Emptied first: the background demo truncates it only once it has started,
# and the wait below must not read the previous run's "==> producer".
: >"$work/out"
"$pgqpp" demo --bindir "$staged_bin" --seconds 60 >"$work/out" 2>"$work/err" &
pid=$!
end=$((SECONDS + 60))
until grep -q "^==> producer" "$work/out"; do
  [ $SECONDS -lt $end ] && kill -0 $pid 2>/dev/null || fail "the demo did not reach its producer: $(cat "$work/err")"
  sleep 0.1
done
sleep 1
folder=$(folder_of)
kill -INT $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 1 ] || fail "demo after SIGINT: exit $rc"
[ "$(cat "$work/err")" = "pgqpp demo: interrupted; the cluster was stopped and its folder removed" ] ||
  fail "demo after SIGINT said: $(cat "$work/err")"
nothing_left "$folder"
echo "SIGINT: exit 1, cluster stopped, folder removed"

# --- failures: one line, nothing left ---
set +e
"$pgqpp" demo --bindir /nonexistent --seconds 1 >"$work/out" 2>"$work/err"
rc=$?
set -e
[ "$rc" = 1 ] && [ "$(cat "$work/err")" = "pgqpp demo: no initdb in /nonexistent (pass --bindir with PostgreSQL's programs, e.g. \$(pg_config --bindir))" ] ||
  fail "bad bindir: exit $rc, $(cat "$work/err")"
if [ ! -e "$PG_PKGLIBDIR/pgqpp.so" ]; then
  # The system's server has no pgqpp (make install was not run).
  set +e
  "$pgqpp" demo --bindir "$PG_BINDIR" --seconds 1 >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  folder=$(folder_of)
  [ "$rc" = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -q "has no pgqpp library (run make install" "$work/err" ||
    fail "server without pgqpp: exit $rc, $(cat "$work/err")"
  nothing_left "$folder"
  echo "a server without pgqpp: one line naming the fix, nothing left"
fi
[ -z "$(ls -A "$TMPDIR")" ] || fail "TMPDIR not empty"
"$pgqpp" demo --bindir x --seconds 0 >/dev/null 2>&1 && fail "--seconds 0 accepted"
"$pgqpp" demo --help | grep -q "Examples:" || fail "--help has no example"
echo "cli_demo: ok"
