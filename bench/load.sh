#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Load run: the fault test's harness at full speed, no faults. LOAD_EVENTS
# (1,000,000) events from LOAD_PRODUCERS (4) producers in transactions of
# LOAD_TX_EVENTS (100) events (bulk insert), read by two libpgqpp Consumers
# (COPY stream; cursor, FETCH 1000) and one ExactlyOnceConsumer writing into
# a second database, with the ticker daemon (pgqpp preloaded, wake-up path)
# ticking, rotating the event tables every LOAD_ROTATION (20 seconds) and
# running maintenance.
#
# Reports:
#   - sustained events/s end to end: committed events / (first insert to the
#     last event handled by the slowest consumer), and the producers' rate;
#   - the consumers' maximum lag (pgq.get_consumer_info, sampled every second);
#   - rows of pgq.tick and pgq.subscription, sampled during the run and after;
#   - dead tuples (pg_stat_user_tables.n_dead_tup) of the event tables, of
#     pgq.tick and pgq.subscription after the ticker's maintenance.
# Then checks event by event that every consumer got every event (the fault
# test's `check` role). Results: $BUILD/bench-load-results.txt, lines
# "load<TAB>metric<TAB>value<TAB>unit"; printed readably too.
#
#   BUILD=build bench/load.sh           (part of make bench)
#   LOAD_EVENTS=100000 bench/load.sh    a shorter run
#   LOAD_MIN_INTERVAL_MS=1000 bench/load.sh   consumers take >= 1 s of ticks per batch
#
# Exits non-zero when something fails to run or the check fails; the figures
# themselves are reported, never asserted. KEEP_BENCH_WORK=1 keeps the work
# directory.
part=load
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/fault/scene.sh
. "$root/tests/fault/scene.sh"

LOAD_EVENTS=${LOAD_EVENTS:-1000000}
LOAD_PRODUCERS=${LOAD_PRODUCERS:-4}
LOAD_TX_EVENTS=${LOAD_TX_EVENTS:-100}
LOAD_ROTATION=${LOAD_ROTATION:-20 seconds}
# Consumers' min_interval in ms (0: one tick interval per batch, PgQ's default;
# more lets a consumer that fell behind take several ticks per batch).
LOAD_MIN_INTERVAL_MS=${LOAD_MIN_INTERVAL_MS:-0}
results=${LOAD_RESULTS:-$build/bench-load-results.txt}
harness=$build/tests/fault/pgqpp_fault
pgqpp=$build/cli/pgqpp

for bin in "$harness" "$pgqpp"; do [ -x "$bin" ] || die "$bin is missing; build first (make)"; done

bench_work
data="$work/main/data"
pids=()
on_exit 'pg_stop "$data"'
on_exit 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done'

pg_stage "$work/stage" "$build"
mkdir -p "$work/main"
scene_cluster "$data" "-c shared_buffers=256MB" "-c synchronous_commit=off" "-c max_wal_size=4GB" ||
  die "cannot start the cluster"
scene_queue load load "$LOAD_ROTATION" c_copy c_cursor eo
scene_ticker_ini "$work/ticker.ini" load "$work/ticker.log" maint_period=2 stats_period=60
"$pgqpp" ticker -q "$work/ticker.ini" >"$work/ticker.out" 2>&1 &
ticker=$!
pids+=("$ticker")
consumer_pids=()
"$harness" consume --conninfo "$conn" --queue load --name c_copy --incarnation 1 --log "$work/c_copy.log" \
  --min-interval-ms "$LOAD_MIN_INTERVAL_MS" \
  >"$work/c_copy.out" 2>&1 &
consumer_pids+=($!)
"$harness" consume --conninfo "$conn" --queue load --name c_cursor --incarnation 1 --fetch-size 1000 \
  --min-interval-ms "$LOAD_MIN_INTERVAL_MS" \
  --log "$work/c_cursor.log" >"$work/c_cursor.out" 2>&1 &
consumer_pids+=($!)
"$harness" exactly-once --conninfo "$conn" --target-conninfo "$target" --target-table load_eo --queue load \
  --name eo --incarnation 1 --log "$work/eo.log" --min-interval-ms "$LOAD_MIN_INTERVAL_MS" >"$work/eo.out" 2>&1 &
consumer_pids+=($!)
pids+=("${consumer_pids[@]}")


# A fresh tick that every consumer reads, so that the lag sampled below
# starts at zero instead of at the age of the setup.
start_tick=$(q load "select pgq.force_tick('load')")
q load "select pgq.ticker('load')" >/dev/null
until [ "$(q load "select count(*) from pgq.get_consumer_info('load') where last_tick <= $start_tick")" = 0 ]; do
  sleep 0.1
done

# Samples every second: consumers' lag and pending events, metadata rows,
# the current event table (to count rotations).
sample_sql="select extract(epoch from clock_timestamp()),
  (select coalesce(max(extract(epoch from lag)), 0) from pgq.get_consumer_info('load')),
  (select coalesce(max(pending_events), 0) from pgq.get_consumer_info('load')),
  (select count(*) from pgq.tick), (select count(*) from pgq.subscription),
  (select queue_cur_table from pgq.queue where queue_name = 'load'),
  pg_total_relation_size('pgq.tick') / 1024, pg_total_relation_size('pgq.subscription') / 1024"
( while :; do q load "$sample_sql" | tr '|' '\t' >>"$work/samples.tsv" || true; sleep 1; done ) &
sampler=$!
pids+=("$sampler")

per_producer=$(( (LOAD_EVENTS + LOAD_PRODUCERS - 1) / LOAD_PRODUCERS ))
say "load: $LOAD_EVENTS events from $LOAD_PRODUCERS producers ($LOAD_TX_EVENTS per transaction), 3 consumers"
producer_pids=()
producer_logs=()
left=$LOAD_EVENTS
for id in $(seq 1 "$LOAD_PRODUCERS"); do
  n=$(( left < per_producer ? left : per_producer ))
  left=$((left - n))
  "$harness" produce --conninfo "$conn" --queue load --id "$id" --seed 1 --events "$n" \
    --min-tx-events "$LOAD_TX_EVENTS" --max-tx-events "$LOAD_TX_EVENTS" --bulk-pct 100 \
    --log "$work/p$id.log" >"$work/p$id.out" 2>&1 &
  producer_pids+=($!)
  producer_logs+=(--producer-log "$work/p$id.log")
done
pids+=("${producer_pids[@]}")
for p in "${producer_pids[@]}"; do wait "$p" || die "a producer failed: $(cat "$work"/p*.out)"; done
say "load: producers done"

# Drain: one tick after the last commit, every consumer past it.
# force_tick returns the last tick before it; the next tick (ours or the
# daemon's) covers every commit, and every consumer must get past it.
last_tick=$(q load "select pgq.force_tick('load')")
q load "select pgq.ticker('load')" >/dev/null
deadline=$((SECONDS + 600))
until [ "$(q load "select count(*) from pgq.get_consumer_info('load')
                  where last_tick <= $last_tick or current_batch is not null")" = 0 ]; do
  [ $SECONDS -lt $deadline ] || die "consumers did not drain within 600 s"
  sleep 0.1
done
kill "$sampler" 2>/dev/null || true
say "load: consumers drained"
for p in "${consumer_pids[@]}"; do kill -TERM "$p"; wait "$p" || die "a consumer failed: $(cat "$work"/c_*.out "$work/eo.out")"; done

# After the run: let the ticker's maintenance (every 2 s) and the statistics
# collector catch up, then read the tables' state.
sleep 8
after=$(q load "select
  (select coalesce(sum(n_dead_tup), 0) from pg_stat_user_tables where schemaname = 'pgq' and relname ~ '^event_[0-9]+_[0-9]+$'),
  (select coalesce(sum(n_live_tup), 0) from pg_stat_user_tables where schemaname = 'pgq' and relname ~ '^event_[0-9]+_[0-9]+$'),
  (select n_dead_tup from pg_stat_user_tables where schemaname = 'pgq' and relname = 'tick'),
  (select n_dead_tup from pg_stat_user_tables where schemaname = 'pgq' and relname = 'subscription'),
  (select count(*) from pgq.tick), (select count(*) from pgq.subscription)")
IFS='|' read -r ev_dead ev_live tick_dead sub_dead tick_rows sub_rows <<<"$after"
kill -TERM "$ticker"; wait "$ticker" || true

# Event by event: every consumer got every committed event exactly as promised.
"$harness" check "${producer_logs[@]}" --consumer "c_copy=$work/c_copy.log" --consumer "c_cursor=$work/c_cursor.log" \
  --exactly-once load_eo --target-conninfo "$target" >"$work/check.out" || { cat "$work/check.out" >&2; die "the check failed"; }

# Figures.
committed=$(grep -h '^C' "$work"/p*.log | awk -F'\t' '{n += $4 - $3 + 1} END {print n}')
first_ms=$(grep -h '^T' "$work"/p*.log | awk -F'\t' 'NR == 1 || $3 < m {m = $3} END {print m}')
commit_ms=$(grep -h '^T' "$work"/p*.log | awk -F'\t' '$4 > m {m = $4} END {print m}')
end_ms=$(grep -h '^B' "$work"/c_copy.log "$work"/c_cursor.log "$work"/eo.log | awk -F'\t' '$4 > 0 && $5 > m {m = $5} END {print m}')
duration=$(awk -v a="$first_ms" -v b="$end_ms" 'BEGIN {printf "%.2f", (b - a) / 1000}')
rate=$(awk -v n="$committed" -v a="$first_ms" -v b="$end_ms" 'BEGIN {printf "%.0f", n * 1000 / (b - a)}')
prate=$(awk -v n="$committed" -v a="$first_ms" -v b="$commit_ms" 'BEGIN {printf "%.0f", n * 1000 / (b - a)}')
read -r max_lag max_pending max_ticks max_subs rotations max_tick_kb max_sub_kb < <(awk -F'\t' '
  {if ($2 > l) l = $2; if ($3 > p) p = $3; if ($4 > t) t = $4; if ($5 > s) s = $5;
   if (NR > 1 && $6 != prev) r++; prev = $6; if ($7 > tk) tk = $7; if ($8 > sk) sk = $8}
  END {printf "%.2f %d %d %d %d %d %d\n", l, p, t, s, r, tk, sk}' "$work/samples.tsv")
# When each consumer handled its last event, in seconds after the first insert.
done_after() {
  grep -h '^B' "$1" | awk -F'\t' -v a="$first_ms" '$4 > 0 && $5 > m {m = $5} END {printf "%.2f", (m - a) / 1000}'
}
samples=$(wc -l <"$work/samples.tsv")

{
  printf 'load\tevents\t%s\tevents\n' "$committed"
  printf 'load\tproducers\t%s\tprocesses\n' "$LOAD_PRODUCERS"
  printf 'load\tconsumers\t3\tprocesses\n'
  printf 'load\tconsumer_min_interval\t%s\tms\n' "$LOAD_MIN_INTERVAL_MS"
  printf 'load\tend_to_end_rate\t%s\tevents/s\n' "$rate"
  printf 'load\tend_to_end_duration\t%s\ts\n' "$duration"
  printf 'load\tproducer_rate\t%s\tevents/s\n' "$prate"
  printf 'load\tmax_consumer_lag\t%s\ts\n' "$max_lag"
  printf 'load\tmax_pending_events\t%s\tevents\n' "$max_pending"
  printf 'load\ttick_rows_max_during\t%s\trows\n' "$max_ticks"
  printf 'load\ttick_rows_after\t%s\trows\n' "$tick_rows"
  printf 'load\tsubscription_rows_max_during\t%s\trows\n' "$max_subs"
  printf 'load\tsubscription_rows_after\t%s\trows\n' "$sub_rows"
  printf 'load\ttick_size_max_during\t%s\tkB\n' "$max_tick_kb"
  printf 'load\tsubscription_size_max_during\t%s\tkB\n' "$max_sub_kb"
  for c in c_copy c_cursor eo; do printf 'load\tdone_after_%s\t%s\ts\n' "$c" "$(done_after "$work/$c.log")"; done
  printf 'load\tevent_table_rotations\t%s\trotations\n' "$rotations"
  printf 'load\tevent_tables_dead_tuples_after\t%s\ttuples\n' "$ev_dead"
  printf 'load\tevent_tables_live_tuples_after\t%s\ttuples\n' "$ev_live"
  printf 'load\ttick_dead_tuples_after\t%s\ttuples\n' "$tick_dead"
  printf 'load\tsubscription_dead_tuples_after\t%s\ttuples\n' "$sub_dead"
} >"$results"

cat <<EOF
Load run: $committed events, $LOAD_PRODUCERS producers x $LOAD_TX_EVENTS events per transaction,
2 Consumers + 1 ExactlyOnceConsumer (min_interval $LOAD_MIN_INTERVAL_MS ms), pgqpp ticker (wake-up path), rotation every $LOAD_ROTATION.
  end to end      $rate events/s   ($duration s from the first insert to the last event consumed by every consumer)
  producers       $prate events/s (first insert to last commit)
  consumers done  $(for c in c_copy c_cursor eo; do printf '%s after %s s  ' "$c" "$(done_after "$work/$c.log")"; done)
  consumer lag    max $max_lag s, max $max_pending pending events ($samples samples, 1 s apart)
  pgq.tick        max $max_ticks rows ($max_tick_kb kB) during, $tick_rows rows after, $tick_dead dead tuples after
  pgq.subscription max $max_subs rows ($max_sub_kb kB) during, $sub_rows rows after, $sub_dead dead tuples after
  event tables    $rotations rotations during the run; after: $ev_dead dead tuples, $ev_live live
$(sed 's/^/  check: /' "$work/check.out")
Results: $results
EOF
