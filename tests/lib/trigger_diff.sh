# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# The differential trigger test of trigger_diff.sh (pgqpp's C triggers) and
# sqlonly_trigger_diff.sh (the SQL-only edition's PL/pgSQL ones): the
# changes of tests/compat/trigger_scenario.sql under PgQ 3.5's logutriga,
# sqltriga and jsontriga (`create extension pgq`) and under the edition's,
# in two databases of the running cluster, must make the same psql output,
# errors included, and the same events field by field, which skytools reads
# alike (tests/compat/trigger_events_compare.py).
_trigger_diff_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$_trigger_diff_lib/testlib.sh"
# shellcheck source=tests/lib/cluster.sh
. "$_trigger_diff_lib/cluster.sh"  # is_pgq35, pgq35_version

# trigger_diff NAME SQLONLY INSTALL...: runs the scenario in databases
# NAME_pgq (PgQ 3.5) and NAME_edition, where the command INSTALL... run
# with that database's name appended installs the edition; psql variable
# sqlonly (SQLONLY: true or false) leaves out the cases in which the
# SQL-only edition differs by design (docs/managed.md). Work files in
# $PGQPP_TEST_WORK/NAME.
trigger_diff() {
  local name=$1 sqlonly=$2 py="" cand db
  shift 2
  local compat=$_trigger_diff_lib/../compat work=${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/$name
  local ref=${name}_pgq edition=${name}_edition
  rm -rf "$work"
  mkdir -p "$work"
  for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import skytools, psycopg2' >/dev/null 2>&1; then
      py=$(command -v "$cand"); break
    fi
  done
  [ -n "$py" ] || fail "no python3 can import skytools and psycopg2 (install python3-pgq)"
  [ -n "$(pgq35_version)" ] || fail "PgQ 3.5 is not installed (postgresql-15-pgq3; for PG=17/18 scripts/pg-major.sh builds it)"

  fresh_databases "$ref" "$edition"
  q "$ref" "create extension pgq" "select pgq.create_queue('q')" >/dev/null
  is_pgq35 "$(q "$ref" "select extversion from pg_extension where extname = 'pgq'")" ||
    fail "extension pgq is not PgQ 3.5"
  "$@" "$edition"
  q "$edition" "select pgq.create_queue('q')" >/dev/null
  for db in "$ref" "$edition"; do
    psql -X -a -v sqlonly="$sqlonly" -d "$db" -f "$compat/trigger_scenario.sql" >"$work/$db.out" 2>&1
  done
  # The one difference of the SQL-only edition's output (docs/managed.md):
  # a PL/pgSQL trigger function called directly fails with PostgreSQL's
  # own message.
  [ "$sqlonly" = false ] || sed -i -E \
    's/ERROR:  pgq\.[a-z]+ not called as trigger$/ERROR:  trigger functions can only be called as triggers/' \
    "$work/$ref.out"
  if ! diff -u "$work/$ref.out" "$work/$edition.out" >"$work/output.diff"; then
    echo "psql output differs (- PgQ 3.5, + $edition):"
    head -80 "$work/output.diff"
    fail "the scenario's output differs"
  fi
  echo "scenario output identical ($(grep -c 'ERROR:' "$work/$edition.out") errors, $(wc -l <"$work/$edition.out") lines)"
  "$py" "$compat/trigger_events_compare.py" "dbname=$ref" "dbname=$edition"
}
