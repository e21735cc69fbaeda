#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Cooperative consumers in the tool: `pgqpp register QUEUE CONSUMER
# --subconsumer NAME` (pgq_coop.register_subconsumer), `pgqpp unregister
# QUEUE CONSUMER --subconsumer NAME [--batch-handling fail|drop]`
# (pgq_coop.unregister_subconsumer, refusing or dropping an open batch as
# PgQ's i_batch_handling 0 and 1), and `pgqpp status`
# listing subconsumers with their open batches in a table of their own and
# in --json's "subconsumers" (checked against tests/cli/status.schema.json),
# not among the consumers; the same for a database where pgq_coop is
# missing (PgQ 3.5 without pgq_coop: register --subconsumer says so).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$PGQPP_TEST_WORK/cli_status_coop
mkdir -p "$work"
. "$root/tests/lib/cli.sh"
schema=$root/tests/cli/status.schema.json
shape() { python3 "$root/tests/cli/check_json_shape.py" "$schema" "$@" || fail "output does not match $schema"; }
db=cli_status_coop
export PGDATABASE=$db
fresh_databases $db cli_status_coop_pgq
expect 0 install
expect 0 create-queue orders --set ticker_max_count=1

# --- register --subconsumer ---
expect 0 register orders shipping --subconsumer w1
out_has "registered subconsumer w1 of consumer shipping on queue orders"
expect 0 register orders shipping --subconsumer w1
out_has "subconsumer w1 of consumer shipping is already registered on queue orders"
expect 0 register orders shipping --subconsumer w2
expect 1 register nosuch shipping --subconsumer w1;  err_line "queue nosuch does not exist"
expect 2 register orders shipping --subconsumer '';  err_line "subconsumer name must not be empty"
[ "$(q $db "select string_agg(consumer_name, ',' order by consumer_name) from pgq.get_consumer_info('orders')")" = \
  "shipping,shipping.w1,shipping.w2" ] || fail "registrations: $(q $db "select consumer_name from pgq.get_consumer_info()")"
echo "register --subconsumer"

# --- status: w1 holds a batch, w2 none ---
q $db "select pgq.insert_event('orders', 't', 'x')" >/dev/null
tick $db orders
b=$(q $db "select pgq_coop.next_batch('orders', 'shipping', 'w1')")
[ -n "$b" ] || fail "w1 got no batch"
ticks=$(q $db "select sub_last_tick || '..' || sub_next_tick from pgq.subscription where sub_batch = $b")
expect 0 status
out_has "QUEUE   CONSUMER  SUBCONSUMER  LAST SEEN  BATCH"
grep -qE "^orders +shipping +w1 +[0-9.]+s +$b +$ticks\$" "$work/out" || fail "no row for w1: $(cat "$work/out")"
grep -qE "^orders +shipping +w2 +[0-9.]+s +- +-\$" "$work/out" || fail "no row for w2: $(cat "$work/out")"
[ "$(grep -c "shipping\.w" "$work/out" || true)" = 0 ] || fail "subconsumers listed as consumers: $(cat "$work/out")"
expect 0 status --json;  shape "$work/out"
python3 - "$work/out" "$b" <<'PY'
import json, sys
doc, b = json.load(open(sys.argv[1])), int(sys.argv[2])
assert [c["name"] for c in doc["consumers"]] == ["shipping"], doc
subs = doc["subconsumers"]
assert [(s["queue"], s["consumer"], s["subconsumer"]) for s in subs] == [("orders", "shipping", "w1"), ("orders", "shipping", "w2")], subs
assert subs[0]["open_batch_id"] == b and subs[0]["batch_end_tick_id"] == subs[0]["batch_start_tick_id"] + 1, subs
assert subs[1]["open_batch_id"] is None and subs[1]["batch_start_tick_id"] is None, subs
PY
expect 0 status orders --json;  shape "$work/out"
q $db "select pgq_coop.finish_batch($b)" >/dev/null
expect 0 status --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(s["open_batch_id"] is None for s in d["subconsumers"]), d' "$work/out"
echo "status: subconsumers and their batches"

# --- unregister --subconsumer: an open batch is refused (fail) or dropped ---
regs() { q $db "select string_agg(consumer_name, ',' order by consumer_name) from pgq.get_consumer_info('orders')"; }
q $db "select pgq.insert_event('orders', 't', 'y')" >/dev/null
tick $db orders
b=$(q $db "select pgq_coop.next_batch('orders', 'shipping', 'w1')")
[ -n "$b" ] || fail "w1 got no second batch"
expect 1 unregister orders shipping --subconsumer w1
err_line "subconsumer w1 of consumer shipping on queue orders holds an open batch; let it finish, or drop the batch with --batch-handling drop"
expect 1 unregister orders shipping --subconsumer w1 --batch-handling fail
[ "$(regs)" = "shipping,shipping.w1,shipping.w2" ] || fail "a refused unregister changed: $(regs)"
expect 0 unregister orders shipping --subconsumer w2
out_has "unregistered subconsumer w2 of consumer shipping from queue orders"
expect 1 unregister orders shipping --subconsumer w2
err_line "subconsumer w2 of consumer shipping is not registered on queue orders"
expect 2 unregister orders shipping --subconsumer w1 --batch-handling keep
expect 2 unregister orders shipping --batch-handling drop;  err_line "--batch-handling applies to --subconsumer only"
expect 2 unregister orders shipping --subconsumer '';  err_line "subconsumer name must not be empty"
expect 0 unregister orders shipping --subconsumer w1 --batch-handling drop
out_has "unregistered subconsumer w1 of consumer shipping from queue orders"
[ "$(regs)" = "shipping" ] || fail "after unregistering both: $(regs)"
[ "$(q $db "select count(*) from pgq.subscription where sub_batch = $b")" = 0 ] || fail "batch $b still open"
echo "unregister --subconsumer"

# --- no subconsumers: no table, an empty array; no pgq_coop: a clear error ---
q cli_status_coop_pgq "create extension pgq"
q cli_status_coop_pgq "select pgq.create_queue('p1'), pgq.register_consumer('p1', 'pc')" >/dev/null
expect 0 status --dsn "dbname=cli_status_coop_pgq"
! grep -q SUBCONSUMER "$work/out" || fail "a subconsumer table without subconsumers"
expect 0 status --json --dsn "dbname=cli_status_coop_pgq";  shape "$work/out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["subconsumers"]==[], d' "$work/out"
expect 1 register p1 pc --subconsumer w1 --dsn "dbname=cli_status_coop_pgq"
err_line "pgq_coop is not installed in this database"
expect 1 unregister p1 pc --subconsumer w1 --dsn "dbname=cli_status_coop_pgq"
err_line "pgq_coop is not installed in this database"
echo "status without subconsumers; register/unregister --subconsumer without pgq_coop"
echo "PASS"
