#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Metadata bloat under a held xmin (part "held_xmin" of `make bench`, issue
# 21 item 4): PgQ 3.5 and pgqpp, one after the other on one cluster, each in
# a database of its own, under the same load:
#
#   producer   pgbench -R $HELD_XMIN_RATE (1,000) events/s, 2 clients,
#              `select pgq.insert_event('hx', 'bench', 'payload ...')`
#   ticks      pgbench -R $HELD_XMIN_TICK_RATE (20) calls/s of
#              `select pgq.ticker('hx')`, the queue set to
#              ticker_max_count = 1 and ticker_max_lag = 0: one tick per call
#              (events arrive all the time). The same tick driver for both
#              systems: their own daemons tick at rates that differ by
#              two orders of magnitude at this event rate (measured: pgqd
#              1/s, its ticker_period; `pgqpp ticker` with its wake-up path
#              about 170/s), which would compare the tickers, not the
#              metadata (docs/internals.md discusses the ticks).
#   vacuum     `vacuum pgq.subscription, pgq.tick` every
#              $HELD_XMIN_VACUUM_EVERY (10) s, standing in for autovacuum
#              (off on bench clusters) or PgQ's maintenance: without it the
#              tables grow even with no snapshot held (20 consumers keep the
#              few pages of pgq.subscription pinned, so page pruning rarely
#              gets its cleanup lock, and subscription_batch_idx gets a new
#              key every batch). No other maintenance (rotation is 2 hours
#              away).
#   consumers  bench/held_xmin_consumers: 20 consumers c1..c20, one
#              connection each, each looping next_batch /
#              count(*) of get_batch_events / finish_batch, every statement
#              its own transaction, 1 ms sleep when next_batch finds no tick;
#              counted per 10-s window.
#   held xmin  one session in the same database (the xmin horizon of a
#              table is that of its own database's sessions) holding
#              `begin isolation level repeatable read; select 1;` open for
#              the whole consumer run of $BENCH_HOLD_SECONDS (120) s.
#
# Before the load starts pgq.subscription and pgq.tick are vacuumed and
# measured; the held snapshot and the consumers start with the load (so that
# no backlog of ticks inflates the first window). After the run the part
# reports per system: batches/s in the first and the last window (10 s) and
# their ratio (target >= 0.8), the growth of pg_total_relation_size of
# pgq.subscription + pgq.tick (target < 1 MB), their n_dead_tup, and the mean
# next_batch time (client side, empty calls included) in the first and last
# window; the report (held_xmin.txt) has every window and the growth by
# relation and index. Reported, never asserted.
#
#   BUILD=build bench/held_xmin.sh                   (alone: its own cluster)
#   BENCH_HOLD_SECONDS=20 BUILD=build bench/held_xmin.sh   (a smoke run)
#   make bench                                       (bench/all.sh)
#
# Knobs: BENCH_HOLD_SECONDS (120), HELD_XMIN_CONSUMERS (20), HELD_XMIN_RATE
# (1000), HELD_XMIN_TICK_RATE (20), HELD_XMIN_VACUUM_EVERY (10),
# HELD_XMIN_CONTROL (1: no snapshot held, only the report, no rows),
# HELD_XMIN_WINDOW (10 s; the smoke test's miniature run shortens it),
# HELD_XMIN_SYSTEMS ("pgq pgqpp").
set -euo pipefail
part=held_xmin
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

hold=${BENCH_HOLD_SECONDS:-120}
consumers=${HELD_XMIN_CONSUMERS:-20}
rate=${HELD_XMIN_RATE:-1000}
tick_rate=${HELD_XMIN_TICK_RATE:-20}
systems=${HELD_XMIN_SYSTEMS:-pgq pgqpp}
vacuum_every=${HELD_XMIN_VACUUM_EVERY:-10}
control=${HELD_XMIN_CONTROL:-}  # 1: the same run without the held snapshot, no rows
window=${HELD_XMIN_WINDOW:-10}
((window > 0 && hold >= 2 * window)) || die "BENCH_HOLD_SECONDS must be at least 2 windows of $window s"
BENCH_RESULTS=$BENCH_RESULTS_DIR/$part.txt
driver=$build/bench/held_xmin_consumers
for tool in "$driver" /usr/bin/pgbench; do [ -x "$tool" ] || die "$tool is missing (make build)"; done

bench_work
bench_cluster
report=$work/report.txt
: >"$report"
note() { echo "$@" | tee -a "$report" >&2; }

cat >"$work/produce.sql" <<'EOF'
select pgq.insert_event('hx', 'bench', 'payload of a held-xmin benchmark event');
EOF
cat >"$work/tick.sql" <<'EOF'
select pgq.ticker('hx');
EOF

# sizes DB: "subscription_bytes tick_bytes dead_tuples" (total relation sizes,
# indexes included; n_dead_tup of both tables).
sizes() {
  q "$1" "select pg_total_relation_size('pgq.subscription'), pg_total_relation_size('pgq.tick'),
                 (select sum(n_dead_tup) from pg_stat_user_tables
                   where relid in ('pgq.subscription'::regclass, 'pgq.tick'::regclass))" | tr '|' ' '
}

# by_relation DB: the size of every table and index of subscription and tick.
by_relation() {
  q "$1" "select string_agg(c.relname || '=' || pg_relation_size(c.oid) / 1024 || 'kB', ' ' order by c.relname)
            from pg_class c
           where c.oid in ('pgq.subscription'::regclass, 'pgq.tick'::regclass)
              or c.oid in (select indexrelid from pg_index
                            where indrelid in ('pgq.subscription'::regclass, 'pgq.tick'::regclass))"
}

# run SYSTEM: one measurement; SYSTEM is pgq (PgQ 3.5) or pgqpp.
run() {
  local sys=$1 db=bench_hx_$1 ext=$1 pids=() holder='' out
  bench_createdb "$db" "$ext"
  q "$db" "select pgq.create_queue('hx')" >/dev/null
  q "$db" "select pgq.set_queue_config('hx', 'ticker_max_count', '1')" >/dev/null
  q "$db" "select pgq.set_queue_config('hx', 'ticker_max_lag', '0')" >/dev/null
  q "$db" "select pgq.register_consumer('hx', 'c' || i) from generate_series(1, $consumers) i" >/dev/null
  q "$db" "select pgq.ticker('hx')" >/dev/null

  # The baseline: vacuumed tables before any load; then the load starts and,
  # at once (no backlog of ticks to catch up on), the held snapshot and the
  # consumers.
  q "$db" "vacuum pgq.subscription, pgq.tick" >/dev/null
  read -r sub0 tick0 _ <<<"$(sizes "$db")"
  local rel0 load_seconds=$((hold + 15))
  rel0=$(by_relation "$db")
  pgbench -n -d "$db" -c 2 -j 1 -R "$rate" -T "$load_seconds" -f "$work/produce.sql" \
    >"$work/produce-$sys.log" 2>&1 &
  pids+=($!)
  pgbench -n -d "$db" -c 1 -j 1 -R "$tick_rate" -T "$load_seconds" -f "$work/tick.sql" \
    >"$work/tick-$sys.log" 2>&1 &
  pids+=($!)
  (while sleep "$vacuum_every"; do q "$db" "vacuum pgq.subscription, pgq.tick" >/dev/null 2>&1 || true; done) &
  pids+=($!)

  local under="under a held snapshot"
  if [ -n "$control" ]; then
    under="without a held snapshot (control)"
  else
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 \
      -c "set application_name = 'held_xmin_holder'" \
      -c "begin isolation level repeatable read" -c "select 1" \
      -c "select pg_sleep($hold + 60)" >/dev/null 2>&1 &
    holder=$!
    wait_for 10 "the held snapshot" holds "$db" \
      "select count(*) = 1 from pg_stat_activity where application_name = 'held_xmin_holder' and backend_xmin is not null"
  fi

  say "== $sys: $consumers consumers for ${hold}s $under, $rate ev/s, $tick_rate ticks/s"
  out=$("$driver" "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db" hx "$consumers" "$hold" "$window") ||
    die "held_xmin_consumers failed on $sys"
  sleep 2  # the consumers' statistics reach pg_stat within a second
  local sub1 tick1 dead1 rel1
  read -r sub1 tick1 dead1 <<<"$(sizes "$db")"
  rel1=$(by_relation "$db")
  q "$db" "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'held_xmin_holder'" >/dev/null
  if [ -n "$holder" ]; then wait "$holder" 2>/dev/null || true; fi
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true

  local first last
  first=$(echo "$out" | head -1)
  last=$(echo "$out" | tail -1)
  field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
  local b0 b1 ms0 ms1 growth
  b0=$(awk -v b="$(field "$first" batches)" -v w="$window" 'BEGIN { printf "%.1f", b / w }')
  b1=$(awk -v b="$(field "$last" batches)" -v w="$window" 'BEGIN { printf "%.1f", b / w }')
  ms0=$(field "$first" next_batch_ms)
  ms1=$(field "$last" next_batch_ms)
  growth=$(((sub1 + tick1 - sub0 - tick0) / 1024))
  if [ -z "$control" ]; then
    emit held_xmin_ratio "$sys" "$(awk -v a="$b1" -v b="$b0" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" "last ÷ first"
    emit held_xmin_batches_first "$sys" "$b0" "batches/s"
    emit held_xmin_batches_last "$sys" "$b1" "batches/s"
    emit held_xmin_growth "$sys" "$growth" kB
    emit held_xmin_growth_subscription "$sys" "$(((sub1 - sub0) / 1024))" kB
    emit held_xmin_growth_tick "$sys" "$(((tick1 - tick0) / 1024))" kB
    emit held_xmin_dead_tuples "$sys" "$dead1" tuples
    emit held_xmin_next_batch_first "$sys" "$ms0" ms
    emit held_xmin_next_batch_last "$sys" "$ms1" ms
  fi
  {
    echo "-- $sys: $consumers consumers, ${hold}s $under, $rate ev/s, $tick_rate ticks/s"
    echo "$out"
    echo "batches/s first ${window}-s window $b0, last $b1; next_batch mean ${ms0} ms first, ${ms1} ms last"
    echo "pgq.subscription: $((sub0 / 1024)) kB -> $((sub1 / 1024)) kB; pgq.tick: $((tick0 / 1024)) kB -> $((tick1 / 1024)) kB;" \
      "growth $growth kB (target < 1024); n_dead_tup of both: $dead1"
    echo "by relation before: $rel0"
    echo "by relation after:  $rel1"
    echo "ticks in pgq.tick: $(q "$db" "select count(*) from pgq.tick")"
  } | tee -a "$report" >&2
  dropdb_quietly "$db"
}

for sys in $systems; do run "$sys"; done
{
  echo "held-xmin benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "targets: batches/s of the last 10-s window >= 0.8 x the first; pgq.subscription + pgq.tick grow < 1 MB"
  cat "$report"
} >"$BENCH_RESULTS"
