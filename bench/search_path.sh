#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# What a `SET search_path` clause would cost pgq.insert_event, the one
# reason the insert functions do without it (docs/internals.md,
# "search_path"): BENCH_EVENTS (200,000) calls of pgq.insert_event in one
# statement, as installed (SECURITY DEFINER, lookups by OID) and with
# `ALTER FUNCTION ... SET search_path = pg_catalog, pgq, pg_temp`, alternating
# BENCH_ROUNDS (5) times on one throwaway cluster; prints the best events/s
# of each and their ratio. Reported, never asserted (shared machines).
#
#   BUILD=build bench/search_path.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"
BENCH_EVENTS=${BENCH_EVENTS:-200000}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}

work=$(mktemp -d /tmp/pgqpp-bench-search-path.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/main"
cleanup() {
  pg_stop "$work/main/data"
  rm -rf "$work"
}
trap cleanup EXIT
pg_stage "$work/stage" "$build"
port=$(free_port)
pg_start "$work/main/data" "$port" "-c shared_preload_libraries=pgqpp"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -c "create extension pgqpp" -c "select pgq.create_queue('q')" >/dev/null

# run CONFIG: events/s of one statement of BENCH_EVENTS inserts.
run() {
  local set_clause
  if [ "$1" = set ]; then
    set_clause="set search_path = pg_catalog, pgq, pg_temp"
  else
    set_clause="reset all"
  fi
  q -c "alter function pgq.insert_event(text, text, text) $set_clause" >/dev/null
  q -c "truncate pgq.event_1_0, pgq.event_1_1, pgq.event_1_2" >/dev/null
  q <<SQL
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
