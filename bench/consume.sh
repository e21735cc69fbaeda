#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Consuming (part "consume" of `make bench`): one batch of
# BENCH_CONSUME_EVENTS (1,000,000) events with ~100 bytes of data each, read
# end to end by a client, in events/s, against baselines measured in the same
# run on the same cluster:
#   - raw libpq: COPY ... TO STDOUT of the same rows (a plain SELECT of the
#     event table in ev_id order, and the batch's own query, in text and in
#     binary format), rows counted and dropped: what any reader must at least
#     pay. libpgqpp reads binary COPY, so "raw binary" is its like-for-like
#     baseline; the plain SELECT is the raw PostgreSQL row of the table;
#   - python3-pgq's pgq.Consumer (Debian's, /usr/bin/python3) on the same
#     batch, with its defaults (cursor, 300 rows per FETCH);
#   - PgQ 3.5: the same batch size in a second database, read by libpgqpp's
#     Consumer and by python3-pgq.
# Client CPU seconds per run show what the reader itself costs (the server's
# share is the same for all).
#
#   BUILD=build bench/consume.sh    (alone: starts its own throwaway cluster;
#                                    or: make bench-consume)
#   make bench                      (bench/all.sh: on the run's shared cluster)
#
# Every reader of a database gets the very same batch: one consumer per run
# is registered before the events are produced, and one tick closes them all
# in one batch. The raw readers use consumer "raw", whose batch stays open.
# Method: BENCH_CONSUME_ROUNDS (3) rounds; each runs every reader once, in an
# order that rotates between rounds, so load from elsewhere hits them alike;
# the table shows each reader's median. Peak RSS shows the batch is streamed
# (the whole batch is ~150 MB of rows).
#
# The cluster and the output as bench/lib/common.sh says (report:
# $BENCH_RESULTS_DIR/consume.txt, rows: consume.tsv). Exits non-zero only
# when something fails to run; targets are reported, never asserted.
# KEEP_BENCH_WORK=1 keeps the work directory.
part=consume
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

BENCH_CONSUME_EVENTS=${BENCH_CONSUME_EVENTS:-1000000}
BENCH_CONSUME_ROUNDS=${BENCH_CONSUME_ROUNDS:-3}
bench_bin="$build/bench/pgqpp_bench_consume"
py=/usr/bin/python3

[ -x "$bench_bin" ] || die "$bench_bin is missing; build first (make)"
"$py" -c 'import pgq, skytools, psycopg2' 2>/dev/null ||
  die "python3-pgq is not installed for $py (apt-get install python3-pgq)"

bench_begin
queue=bench
declare -A DBS=([pgqpp]=bench_consume [pgq]=bench_consume_pgq)

readers=(raw-table raw-batch raw-batch-binary lib lib-cursor python lib@pgq python@pgq)
say "setting up: $BENCH_CONSUME_EVENTS events, $BENCH_CONSUME_ROUNDS rounds of ${#readers[@]} readers"
bench_createdb "${DBS[pgqpp]}" pgqpp
bench_createdb "${DBS[pgq]}" pgq
# Per database: its queue, its consumers, its events in one batch.
declare -A produce_sql=(
  [pgqpp]="select pgq.insert_events('$queue', array['bench'],
             (select array_agg(rpad('event ' || i, 100, '.')) from generate_series(1, $BENCH_CONSUME_EVENTS) i))"
  [pgq]="select count(pgq.insert_event('$queue', 'bench', rpad('event ' || i, 100, '.')))
           from generate_series(1, $BENCH_CONSUME_EVENTS) i"
)
for sys in pgqpp pgq; do
  q "${DBS[$sys]}" "select pgq.create_queue('$queue')" "select pgq.register_consumer('$queue', 'raw')" >/dev/null
  for r in $(seq 1 "$BENCH_CONSUME_ROUNDS"); do
    for reader in lib lib-cursor python; do
      q "${DBS[$sys]}" "select pgq.register_consumer('$queue', '${reader//-/_}_$r')" >/dev/null
    done
  done
  q "${DBS[$sys]}" "${produce_sql[$sys]}" >/dev/null
  q "${DBS[$sys]}" "select pgq.force_tick('$queue')" "select pgq.ticker('$queue')" >/dev/null
  q "${DBS[$sys]}" "vacuum analyze" "checkpoint" >/dev/null
  cat >"$work/py_$sys.ini" <<INI
[bench_consumer]
job_name = bench_py_consumer
db = $(conninfo "${DBS[$sys]}")
queue_name = $queue
loop_delay = 0
use_skylog = 0
logfile = $work/py.log
INI
done

# run READER ROUND: one timed read; appends "reader events seconds rss cpu".
# READER is a mode, with @pgq when it reads PgQ 3.5's database.
run() {
  local reader=$1 round=$2 mode=${1%@*} sys=pgqpp consumer out
  [[ $reader != *@pgq ]] || sys=pgq
  consumer="${mode//-/_}_$round"
  case $mode in
    raw-*) out=$("$bench_bin" "$(conninfo "${DBS[$sys]}")" "$queue" "$mode" raw) ;;
    lib*) out=$("$bench_bin" "$(conninfo "${DBS[$sys]}")" "$queue" "$mode" "$consumer") ;;
    python) out=$("$py" "$root/bench/py_consumer.py" "$work/py_$sys.ini" --set "consumer_name=$consumer" 2>>"$work/py.log" | tail -1) ;;
  esac
  # shellcheck disable=SC2086  # the reader prints its figures as words
  set -- $out
  [ "${1:-0}" -eq "$BENCH_CONSUME_EVENTS" ] || die "$reader read ${1:-0} events, not $BENCH_CONSUME_EVENTS"
  echo "$reader $1 $2 $3 ${4:-0}" >>"$work/runs"
  say "  round $round $reader: $(awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f events/s", n / s }')"
}

for round in $(seq 1 "$BENCH_CONSUME_ROUNDS"); do
  n=${#readers[@]}
  for i in $(seq 0 $((n - 1))); do
    run "${readers[$(((i + round) % n))]}" "$round"
  done
done

# median events/s, peak RSS and client CPU per reader
rate() { awk -v r="$1" '$1 == r { print $2 / $3 }' "$work/runs" | median; }
rss() { awk -v r="$1" '$1 == r { print $4 / 1024 }' "$work/runs" | median; }
cpu() { awk -v r="$1" '$1 == r { print $5 }' "$work/runs" | median; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
declare -A label=(
  [raw-table]="raw libpq: COPY of a plain SELECT"
  [raw-batch]="raw libpq: COPY of the batch query"
  [raw-batch-binary]="raw libpq: binary COPY of the batch query"
  [lib]="libpgqpp Consumer (COPY stream)"
  [lib-cursor]="libpgqpp Consumer (cursor, fetch 1000)"
  [python]="python3-pgq pgq.Consumer"
  [lib@pgq]="PgQ 3.5: libpgqpp Consumer (COPY stream)"
  [python@pgq]="PgQ 3.5: python3-pgq pgq.Consumer"
)
raw_table=$(rate raw-table)
raw_batch=$(rate raw-batch)
raw_binary=$(rate raw-batch-binary)
lib_rate=$(rate lib)
py_rate=$(rate python)
{
  printf 'Consuming one batch of %s events (~100 B data each); median of %s runs; commit %s\n\n' \
    "$BENCH_CONSUME_EVENTS" "$BENCH_CONSUME_ROUNDS" "$(revision)"
  printf '%-44s %10s %10s %10s %10s\n' reader events/s "vs binary" "client CPU" "peak RSS"
  for r in "${readers[@]}"; do
    v=$(rate "$r")
    printf '%-44s %10.0f %9.2fx %9.2fs %7.0f MB\n' "${label[$r]}" "$v" "$(div "$v" "$raw_binary")" \
      "$(cpu "$r")" "$(rss "$r")"
  done
  echo
  printf 'libpgqpp / raw binary COPY of the batch query: %.2fx (target >= 0.8x)\n' "$(div "$lib_rate" "$raw_binary")"
  printf 'libpgqpp / raw text COPY of the batch query:   %.2fx\n' "$(div "$lib_rate" "$raw_batch")"
  printf 'libpgqpp / raw text COPY of a plain SELECT:    %.2fx\n' "$(div "$lib_rate" "$raw_table")"
  printf 'libpgqpp / python3-pgq:                        %.1fx (target >= 5x)\n' "$(div "$lib_rate" "$py_rate")"
} | report_to_results

# The rows of the table (bench/table.py): events/s of one batch read end to
# end by each client; raw is libpq's COPY of a plain SELECT of the same rows.
emit consume_lib pgqpp "$lib_rate" ev/s
emit consume_lib pgq "$(rate lib@pgq)" ev/s
emit consume_lib raw "$raw_table" ev/s
emit consume_python pgqpp "$py_rate" ev/s
emit consume_python pgq "$(rate python@pgq)" ev/s
emit consume_python raw "$raw_table" ev/s
emit consume_lib_client_cpu pgqpp "$(cpu lib)" s
emit consume_lib_client_cpu pgq "$(cpu lib@pgq)" s
emit consume_lib_client_cpu raw "$(cpu raw-table)" s
