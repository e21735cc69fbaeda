#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
#
# Differential run of the regression files whose output is PgQ 3.5's: each
# runs under PgQ 3.5 (Debian's postgresql-15-pgq3, `create extension pgq`)
# and under pgqpp, in two databases of the running cluster, and psql's
# output must be the same up to the file's marker line (after it come the
# checks of pgqpp's own behaviour: the direct write of a restored
# pgq.insert_event, the bulk insert_events PgQ lacks).
#
#   27_trigger_replaced_insert  a replaced pgq.insert_event under every trigger
#   28_refused_ids              event ids around refused inserts
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh"  # is_pgq35

root=$(cd "$(dirname "$0")/../.." && pwd)
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/regress_pgq_diff"
rm -rf "$work"
mkdir -p "$work"
[ -n "$(pgq35_version)" ] || fail "PgQ 3.5 is not installed (postgresql-15-pgq3; for PG=17/18 scripts/pg-major.sh builds it)"

# name|marker|pattern|minimum: the output is compared up to the first line
# starting with marker, and that part must hold at least minimum lines
# matching pattern (so that an empty comparison cannot pass).
cases=(
  "27_trigger_replaced_insert|-- Restored:|WARNING:  insert_event(|90"
  "28_refused_ids|-- pgqpp's bulk insert_events|Insert into queue disallowed|6"
)

dbs=(rpd_pgq rpd_pgqpp)
cleanup() {
  local db
  for db in "${dbs[@]}"; do psql -X -q -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

psql -X -q -d postgres -c "drop database if exists rpd_pgq" -c "create database rpd_pgq" >/dev/null
is_pgq35 "$(psql -X -q -At -d rpd_pgq -c "create extension pgq" -c "select extversion from pg_extension where extname = 'pgq'")" ||
  fail "extension pgq is not PgQ 3.5"

for c in "${cases[@]}"; do
  IFS='|' read -r name marker pattern minimum <<<"$c"
  for ext in pgq pgqpp; do
    db=rpd_$ext
    psql -X -q -d postgres -c "drop database if exists $db" -c "create database $db" >/dev/null
    mkdir -p "$work/$ext"
    sed "s/extension pgqpp/extension $ext/g" "$root/extension/test/sql/$name.sql" >"$work/$ext/$name.sql"
    # Same file name on both sides: psql prefixes messages with it.
    (cd "$work/$ext" && psql -X -a -q -d "$db" -f "$name.sql" >"$name.out" 2>&1) || true
    awk -v m="$marker" '{ print } index($0, m) == 1 { exit }' "$work/$ext/$name.out" |
      sed "/^--/! s/extension $ext\b/extension EXT/g" >"$work/$ext/$name.cut"
  done
  grep -q "^$marker" "$work/pgqpp/$name.cut" || fail "$name: marker \"$marker\" not reached"
  found=$(grep -cF "$pattern" "$work/pgqpp/$name.cut" || true)
  [ "$found" -ge "$minimum" ] || fail "$name: only $found lines with \"$pattern\" (expected $minimum or more)"
  if ! diff -u "$work/pgq/$name.cut" "$work/pgqpp/$name.cut" >"$work/$name.diff"; then
    echo "$name: psql output differs (- PgQ 3.5, + pgqpp):"
    head -60 "$work/$name.diff"
    fail "$name: output differs from PgQ 3.5's"
  fi
  echo "$name: identical to PgQ 3.5 up to \"$marker\" ($(wc -l <"$work/pgqpp/$name.cut") lines, $found with \"$pattern\")"
done
