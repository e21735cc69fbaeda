#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# 100 MiB event payloads through pgq.insert_event and pgq.insert_events,
# consumed back with pgq.get_batch_events and compared by length and md5.
# Two kinds of payload: repeat('x', 100 MiB), which TOAST compresses, and
# 100 MiB of hex digits that TOAST cannot compress much (a 1 MiB block of
# md5 digests, repeated: the compressors look back far less than 1 MiB),
# stored out of line nearly as is. lz4 is the TOAST compression here, where
# the server has it, only to keep the run short (pglz spends seconds failing
# on the hex payload); the portable 17 server is built without it.
# The server must survive: no crashed backend in its log.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

db=pgqpp_huge_$$_$RANDOM
log=$(dirname "${PGQPP_TEST_DATA:?}")/server.log
compression=pglz
[ "$(psql -X -At -d postgres -c "select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'")" = t ] &&
  compression=lz4
export PGOPTIONS="-c statement_timeout=50s -c default_toast_compression=$compression"
start=$(date +%s)
cleanup() { psql -X -q -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
elapsed() { echo "$(($(date +%s) - start)) s"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $db"
q "$db" <<'SQL' >/dev/null
create extension pgqpp;
select pgq.create_queue('huge');
select pgq.register_consumer('huge', 'c');
-- 1 MiB of md5 hex digests; repeated 100 times it makes the incompressible payload.
create table block as select string_agg(md5(i::text), '' order by i) as b
  from generate_series(1, 32768) i;
create function hex_payload() returns text language sql as 'select repeat(b, 100) from block';
SQL

# The expected md5s, computed here, independently of the server.
read -r expect_x expect_hex < <(python3 -c '
import hashlib
block = "".join(hashlib.md5(str(i).encode()).hexdigest() for i in range(1, 32769)).encode()
print(hashlib.md5(b"x" * 104857600).hexdigest(), hashlib.md5(block * 100).hexdigest())')
[ ${#expect_x} = 32 ] && [ ${#expect_hex} = 32 ] || fail "could not compute the expected md5s with python3"
[ "$(q "$db" "select octet_length(hex_payload())")" = 104857600 ] || fail "the hex payload is not 100 MiB"
echo "expected md5s computed after $(elapsed)"

# Producers, one transaction each: insert_event with both payloads, then
# insert_events with a huge, a small and a huge event.
q "$db" "select pgq.insert_event('huge', 'one', repeat('x', 100 * 1024 * 1024))" >/dev/null
q "$db" "select pgq.insert_event('huge', 'one', hex_payload())" >/dev/null
[ "$(q "$db" "select pgq.insert_events('huge', array['many'],
                                  array[hex_payload(), 'small', repeat('x', 100 * 1024 * 1024)])")" = 3 ] ||
  fail "insert_events did not insert 3 events"
echo "inserted after $(elapsed)"

q "$db" "select pgq.force_tick('huge')" "select pgq.ticker('huge')" >/dev/null
batch=$(q "$db" "select pgq.next_batch('huge', 'c')")
[ -n "$batch" ] || fail "no batch after the tick"

got=$(q "$db" "select string_agg(ev_type || ':' || octet_length(ev_data) || ':' || md5(ev_data), ' ' order by ev_id)
              from pgq.get_batch_events($batch)")
want="one:104857600:$expect_x one:104857600:$expect_hex many:104857600:$expect_hex many:5:$(printf small | md5sum | cut -d' ' -f1) many:104857600:$expect_x"
if [ "$got" != "$want" ]; then
  echo "got:  $got" >&2
  echo "want: $want" >&2
  fail "the batch's events differ from what was inserted"
fi
echo "get_batch_events returned the 5 events intact after $(elapsed)"
[ "$(q "$db" "select pgq.finish_batch($batch)")" = 1 ] || fail "finish_batch did not return 1"

[ "$(q "$db" 'select 1')" = 1 ] || fail "the server does not answer"
[ -r "$log" ] || fail "cannot read the server log $log"
if grep -E "terminated by signal|was terminated by exception" "$log"; then
  fail "a backend crashed (see $log)"
fi
echo "ok: huge payloads in $(elapsed)"
