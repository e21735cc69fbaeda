#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `make bench` in miniature: every part (bench/run.sh, triggers.sh,
# consume.sh, ticker.sh, sqlonly.sh, delayed.sh, bounded.sh, scale.sh, held_xmin.sh, curves.sh) runs with tiny sizes on the test cluster it is
# handed (PGQPP_BENCH_CLUSTER=env), writes its rows, and bench/table.py shows
# a figure for pgqpp, PgQ 3.5 and raw PostgreSQL in every row of the main
# table (n/a only where it says why). Every part checks its own work (rows
# inserted, events per trigger, events read, and the latency probe fails when
# a consumer misses an event: libpgqpp's Consumer woken by pgqpp's ticker,
# polling PgQ 3.5 ticked by pgqd, the SQL consumers and the raw
# LISTEN/NOTIFY one). The figures themselves are not judged: the machine is
# shared. Each part drops its databases at its end.
set -euo pipefail
. "$PGQPP_SOURCE_DIR/tests/lib/testlib.sh"
src=$PGQPP_SOURCE_DIR
work=$PGQPP_TEST_WORK/bench_smoke
rm -rf "$work"
mkdir -p "$work"

export PGQPP_BENCH_CLUSTER=env BENCH_RESULTS_DIR=$work/results BUILD=$PGQPP_BUILD_DIR
BENCH_SECONDS=1 BENCH_WARMUP=0 BENCH_ROUNDS=1 BENCH_REPS=1 BENCH_EVENTS=2000 \
  bash "$src/bench/run.sh" >"$work/core.log" 2>&1 || { tail -30 "$work/core.log"; fail "bench/run.sh"; }
BENCH_ROWS=500 BENCH_REPS=1 \
  bash "$src/bench/triggers.sh" >"$work/triggers.log" 2>&1 || { tail -30 "$work/triggers.log"; fail "bench/triggers.sh"; }
BENCH_CONSUME_EVENTS=2000 BENCH_CONSUME_ROUNDS=1 \
  bash "$src/bench/consume.sh" >"$work/consume.log" 2>&1 || { tail -30 "$work/consume.log"; fail "bench/consume.sh"; }
TICKER_BENCH_SECONDS=2 TICKER_BENCH_QUEUES=5 TICKER_BENCH_RATE=50 TICKER_BENCH_TPS_SECONDS=7 TICKER_BENCH_SLICE=2 \
  bash "$src/bench/ticker.sh" >"$work/ticker.log" 2>&1 || { tail -30 "$work/ticker.log"; fail "bench/ticker.sh"; }
SQLONLY_BENCH_SECONDS=2 SQLONLY_BENCH_QUEUES=5 SQLONLY_BENCH_RATE=50 SQLONLY_BENCH_INSERT_SECONDS=1 SQLONLY_BENCH_ROUNDS=1 \
  bash "$src/bench/sqlonly.sh" >"$work/sqlonly.log" 2>&1 || { tail -30 "$work/sqlonly.log"; fail "bench/sqlonly.sh"; }
DELAYED_BENCH_SECONDS=2 DELAYED_BENCH_RATE=200 DELAYED_BENCH_DEAD_ROUNDS=1 \
  bash "$src/bench/delayed.sh" >"$work/delayed.log" 2>&1 || { tail -30 "$work/delayed.log"; fail "bench/delayed.sh"; }
BOUNDED_BENCH_EVENTS=3000 BOUNDED_BENCH_N=100 \
  bash "$src/bench/bounded.sh" >"$work/bounded.log" 2>&1 || { tail -30 "$work/bounded.log"; fail "bench/bounded.sh"; }
BENCH_SCALE_EVENTS=160 BENCH_SCALE_BATCH=20 BENCH_SCALE_COST_US=200 BENCH_FANOUT_EVENTS=500 BENCH_FANOUT_CONSUMERS="1 2" \
  bash "$src/bench/scale.sh" >"$work/scale.log" 2>&1 || { tail -30 "$work/scale.log"; fail "bench/scale.sh"; }
BENCH_HOLD_SECONDS=4 HELD_XMIN_WINDOW=2 HELD_XMIN_CONSUMERS=4 HELD_XMIN_RATE=200 \
  bash "$src/bench/held_xmin.sh" >"$work/held_xmin.log" 2>&1 || { tail -30 "$work/held_xmin.log"; fail "bench/held_xmin.sh"; }

CURVES_QUEUES="3 6" CURVES_CONSUMERS="1 3" CURVES_DATABASES="1 2" CURVES_SECONDS=2 CURVES_RATE=20 \
  bash "$src/bench/curves.sh" >"$work/curves.log" 2>&1 || { tail -30 "$work/curves.log"; fail "bench/curves.sh"; }
# Every point of the curves measured, for both systems (the latency probe
# fails the part when a consumer misses an event), and drawn.
n=$(grep -c . "$work/results/curves.points")
[ "$n" -eq 52 ] || fail "curves.points has $n points, expected 52 (2 systems x (2 x 7 + 2 x 3 + 2 x 3))"
if command -v gnuplot >/dev/null; then
  grep -q '<svg' "$work/results/curves.svg" || fail "curves.sh drew no chart"
fi
for p in core triggers consume ticker sqlonly delayed bounded scale held_xmin curves; do
  [ -s "$work/results/$p.txt" ] || fail "$p wrote no report"
  [ "$p" = curves ] || [ -s "$work/results/$p.tsv" ] || fail "$p wrote no rows"
done
python3 "$src/bench/table.py" "$work/results" --out "$work/table.md" >/dev/null
# The main table: every measure of the brief is there, with three figures or a reason.
main=$(sed -n '/^## Results/,/^## /p' "$work/table.md" | grep '^| [A-Za-z]' | grep -v '^| measure')
for label in "insert, 1 event per transaction" "insert, 100k events in 1 transaction" \
             "consume one 1M-event batch, libpgqpp" "latency p50 at 100 ev/s" "latency p99, the same" \
             "latency p50, SQL consumer calling next_batch" "trigger: bulk UPDATE" \
             "ticker CPU at 100 ev/s" "ticker CPU idle" "insert, 1 event/tx, 4 clients: with the ticker running" \
             "delayed events: lateness p50" "delayed events: dead tuples made" \
             "held xmin: 20 consumers" "held xmin: growth" \
             "bounded batches: rows read per next_batch" "bounded batches: rows read per batch's get_batch_events" \
             "keyed parallelism: 8 workers" "cooperative consumers: 8 subconsumer processes" \
             "fan-out: event tables per event" "SQL-only edition: latency p50" \
             "SQL-only edition: ticker CPU idle" "SQL-only edition: insert, 1 event per transaction"; do
  grep -qF "| $label" <<<"$main" || fail "no row '$label' in the main table"
done
bad=$(grep -E '\| n/a \||\| n/a$' <<<"$main" || true)
[ -z "$bad" ] || fail "figures missing without a reason: $bad"
# No part left a database behind.
left=$(psql -X -At -d postgres -c "select string_agg(datname, ' ') from pg_database
         where datname like 'bench%' or datname like 'tbench%' or datname like 'curves%'")
[ -z "$left" ] || fail "databases left behind: $left"
[ -n "${KEEP_TEST_WORK:-}" ] || rm -rf "$work"
echo "ok"
