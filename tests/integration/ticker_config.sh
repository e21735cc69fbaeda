#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Config mistakes and pgqd's control flags (issue 18): a misspelt section is
# an error, not a run on defaults; a database in database_list that does not
# exist or has no PgQ is said at the default log level; `-d` fails when
# another instance holds the pidfile; -r, -s, -k signal the running daemon
# named by the config's pidfile (reload, stop with SIGINT, stop with SIGTERM),
# -V prints the version, as pgqd's flags do.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ticker.sh"
ticker_test_setup ticker_config tkc_plain
# run_rc CMD...: runs it (30 s at most: a daemon that should have refused to
# start must not hang the test) with stdout and stderr in $work/out and
# $work/err; prints the exit code.
run_rc() { set +e; timeout 30 "$@" >"$work/out" 2>"$work/err"; echo $?; set -e; }

# --- a misspelt section is an error, like an unknown key ---
printf '[pgqdd]\nbase_connstr = host=/nowhere\n' >"$work/section.ini"
rc=$(run_rc "$pgqpp" ticker "$work/section.ini")
[ "$rc" -eq 2 ] || fail "[pgqdd]: exit code $rc, expected 2"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "[pgqdd]: expected one line on stderr, got: $(cat "$work/err")"
grep -q "unknown section '\[pgqdd\]'" "$work/err" || fail "[pgqdd]: unclear error: $(cat "$work/err")"
echo "unknown section rejected: $(cat "$work/err")"

# --- database_list: a missing database and one without PgQ are logged ---
"$pgqpp" ticker -q --syslog 0 --logfile "$log" --initial-database postgres \
  --database tkc_missing --database tkc_plain &
pid=$!
wait_for 15 "the missing database in the log" log_has "db=tkc_missing: .*does not exist"
wait_for 15 "the database without PgQ in the log" log_has "db=tkc_plain: no pgq schema"
kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
pid=
echo "listed databases that cannot be served are logged at the default level"

# --- -d with the pidfile of a running instance fails ---
cat >"$work/d.ini" <<INI
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER
initial_database = postgres
database_list = postgres
logfile = $log
pidfile = $pidfile
syslog = 0
INI
: >"$log"
"$pgqpp" ticker -d "$work/d.ini" || fail "the first -d failed"
wait_for 10 "the pidfile" test -s "$pidfile"
first=$(cat "$pidfile")
rc=$(run_rc "$pgqpp" ticker -d "$work/d.ini")
[ "$rc" -ne 0 ] || fail "a second -d on the same pidfile exited 0"
grep -q "already running with pid $first" "$work/err" "$log" || fail "no 'already running' line"
kill -0 "$first" || fail "the first instance died"
[ "$(cat "$pidfile")" = "$first" ] || fail "the pidfile changed"
echo "-d refuses a second instance (exit $rc)"

# --- pgqd's control flags ---
rc=$(run_rc "$pgqpp" ticker -V)
[ "$rc" -eq 0 ] && grep -q "^pgqpp ticker [0-9]" "$work/out" || fail "-V: exit $rc, output: $(cat "$work/out" "$work/err")"
rc=$(run_rc "$pgqpp" ticker -r "$work/d.ini")
[ "$rc" -eq 0 ] || fail "-r: exit code $rc: $(cat "$work/err")"
wait_for 10 "the reload" log_has "config reloaded"
rc=$(run_rc "$pgqpp" ticker -s "$work/d.ini")
[ "$rc" -eq 0 ] || fail "-s: exit code $rc: $(cat "$work/err")"
wait_for 10 "the stop after -s" sh -c "! kill -0 $first"
log_has "got Interrupt, stopping" || fail "-s did not send SIGINT"
[ ! -e "$pidfile" ] || fail "the pidfile was left behind after -s"
rc=$(run_rc "$pgqpp" ticker -s "$work/d.ini")
[ "$rc" -eq 1 ] || fail "-s with no daemon running: exit code $rc, expected 1"
grep -q "not running" "$work/err" || fail "-s with no daemon: unclear error: $(cat "$work/err")"
"$pgqpp" ticker -d "$work/d.ini" || fail "-d after -s failed"
wait_for 10 "the pidfile" test -s "$pidfile"
second=$(cat "$pidfile")
rc=$(run_rc "$pgqpp" ticker -k "$work/d.ini")
[ "$rc" -eq 0 ] || fail "-k: exit code $rc: $(cat "$work/err")"
wait_for 10 "the stop after -k" sh -c "! kill -0 $second"
log_has "got Terminated, stopping" || fail "-k did not send SIGTERM"
echo "-V, -r, -s and -k work as pgqd's"
