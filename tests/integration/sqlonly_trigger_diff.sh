#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# trigger_diff.sh's differential test for the SQL-only edition's PL/pgSQL
# triggers (docs/managed.md): the same changes (tests/compat/trigger_scenario.sql)
# under PgQ 3.5's C triggers and under the SQL-only edition's make the same
# psql output, errors included, and the same events field by field
# (tests/compat/trigger_events_compare.py).
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER
# PGQPP_TEST_WORK PGQPP_BUILD_DIR.
set -euo pipefail
PGQPP_SOURCE_DIR=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PGQPP_SOURCE_DIR/tests/lib/testlib.sh"
. "$PGQPP_SOURCE_DIR/tests/lib/cluster.sh"  # is_pgq35
. "$PGQPP_SOURCE_DIR/tests/lib/sqlonly.sh"

compat="$PGQPP_SOURCE_DIR/tests/compat"
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/sqlonly_trigger_diff"
rm -rf "$work"
mkdir -p "$work"
file=$(sqlonly_file "$PGQPP_BUILD_DIR")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"

py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import skytools, psycopg2' >/dev/null 2>&1; then
    py=$(command -v "$cand"); break
  fi
done
[ -n "$py" ] || fail "no python3 can import skytools and psycopg2 (install python3-pgq)"
[ -n "$(pgq35_version)" ] || fail "PgQ 3.5 is not installed (postgresql-15-pgq3; for PG=17/18 scripts/pg-major.sh builds it)"

dbs=(so_trg_diff_pgq so_trg_diff_sqlonly)
cleanup() {
  local db
  for db in "${dbs[@]}"; do psql -X -q -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
cleanup
for db in "${dbs[@]}"; do psql -X -q -d postgres -c "create database $db" >/dev/null; done
psql -X -q -d so_trg_diff_pgq -c "create extension pgq" -c "select pgq.create_queue('q')" >/dev/null
is_pgq35 "$(psql -X -At -d so_trg_diff_pgq -c "select extversion from pg_extension where extname = 'pgq'")" ||
  fail "extension pgq is not PgQ 3.5"
psql -X -q -v ON_ERROR_STOP=1 -d so_trg_diff_sqlonly -f "$file" >/dev/null
psql -X -q -d so_trg_diff_sqlonly -c "select pgq.create_queue('q')" >/dev/null

# The scenario without the two cases that differ by design (docs/managed.md):
# an ev_*= expression that counts the table's rows (PL/pgSQL runs it in a
# new snapshot) and a BEFORE UPDATE trigger reading a stored generated
# column (PL/pgSQL's NEW has it NULL; the C trigger sees the old value).
scenario="$work/trigger_scenario.sql"
grep -v "'ev_extra1=(select count(\*) from diff_opt)'" "$compat/trigger_scenario.sql" |
  sed 's/create trigger c_log before insert or update on diff_gen/create trigger c_log after insert or update on diff_gen/' \
  >"$scenario"
[ "$(wc -l <"$scenario")" -eq $(($(wc -l <"$compat/trigger_scenario.sql") - 1)) ] || fail "the scenario's cases to leave out were not found"
grep -q "c_log after insert or update on diff_gen" "$scenario" || fail "the diff_gen trigger was not found"
for db in "${dbs[@]}"; do
  psql -X -a -d "$db" -f "$scenario" >"$work/$db.out" 2>&1
done
# The one documented difference (docs/managed.md): a PL/pgSQL trigger
# function called directly fails with PostgreSQL's own message.
sed -i -E 's/ERROR:  pgq\.[a-z]+ not called as trigger$/ERROR:  trigger functions can only be called as triggers/' \
  "$work/so_trg_diff_pgq.out"
if ! diff -u "$work/so_trg_diff_pgq.out" "$work/so_trg_diff_sqlonly.out" >"$work/output.diff"; then
  echo "psql output differs (- PgQ 3.5, + SQL-only edition):"
  head -80 "$work/output.diff"
  fail "the scenario's output differs"
fi
echo "scenario output identical ($(grep -c 'ERROR:' "$work/so_trg_diff_sqlonly.out") errors, $(wc -l <"$work/so_trg_diff_sqlonly.out") lines)"
"$py" "$compat/trigger_events_compare.py" "dbname=so_trg_diff_pgq" "dbname=so_trg_diff_sqlonly"
