#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Delayed events with `pgqpp ticker` (wake-up path): lateness after
# deliver_at at DELAYED_BENCH_RATE (1,000) delayed events/s for
# DELAYED_BENCH_SECONDS (10), each due a random 0..500 ms after it is sent,
# read by libpgqpp's Consumer (bench/delayed_lateness: p50/p99 of the moment
# each event is in hand minus its deliver_at; it fails on a lost, duplicated
# or early event); then the dead tuples of pgq.delayed_event per 100,000
# delivered delayed events, summed over pgq.delayed_event and its child
# tables (1.3: delivery deletes nothing, a mark says what is delivered, and
# rotation truncates): the rows delivery deleted and the dead tuples
# (pg_stat_user_tables.n_dead_tup; the bench cluster runs without
# autovacuum) before and after a plain VACUUM. Target: p99 <= 10 ms, 0 dead
# tuples. Reported, not asserted.
#
#   BUILD=build bench/delayed.sh      (or a part of `make bench`)
set -euo pipefail
part=delayed
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

seconds=${DELAYED_BENCH_SECONDS:-10}
rate=${DELAYED_BENCH_RATE:-1000}
dead_rounds=${DELAYED_BENCH_DEAD_ROUNDS:-10}  # of 10,000 delayed events: 100,000
probe=$build/bench/delayed_lateness
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp"; do [ -x "$tool" ] || die "$tool is missing (make build)"; done

bench_begin
db=dbench
bench_createdb "$db" pgqpp
q "$db" "select pgq.create_queue('dq')" >/dev/null
"$pgqpp" ticker -q --syslog 0 --database "$db" --base-connstr "host=$PGHOST port=$PGPORT user=$PGUSER" &
ticker=$!
on_exit "kill $ticker 2>/dev/null || true"
sleep 1

say "== $rate delayed events/s for ${seconds}s, due 0..500 ms after sending"
out=$("$probe" "$(conninfo "$db")" dq lateness "$rate" "$seconds" 500) ||
  die "delayed_lateness failed: $out"
field() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
emit delayed_lateness_p50 pgqpp "$(field p50_ms)" ms
emit delayed_lateness_p99 pgqpp "$(field p99_ms)" ms

say "== dead tuples per 100,000 delayed events"
sleep 2  # the lateness run's statistics arrive first
# The delayed storage: pgq.delayed_event and (1.3) its children.
storage="select 'pgq.delayed_event'::regclass union all
         select inhrelid::regclass from pg_inherits where inhparent = 'pgq.delayed_event'::regclass"
q "$db" "select pg_stat_reset_single_table_counters(r) from ($storage) s(r)" >/dev/null
for _ in $(seq "$dead_rounds"); do
  q "$db" "select pgq.insert_events_at('dq', array[now()], array['d'], array(select g::text from generate_series(1, 10000) g))" >/dev/null
done
until [ "$(q "$db" "select sum(pending) from pgq.get_delayed_info()")" = 0 ]; do sleep 0.2; done
sleep 2  # statistics reach pg_stat within a second
per100k() { q "$db" "select round(coalesce(sum($1), 0) * 10.0 / $dead_rounds) from pg_stat_user_tables where relid in ($storage)"; }
deleted=$(per100k n_tup_del)
made=$(per100k n_dead_tup)
q "$db" "vacuum pgq.delayed_event"
sleep 2
left=$(per100k n_dead_tup)
emit delayed_rows_deleted pgqpp "$deleted" "per 100k"
emit delayed_dead_tuples_made pgqpp "$made" "per 100k"
emit delayed_dead_tuples_left pgqpp "$left" "per 100k"
{
  echo "delayed events benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "lateness at $rate ev/s, 0..500 ms delays, ${seconds}s: $out"
  echo "pgq.delayed_event (and children) per 100,000 delayed events: $deleted rows deleted by delivery, $made dead tuples before VACUUM, $left after; target 0"
} | report_to_results >&2
