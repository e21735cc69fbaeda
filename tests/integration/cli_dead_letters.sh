#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp dead-letters list|replay|purge` against the test cluster: the list
# (table, empty, --json with every field), replay of one and of all (the
# events come back to that consumer only), purge, and the error conventions
# (unknown queue or consumer, a missing dead letter: exit 1; bad action,
# EVENT_ID with --all, --json with replay: exit 2). `pgqpp status` counts
# dead letters per consumer (table and --json). On PgQ 3.5 the command says
# the server has none (exit 1).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
work=$PGQPP_TEST_WORK/cli_dead_letters
mkdir -p "$work"
. "$root/tests/lib/cli.sh"
db=cli_dead_letters
cleanup() {
  for d in $db ${db}_pgq; do psql -X -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
export PGDATABASE=$db
for d in $db ${db}_pgq; do psql -X -q -d postgres -c "drop database if exists $d" -c "create database $d"; done
q $db "create extension pgqpp; select pgq.create_queue('dq');
       select pgq.register_consumer('dq', 'c'); select pgq.register_consumer('dq', 'other');
       select pgq.insert_event('dq', 't' || i, 'payload ' || i) from generate_series(1, 3) i" >/dev/null
tick $db dq
# Consumer c buries events 1 and 2, keeps 3; "other" takes everything.
q $db "select pgq.next_batch('dq', 'c')" >/dev/null
q $db "select pgq.event_dead(b, 1, 'bad \"json\"'), pgq.event_dead(b, 2, null), pgq.finish_batch(b)
         from pgq.next_batch('dq', 'c') b" >/dev/null
q $db "select pgq.finish_batch(pgq.next_batch('dq', 'other'))" >/dev/null

# --- usage errors: exit 2 ---
expect 2 dead-letters;                         err_line "ACTION is required"
expect 2 dead-letters bury dq c;               err_line "ACTION"
expect 2 dead-letters replay dq c;             err_line "replay needs one EVENT_ID or --all"
expect 2 dead-letters purge dq c 1 --all;      err_line "purge needs one EVENT_ID or --all"
expect 2 dead-letters list dq c 1;             err_line "list takes no EVENT_ID or --all"
expect 2 dead-letters replay dq c 1 --json;    err_line "--json applies to list only"
# --- unknown queue or consumer: exit 1, one line naming it ---
expect 1 dead-letters list nosuch c;           err_line "queue nosuch does not exist"
expect 1 dead-letters list dq nobody;          err_line "nobody"
echo "errors: exit 2 for usage, 1 for unknown names"

# --- list ---
expect 0 dead-letters list dq c
out_has "ev_id"; out_has "bad \"json\""; out_has "payload 2"
[ "$(grep -c payload "$work/out")" = 2 ] || fail "expected two dead letters: $(cat "$work/out")"
expect 0 dead-letters list dq other;  out_has "no dead letters for consumer other on queue dq"
expect 0 dead-letters list dq c --json
[ "$(wc -l <"$work/out")" = 2 ] || fail "expected two JSON lines: $(cat "$work/out")"
python3 - "$work/out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
keys = {"id", "time", "txid", "retry", "type", "data", "extra1", "extra2", "extra3", "extra4",
        "dead_time", "dead_reason"}
assert all(set(r) == keys for r in rows), rows
assert [r["id"] for r in rows] == [1, 2], rows
assert rows[0]["dead_reason"] == 'bad "json"' and rows[1]["dead_reason"] is None, rows
assert rows[0]["data"] == "payload 1" and rows[0]["type"] == "t1", rows
PY
echo "list: table, empty, --json"

# --- status counts them per consumer ---
expect 0 status --json
python3 - "$work/out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dead = {c["name"]: c["dead_letters"] for c in s["consumers"]}
assert dead == {"c": 2, "other": 0}, dead
PY
python3 "$root/tests/cli/check_json_shape.py" "$root/tests/cli/status.schema.json" "$work/out"
expect 0 status;  out_has "DEAD"
echo "status: dead letters per consumer"

# --- replay one: it comes back to c only, in the next batch ---
expect 1 dead-letters replay dq c 99;  err_line "event 99 is not a dead letter of consumer c"
expect 0 dead-letters replay dq c 1;   out_has "replayed 1 dead letter of consumer c on queue dq"
tick $db dq
[ "$(q $db "select string_agg(ev_data, ',') from pgq.get_batch_events(pgq.next_batch('dq', 'c'))")" = "payload 1" ] \
  || fail "the replayed event did not come back to c"
q $db "select pgq.finish_batch(pgq.next_batch('dq', 'c'))" >/dev/null
[ "$(q $db "select count(*) from pgq.get_batch_events(pgq.next_batch('dq', 'other'))")" = 0 ] \
  || fail "the replay reached another consumer"
q $db "select pgq.finish_batch(pgq.next_batch('dq', 'other'))" >/dev/null
echo "replay: one event, to its consumer only"

# --- purge all ---
expect 0 dead-letters purge dq c --all;  out_has "purged 1 dead letter of consumer c on queue dq"
expect 0 dead-letters purge dq c --all;  out_has "purged 0 dead letters"
[ "$(q $db "select count(*) from pgq.dead_letter")" = 0 ] || fail "dead letters left after purge"
echo "purge: all"

# --- PgQ 3.5 has no dead letters ---
q ${db}_pgq "create extension pgq"
q ${db}_pgq "select pgq.create_queue('p1'), pgq.register_consumer('p1', 'pc')" >/dev/null
expect 1 dead-letters list p1 pc --dsn "dbname=${db}_pgq"
err_line "has no dead letters (pgqpp 1.2 or later"
echo "PgQ 3.5: exit 1, one line"
