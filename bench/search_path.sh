#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# What a `SET search_path` clause would cost pgq.insert_event, the one
# reason the insert functions do without it (docs/internals.md,
# "search_path"): BENCH_EVENTS (200,000) calls of pgq.insert_event in one
# statement, as installed (SECURITY DEFINER, lookups by OID) and with
# `ALTER FUNCTION ... SET search_path = pg_catalog, pgq, pg_temp`, alternating
# BENCH_ROUNDS (5) times on one throwaway cluster (bench/lib/common.sh's
# settings); prints the best events/s
# of each and their ratio. Reported, never asserted (shared machines).
#
#   BUILD=build bench/search_path.sh
part=search_path
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
BENCH_EVENTS=${BENCH_EVENTS:-200000}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}

bench_work
bench_start_cluster "$work" --without-pgq
q postgres "create extension pgqpp" "select pgq.create_queue('q')" >/dev/null

# run CONFIG: events/s of one statement of BENCH_EVENTS inserts.
run() {
  local set_clause
  if [ "$1" = set ]; then
    set_clause="set search_path = pg_catalog, pgq, pg_temp"
  else
    set_clause="reset all"
  fi
  q postgres "alter function pgq.insert_event(text, text, text) $set_clause" >/dev/null
  q postgres "truncate pgq.event_1_0, pgq.event_1_1, pgq.event_1_2" >/dev/null
  q postgres <<SQL
select pgq.insert_event('q', 'warm', 'up') \g /dev/null
select clock_timestamp() as t0 \gset
select count(pgq.insert_event('q', 'bench', 'payload')) from generate_series(1, $BENCH_EVENTS) \g /dev/null
select round($BENCH_EVENTS / extract(epoch from clock_timestamp() - :'t0'::timestamptz));
SQL
}

best_plain=0
best_set=0
for _ in $(seq "$BENCH_ROUNDS"); do
  r=$(run plain); [ "$r" -gt "$best_plain" ] && best_plain=$r
  r=$(run set); [ "$r" -gt "$best_set" ] && best_set=$r
done
echo "insert_event as installed (no SET clause): $best_plain ev/s"
echo "insert_event with SET search_path:          $best_set ev/s"
python3 -c "print(f'SET ÷ as installed: {$best_set / $best_plain:.3f}')"
