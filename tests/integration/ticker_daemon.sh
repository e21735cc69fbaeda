#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp ticker` against the test cluster (pgqpp preloaded): it ticks, wakes on
# commit, moves retries back, rotates, finds new databases, serves PgQ 3.5
# databases by periodic ticking, reloads on SIGHUP, survives a server restart,
# stops on SIGTERM with exit 0 within a second, and rejects bad configs with
# one clear line.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ticker.sh"
dbs="tk_main tk_late tk_pgq"
ticker_test_setup ticker_daemon "$dbs"
fail_context() { echo "--- ticker log:"; tail -40 "$log"; }

# --- bad configs: one clear line on stderr, non-zero exit ---
printf '[pgqd]\nticker_perid = 1\n' >"$work/unknown.ini"
printf '[pgqd]\nticker_period = soon\n' >"$work/badvalue.ini"
for case in "unknown.ini:unknown key 'ticker_perid'" "badvalue.ini:not a positive number" \
            "missing.ini:cannot read config file"; do
  file=${case%%:*} expect=${case#*:}
  set +e
  "$pgqpp" ticker "$work/$file" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "$file: exit code 0"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$file: expected one line on stderr, got: $(cat "$work/err")"
  grep -q "$expect" "$work/err" || fail "$file: expected '$expect', got: $(cat "$work/err")"
done
echo "bad configs rejected with one line each"

# --- a pgqpp database and a PgQ 3.5 database ---
q tk_main "create extension pgqpp"
q tk_main "select pgq.create_queue('q')" >/dev/null
q tk_main "select pgq.register_consumer('q', 'c')" >/dev/null
q tk_pgq "create extension pgq"
q tk_pgq "select pgq.create_queue('q')" >/dev/null
q tk_pgq "select pgq.register_consumer('q', 'c')" >/dev/null
q tk_pgq "select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')" >/dev/null

ticker_test_ini "$work/ticker.ini" "$log" "tk_main, tk_late, tk_pgq"
metrics_port=$(free_port)
"$pgqpp" ticker -q -v --metrics "127.0.0.1:$metrics_port" "$work/ticker.ini" &
pid=$!
wait_for 10 "the ticker serving tk_main" log_has "db=tk_main: serving pgqpp"
wait_for 10 "the wake-up path in tk_main" log_has "db=tk_main: wake-up path active"

# --- an event is ticked on commit by the wake-up path (not the 3 s max lag) ---
q tk_main "select pgq.insert_event('q', 't', 'first')" >/dev/null
wait_for 5 "the first event in a batch" batch_has tk_main first
grep -q "db=tk_main queue=q: woken tick" "$log" || fail "no woken tick in tk_main: the wake-up path did not tick"
echo "the event was ticked by the wake-up path (latency: see make bench)"

# --- retries come back through the daemon's retry moves ---
q tk_main "select pgq.insert_event('q', 't', 'retry me')" >/dev/null
wait_for 5 "a batch to retry from" retry_from_batch tk_main "retry me"
back_again() {
  local b
  b=$(q tk_main "select pgq.next_batch('q', 'c')")
  [ -n "$b" ] || return 1
  local retry
  retry=$(q tk_main "select ev_retry from pgq.get_batch_events($b) where ev_data = 'retry me'")
  q tk_main "select pgq.finish_batch($b)" >/dev/null
  [ "$retry" = 1 ]
}
wait_for 10 "the retried event to come back with ev_retry = 1" back_again
echo "retried event came back"

# --- rotation with a short rotation period ---
q tk_main "select pgq.set_queue_config('q', 'rotation_period', '0.5 seconds')" >/dev/null
table_before=$(q tk_main "select queue_cur_table from pgq.queue")
rotated() { [ "$(q tk_main "select queue_cur_table from pgq.queue")" != "$table_before" ]; }
keep_consuming() { q tk_main "select pgq.insert_event('q', 't', 'x')" >/dev/null; batch_has tk_main x || true; rotated; }
wait_for 15 "a table rotation" keep_consuming
echo "rotation happened"

# --- a database created while the daemon runs is found ---
q tk_late "create extension pgqpp"
q tk_late "select pgq.create_queue('q')" >/dev/null
q tk_late "select pgq.register_consumer('q', 'c')" >/dev/null
wait_for 10 "the ticker serving tk_late" log_has "db=tk_late: serving pgqpp"
q tk_late "select pgq.insert_event('q', 't', 'late')" >/dev/null
wait_for 5 "the event in the new database" batch_has tk_late late
echo "new database found and served"

# --- PgQ 3.5 database: served by periodic ticks, fallback said once ---
wait_for 10 "the fallback notice for tk_pgq" log_has "db=tk_pgq: wake-up path unavailable"
q tk_pgq "select pgq.insert_event('q', 't', 'on pgq')" >/dev/null
wait_for 10 "the event in the PgQ 3.5 database" batch_has tk_pgq "on pgq"
[ "$(grep -c "db=tk_pgq: wake-up path unavailable" "$log")" = 1 ] || fail "fallback logged more than once"
echo "PgQ 3.5 database ticked periodically"

# --- the metrics endpoint answers with the right figures ---
metric() { # metric NAME LABELS: the sample's value
  curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -F "$1{$2} " | awk '{print $2}'
}
q tk_main "select pgq.insert_event('q', 't', 'pending for metrics')" >/dev/null
q tk_main "select pgq.register_consumer('q', 'idle_reader')" >/dev/null
q tk_main "select pgq.insert_event('q', 't', 'pending for idle_reader')" >/dev/null
idle_pending() { [ "$(metric pgqpp_consumer_pending_events 'db="tk_main",queue="q",consumer="idle_reader"')" = 1 ]; }
wait_for 10 "idle_reader's pending events in the metrics" idle_pending
[ "$(metric pgqpp_ticker_wakeup_active 'db="tk_main"')" = 1 ] || fail "wakeup_active is not 1 for tk_main"
[ "$(metric pgqpp_ticker_wakeup_active 'db="tk_pgq"')" = 0 ] || fail "wakeup_active is not 0 for tk_pgq"
[ "$(metric pgqpp_ticker_connection_up 'db="tk_late"')" = 1 ] || fail "connection_up is not 1 for tk_late"
[ "$(metric pgqpp_queue_last_event_id 'db="tk_late",queue="q"')" = 1 ] || fail "last_event_id of tk_late.q is not 1"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_port/nope")" = 404 ] || fail "no 404 for /nope"
echo "metrics endpoint answers with the right figures"

# --- SIGHUP: a changed config is reloaded and reported ---
sed -i 's/^stats_period = 1$/stats_period = 2/' "$work/ticker.ini"
kill -HUP "$pid"
wait_for 5 "the reload line" log_has "config reloaded; changed: stats_period"
echo "SIGHUP reloaded the config"

# --- a server restart: the daemon reconnects, and waking works again ---
pg_restart "$PGQPP_TEST_DATA"
wait_for 20 "the recovery line" log_has "db=tk_main: connected again"
q tk_main "select pgq.insert_event('q', 't', 'after restart')" >/dev/null
wait_for 10 "the event after the restart" batch_has tk_main "after restart"
echo "recovered after a server restart"
[ "$(grep -c "db=tk_main: connection failed" "$log")" -le 1 ] || fail "the failure was logged more than once"

# --- SIGTERM: exit 0 within a second ---
kill -TERM "$pid"
t0=$(date +%s%N)
set +e
wait "$pid"
rc=$?
set -e
pid=
stop_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 0 ] || fail "exit code $rc after SIGTERM"
[ "$stop_ms" -lt 1000 ] || fail "took ${stop_ms} ms to stop"
echo "SIGTERM: exit 0 in ${stop_ms} ms"
# The only errors: connections failing during the restart (on a loaded
# machine a statement may also be cut by the shutdown, once per database).
restart_noise="connection failed\|cannot list databases\|terminating connection due to administrator command"
if grep -E "\] (ERROR|FATAL)" "$log" | grep -v "$restart_noise" >/dev/null; then
  fail "unexpected errors in the log: $(grep -E '\] (ERROR|FATAL)' "$log" | grep -v "$restart_noise" | head -5)"
fi
