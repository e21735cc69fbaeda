#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Names and numbers the tool shows or checks (issue 18, item 7): newlines and
# tabs in queue and consumer names are escaped as tail escapes payloads
# (create-queue, register, status, errors), while --json keeps them exact; an
# empty name is refused by the tool itself, also against PgQ 3.5 whose
# create_queue('') would succeed; `tail --count 0` is a short usage error.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
work=$PGQPP_TEST_WORK/cli_names
mkdir -p "$work"
. "$PGQPP_SOURCE_DIR/tests/lib/cli.sh"
db=cli_names
fresh_databases $db ${db}_pgq35
q $db "create extension pgqpp"
q ${db}_pgq35 "create extension pgq"
export PGDATABASE=$db

odd_queue=$'odd\nqueue\tx'
odd_consumer=$'odd\tconsumer\nx'

# --- escaped in create-queue, register and status; exact in --json ---
expect 0 create-queue "$odd_queue"
[ "$(cat "$work/out")" = 'created queue odd\nqueue\tx' ] || fail "create-queue printed: $(cat "$work/out")"
expect 0 create-queue "$odd_queue"
[ "$(cat "$work/out")" = 'queue odd\nqueue\tx already exists' ] || fail "create-queue again: $(cat "$work/out")"
expect 0 register "$odd_queue" "$odd_consumer"
[ "$(cat "$work/out")" = 'registered consumer odd\tconsumer\nx on queue odd\nqueue\tx' ] ||
  fail "register printed: $(cat "$work/out")"
expect 0 register "$odd_queue" "$odd_consumer"
[ "$(cat "$work/out")" = 'consumer odd\tconsumer\nx is already registered on queue odd\nqueue\tx' ] ||
  fail "register again: $(cat "$work/out")"
expect 0 status
grep -qF 'odd\nqueue\tx' "$work/out" || fail "status: no escaped queue name: $(cat "$work/out")"
grep -qF 'odd\tconsumer\nx' "$work/out" || fail "status: no escaped consumer name: $(cat "$work/out")"
if grep -q $'\t' "$work/out"; then fail "status printed a raw tab: $(cat -A "$work/out")"; fi
expect 0 status --json
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert [q["name"] for q in s["queues"]] == [sys.argv[2]], s["queues"]
assert [c["name"] for c in s["consumers"]] == [sys.argv[3]], s["consumers"]
' "$work/out" "$odd_queue" "$odd_consumer" || fail "status --json does not keep the exact names"
expect 1 status $'no\nsuch'
err_line 'queue no\nsuch does not exist'
echo "newlines and tabs in names: escaped in create-queue, register, status and errors; exact in JSON"

# --- empty names: refused by the tool, whatever the server would do ---
for dsn in "dbname=$db" "dbname=${db}_pgq35"; do
  expect 2 create-queue '' --dsn "$dsn"
  err_line "queue name must not be empty"
  expect 2 register '' c --dsn "$dsn"
  err_line "queue name must not be empty"
done
[ "$(q ${db}_pgq35 "select count(*) from pgq.queue")" = 0 ] || fail "PgQ 3.5 got a queue named ''"
q ${db}_pgq35 "select pgq.create_queue('q')" >/dev/null
expect 2 register q '' --dsn "dbname=${db}_pgq35"
err_line "consumer name must not be empty"
[ "$(q ${db}_pgq35 "select count(*) from pgq.consumer")" = 0 ] || fail "PgQ 3.5 got a consumer named ''"
expect 2 create-queue "$(printf 'q%.0s' $(seq 1001))"
err_line "queue name is too long (1001 bytes; the limit is 1000)"
echo "empty and overlong names: exit 2 before reaching the server (pgqpp and PgQ 3.5)"

# --- tail --count 0: one short line, no 300-digit range ---
for n in 0 -1 x; do
  expect 2 tail q --count "$n"
  err_line "is not a whole number >= 1"
  [ "$(wc -c <"$work/err")" -lt 200 ] || fail "tail --count $n: long message: $(cat "$work/err")"
done
echo "tail --count 0: a short usage error"
echo "cli_names: ok"
