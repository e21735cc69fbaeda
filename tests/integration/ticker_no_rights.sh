#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp ticker` under a role without pgq_admin: every statement it runs fails
# with "permission denied". Over 10 s it must stay quiet and slow (issue 18:
# it wrote 64,169 log lines in 3 s and opened 318 sessions in 2 s; pgqd logs
# 3 lines in 5 s): a handful of log lines, each error once, and a handful of
# new sessions. Once the role gets pgq_admin, the ticker recovers by itself
# and says so.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/ticker_no_rights
mkdir -p "$work"
log=$work/ticker.log
: >"$log"
pid=
db=tk_norights
role=tk_noadmin

cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "drop role if exists $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail_context() { echo "--- ticker log ($(wc -l <"$log") lines):"; head -30 "$log"; }
log_has() { grep -q -- "$1" "$log"; }
# Sessions ever opened to the test database (counted by the server itself;
# a session's count reaches pg_stat_database within a second, or when it ends).
sessions() { q postgres "select sessions from pg_stat_database where datname = '$db'"; }
role_backends() { q postgres "select count(*) from pg_stat_activity where usename = '$role'"; }

cleanup
q postgres "create role $role login"
q postgres "create database $db"
q $db "create extension pgqpp"
q $db "select pgq.create_queue('q')" >/dev/null
sessions_before=$(sessions)

# Default periods (ticker_period 1 s, retry 30 s, maintenance 120 s, stats 30 s).
"$pgqpp" ticker -q --syslog 0 --logfile "$log" --initial-database postgres --database $db \
  --base-connstr "host=$PGHOST port=$PGPORT user=$role" &
pid=$!
wait_for 10 "the first permission error" log_has "permission denied for function ticker"
sleep 10
kill -0 "$pid" || fail "the ticker exited"

lines=$(wc -l <"$log")
[ "$lines" -le 10 ] || fail "$lines log lines in 10 s, expected at most 10"
for f in ticker maint_retry_events maint_operations; do
  n=$(grep -c "permission denied for function $f" "$log" || true)
  [ "$n" -eq 1 ] || fail "the error for $f logged $n times, expected once"
done
# While it keeps failing it keeps its connection and does not reconnect in
# a loop: the backoff (1 s doubling to 30 s) bounds the new sessions.
[ "$(role_backends)" -ge 1 ] || fail "the ticker holds no connection"
opened=$(($(sessions) - sessions_before))
[ "$opened" -le 8 ] || fail "$opened sessions opened in 10 s, expected at most 8"
echo "10 s without rights: $lines log lines, $opened sessions"

# --- given the rights, it recovers within the backoff (at most 30 s) ---
q postgres "grant pgq_admin to $role"
wait_for 45 "the recovery line" log_has "works again after"
q $db "select pgq.insert_event('q', 't', 'x')" >/dev/null
ticked() { [ "$(q $db "select count(*) > 1 from pgq.tick")" = t ]; }
wait_for 10 "a tick after the grant" ticked
echo "recovered once granted pgq_admin: $(grep -m1 'works again' "$log" | sed 's/.*: //')"

kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
pid=
