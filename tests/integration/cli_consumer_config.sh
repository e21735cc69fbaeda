#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# A consumer's settings from the `pgqpp` tool: `register --max-batch-events
# N` and `consumer-config QUEUE CONSUMER [key=value ...]` (show as a table
# or --json, set, unset with none), the batches then handed out (at most N
# events each), and the error conventions: 0, negative, non-numeric, too
# large values and unknown keys are exit 2 and change nothing; an unknown
# queue or consumer is exit 1; a PgQ 3.5 database is exit 1 naming the
# pgqpp version needed, before anything is registered.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
work=$PGQPP_TEST_WORK/cli_consumer_config
mkdir -p "$work"
. "$root/tests/lib/cli.sh"
db=cli_consumer_config
trap 'drop_databases' EXIT
export PGDATABASE=$db
fresh_databases $db ${db}_pgq
q $db "create extension pgqpp; select pgq.create_queue('q')" >/dev/null
setting() { q $db "select coalesce(value, 'unset') from pgq.get_consumer_config('q', '$1')"; }
registered() { q $db "select count(*) from pgq.get_consumer_info('q', '$1')"; }

# --- register --max-batch-events: bad values are exit 2 and register nothing ---
expect 2 register q c --max-batch-events 0;     err_line "--max-batch-events needs a positive integer up to 2147483647, not '0'"
expect 2 register q c --max-batch-events=-5;    err_line "not '-5'"
expect 2 register q c --max-batch-events abc;   err_line "not 'abc'"
expect 2 register q c --max-batch-events 2147483648;  err_line "not '2147483648'"
expect 2 register q c --max-batch-events none;  err_line "to unset it: pgqpp consumer-config"
[ "$(registered c)" = 0 ] || fail "a rejected register registered the consumer"
expect 0 register q c --max-batch-events 100
out_has "registered consumer c on queue q"
out_has "consumer c on queue q: at most 100 events per batch (max_batch_events)"
[ "$(setting c)" = 100 ] || fail "max_batch_events of c: $(setting c)"
# Again: already registered, the setting changes.
expect 0 register q c --max-batch-events 200
out_has "consumer c is already registered on queue q"
[ "$(setting c)" = 200 ] || fail "max_batch_events of c after the second register: $(setting c)"
expect 0 register q plain
[ "$(setting plain)" = unset ] || fail "register without the option set max_batch_events"
echo "register --max-batch-events: set on registering and again, bad values refused"

# --- consumer-config: show, set, unset ---
expect 0 consumer-config q c
grep -qE '^max_batch_events +200 +at most' "$work/out" || fail "no max_batch_events 200 row: $(cat "$work/out")"
expect 0 consumer-config q c --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d=={"queue":"q","consumer":"c","settings":{"max_batch_events":200}}, d' "$work/out"
expect 0 consumer-config q c max_batch_events=2
[ "$(setting c)" = 2 ] || fail "max_batch_events of c after consumer-config: $(setting c)"
# Applied: five events of one tick interval come two at a time.
q $db "select pgq.insert_event('q', 't', i::text) from generate_series(1, 5) i" >/dev/null
tick $db q
sizes=""
for _ in 1 2 3; do
  b=$(q $db "select pgq.next_batch('q', 'c')")
  sizes="$sizes $(q $db "select count(*) from pgq.get_batch_events($b)")"
  q $db "select pgq.finish_batch($b)" >/dev/null
done
[ "$sizes" = " 2 2 1" ] || fail "batches of c with max_batch_events 2:$sizes"
expect 0 consumer-config q c max_batch_events=none --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["settings"]=={"max_batch_events":None}, d' "$work/out"
[ "$(setting c)" = unset ] || fail "max_batch_events=none did not unset it: $(setting c)"
expect 0 consumer-config q c
grep -qE '^max_batch_events +none ' "$work/out" || fail "no max_batch_events none row: $(cat "$work/out")"
echo "consumer-config: shown, set (and applied), unset"

# --- consumer-config: bad input is exit 2 and changes nothing ---
q $db "select pgq.set_consumer_config('q', 'c', 'max_batch_events', '7')" >/dev/null
expect 2 consumer-config q c max_batch_events=0;    err_line "max_batch_events needs a positive integer up to 2147483647 or none, not '0'"
expect 2 consumer-config q c max_batch_events=-1;   err_line "not '-1'"
expect 2 consumer-config q c max_batch_events=ten;  err_line "not 'ten'"
expect 2 consumer-config q c max_batch_events=;     err_line "not ''"
expect 2 consumer-config q c max_batch_events;      err_line "expected key=value, got 'max_batch_events'"
expect 2 consumer-config q c max_events=5;          err_line "unknown consumer setting 'max_events'; valid keys: max_batch_events (integer > 0, or none)"
expect 2 consumer-config q c max_batch_events=5 nosuch=1;  err_line "unknown consumer setting 'nosuch'"
[ "$(setting c)" = 7 ] || fail "a rejected consumer-config changed the setting: $(setting c)"
expect 1 consumer-config nosuch c;  err_line "queue nosuch does not exist"
expect 1 consumer-config q nobody;  err_line "consumer nobody is not registered on queue q"
expect 2 consumer-config q;         err_line "CONSUMER is required"
echo "consumer-config: bad values and keys exit 2, unknown names exit 1"

# --- PgQ 3.5: no consumer settings ---
q ${db}_pgq "create extension pgq; select pgq.create_queue('q'), pgq.register_consumer('q', 'c')" >/dev/null
expect 1 register q d --max-batch-events 10 --dsn "dbname=${db}_pgq";  err_line "pgqpp 1.2 or later"
[ "$(q ${db}_pgq "select count(*) from pgq.get_consumer_info('q', 'd')")" = 0 ] ||
  fail "register --max-batch-events registered d on PgQ 3.5"
expect 1 consumer-config q c --dsn "dbname=${db}_pgq";  err_line "this server's PgQ has no consumer settings"
echo "PgQ 3.5: exit 1 naming the version needed, nothing registered"

echo "PASS"
