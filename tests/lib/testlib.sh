# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# The helpers every test and bench script shares, one signature each (source
# it after cluster.sh, or alone). A script that has more to show when it
# fails (a daemon's log, a helper's output) defines fail_context, which fail
# calls.

# fail MESSAGE...: prints "FAIL: MESSAGE" (and the script's fail_context) on
# stderr and exits 1.
fail() {
  echo "FAIL: $*" >&2
  if declare -F fail_context >/dev/null; then fail_context >&2 || true; fi
  exit 1
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds; fails naming WHAT when SECONDS pass first.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.1
  done
}

# q DB [SQL...]: runs each SQL in turn (or, with none, the statements on
# standard input) in database DB through psql: quiet, unaligned tuples
# only, stopping at the first error (exit status 1 or 3).
q() {
  local db=$1 sql args=()
  shift
  for sql in "$@"; do args+=(-c "$sql"); done
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "${args[@]}"
}

# install_queue_schema DB EDITION: PgQ's schema in DB, for the tests that
# run against several: EDITION pgqpp or pgq (Debian's PgQ 3.5) is `create
# extension EDITION`; sqlonly is pgqpp's SQL-only edition as `pgqpp install
# --sql-only` installs it (the tool of the build under test).
install_queue_schema() {
  case $2 in
    sqlonly) "${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp" install --sql-only --dsn "dbname=$1" >/dev/null ;;
    *) q "$1" "create extension $2" >/dev/null ;;
  esac
}

# holds DB SQL: true when SQL returns exactly 't' (for wait_for).
holds() { [ "$(q "$1" "$2" 2>/dev/null)" = t ]; }

# check WHAT DB SQL [DIAGNOSTIC_SQL]: SQL must return exactly 't'; else
# fails naming WHAT, after printing DIAGNOSTIC_SQL's rows.
check() {
  local got
  got=$(q "$2" "$3") || fail "$1 (query failed: $3)"
  if [ "$got" != t ]; then
    [ $# -lt 4 ] || psql -X -q -P footer=off -d "$2" -c "$4" >&2 || true
    fail "$1 (got '$got' from: $3)"
  fi
  echo "ok: $1"
}

# fresh_databases DB...: drops and creates each DB (empty) now, and drops
# them at exit: through an EXIT trap of its own when the script has none,
# else the script's trap calls drop_databases.
_test_databases=()
fresh_databases() {
  local d
  _test_databases+=("$@")
  [ -n "$(trap -p EXIT)" ] || trap drop_databases EXIT
  for d in "$@"; do
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "set client_min_messages = warning" \
      -c "drop database if exists $d with (force)" -c "create database $d"
  done
}
# drop_databases: drops the databases fresh_databases made (errors ignored).
drop_databases() {
  local d
  for d in "${_test_databases[@]}"; do
    psql -X -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true
  done
}
