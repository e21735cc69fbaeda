#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp ticker --daemon`: refuses to start without a pidfile; with one, it
# detaches (the starting command exits 0), writes the pidfile, refuses a
# second instance on the same pidfile, and removes the pidfile on SIGTERM.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ticker.sh"
ticker_test_setup ticker_daemonize

set +e
"$pgqpp" ticker --daemon --syslog 0 --database postgres 2>"$work/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--daemon without a pidfile: exit $rc, expected 2"
grep -q "needs a pidfile" "$work/err" || fail "unclear error: $(cat "$work/err")"

"$pgqpp" ticker --daemon --syslog 0 --database postgres --pidfile "$pidfile" --logfile "$log" ||
  fail "the starting command failed"
wait_for 10 "the pidfile" test -s "$pidfile"
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
wait_for 5 "the daemon to stop on SIGTERM" not_running "$pid"
pid=
[ ! -e "$pidfile" ] || fail "the pidfile was left behind"
grep -q "stopped" "$log" || fail "no 'stopped' line in the log"
echo "--daemon detaches, keeps its pidfile, refuses a second instance, stops on SIGTERM"
