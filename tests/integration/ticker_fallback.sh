#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Without pgqpp in shared_preload_libraries, `pgqpp ticker` says once that the
# wake-up path is unavailable and ticks periodically, as pgqd does; and
# pgq.next_batch_wait falls back to looking every 10 ms.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/ticker_fallback
mkdir -p "$work/cluster"
chmod 755 "$work"
log=$work/ticker.log
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  pg_stop "$work/cluster/data"
}
trap cleanup EXIT
fail_context() { tail -20 "$log"; }

# A cluster of its own, started without shared_preload_libraries.
pg_stage "$work/stage" "$PGQPP_BUILD_DIR"
port=$(free_port)
pg_start "$work/cluster/data" "$port"
export PGPORT=$port PGDATABASE=postgres
q postgres "create extension pgqpp"
q postgres "select pgq.create_queue('q')" >/dev/null
q postgres "select pgq.set_queue_config('q', 'ticker_max_lag', '0.1 seconds')" >/dev/null
q postgres "select pgq.register_consumer('q', 'c')" >/dev/null

"$pgqpp" ticker -q --syslog 0 --logfile "$log" --database postgres --ticker-period 0.1 &
pid=$!
end=$((SECONDS + 10))
until grep -q "wake-up path unavailable (pgqpp is not in shared_preload_libraries)" "$log" 2>/dev/null; do
  [ $SECONDS -lt $end ] || fail "no fallback notice in the log"
  sleep 0.1
done
q postgres "select pgq.insert_event('q', 't', 'periodic')" >/dev/null
end=$((SECONDS + 10))
while true; do
  b=$(q postgres "select pgq.next_batch('q', 'c')")
  if [ -n "$b" ] && [ "$(q postgres "select count(*) from pgq.get_batch_events($b) where ev_data = 'periodic'")" = 1 ]; then
    break
  fi
  [ -n "$b" ] && q postgres "select pgq.finish_batch($b)" >/dev/null
  [ $SECONDS -lt $end ] || fail "the event never arrived through periodic ticks"
  sleep 0.1
done
# pgq.next_batch_wait without the shared memory: it looks for a tick every
# 10 ms, and returns the batches the periodic ticks make.
q postgres "select pgq.finish_batch($b)" >/dev/null
q postgres "select pgq.insert_event('q', 't', 'waited')" >/dev/null
got=0
for _ in 1 2 3 4 5; do
  b=$(q postgres "select pgq.next_batch_wait('q', 'c', 5000)")
  [ -n "$b" ] || fail "next_batch_wait returned NULL without shared_preload_libraries"
  got=$(q postgres "select count(*) from pgq.get_batch_events($b) where ev_data = 'waited'")
  q postgres "select pgq.finish_batch($b)" >/dev/null
  [ "$got" = 1 ] && break
done
[ "$got" = 1 ] || fail "next_batch_wait never returned the batch with the event"
echo "next_batch_wait works without shared_preload_libraries (polling fallback)"
sleep 1
[ "$(grep -c "wake-up path unavailable" "$log")" = 1 ] || fail "the fallback was logged more than once"
kill -TERM "$pid"
wait "$pid" || fail "ticker exit code $? after SIGTERM"
pid=
echo "fallback to periodic ticking used and logged once"
