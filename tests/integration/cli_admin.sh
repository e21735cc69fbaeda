#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp` admin subcommands against the test cluster: install (fresh, again,
# beside PgQ 3.5, on a server without pgqpp's files), create-queue (--set,
# existing, bad settings rolled back), config (show, set, prefix, --json,
# bad key, bad value), register, unregister, drop-queue (refusing with
# consumers, --force), retry (counts, filters, not-due events), and the
# error conventions: unknown queue or consumer (exit 1, one line naming it),
# usage errors (exit 2), an unreachable server (exit 1, one line).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
work=$PGQPP_TEST_WORK/cli_admin
mkdir -p "$work"
. "$root/tests/lib/cli.sh"
db=cli_admin
other_data=
cleanup() {
  drop_databases
  [ -z "$other_data" ] || pg_stop "$other_data"
}
trap cleanup EXIT
export PGDATABASE=$db
fresh_databases $db cli_admin_pgq

# --- usage errors: exit 2, one line ---
expect 2 create-queue;                 err_line "pgqpp create-queue: QUEUE is required (see pgqpp create-queue --help)"
expect 2 register q1;                  err_line "CONSUMER is required"
expect 2 nosuch-command;               err_line "unknown subcommand 'nosuch-command'"
expect 2 status --watch 0;             err_line "--watch: '0' is not a number of seconds > 0"
expect 2 status --lag-threshold -1;    err_line "--lag-threshold"
echo "usage errors: exit 2 with one line"

# --- unreachable server: exit 1, one line ---
for cmd in install "create-queue q" "status" "retry q"; do
  # shellcheck disable=SC2086  # the command and its argument as words
  expect 1 $cmd --dsn 'host=127.0.0.1 port=1 connect_timeout=5'
  err_line "cannot reach the database"
  ! grep -q $'\t' "$work/err" || fail "a tab in the message: $(cat "$work/err")"
done
echo "unreachable server: exit 1 with one line"

# --- a database without PgQ ---
expect 1 create-queue q1;  err_line "database $db has no PgQ (no schema pgq); install it first: pgqpp install"
expect 1 status;           err_line "has no PgQ"

# --- install ---
expect 0 install;  out_has "installed pgqpp "; out_has " in database $db"
version=$(q $db "select extversion from pg_extension where extname = 'pgqpp'")
expect 0 install;  out_has "pgqpp $version is already installed in database $db"
q cli_admin_pgq "create extension pgq"
expect 1 install --dsn "dbname=cli_admin_pgq"
err_line "database cli_admin_pgq already has a schema pgq (extension pgq $(pgq35_version))"
# A server without pgqpp's files (a staged copy without the build's, and
# without a system-wide pgqpp either).
other_data=$work/plain/data
mkdir -p "$work/plain"
other_port=$(free_port)
main_postgres=$PG_STAGED_POSTGRES main_libdir=$PG_STAGED_LIBDIR
pg_stage "$work/plain/stage" ""
pg_start "$other_data" "$other_port"
PG_STAGED_POSTGRES=$main_postgres PG_STAGED_LIBDIR=$main_libdir
expect 1 install --dsn "host=127.0.0.1 port=$other_port dbname=postgres"
err_line "the server has no pgqpp extension files; install them on the database server"
pg_stop "$other_data"; other_data=
echo "install: fresh, again, beside PgQ 3.5, without extension files"

# --- create-queue ---
expect 0 create-queue q1;  out_has "created queue q1"
expect 0 create-queue q1;  out_has "queue q1 already exists"
expect 0 create-queue q2 --set ticker_max_lag=500ms --set queue_ticker_max_count=10
out_has "created queue q2; set ticker_max_lag=500ms, ticker_max_count=10"
[ "$(q $db "select queue_ticker_max_lag, queue_ticker_max_count from pgq.queue where queue_name = 'q2'")" = "00:00:00.5|10" ] ||
  fail "q2's settings were not applied"
expect 2 create-queue q3 --set bogus=1;  err_line "unknown setting 'bogus'; valid keys: ticker_max_count (integer >= 0)"
expect 2 create-queue q3 --set ticker_max_lag=soon;  err_line "valid keys: ticker_max_count"
[ "$(q $db "select count(*) from pgq.queue where queue_name = 'q3'")" = 0 ] || fail "q3 exists after a bad --set"
expect 2 create-queue '';  err_line "pgqpp create-queue:"
echo "create-queue: created, existing, --set, bad settings leave nothing behind"

# --- config ---
expect 0 config q2
out_has "ticker_max_count    10"
out_has "ticker_max_lag      00:00:00.5"
for key in ticker_idle_period rotation_period ticker_paused external_ticker; do out_has "$key"; done
expect 0 config q2 ticker_idle_period=30s queue_ticker_paused=true rotation_period=1h
out_has "ticker_paused       true"
[ "$(q $db "select queue_ticker_idle_period, queue_ticker_paused, queue_rotation_period from pgq.queue where queue_name = 'q2'")" = "00:00:30|t|01:00:00" ] ||
  fail "config did not set q2's settings"
expect 0 config q2 --json
python3 - "$work/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["settings"]
assert doc["queue"] == "q2", doc
assert s["ticker_max_count"] == 10 and s["ticker_paused"] is True and s["ticker_idle_period"] == "00:00:30", s
assert sorted(s) == sorted(["ticker_max_count", "ticker_max_lag", "ticker_idle_period", "rotation_period",
                            "ticker_paused", "external_ticker", "max_retries"]), s
assert s["max_retries"] is None, s
PY
# pgqpp's own setting: max_retries (a count, or none).
expect 0 config q2 max_retries=5 --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["settings"]["max_retries"] == 5, d' "$work/out"
[ "$(q $db "select qc_max_retries from pgq.queue_config c join pgq.queue q on q.queue_id = c.qc_queue where q.queue_name = 'q2'")" = 5 ] ||
  fail "config did not set q2's max_retries"
expect 2 config q2 max_retries=-1;      err_line "bad value '-1' for max_retries (integer >= 0 or none expected)"
expect 0 config q2 queue_max_retries=none
out_has "max_retries         none"
echo "config: max_retries"
expect 2 config q2 ticker_max_lags=1;   err_line "unknown setting 'ticker_max_lags'; valid keys: ticker_max_count (integer >= 0), ticker_max_lag (interval)"
expect 2 config q2 ticker_max_count=-5; err_line "bad value '-5' for ticker_max_count (integer >= 0 expected); valid keys:"
expect 2 config q2 ticker_max_lag=soon; err_line "valid keys: ticker_max_count"
expect 2 config q2 ticker_paused;       err_line "expected key=value"
expect 1 config nosuch;                 err_line "queue nosuch does not exist"
expect 1 config nosuch ticker_paused=on; err_line "queue nosuch does not exist"
[ "$(q $db "select queue_ticker_paused from pgq.queue where queue_name = 'q2'")" = t ] || fail "a bad config changed q2"
echo "config: show, set, queue_ prefix, --json, bad keys and values"

# --- register / unregister ---
expect 0 register q1 c1;        out_has "registered consumer c1 on queue q1"
expect 0 register q1 c1;        out_has "consumer c1 is already registered on queue q1"
expect 1 register nosuch c1;    err_line "queue nosuch does not exist"
expect 0 register q2 c2
expect 0 unregister q2 c2;      out_has "unregistered consumer c2 from queue q2"
[ "$(q $db "select count(*) from pgq.get_consumer_info('q2', 'c2')")" = 0 ] || fail "c2 still registered"
expect 1 unregister q2 c2;      err_line "consumer c2 is not registered on queue q2"
expect 1 unregister nosuch c2;  err_line "queue nosuch does not exist"
echo "register, unregister, unknown queue and consumer"

# --- drop-queue ---
expect 0 register q1 c9
expect 1 drop-queue q1;         err_line "queue q1 has 2 registered consumers (c1, c9); unregister them first, or use --force"
[ "$(q $db "select count(*) from pgq.queue where queue_name = 'q1'")" = 1 ] || fail "q1 was dropped without --force"
expect 0 drop-queue q1 --force; out_has "dropped queue q1 and unregistered 2 consumers (c1, c9)"
[ "$(q $db "select count(*) from pgq.queue where queue_name = 'q1'")" = 0 ] || fail "q1 still exists"
expect 1 drop-queue q1;         err_line "queue q1 does not exist"
expect 0 drop-queue q2;         out_has "dropped queue q2"
echo "drop-queue: refuses with consumers, --force, unknown"

# --- retry ---
expect 0 create-queue q4
expect 0 create-queue q5
for c in c4 c5; do expect 0 register q4 $c; done
expect 0 register q5 c6
q $db "select pgq.insert_event('q4', 't', d) from unnest(array['a','b','c']) d" >/dev/null
q $db "select pgq.insert_event('q5', 't', 'x')" >/dev/null
tick $db q4; tick $db q5
# retry_later CONSUMER QUEUE SECONDS DATA...: puts those events of the
# consumer's next batch aside for SECONDS, and finishes the batch.
retry_later() {
  local c=$1 queue=$2 secs=$3 b; shift 3
  b=$(q $db "select pgq.next_batch('$queue', '$c')")
  [ -n "$b" ] || fail "no batch for $c"
  local list
  list=$(printf "'%s'," "$@"); list=${list%,}
  q $db "select pgq.event_retry($b, ev_id, $secs) from pgq.get_batch_events($b) where ev_data in ($list)" >/dev/null
  q $db "select pgq.finish_batch($b)" >/dev/null
}
retry_later c4 q4 0 a b
retry_later c5 q4 3600 a
retry_later c6 q5 0 x
expect 0 retry q4 c4;   out_has "moved 2 due retry events of queue q4 (consumer c4) back into the queue (3 in all queues)"
[ "$(q $db "select count(*) from pgq.retry_queue")" = 1 ] || fail "retry left due events behind"
expect 0 retry q4;      out_has "moved 0 due retry events of queue q4 back into the queue"
[ "$(q $db "select count(*) from pgq.retry_queue")" = 1 ] || fail "retry moved an event that is not due"
expect 1 retry q4 nosuch;  err_line "consumer nosuch is not registered on queue q4"
expect 1 retry nosuch;     err_line "queue nosuch does not exist"
# The moved events are c4's again in its next batch.
tick $db q4
b=$(q $db "select pgq.next_batch('q4', 'c4')")
[ "$(q $db "select string_agg(ev_data || ':' || ev_retry, ',' order by ev_data) from pgq.get_batch_events($b)")" = "a:1,b:1" ] ||
  fail "c4 did not get its retried events back"
echo "retry: counts per queue and consumer, not-due events stay"

echo "PASS"
