#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp ticker --daemon`: refuses to start without a pidfile; with one, it
# detaches (the starting command exits 0), writes the pidfile, refuses a
# second instance on the same pidfile, and removes the pidfile on SIGTERM.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/ticker_daemonize
mkdir -p "$work"
pidfile=$work/ticker.pid
log=$work/ticker.log
fail_context() { tail -20 "$log" 2>/dev/null; }
cleanup() { [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true; }
trap cleanup EXIT

set +e
"$pgqpp" ticker --daemon --syslog 0 --database postgres 2>"$work/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--daemon without a pidfile: exit $rc, expected 2"
grep -q "needs a pidfile" "$work/err" || fail "unclear error: $(cat "$work/err")"

"$pgqpp" ticker --daemon --syslog 0 --database postgres --pidfile "$pidfile" --logfile "$log" ||
  fail "the starting command failed"
end=$((SECONDS + 10))
until [ -s "$pidfile" ]; do
  [ $SECONDS -lt $end ] || fail "no pidfile after 10 s"
  sleep 0.1
done
pid=$(cat "$pidfile")
kill -0 "$pid" || fail "process $pid from the pidfile is not running"
[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ] || [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] ||
  fail "process $pid did not detach"

set +e
"$pgqpp" ticker --syslog 0 --database postgres --pidfile "$pidfile" -q 2>"$work/err2"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a second instance on the same pidfile started"

kill -TERM "$pid"
end=$((SECONDS + 5))
while kill -0 "$pid" 2>/dev/null; do
  [ $SECONDS -lt $end ] || fail "the daemon did not stop on SIGTERM"
  sleep 0.1
done
[ ! -e "$pidfile" ] || fail "the pidfile was left behind"
grep -q "stopped" "$log" || fail "no 'stopped' line in the log"
echo "--daemon detaches, keeps its pidfile, refuses a second instance, stops on SIGTERM"
