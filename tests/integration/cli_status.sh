#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp status` against the test cluster: the table (no escape codes when
# not on a terminal; a consumer's max_batch_events), --json checked against tests/cli/status.schema.json
# (the shape docs/cli.md documents), one queue, --check with and without a
# lagging consumer and with a late ticker, --watch into a pipe (snapshots,
# SIGINT → exit 0), --watch on a pseudo-terminal (redrawn in place, colour
# unless NO_COLOR, q and SIGINT stop it with exit 0), errors, and status of
# a PgQ 3.5 database.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
work=$PGQPP_TEST_WORK/cli_status
mkdir -p "$work"
. "$root/tests/lib/cli.sh"
schema=$root/tests/cli/status.schema.json
shape() { python3 "$root/tests/cli/check_json_shape.py" "$schema" "$@" || fail "output does not match $schema"; }
db=cli_status
watch_pid=
cleanup() {
  [ -z "$watch_pid" ] || kill -9 "$watch_pid" 2>/dev/null || true
  drop_databases
}
trap cleanup EXIT
export PGDATABASE=$db
unset NO_COLOR
fresh_databases $db cli_status_pgq
expect 0 install

# --- docs/cli.md's JSON example has the documented shape too ---
python3 - "$root/docs/cli.md" >"$work/example.json" <<'PY'
import re, sys
m = re.search(r"<!-- status-json-example -->\n```json\n(.*?)```", open(sys.argv[1]).read(), re.S)
assert m, "no status-json-example block in docs/cli.md"
print(m.group(1))
PY
shape "$work/example.json"

# --- an empty database ---
expect 0 status;  out_has "no queues (create one with: pgqpp create-queue NAME)"
expect 0 status --json;  shape "$work/out"

# --- two queues, a consumer each ---
# qa ticks after every event, so a plain pgq.ticker() call ticks it (force_tick
# would move its event sequence, and pending counts, by ticker_max_count).
expect 0 create-queue qa --set ticker_max_count=1
expect 0 create-queue qb
expect 0 register qa ca
expect 0 register qb cb --max-batch-events 250
# A delayed event an hour away on qb: the DELAYED column and delayed_pending.
q "$db" "select pgq.insert_event_at('qb', now() + interval '1 hour', 't', 'later')" >/dev/null
expect 0 status
! grep -q $'\x1b' "$work/out" || fail "escape codes in the table on a pipe"
out_has "database $db"
grep -qE '^QUEUE  EV/S  PENDING +DELAYED  LAST TICK  TICK ID  TABLE  ROTATED  ROTATION  STATE$' "$work/out" || fail "no queue header: $(cat "$work/out")"
grep -qE '^qa +- +0 +0 +[0-9.]+s +1 +0/3 +[0-9.]+s +2h00m  ok$' "$work/out" || fail "no row for qa: $(cat "$work/out")"
grep -qE '^qb +- +0 +1 next (59m[0-9]{2}s|1h00m) +[0-9.]+s +1 +0/3 ' "$work/out" || fail "no DELAYED for qb: $(cat "$work/out")"
out_has "QUEUE  CONSUMER    LAG  PENDING  LAST SEEN  BATCH  DEAD  MAX BATCH  STATE"
grep -qE '^qa +ca +[0-9.]+s +0 +[0-9.]+s +- +0 +- +ok$' "$work/out" || fail "no row for ca: $(cat "$work/out")"
grep -qE '^qb +cb +[0-9.]+s +0 +[0-9.]+s +- +0 +250 +ok$' "$work/out" || fail "no row for cb: $(cat "$work/out")"
expect 0 status --json;  shape "$work/out"
python3 - "$work/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert [q["name"] for q in doc["queues"]] == ["qa", "qb"], doc
assert [(c["queue"], c["name"], c["lagging"]) for c in doc["consumers"]] == [("qa", "ca", False), ("qb", "cb", False)], doc
assert [c["max_batch_events"] for c in doc["consumers"]] == [None, 250], doc
assert doc["queues"][0]["rotation"]["tables"] == 3 and doc["queues"][0]["rotation"]["period_seconds"] == 7200, doc
assert doc["problems"] == [] and doc["lag_threshold_seconds"] == 60, doc
assert [q["delayed_pending"] for q in doc["queues"]] == [0, 1], doc
assert doc["queues"][0]["delayed_next_due_seconds"] is None, doc
assert 3500 < doc["queues"][1]["delayed_next_due_seconds"] <= 3600, doc
PY
expect 0 status qb --json;  shape "$work/out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [q["name"] for q in d["queues"]]==["qb"] and [c["name"] for c in d["consumers"]]==["cb"], d' "$work/out"
expect 1 status nosuch;  err_line "queue nosuch does not exist"
echo "table and JSON"

# --- a lagging consumer: events ticked and not consumed ---
# Pending counts come from the event id sequence, whose first tick (at
# create_queue) reads 1 before any event: start from a later tick.
q $db "select pgq.insert_event('qa', 't', 'first')" >/dev/null
[ -n "$(q $db "select pgq.ticker('qa')")" ] || fail "qa did not tick"
b=$(q $db "select pgq.next_batch('qa', 'ca')")
q $db "select pgq.finish_batch($b)" >/dev/null
q $db "select pgq.insert_event('qa', 't', 'x') from generate_series(1, 5)" >/dev/null
[ -n "$(q $db "select pgq.ticker('qa')")" ] || fail "qa did not tick"
sleep 0.3
expect 1 status --check --lag-threshold 0.1
out_has "consumer ca on queue qa: lag"
out_has "5 events pending"
! grep -q "cb" "$work/out" || fail "cb (caught up) reported as lagging"
expect 1 status --check --json --lag-threshold 0.1;  shape "$work/out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [c["lagging"] for c in d["consumers"]]==[True, False] and d["consumers"][0]["pending_events"]==5, d' "$work/out"
expect 0 status --lag-threshold 0.1
out_has "LAGGING"
out_has "problem: consumer ca on queue qa"
expect 0 status --check;  out_has "ok: 2 queues, 2 consumers, none lagging over 60s"
# Consumed: no longer lagging, however old its position.
b=$(q $db "select pgq.next_batch('qa', 'ca')")
q $db "select pgq.finish_batch($b)" >/dev/null
expect 0 status --check --lag-threshold 0.1;  out_has "ok: 2 queues, 2 consumers"
echo "check: exit 1 with a lagging consumer, 0 without"

# --- a late ticker: a queue whose newest tick is older than its idle period + threshold ---
expect 0 create-queue qc --set ticker_idle_period=0
sleep 0.3
expect 1 status qc --check --lag-threshold 0.1;  out_has "queue qc: last tick"
expect 0 config qc ticker_paused=on
expect 0 status qc --check --lag-threshold 0.1
echo "check: a late ticker, but not for a paused queue"

# --- --watch into a pipe: successive snapshots until SIGINT ---
"$pgqpp" status --watch 0.2 >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
sleep 2
kill -INT $watch_pid
set +e; wait $watch_pid; rc=$?; set -e
watch_pid=
[ $rc -eq 0 ] || fail "status --watch exited $rc on SIGINT: $(cat "$work/watch.err")"
n=$(grep -c "^database $db" "$work/watch.out")
[ "$n" -ge 3 ] || fail "expected 3+ snapshots in 2 s at 0.2 s, got $n"
! grep -q $'\x1b' "$work/watch.out" || fail "escape codes in --watch output on a pipe"
"$pgqpp" status --watch 0.2 --json >"$work/watch.json" 2>&1 &
watch_pid=$!
sleep 1
kill -TERM $watch_pid
set +e; wait $watch_pid; rc=$?; set -e
watch_pid=
[ $rc -eq 0 ] || fail "status --watch --json exited $rc on SIGTERM"
[ "$(wc -l <"$work/watch.json")" -ge 2 ] || fail "expected 2+ JSON lines: $(cat "$work/watch.json")"
shape "$work/watch.json"
expect 2 status --watch --check;  err_line "--check and --watch cannot be combined"
echo "watch on a pipe: snapshots, SIGINT and SIGTERM stop it with exit 0"

# --- --watch on a terminal (a pseudo-terminal) ---
python3 "$root/tests/cli/watch_in_pty.py" "$pgqpp" q >"$work/pty.out" || fail "$(cat "$work/pty.out")"
grep -q COLOUR "$work/pty.out" || fail "no colour on a terminal"
python3 "$root/tests/cli/watch_in_pty.py" "$pgqpp" sigint >"$work/pty.out" || fail "$(cat "$work/pty.out")"
NO_COLOR=1 python3 "$root/tests/cli/watch_in_pty.py" "$pgqpp" q >"$work/pty.out" || fail "$(cat "$work/pty.out")"
grep -q PLAIN "$work/pty.out" || fail "colour on a terminal despite NO_COLOR"
echo "watch on a terminal: redrawn in place, q and SIGINT stop it, NO_COLOR respected"

# --- errors ---
expect 1 status --dsn 'host=127.0.0.1 port=1';  err_line "cannot reach the database"

# --- a PgQ 3.5 database: the same functions, the same shape ---
q cli_status_pgq "create extension pgq"
q cli_status_pgq "select pgq.create_queue('p1'), pgq.register_consumer('p1', 'pc')" >/dev/null
expect 0 status --json --dsn "dbname=cli_status_pgq";  shape "$work/out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [c["name"] for c in d["consumers"]]==["pc"] and d["queues"][0]["delayed_pending"] is None, d' "$work/out"
echo "status of a PgQ 3.5 database"

echo "PASS"
