#!/usr/bin/env bash
# libpgqpp consumer benchmark: consuming one batch of BENCH_EVENTS (1,000,000)
# events with ~100 bytes of data each, in events/s, against two baselines
# measured in the same run on the same throwaway cluster:
#   - raw libpq: COPY ... TO STDOUT of the same rows (a plain SELECT of the
#     event table in ev_id order, and the batch's own query, in text and in
#     binary format), rows counted and dropped: what any reader must at least
#     pay. libpgqpp reads binary COPY, so "raw binary" is its like-for-like
#     baseline;
#   - python3-pgq's pgq.Consumer (Debian's, /usr/bin/python3) on the same
#     batch, with its defaults (cursor, 300 rows per FETCH).
# Targets: libpgqpp >= 0.8x the raw rate; >= 5x python3-pgq. Client CPU
# seconds per run show what the reader itself costs (the server's share is
# the same for all).
#
#   BUILD=build bench/consume.sh      (or: make bench-consume)
#
# Every reader gets the very same batch: one consumer per run is registered
# before the events are produced, and one tick closes them all in one batch.
# The raw readers use consumer "raw", whose batch stays open.
# Method: BENCH_ROUNDS (5) rounds; each runs every reader once, in an order
# that rotates between rounds, so load from elsewhere hits them alike; the
# table shows each reader's median. Peak RSS shows the batch is streamed
# (the whole batch is ~150 MB of rows).
#
# Exits non-zero only when something fails to run; targets are reported,
# never asserted. KEEP_BENCH_WORK=1 keeps the work directory.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"

BENCH_EVENTS=${BENCH_EVENTS:-1000000}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_RESULTS=${BENCH_RESULTS:-$build/bench-consume-results.txt}
bench_bin="$build/bench/pgqpp_bench_consume"
py=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "$@" >&2; }

[ -x "$bench_bin" ] || die "$bench_bin is missing; build first (make)"
"$py" -c 'import pgq, skytools, psycopg2' 2>/dev/null ||
  die "python3-pgq is not installed for $py (apt-get install python3-pgq)"

work=$(mktemp -d /tmp/pgqpp-bench-consume.XXXXXX)
chmod 755 "$work"
data="$work/main/data"
cleanup() {
  pg_stop "$data"
  if [ -z "${KEEP_BENCH_WORK:-}" ]; then rm -rf "$work"; else say "kept $work"; fi
}
trap cleanup EXIT

pg_stage "$work/stage" "$build"
port=$(free_port)
mkdir -p "$work/main"
pg_start "$data" "$port" "-c shared_buffers=512MB" "-c synchronous_commit=off" \
  "-c autovacuum=off" "-c max_wal_size=4GB" "-c max_parallel_workers_per_gather=0" ||
  die "cannot start the cluster"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
db=bench_consume
queue=bench
conninfo="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }

readers=(raw-table raw-batch raw-batch-binary lib lib-cursor python)
say "setting up: $BENCH_EVENTS events, $BENCH_ROUNDS rounds of ${#readers[@]} readers"
psql -X -q -c "create database $db" >/dev/null
q -c "create extension pgqpp" -c "select pgq.create_queue('$queue')" >/dev/null
q -c "select pgq.register_consumer('$queue', 'raw')" >/dev/null
for r in $(seq 1 "$BENCH_ROUNDS"); do
  for reader in lib lib-cursor python; do
    q -c "select pgq.register_consumer('$queue', '${reader//-/_}_$r')" >/dev/null
  done
done
q -c "select pgq.insert_events('$queue', array['bench'],
        (select array_agg(rpad('event ' || i, 100, '.')) from generate_series(1, $BENCH_EVENTS) i))" >/dev/null
q -c "select pgq.force_tick('$queue')" -c "select pgq.ticker('$queue')" >/dev/null
q -c "vacuum analyze" -c "checkpoint" >/dev/null

cat >"$work/py.ini" <<INI
[bench_consumer]
job_name = bench_py_consumer
db = $conninfo
queue_name = $queue
loop_delay = 0
use_skylog = 0
logfile = $work/py.log
INI

# run READER ROUND: one timed read; appends "reader events seconds rss".
run() {
  local reader=$1 round=$2 consumer out
  consumer="${reader//-/_}_$round"
  case $reader in
    raw-*) out=$("$bench_bin" "$conninfo" "$queue" "$reader" raw) ;;
    lib*) out=$("$bench_bin" "$conninfo" "$queue" "$reader" "$consumer") ;;
    python) out=$("$py" "$root/bench/py_consumer.py" "$work/py.ini" --set "consumer_name=$consumer" 2>>"$work/py.log" | tail -1) ;;
  esac
  set -- $out
  [ "${1:-0}" -eq "$BENCH_EVENTS" ] || die "$reader read ${1:-0} events, not $BENCH_EVENTS"
  echo "$reader $1 $2 $3 ${4:-0}" >>"$work/runs"
  say "  round $round $reader: $(awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f events/s", n / s }')"
}

for round in $(seq 1 "$BENCH_ROUNDS"); do
  n=${#readers[@]}
  for i in $(seq 0 $((n - 1))); do
    run "${readers[$(((i + round) % n))]}" "$round"
  done
done

# median events/s and median peak RSS per reader
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
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
)
raw_table=$(rate raw-table)
raw_batch=$(rate raw-batch)
raw_binary=$(rate raw-batch-binary)
lib_rate=$(rate lib)
py_rate=$(rate python)
{
  printf 'Consuming one batch of %s events (~100 B data each); median of %s runs\n\n' "$BENCH_EVENTS" "$BENCH_ROUNDS"
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
} | tee "$BENCH_RESULTS"
say "results also in $BENCH_RESULTS"
