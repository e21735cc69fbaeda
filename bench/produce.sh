#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp produce` throughput: `seq N | pgqpp produce q` (N = BENCH_EVENTS,
# 1,000,000) against two baselines on the same throwaway cluster in the same
# run:
#   - COPY of the same lines into a plain table with the event table's
#     columns and defaults (id sequence, time, txid, type): what loading the
#     lines costs without a queue;
#   - psql sending `select pgq.insert_event('q', 'event', 'N');` per line, all
#     in one transaction: what a shell script without the tool would do.
# Each is run BENCH_ROUNDS (1) times, alternating; the table shows the best
# events/s of each. Results are reported, never asserted (shared machines).
#
#   BUILD=build bench/produce.sh
#
# KEEP_BENCH_WORK=1 keeps the work directory.
part=produce
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
BENCH_EVENTS=${BENCH_EVENTS:-1000000}
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
pgqpp=$build/cli/pgqpp

bench_work
bench_start_cluster "$work" --without-pgq
q postgres "create extension pgqpp"
q postgres "select pgq.create_queue('q')" >/dev/null
q postgres "create table plain (ev_id bigserial, ev_time timestamptz not null default now(),
   ev_txid bigint not null default txid_current(), ev_type text default 'event', ev_data text)"
seq "$BENCH_EVENTS" >"$work/lines"
awk '{ printf "select pgq.insert_event(%cq%c, %cevent%c, %c%s%c);\n", 39, 39, 39, 39, 39, $0, 39 }' \
  "$work/lines" >"$work/insert_event.sql"

# seconds COMMAND...: wall-clock seconds of COMMAND (stdout dropped).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }' 
}
reset() { q postgres "truncate plain; select pgq.drop_queue('q'); select pgq.create_queue('q')" "checkpoint" >/dev/null; }
declare -A best
record() {  # record NAME SECONDS
  local rate
  rate=$(awk -v n="$BENCH_EVENTS" -v s="$2" 'BEGIN { printf "%d", n / s }')
  echo "  $1: $2 s, $rate events/s"
  if [ -z "${best[$1]:-}" ] || [ "$rate" -gt "${best[$1]}" ]; then best[$1]=$rate; fi
}
for round in $(seq "$BENCH_ROUNDS"); do
  echo "round $round"
  reset; record "pgqpp produce (--batch-size 1000)" "$(seconds sh -c "\"$pgqpp\" produce q <\"$work/lines\"")"
  reset; record "pgqpp produce --batch-size 10000" "$(seconds sh -c "\"$pgqpp\" produce q --batch-size 10000 <\"$work/lines\"")"
  reset; record "COPY into a plain table" "$(seconds psql -X -q -v ON_ERROR_STOP=1 -c "\\copy plain (ev_data) from '$work/lines'")"
  reset; record "psql: pgq.insert_event per line, one transaction" \
    "$(seconds psql -X -q -v ON_ERROR_STOP=1 -1 -f "$work/insert_event.sql")"
done
echo
copy=${best["COPY into a plain table"]}
printf '%-52s %12s %8s\n' "method ($BENCH_EVENTS lines)" "events/s" "vs COPY"
for name in "pgqpp produce (--batch-size 1000)" "pgqpp produce --batch-size 10000" "COPY into a plain table" \
            "psql: pgq.insert_event per line, one transaction"; do
  printf '%-52s %12s %7.2fx\n' "$name" "${best[$name]}" "$(awk -v a="${best[$name]}" -v b="$copy" 'BEGIN { print a / b }')"
done
