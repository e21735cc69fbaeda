#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Runs one test of the ctest suite against the shared cluster of the fixture
# (tests/harness/fixture.sh), the way tests/CMakeLists.txt registers them:
#
#   run.sh ENV_FILE NAME script PATH     an integration script (bash PATH)
#   run.sh ENV_FILE NAME program PATH ARGS...  a test program of the build
#                                        (libpgqpp's GoogleTest binary)
#   run.sh ENV_FILE NAME regress FILE    extension/test/sql/FILE.sql, after
#                                        00_setup, in a database of its own
#   run.sh ENV_FILE NAME isolation SPEC  extension/test/isolation/specs/SPEC.spec
#   run.sh ENV_FILE NAME sqlonly FILE    regress FILE against the SQL-only
#                                        edition (tests/lib/sqlonly.sh)
#   run.sh ENV_FILE NAME sqlonly_isolation SPEC  the spec against it
#
# The test gets the variables of ENV_FILE (PGHOST, PGPORT, PGUSER,
# PGDATABASE, PGQPP_TEST_WORK, PGQPP_TEST_DATA, PGQPP_BUILD_DIR,
# PGQPP_SOURCE_DIR, PG_CONFIG). It fails when it fails, and also when a
# backend of the shared cluster crashed while it ran. The NOTE lines of a
# passing script are kept in BUILD/Testing/notes.log (tests/run-all.sh shows
# them).
set -uo pipefail

env_file=$1 name=$2 kind=$3 arg=$4
shift 4  # what is left: a program's arguments
[ -f "$env_file" ] || { echo "no test cluster ($env_file is missing): run the suite through ctest" >&2; exit 1; }
# shellcheck disable=SC1090  # written by fixture.sh
. "$env_file"
. "$PGQPP_SOURCE_DIR/tests/lib/cluster.sh"
. "$PGQPP_SOURCE_DIR/tests/lib/regress.sh"
. "$PGQPP_SOURCE_DIR/tests/lib/sqlonly.sh"

# run_regress TOOL SOURCE NAMES...: NAMES in a database of their own, named
# after the test; prints the differences when they fail.
run_regress() {
  local tool=$1 src=$2 db dir
  shift 2
  db="pgqpp_${kind}_$arg"
  dir="$PGQPP_TEST_WORK/$kind/$arg"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'test: %s\n' "$@" >"$dir/schedule"
  psql -X -q -c "drop database if exists $db" >/dev/null 2>&1
  regress_run "$tool" "$src" "$dir" "$db" "$PGPORT" --schedule="$dir/schedule"
  local status=$?
  cat "$dir/$tool.log"
  if [ "$status" -ne 0 ]; then
    [ -f "$dir/regression.diffs" ] && head -300 "$dir/regression.diffs"
  else
    psql -X -q -c "drop database if exists $db" >/dev/null 2>&1
  fi
  return "$status"
}

log_start=$(pg_log_size "$PGQPP_TEST_DATA")
case "$kind" in
  script | program)
    out="$PGQPP_TEST_WORK/$(basename "$name").log"
    # Into a file, not a pipe: a process the test leaves running must not
    # keep ctest waiting for the end of its output.
    if [ "$kind" = script ]; then bash "$arg"; else "$arg" "$@"; fi >"$out" 2>&1 </dev/null
    status=$?
    cat "$out"
    if [ "$status" -eq 0 ]; then
      grep '^NOTE' "$out" | sed "s|^|$name: |" >>"$PGQPP_BUILD_DIR/Testing/notes.log"
    fi
    ;;
  regress)
    # 00_setup defines helpers (try) that every other file uses.
    if [ "$arg" = 00_setup ]; then set -- 00_setup; else set -- 00_setup "$arg"; fi
    run_regress pg_regress "$PGQPP_SOURCE_DIR/extension/test" "$@"
    status=$?
    ;;
  sqlonly)
    # The same files against the SQL-only edition (tests/lib/sqlonly.sh).
    if [ "$arg" = 00_setup ]; then set -- 00_setup; else set -- 00_setup "$arg"; fi
    src="$PGQPP_TEST_WORK/sqlonly-src/$arg"
    file=$(sqlonly_file "$PGQPP_BUILD_DIR")
    [ -n "$file" ] || { echo "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR: build target pgqpp_sqlonly" >&2; exit 1; }
    sqlonly_prepare "$PGQPP_SOURCE_DIR/extension/test" "$src" "$file" "$@"
    run_regress pg_regress "$src" "$@"
    status=$?
    ;;
  sqlonly_isolation)
    # The isolation specs against the SQL-only edition (tests/lib/sqlonly.sh).
    src="$PGQPP_TEST_WORK/sqlonly-src/isolation-$arg"
    file=$(sqlonly_file "$PGQPP_BUILD_DIR")
    [ -n "$file" ] || { echo "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR: build target pgqpp_sqlonly" >&2; exit 1; }
    sqlonly_prepare_isolation "$PGQPP_SOURCE_DIR/extension/test/isolation" "$src" "$file" "$arg"
    REGRESS_INIT_SQL="$src/init.sql" run_regress pg_isolation_regress "$src" "$arg"
    status=$?
    ;;
  isolation)
    run_regress pg_isolation_regress "$PGQPP_SOURCE_DIR/extension/test/isolation" "$arg"
    status=$?
    ;;
  *) echo "run.sh: unknown kind $kind" >&2; exit 2 ;;
esac

if pg_crashed "$PGQPP_TEST_DATA" "$log_start"; then
  echo "FAIL: a backend of the test cluster crashed during $name (lines above, from $(dirname "$PGQPP_TEST_DATA")/server.log)"
  status=1
fi
exit "$status"
