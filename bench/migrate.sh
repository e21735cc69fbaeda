#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp migrate` on a PgQ 3.5 database with MIGRATE_BENCH_EVENTS
# (1,000,000) unconsumed events in one queue: how long the migration takes
# and how long writers are blocked, to pgqpp and back (--to-pgq); after
# each, the consumer's batch must still hold every event. Reported, not
# asserted (the swap's time should not grow with the events). Not a part of
# `make bench`: run it by hand.
#
#   BUILD=build bench/migrate.sh
set -euo pipefail
part=migrate
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

events=${MIGRATE_BENCH_EVENTS:-1000000}
pgqpp=$build/cli/pgqpp
[ -x "$pgqpp" ] || die "$pgqpp is missing (make build)"
bench_work
bench_start_cluster "$work"
db=migrate_bench
q postgres "create database $db" >/dev/null
# The events go straight into the event table: PgQ's insert_event would take
# minutes for a million, and the swap does not care how they came.
q "$db" "create extension pgq" "select pgq.create_queue('big')" "select pgq.register_consumer('big', 'c1')" \
  "insert into pgq.event_1_0 (ev_id, ev_time, ev_txid, ev_type, ev_data)
   select nextval('pgq.event_1_id_seq'), now(), txid_current(), 'e', 'payload ' || i
     from generate_series(1, $events) i" \
  "select pgq.force_tick('big')" "select pgq.ticker('big')" >/dev/null
batch=$(q "$db" "select pgq.next_batch('big', 'c1')")
size=$(q "$db" "select pg_size_pretty(pg_total_relation_size('pgq.event_1_0'))")
say "PgQ 3.5 database with $events unconsumed events ($size), batch $batch open"
check_batch() {
  local n
  n=$(q "$db" "select count(*) from pgq.get_batch_events($batch)")
  [ "$n" -eq "$events" ] || die "after $1 batch $batch has $n events, want $events"
}
"$pgqpp" migrate --dsn "dbname=$db" | tee "$work/to.txt" >&2
check_batch "pgqpp migrate"
"$pgqpp" migrate --to-pgq --dsn "dbname=$db" | tee "$work/back.txt" >&2
check_batch "pgqpp migrate --to-pgq"
echo "pgqpp migrate with $events unconsumed events ($size), load $(cut -d' ' -f1-3 /proc/loadavg):"
echo "  to pgqpp: $(sed -n 's/.* in \(.*\))$/\1)/p' "$work/to.txt")"
echo "  back:     $(sed -n 's/.* in \(.*\))$/\1)/p' "$work/back.txt")"
