#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# A delayed event stored by a prepared transaction (PREPARE TRANSACTION, then
# COMMIT PREPARED from another session) wakes the waiting `pgqpp ticker`
# when it is due before the ticker's planned wake: here another delayed
# event due in 60 s is the ticker's next due time and pgq.ticker() runs only
# every 30 s, so without the COMMIT PREPARED wake-up the event would arrive
# after tens of seconds; it must arrive within a few. A cluster of its own,
# with max_prepared_transactions = 4 and pgqpp preloaded.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/ticker.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/delayed_prepared
mkdir -p "$work/cluster"
chmod 755 "$work"
log=$work/ticker.log
: >"$log"
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  pg_stop "$work/cluster/data"
}
trap cleanup EXIT
fail_context() { tail -20 "$log"; }

pg_stage "$work/stage" "$PGQPP_BUILD_DIR"
port=$(free_port)
pg_start "$work/cluster/data" "$port" "-c shared_preload_libraries=pgqpp" "-c max_prepared_transactions=4"
export PGPORT=$port PGHOST=$work/cluster PGUSER=postgres
db=postgres
q "$db" "create extension pgqpp"
q "$db" "select pgq.create_queue('q')" >/dev/null
q "$db" "select pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')" >/dev/null
q "$db" "select pgq.register_consumer('q', 'c')" >/dev/null
q "$db" "select pgq.insert_event_at('q', now() + interval '60 seconds', 'far', 'far')" >/dev/null

ticker_test_ini "$work/ticker.ini" "$log" "$db"
sed -i 's/^ticker_period = .*/ticker_period = 30/' "$work/ticker.ini"
"$pgqpp" ticker -q "$work/ticker.ini" &
pid=$!
wait_for 10 "the ticker's waiting connection" \
  holds "$db" "select count(*) = 1 from pg_stat_activity where query like '%wakeup_ticker(%' and pid <> pg_backend_pid()"
sleep 1  # it has looked at pgq.delayed_event and sleeps until the far event

psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
begin;
select pgq.insert_event_at('q', now() + interval '1 second', 't', 'prepared') > 0;
prepare transaction 'delayed1';
SQL
sleep 0.5
start=$(date +%s%N)
q "$db" "commit prepared 'delayed1'"
got=
seen() { got="$got$(batch_has "$db" prepared && echo yes)"; [ -n "$got" ]; }
wait_for 8 "the prepared transaction's delayed event" seen
echo "delayed event of a prepared transaction: delivered $(( ($(date +%s%N) - start) / 1000000 )) ms after COMMIT PREPARED (due 500 ms after it)"
[ "$(q "$db" "select pending from pgq.get_delayed_info('q')")" = 1 ] || fail "the far event should still wait"
kill "$pid"
wait "$pid" || fail "ticker exit status $?"
pid=
