#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Differential test of the change-capture triggers: the same changes
# (tests/compat/trigger_scenario.sql) under PgQ 3.5's logutriga, sqltriga
# and jsontriga (Debian's postgresql-15-pgq3, `create extension pgq`) and
# under pgqpp's, in two databases of the running cluster, make the same
# events field by field, which skytools reads alike
# (tests/compat/trigger_events_compare.py), and the same psql output,
# error messages included.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh"  # is_pgq35

here=$(cd "$(dirname "$0")" && pwd)
compat="$here/../compat"
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/trigger_diff"
rm -rf "$work"
mkdir -p "$work"

py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import skytools, psycopg2' >/dev/null 2>&1; then
    py=$(command -v "$cand"); break
  fi
done
[ -n "$py" ] || fail "no python3 can import skytools and psycopg2 (install python3-pgq)"
[ -n "$(pgq35_version)" ] || fail "PgQ 3.5 is not installed (postgresql-15-pgq3; for PG=17/18 scripts/pg-major.sh builds it)"

dbs=(trg_diff_pgq trg_diff_pgqpp)
cleanup() {
  local db
  for db in "${dbs[@]}"; do psql -X -q -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
cleanup
for db in "${dbs[@]}"; do psql -X -q -d postgres -c "create database $db" >/dev/null; done
psql -X -q -d trg_diff_pgq -c "create extension pgq" -c "select pgq.create_queue('q')" >/dev/null
is_pgq35 "$(psql -X -At -d trg_diff_pgq -c "select extversion from pg_extension where extname = 'pgq'")" ||
  fail "extension pgq is not PgQ 3.5"
psql -X -q -d trg_diff_pgqpp -c "create extension pgqpp" -c "select pgq.create_queue('q')" >/dev/null

for db in "${dbs[@]}"; do
  psql -X -a -d "$db" -f "$compat/trigger_scenario.sql" >"$work/$db.out" 2>&1
done
if ! diff -u "$work/trg_diff_pgq.out" "$work/trg_diff_pgqpp.out" >"$work/output.diff"; then
  echo "psql output differs (- PgQ 3.5, + pgqpp):"
  head -80 "$work/output.diff"
  fail "the scenario's output differs"
fi
echo "scenario output identical ($(grep -c 'ERROR:' "$work/trg_diff_pgqpp.out") errors, $(wc -l <"$work/trg_diff_pgqpp.out") lines)"
"$py" "$compat/trigger_events_compare.py" "dbname=trg_diff_pgq" "dbname=trg_diff_pgqpp"
