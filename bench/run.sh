#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pgqpp's core paths (part "core" of `make bench`): events/s of insert and
# batch reads against plain-SQL baselines and against PgQ 3.5, measured on one
# cluster in one run, so that every ratio compares numbers taken minutes
# apart on the same machine.
#
#   BUILD=build bench/run.sh        (alone: starts its own throwaway cluster)
#   make bench                      (bench/all.sh: on the run's shared cluster)
#
# Cases (each baseline does the same work without a queue):
#   1. one event per transaction, pgbench with 4 clients:
#        select pgq.insert_event('q', 'type', '<100 bytes>')
#      vs INSERT of the same row into bench.event_base, a table with the
#      columns, defaults, ev_txid index and storage options of an event table.
#   2. 100,000 events in one transaction: pgq.insert_event per row, pgqpp's
#      bulk pgq.insert_events (arrays built with array_agg in the same
#      statement), vs INSERT ... SELECT of the same rows into bench.event_base.
#      Then the bulk path alone: insert_events of a text[] that already exists
#      (as a client's array parameter would), vs INSERT ... SELECT from unnest
#      of the same array, vs PgQ 3.5's insert_event per element (PgQ has no
#      bulk insert).
#   3. reading one 100,000-event batch: select * from pgq.get_batch_events(id)
#      vs a plain SELECT of the same columns of the same rows, in ev_id order,
#      from the queue's event table; psql receives every row, output discarded.
# PgQ 3.5 (Debian's postgresql-15-pgq3, also schema pgq) runs the same
# statements in a second database of the same cluster.
#
# Method: the sides of a case alternate (baseline, pgqpp, PgQ, then PgQ,
# pgqpp, baseline, ...) in many short runs, so that load from elsewhere hits
# all of them alike; each reported number is the median over the runs. Every
# timed run starts from empty event tables right after a CHECKPOINT.
# Wall-clock rates: pgbench's tps (case 1) and psql's \timing (cases 2, 3:
# client side, includes commit, excludes connecting). Besides, the backends'
# CPU time per event is measured (reaped backends' CPU from the postmaster's
# /proc stat for pgbench; the backend's own /proc/self/schedstat around the
# statement otherwise): the server's cost alone, without the client's
# (pgbench, psql) or the WAL writer's. On a VM whose CPUs are shared it is as
# noisy as the wall clock.
#
# Knobs (environment): BENCH_SECONDS (5) per pgbench run, BENCH_ROUNDS (5)
# pgbench runs per side after an untimed BENCH_WARMUP (3) seconds each,
# BENCH_REPS (5) runs per side of cases 2 and 3, BENCH_EVENTS (100000),
# BENCH_CLIENTS (4), BENCH_PROTOCOL (prepared: pgbench -M); the cluster and
# the output as bench/lib/common.sh says (report: $BENCH_RESULTS_DIR/core.txt,
# rows: core.tsv); KEEP_BENCH_WORK=1 keeps the work directory.
#
# Exits non-zero only when something fails to run; targets are reported,
# never asserted.
part=core
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_WARMUP=${BENCH_WARMUP:-3}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_EVENTS=${BENCH_EVENTS:-100000}
BENCH_CLIENTS=${BENCH_CLIENTS:-4}
BENCH_PROTOCOL=${BENCH_PROTOCOL:-prepared}

[ -r /proc/self/schedstat ] || die "/proc/self/schedstat is missing (the backends' CPU time is read from it)"
for t in pgbench psql; do command -v "$t" >/dev/null || die "$t is not installed"; done

bench_begin

# ---------------------------------------------------------------- setup ---
DB_PGQPP=bench_pgqpp  # pgqpp and the baseline table
DB_PGQ=bench_pgq      # PgQ 3.5
bench_createdb "$DB_PGQPP" pgqpp
bench_createdb "$DB_PGQ" pgq

# The baseline: an event table without a queue.
psql -X -q -v ON_ERROR_STOP=1 -d "$DB_PGQPP" -f "$(dirname "$0")/lib/event_base.sql" >/dev/null ||
  die "creating the baseline table failed"

for db in "$DB_PGQPP" "$DB_PGQ"; do
  q "$db" "select pgq.create_queue('q'); select pgq.create_queue('qr');
             select pgq.register_consumer('qr', 'c')" >/dev/null
done

# event_tables DB QUEUE: the queue's event tables, comma-separated.
event_tables() {
  q "$1" "select string_agg(queue_data_pfx || '_' || i, ',' order by i)
              from pgq.queue, generate_series(0, queue_ntables - 1) i
             where queue_name = '$2'"
}

# The ~100-byte payload: row g's in SQL, row 1's as a literal for pgbench.
PAYLOAD_SQL="rpad('{\"id\":' || g || ',\"user\":\"bench\",\"action\":\"update\",\"payload\":\"', 98, 'x') || '\"}'"
PAYLOAD_LIT=$(q postgres "select $PAYLOAD_SQL from generate_series(1, 1) g")
PAYLOAD_LIT_SQL="'${PAYLOAD_LIT//\'/\'\'}'"

# Sides: their database, and the tables they write (emptied before each run).
TABLES_PGQPP=$(event_tables "$DB_PGQPP" q)
TABLES_PGQ=$(event_tables "$DB_PGQ" q)
declare -A DB=([base]=$DB_PGQPP [pgqpp]=$DB_PGQPP [bulk]=$DB_PGQPP [pgq]=$DB_PGQ
               [base_arr]=$DB_PGQPP [bulk_arr]=$DB_PGQPP [pgq_arr]=$DB_PGQ)
declare -A TABLES=([base]=bench.event_base [pgqpp]=$TABLES_PGQPP [bulk]=$TABLES_PGQPP
                   [pgq]=$TABLES_PGQ [base_arr]=bench.event_base [bulk_arr]=$TABLES_PGQPP
                   [pgq_arr]=$TABLES_PGQ)

# prepare SIDE: empties the side's tables and checkpoints.
prepare() {
  q "${DB[$1]}" "truncate ${TABLES[$1]}" >/dev/null
  q postgres "checkpoint" >/dev/null
}

# rows SIDE: how many rows the side's tables hold.
rows() {
  local q
  q=$(tr ',' '\n' <<<"${TABLES[$1]}" | sed 's/.*/(select count(*) from &)/' | paste -sd+)
  q "${DB[$1]}" "select $q"
}

declare -A RATE CPU SAMPLES CPU_SAMPLES  # CASE:SIDE -> events/s, µs/event, samples

# ----------------------------------------------- 1. single-event txns ---
ncpu=$(nproc 2>/dev/null || echo 2)
jobs=$((BENCH_CLIENTS < ncpu ? BENCH_CLIENTS : ncpu))
echo "insert into bench.event_base (ev_type, ev_data) values ('type', $PAYLOAD_LIT_SQL);" >"$work/base.sql"
echo "select pgq.insert_event('q', 'type', $PAYLOAD_LIT_SQL);" >"$work/pgqpp.sql"
cp "$work/pgqpp.sql" "$work/pgq.sql"

# pgbench_run SIDE [SECONDS]: one pgbench run; prints "tps cpu_us_per_tx".
pgbench_run() {
  local side=$1 seconds=${2:-$BENCH_SECONDS} out tps txs cpu0 cpu1
  prepare "$side"
  backends_gone
  cpu0=$(reaped_cpu)
  out=$(pgbench -n -M "$BENCH_PROTOCOL" -c "$BENCH_CLIENTS" -j "$jobs" -T "$seconds" \
    -f "$work/$side.sql" "${DB[$side]}" 2>&1) || { echo "$out" >&2; die "pgbench failed for $side"; }
  backends_gone
  cpu1=$(reaped_cpu)
  tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' <<<"$out")
  txs=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")
  if [ -z "$tps" ] || [ -z "$txs" ]; then echo "$out" >&2; die "unexpected pgbench output for $side"; fi
  [ "$(rows "$side")" -eq "$txs" ] || die "$side: pgbench reports $txs transactions, the table holds $(rows "$side") rows"
  awk -v t="$tps" -v n="$txs" -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.0f %.2f\n", t, (b - a) * 1e6 / n }'
}

say "1. one event per transaction: pgbench -c $BENCH_CLIENTS, ${BENCH_SECONDS}s, $BENCH_ROUNDS rounds per side"
# Warm-up: the first runs of a fresh cluster also create its WAL segments.
for side in base pgqpp pgq; do
  if ((BENCH_WARMUP > 0)); then pgbench_run "$side" "$BENCH_WARMUP" >/dev/null; fi
done
for ((r = 0; r < BENCH_ROUNDS; r++)); do
  for side in $(order "$r" base pgqpp pgq); do
    out=$(pgbench_run "$side")
    read -r tps cpu <<<"$out"
    SAMPLES[single:$side]+="$tps "
    CPU_SAMPLES[single:$side]+="$cpu "
    say "   round $((r + 1)) $side: $tps tx/s, $cpu µs backend CPU/tx"
  done
done
for side in base pgqpp pgq; do
  RATE[single:$side]=$(median <<<"${SAMPLES[single:$side]}")
  CPU[single:$side]=$(median <<<"${CPU_SAMPLES[single:$side]}")
done

# summarize CASE SIDE...: medians of the samples, as events/s and µs/event.
summarize() {
  local c=$1 side ms
  shift
  for side in "$@"; do
    ms=$(median <<<"${SAMPLES[$c:$side]}")
    RATE[$c:$side]=$(awk -v n="$BENCH_EVENTS" -v ms="$ms" 'BEGIN { print n * 1000 / ms }')
    ms=$(median <<<"${CPU_SAMPLES[$c:$side]}")
    CPU[$c:$side]=$(awk -v n="$BENCH_EVENTS" -v ms="$ms" 'BEGIN { print ms * 1000 / n }')
  done
}

# ------------------------------------------- 2. one big transaction ---
declare -A INSERT_SQL=(
  [base]="insert into bench.event_base (ev_type, ev_data) select 'type', $PAYLOAD_SQL from generate_series(1, $BENCH_EVENTS) g"
  [pgqpp]="select count(pgq.insert_event('q', 'type', $PAYLOAD_SQL)) from generate_series(1, $BENCH_EVENTS) g"
  [bulk]="select pgq.insert_events('q', array['type'], array_agg($PAYLOAD_SQL)) from generate_series(1, $BENCH_EVENTS) g"
  [pgq]="select count(pgq.insert_event('q', 'type', $PAYLOAD_SQL)) from generate_series(1, $BENCH_EVENTS) g"
  [base_arr]="insert into bench.event_base (ev_type, ev_data) select 'type', d from bench.arrays, unnest(ev_datas) d"
  [bulk_arr]="select pgq.insert_events('q', array['type'], ev_datas) from bench.arrays"
  [pgq_arr]="select count(pgq.insert_event('q', 'type', d)) from bench.arrays, unnest(ev_datas) d"
)
# The given array, stored uncompressed: reading it costs every side alike.
# PgQ 3.5 has no bulk insert: its side calls insert_event per element.
for db in "$DB_PGQPP" "$DB_PGQ"; do
  q "$db" "create schema if not exists bench;
             create table bench.arrays (ev_datas text[]);
             alter table bench.arrays alter column ev_datas set storage external;
             insert into bench.arrays select array_agg($PAYLOAD_SQL) from generate_series(1, $BENCH_EVENTS) g" >/dev/null
done

say "2. $BENCH_EVENTS events in one transaction: $BENCH_REPS runs per side"
for ((r = 0; r < BENCH_REPS; r++)); do
  for side in $(order "$r" base pgqpp bulk pgq base_arr bulk_arr pgq_arr); do
    prepare "$side"
    out=$(timed "${DB[$side]}" "${INSERT_SQL[$side]}")
    read -r ms cpu <<<"$out"
    n=$(rows "$side")
    [ "$n" -eq "$BENCH_EVENTS" ] || die "$side inserted $n rows, expected $BENCH_EVENTS"
    SAMPLES[onetx:$side]+="$ms "
    CPU_SAMPLES[onetx:$side]+="$cpu "
    say "   run $((r + 1)) $side: $ms ms, backend CPU $cpu ms"
  done
done
summarize onetx base pgqpp bulk pgq base_arr bulk_arr pgq_arr

# ---------------------------------------------------- 3. batch read ---
# batch_of DB: puts BENCH_EVENTS events into queue qr in one transaction,
# ticks, and prints the id of consumer c's batch that holds them.
batch_of() {
  local db=$1 id
  q "$db" "select count(pgq.insert_event('qr', 'type', $PAYLOAD_SQL)) from generate_series(1, $BENCH_EVENTS) g" >/dev/null
  q "$db" "select pgq.force_tick('qr')" >/dev/null
  q "$db" "select pgq.ticker()" >/dev/null
  id=$(q "$db" "select pgq.next_batch('qr', 'c')")
  [ -n "$id" ] || die "no batch in $db after ticking"
  n=$(q "$db" "select count(*) from pgq.get_batch_events($id)")
  [ "$n" -eq "$BENCH_EVENTS" ] || die "batch $id in $db has $n events, expected $BENCH_EVENTS"
  echo "$id"
}
BATCH_PGQPP=$(batch_of "$DB_PGQPP")
BATCH_PGQ=$(batch_of "$DB_PGQ")
READ_TABLE=$(q "$DB_PGQPP" "select queue_data_pfx || '_' || queue_cur_table from pgq.queue where queue_name = 'qr'")
n=$(q "$DB_PGQPP" "select count(*) from $READ_TABLE")
[ "$n" -eq "$BENCH_EVENTS" ] || die "$READ_TABLE has $n rows, expected $BENCH_EVENTS"
declare -A READ_SQL=(
  [base]="select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from $READ_TABLE order by ev_id"
  [pgqpp]="select * from pgq.get_batch_events($BATCH_PGQPP)"
  [pgq]="select * from pgq.get_batch_events($BATCH_PGQ)"
)

say "3. reading a $BENCH_EVENTS-event batch: $BENCH_REPS runs per side"
for ((r = 0; r < BENCH_REPS; r++)); do
  for side in $(order "$r" base pgqpp pgq); do
    out=$(timed "${DB[$side]}" "${READ_SQL[$side]}")
    read -r ms cpu <<<"$out"
    SAMPLES[read:$side]+="$ms "
    CPU_SAMPLES[read:$side]+="$cpu "
    say "   run $((r + 1)) $side: $ms ms, backend CPU $cpu ms"
  done
done
summarize read base pgqpp pgq

# --------------------------------------------------------------- report ---
setting() { q postgres "show $1"; }
report() {
  local k=$((BENCH_EVENTS / 1000))k rev
  rev=$(revision)
  echo "pgqpp benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev, build $build"
  machine_line
  echo "server:  $(q postgres "select version()" | cut -d, -f1), databases $DB_PGQPP (pgqpp $(q "$DB_PGQPP" "select extversion from pg_extension where extname = 'pgqpp'") + baseline) and $DB_PGQ (PgQ $(q "$DB_PGQ" "select extversion from pg_extension where extname = 'pgq'"))"
  echo "  fsync=$(setting fsync) synchronous_commit=$(setting synchronous_commit): commits do not wait for WAL flushes, so the numbers show CPU cost, not the disk"
  echo "  full_page_writes=$(setting full_page_writes) wal_level=$(setting wal_level) shared_buffers=$(setting shared_buffers)" \
       "autovacuum=$(setting autovacuum) max_wal_size=$(setting max_wal_size) checkpoint_timeout=$(setting checkpoint_timeout)" \
       "max_parallel_workers_per_gather=$(setting max_parallel_workers_per_gather) work_mem=$(setting work_mem)"
  echo "  every timed run starts from empty tables right after a CHECKPOINT"
  echo "method:  ${#PAYLOAD_LIT}-byte ev_data; baseline = plain SQL into/from a table shaped like an event table (same columns, defaults, ev_txid index)"
  echo "  case 1: pgbench -M $BENCH_PROTOCOL -c $BENCH_CLIENTS -j $jobs -T $BENCH_SECONDS, $BENCH_ROUNDS round(s) per side in alternating order after ${BENCH_WARMUP}s warm-up each, median tps"
  echo "  cases 2, 3: $BENCH_REPS run(s) per side in alternating order, median of psql's \\timing (client side, commit included); output discarded"
  echo
  # Rows: LABEL CASE SIDE BASELINE_SIDE PGQ_SIDE TARGET
  local rows=(
    "insert_event, 1 event/tx, $BENCH_CLIENTS clients|single|pgqpp|base|pgq|0.97"
    "insert_event, $k events in 1 tx|onetx|pgqpp|base|pgq|"
    "insert_events (bulk), $k in 1 tx, array_agg|onetx|bulk|base||0.80"
    "insert_events (bulk), $k given in a text[]|onetx|bulk_arr|base_arr|pgq_arr|0.80"
    "get_batch_events, one $k-event batch|read|pgqpp|base|pgq|"
  )
  local fmt="%-44s %11s %11s %6s %12s %9s  %s\n" line label c side bside pside target
  # shellcheck disable=SC2059
  printf "$fmt" "case" "pgqpp ev/s" "base ev/s" "ratio" "PgQ 3.5 ev/s" "PgQ ratio" "target for ratio"
  div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
  for line in "${rows[@]}"; do
    IFS='|' read -r label c side bside pside target <<<"$line"
    local pgq=- pr=- verdict='' ratio
    ratio=$(div "${RATE[$c:$side]}" "${RATE[$c:$bside]}")
    if [ -n "$pside" ]; then
      pgq=$(printf '%.0f' "${RATE[$c:$pside]}")
      pr=$(div "${RATE[$c:$pside]}" "${RATE[$c:$bside]}")
    fi
    [ -z "$target" ] || verdict=">= $target $(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t) ? "met" : "MISSED" }')"
    # shellcheck disable=SC2059
    printf "$fmt" "$label" "$(printf '%.0f' "${RATE[$c:$side]}")" "$(printf '%.0f' "${RATE[$c:$bside]}")" \
      "$ratio" "$pgq" "$pr" "$verdict"
  done
  echo
  echo "backend CPU time per event (µs; ratio = baseline/side, so 1.0 = as cheap as the baseline):"
  fmt="%-44s %11s %11s %6s %12s %9s\n"
  # shellcheck disable=SC2059
  printf "$fmt" "case" "pgqpp" "base" "ratio" "PgQ 3.5" "PgQ ratio"
  for line in "${rows[@]}"; do
    IFS='|' read -r label c side bside pside target <<<"$line"
    local pgq=- pr=-
    if [ -n "$pside" ]; then
      pgq=$(printf '%.2f' "${CPU[$c:$pside]}")
      pr=$(div "${CPU[$c:$bside]}" "${CPU[$c:$pside]}")
    fi
    # shellcheck disable=SC2059
    printf "$fmt" "$label" "$(printf '%.2f' "${CPU[$c:$side]}")" "$(printf '%.2f' "${CPU[$c:$bside]}")" \
      "$(div "${CPU[$c:$bside]}" "${CPU[$c:$side]}")" "$pgq" "$pr"
  done
  echo
  echo "statements (payload: $PAYLOAD_SQL):"
  local stmt
  for side in pgqpp base; do
    stmt=$(<"$work/$side.sql")
    printf '  1 %-9s %s\n' "$side:" "${stmt//"$PAYLOAD_LIT_SQL"/<payload of row 1>}"
  done
  local side
  for side in pgqpp bulk base pgq bulk_arr base_arr pgq_arr; do
    printf '  2 %-9s %s\n' "$side:" "${INSERT_SQL[$side]//"$PAYLOAD_SQL"/<payload>}"
  done
  for side in pgqpp base pgq; do printf '  3 %-9s %s\n' "$side:" "${READ_SQL[$side]}"; done
  echo
  echo "samples (case 1: tx/s and backend µs/tx; cases 2, 3: wall ms and backend CPU ms per run):"
  local key
  for key in single:base single:pgqpp single:pgq onetx:base onetx:pgqpp onetx:bulk onetx:pgq \
             onetx:base_arr onetx:bulk_arr onetx:pgq_arr read:base read:pgqpp read:pgq; do
    printf '  %-15s %-50s| %s\n' "$key" "${SAMPLES[$key]}" "${CPU_SAMPLES[$key]}"
  done
  echo "run time: $(($(date +%s) - started)) s"
}
report | report_to_results

# The rows of the table (bench/table.py): events/s, and the backends' CPU per event.
# emit_case METRIC CASE PGQPP_SIDE PGQ_SIDE RAW_SIDE
emit_case() {
  local metric=$1 c=$2
  emit "$metric" pgqpp "${RATE[$c:$3]}" ev/s
  emit "$metric" pgq "${RATE[$c:$4]}" ev/s
  emit "$metric" raw "${RATE[$c:$5]}" ev/s
  emit "${metric}_cpu" pgqpp "${CPU[$c:$3]}" µs/ev
  emit "${metric}_cpu" pgq "${CPU[$c:$4]}" µs/ev
  emit "${metric}_cpu" raw "${CPU[$c:$5]}" µs/ev
}
emit_case insert_single single pgqpp pgq base
emit_case insert_bulk onetx bulk_arr pgq_arr base_arr
emit_case insert_loop onetx pgqpp pgq base
emit_case read_batch_sql read pgqpp pgq base
