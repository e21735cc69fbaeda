#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The libpgqpp examples (examples/), built by `make`, run against the test
# cluster: the producer writes an order with its event and a bulk of 1000;
# the consumer prints all 1001 and stops on SIGTERM with exit 0; the
# exactly-once consumer copies them into another database, once each. Each
# example must stay under 60 lines.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR PGQPP_SOURCE_DIR PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

bin="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/examples"
src="${PGQPP_SOURCE_DIR:?PGQPP_SOURCE_DIR is not set}/examples"
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/lib_examples"
db=lib_examples
target=lib_examples_target
queue=orders_q
rm -rf "$work"
mkdir -p "$work"

pids=()
cleanup() {
  local rc=$? p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for d in $db $target; do psql -X -q -d postgres -c "drop database if exists $d with (force)" 2>/dev/null || true; done
  exit $rc
}
trap cleanup EXIT


# stop_gracefully PID NAME: SIGTERM must end it with exit 0 within 10 s.
stop_gracefully() {
  local pid=$1 rc=0
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && fail "$2 did not stop within 10 s of SIGTERM"
  wait "$pid" || rc=$?
  [ $rc -eq 0 ] || fail "$2 exited with status $rc after SIGTERM"
}

for f in producer consumer exactly_once_consumer; do
  [ -x "$bin/example_$f" ] || fail "$bin/example_$f is not built"
  lines=$(wc -l <"$src/$f.cpp")
  [ "$lines" -lt 60 ] || fail "examples/$f.cpp has $lines lines (the limit is 59)"
done

for d in $db $target; do
  psql -X -q -d postgres -c "drop database if exists $d with (force)" -c "create database $d" >/dev/null 2>&1
done
q $db "create extension pgqpp"
q $db "select pgq.create_queue('$queue')" >/dev/null
q $db "create table orders (id serial primary key, item text)"
conn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
target_conn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$target"

# Consumers registered before the events exist, so they will see them all.
q $db "select pgq.register_consumer('$queue', 'printer')" >/dev/null
q $db "select pgq.register_consumer('$queue', 'copier')" >/dev/null

out=$("$bin/example_producer" "$conn" "$queue")
[ "$out" = "inserted 1001 events" ] || fail "producer printed '$out'"
[ "$(q $db "select count(*) from orders")" = 1 ] || fail "the order row is missing"
q $db "select pgq.force_tick('$queue')" >/dev/null
q $db "select pgq.ticker('$queue')" >/dev/null
echo "ok: producer"

"$bin/example_consumer" "$conn" "$queue" printer >"$work/consumer.out" 2>"$work/consumer.err" &
pids+=($!)
wait_for 30 "consumer prints 1001 events" bash -c "[ \$(grep -c '^event ' '$work/consumer.out') -eq 1001 ]"
grep -q '^event [0-9]* order_created [0-9]*$' "$work/consumer.out" || fail "no order_created event printed"
stop_gracefully "${pids[-1]}" consumer
echo "ok: consumer"

"$bin/example_exactly_once_consumer" "$conn" "$target_conn" "$queue" copier 2>"$work/eo.err" &
pids+=($!)
wait_for 30 "exactly-once consumer copies 1001 events" \
  bash -c "[ \"\$(psql -X -qAt -d $target -c 'select count(*) from events_copy' 2>/dev/null)\" = 1001 ]"
stop_gracefully "${pids[-1]}" exactly_once_consumer
[ "$(q $target "select count(distinct ev_id) from events_copy")" = 1001 ] || fail "duplicate events in the target"
[ "$(q $target "select count(*) from pgqpp_consumer_progress where consumer_name = 'copier' and last_batch_id is not null")" = 1 ] ||
  fail "no progress row in the target"
echo "ok: exactly-once consumer"
