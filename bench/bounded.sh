#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Bounded batches (pgq.set_consumer_config(q, c, 'max_batch_events', N)):
# BOUNDED_BENCH_EVENTS (100,000) events in one tick interval (one producer
# transaction), read by a consumer with max_batch_events
# BOUNDED_BENCH_N (1,000) in SQL, batch by batch, as BoundedBatches in
# tests/cluster/bounded_batches_test.cpp measures it:
#   - rows read from the event tables (pg_stat_xact_user_tables: seq_tup_read
#     + idx_tup_fetch, inside each batch's transaction) by the first
#     next_batch of the interval (it passes over the interval's ids once),
#     by each later next_batch, and by reading each batch's events
#     (get_batch_events): the claim is about N per batch, not the interval;
#   - the batch-read rate, events/s from the first next_batch to the last
#     finish_batch (next_batch, count(*) of get_batch_events, finish_batch
#     per batch, one psql session), bounded against an unbounded consumer
#     of the same interval (PgQ's one batch), in the order
#     unbounded-bounded-bounded-unbounded, each consumer reading once.
# Reported, not asserted (the test asserts).
#
#   BUILD=build bench/bounded.sh      (or a part of `make bench`)
set -euo pipefail
part=bounded
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

events=${BOUNDED_BENCH_EVENTS:-100000}
n=${BOUNDED_BENCH_N:-1000}
batches=$(((events + n - 1) / n))
BENCH_RESULTS=$BENCH_RESULTS_DIR/$part.txt

bench_work
bench_cluster
db=bbench
bench_createdb "$db" pgqpp
q "$db" "select pgq.create_queue('big')" >/dev/null
for c in stats bounded_1 bounded_2; do
  q "$db" "select pgq.register_consumer('big', '$c'),
                  pgq.set_consumer_config('big', '$c', 'max_batch_events', '$n')" >/dev/null
done
for c in whole_1 whole_2; do q "$db" "select pgq.register_consumer('big', '$c')" >/dev/null; done

say "== $events events in one transaction, one tick interval"
q "$db" "select pgq.insert_events('big', array['t'],
           array(select 'event ' || g from generate_series(1, $events) g))" >/dev/null
q "$db" "select pgq.force_tick('big')" "select pgq.ticker('big')" >/dev/null
q "$db" "analyze" >/dev/null
q "$db" "checkpoint" >/dev/null

# --- rows read, batch by batch, counted inside each batch's transaction ---
read_sql="select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)
            from pg_stat_xact_user_tables where schemaname = 'pgq' and relname like 'event_%'"
{
  for _ in $(seq "$batches"); do
    cat <<SQL
begin;
$read_sql \\gset r0_
select pgq.next_batch('big', 'stats') as b \\gset
$read_sql \\gset r1_
select count(*) as n from pgq.get_batch_events(:b) \\gset
$read_sql \\gset r2_
select pgq.finish_batch(:b) \\gset
commit;
\\echo :n :r0_coalesce :r1_coalesce :r2_coalesce
SQL
  done
  echo "select coalesce(pgq.next_batch('big', 'stats')::text, 'none') as last;"
} >"$work/stats.sql"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -f "$work/stats.sql" >"$work/stats.out" ||
  die "the batch-by-batch read failed: $(tail -3 "$work/stats.out")"
[ "$(tail -1 "$work/stats.out")" = none ] || die "more than $batches batches of $n"
head -n -1 "$work/stats.out" | awk -v want="$events" -v n="$n" '
  { total += $1; if ($1 > n) over++
    if (NR == 1) first = $3 - $2; else { later += $3 - $2; laters++ }
    read += $4 - $3; if ($4 - $3 > maxread) maxread = $4 - $3 }
  END {
    if (total != want || over) { print "bad batches: " total " events, " over " over " n > "/dev/stderr"; exit 1 }
    printf "%d %.0f %.1f %.1f %d\n", NR, first, laters ? later / laters : 0, read / NR, maxread }' >"$work/stats.sum" ||
  die "the batches were not $events events of at most $n each"
read -r nbatches first_rows later_rows read_rows max_read <"$work/stats.sum"
emit bounded_rows_first_next_batch pgqpp "$first_rows" rows
emit bounded_rows_next_batch pgqpp "$later_rows" rows
emit bounded_rows_batch_read pgqpp "$read_rows" rows

# --- batch-read rate: bounded against unbounded, each consumer once ---
consume_script() {  # consume_script CONSUMER BATCHES
  for _ in $(seq "$2"); do
    echo "select pgq.next_batch('big', '$1') as b \\gset"
    echo "select count(*) from pgq.get_batch_events(:b);"
    echo "select pgq.finish_batch(:b);"
  done
}
rate() {  # rate CONSUMER BATCHES: events/s from the first next_batch to the last finish_batch
  consume_script "$1" "$2" >"$work/$1.sql"
  local t0 t1 got
  t0=$(date +%s.%N)
  got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -f "$work/$1.sql" | awk 'NR % 2 == 1 { s += $1 } END { print s }') ||
    die "consumer $1 failed"
  t1=$(date +%s.%N)
  [ "$got" = "$events" ] || die "consumer $1 read $got events, not $events"
  awk -v e="$events" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", e / (b - a) }'
}
u1=$(rate whole_1 1)
b1=$(rate bounded_1 "$batches")
b2=$(rate bounded_2 "$batches")
u2=$(rate whole_2 1)
bounded=$(echo "$b1 $b2" | median)
unbounded=$(echo "$u1 $u2" | median)
emit bounded_read_rate pgqpp "$bounded" events/s
emit unbounded_read_rate pgqpp "$unbounded" events/s
emit bounded_read_ratio pgqpp "$(awk -v a="$bounded" -v b="$unbounded" 'BEGIN { printf "%.2f\n", a / b }')" ratio

{
  echo "bounded batches benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$events events in one tick interval, max_batch_events $n: $nbatches batches"
  echo "rows read from the event tables (pg_stat_xact_user_tables, seq_tup_read + idx_tup_fetch):"
  echo "  first next_batch of the interval: $first_rows; each later next_batch: $later_rows on average"
  echo "  reading a batch's events (get_batch_events): $read_rows on average, at most $max_read"
  echo "batch-read rate (next_batch, count(*) of get_batch_events, finish_batch; one psql session):"
  echo "  bounded ($n per batch): $b1, $b2 events/s (median $bounded)"
  echo "  unbounded (one batch of $events): $u1, $u2 events/s (median $unbounded)"
} | tee "$BENCH_RESULTS" >&2
