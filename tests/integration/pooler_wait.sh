#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Waits that survive a connection pooler: PgBouncer in transaction pooling in
# front of the test cluster, the pgqpp ticker running, and libpgqpp's
# Consumer told it is behind a pooler (ConsumerOptions::behind_pooler), so it
# waits in the server with pgq.next_batch_wait instead of LISTEN. A producer
# commits 50 events/s through PgBouncer; every event must arrive exactly
# once. The latency p50/p99 is printed as NOTE lines, not asserted (timing
# on a shared machine is for the benchmarks: bench/ticker.sh).
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/ticker.sh"
. "$root/tests/lib/pgbouncer.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
probe=$PGQPP_BUILD_DIR/bench/latency_probe
work=$PGQPP_TEST_WORK/pooler_wait
mkdir -p "$work"
chmod 755 "$work"
log=$work/ticker.log
: >"$log"
pid=
db=pw_main
rate=${POOLER_WAIT_RATE:-50}
seconds=${POOLER_WAIT_SECONDS:-8}

cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  pgbouncer_stop "$work/pgbouncer"
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail_context() {
  echo "--- ticker log:"; tail -20 "$log"
  echo "--- pgbouncer log:"; tail -20 "$work/pgbouncer/pgbouncer.log" 2>/dev/null || true
}

psql -X -q -d postgres -c "drop database if exists $db" -c "create database $db"
q "$db" "create extension pgqpp"
q "$db" "select pgq.create_queue('q')" >/dev/null

pgbouncer_start "$work/pgbouncer" "$PGPORT" || fail "cannot start pgbouncer"
pooled() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d "$db" -c "$1"; }
psql -X -q -At -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -c "show config" |
  grep -q '^pool_mode|transaction|' || fail "pgbouncer is not in transaction pooling"

ticker_test_ini "$work/ticker.ini" "$log" "$db"
"$pgqpp" ticker -q -v "$work/ticker.ini" &
pid=$!
wait_for 10 "the wake-up path in $db" log_has "db=$db: wake-up path active"

# --- SQL through the pooler: NULL after the timeout, then woken by a tick ---
pooled "select pgq.register_consumer('q', 'sql')" >/dev/null
none=$(pooled "select coalesce(pgq.next_batch_wait('q', 'sql', 300)::text, 'none')")
[ "$none" = none ] || fail "next_batch_wait returned $none with nothing produced"
(sleep 0.5; pooled "select pgq.insert_event('q', 't', 'woken')" >/dev/null) &
producer=$!
start=$(date +%s%N)
b=$(pooled "select pgq.next_batch_wait('q', 'sql', 20000)")
waited_ms=$((($(date +%s%N) - start) / 1000000))
wait "$producer" || fail "the producer of the woken event failed"
[ -n "$b" ] || fail "next_batch_wait through pgbouncer returned NULL"
[ "$waited_ms" -lt 10000 ] || fail "next_batch_wait was not woken by the tick (waited ${waited_ms} ms)"
[ "$(pooled "select count(*) from pgq.get_batch_events($b) where ev_data = 'woken'")" = 1 ] ||
  fail "the woken batch does not hold the event"
pooled "select pgq.finish_batch($b)" >/dev/null
pooled "select pgq.unregister_consumer('q', 'sql')" >/dev/null
echo "next_batch_wait through pgbouncer: NULL after its timeout, woken by the tick after ${waited_ms} ms"

# --- libpgqpp's Consumer behind the pooler, 50 events/s ---
conninfo="host=127.0.0.1 port=$PGBOUNCER_PORT user=postgres dbname=$db"
"$probe" "$conninfo" q c pooler "$rate" "$seconds" >"$work/probe.out" 2>"$work/probe.err" ||
  fail "latency probe failed: $(cat "$work/probe.out" "$work/probe.err")"
line=$(cat "$work/probe.out")
field() { grep -o "$1=[0-9.]*" <<<"$line" | cut -d= -f2; }
[ -n "$(field events)" ] && [ "$(field events)" = "$(field produced)" ] ||
  fail "not every event arrived: $line"
[ "$(field produced)" -ge $((rate * seconds / 2)) ] || fail "the producer fell short: $line"
[ "$(field repeats)" = 0 ] || fail "events delivered more than once: $line"
echo "every one of $(field produced) events delivered once through pgbouncer"
echo "NOTE pooler wait latency at $rate ev/s through pgbouncer (transaction pooling): p50 $(field p50_ms) ms, p99 $(field p99_ms) ms, max $(field max_ms) ms"

kill -TERM "$pid"
wait "$pid" || fail "ticker exit code $? after SIGTERM"
pid=
