#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# A long transaction must not turn batch reads into scans from its xid on.
#
# One transaction inserts an event and stays open (a psql fed through a
# fifo) while 100,000 other events are produced in 100 ticks of 1,000 and
# consumed. For the last batch, EXPLAIN ANALYZE of pgq.batch_event_sql()
# must show about the batch's 1,000 rows read from the event tables, not the
# ~100,000 since the old transaction's xid. Then the old transaction commits
# and its event must arrive exactly once, in the next batch.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

db=pgqpp_longtx_$$_$RANDOM
tmp=$(mktemp -d "${PGQPP_TEST_WORK:?}/long_tx_scan.XXXXXX")
export PGOPTIONS="-c statement_timeout=60s"
start=$(date +%s)
hold_pid=
fail_context() {
  if [ -s "$tmp/hold.out" ]; then echo "the open transaction's psql printed:"; cat "$tmp/hold.out"; fi
}
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$hold_pid" ]; then kill "$hold_pid" 2>/dev/null || true; wait "$hold_pid" 2>/dev/null || true; fi
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
elapsed() { echo "$(($(date +%s) - start)) s"; }
# wait_for SECONDS WHAT COMMAND...: runs COMMAND until it succeeds.

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $db"
q "$db" <<'SQL' >/dev/null
create extension pgqpp;
select pgq.create_queue('scan');
select pgq.register_consumer('scan', 'c');
create table seen (batch_id bigint, events bigint, old_events bigint);
-- Reads and finishes every batch but the newest; records what each held.
create function consume(i_keep_last boolean) returns bigint language plpgsql as $$
declare
  b bigint;
  n bigint := 0;
begin
  loop
    if i_keep_last and not exists (
         select 1 from pgq.subscription s join pgq.tick t on t.tick_queue = s.sub_queue
          where t.tick_id > s.sub_last_tick + 1) then
      exit;
    end if;
    b := pgq.next_batch('scan', 'c');
    exit when b is null;
    insert into seen select b, count(*), count(*) filter (where ev_data = 'old-event')
      from pgq.get_batch_events(b);
    perform pgq.finish_batch(b);
    n := n + 1;
  end loop;
  return n;
end $$;
SQL

# The long transaction: inserts its event before the first tick and waits.
mkfifo "$tmp/hold.in"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <"$tmp/hold.in" >"$tmp/hold.out" 2>&1 &
hold_pid=$!
exec 3>"$tmp/hold.in"
echo "begin; select pgq.insert_event('scan', 'old', 'old-event') > 0; select 'xid=' || txid_current();" >&3
wait_for 30 "the long transaction's insert" grep -q '^xid=' "$tmp/hold.out"
old_xid=$(sed -n 's/^xid=//p' "$tmp/hold.out")
echo "long transaction $old_xid open after $(elapsed)"

# 100,000 events: 100 transactions of 1,000, each followed by a tick.
for i in $(seq 0 99); do
  echo "select pgq.insert_events('scan', array['e'], array(select 'e' || g from generate_series($((i * 1000)), $((i * 1000 + 999))) g));"
  echo "select pgq.force_tick('scan');"
  echo "select pgq.ticker('scan');"
done >"$tmp/produce.sql"
q "$db" <"$tmp/produce.sql" >/dev/null
echo "100,000 events in 100 ticks after $(elapsed)"

# Consume all batches but the last, then open the last one.
[ "$(q "$db" "select consume(true)")" = 99 ] || fail "expected 99 batches before the last"
batch=$(q "$db" "select pgq.next_batch('scan', 'c')")
[ -n "$batch" ] || fail "no last batch"
[ "$(q "$db" "select count(*) from pgq.get_batch_events($batch)")" = 1000 ] ||
  fail "the last batch does not have 1,000 events"
[ "$(q "$db" "select coalesce(sum(events), 0) || ' ' || coalesce(sum(old_events), 0) from seen")" = "99000 0" ] ||
  fail "the first 99 batches did not hold 99,000 events without the old one: $(q "$db" "select sum(events), sum(old_events) from seen")"

# Rows the batch query reads from the event tables, from EXPLAIN ANALYZE.
rows_read() {  # rows_read SQL: prints the rows scan nodes on pgq.event_* read
  q "$db" "explain (analyze, format json) $1" | python3 -c '
import json, sys
def walk(node):
    total = 0
    if node.get("Relation Name", "").startswith("event_"):
        total += node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
        total += node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
    for child in node.get("Plans", []):
        total += walk(child)
    return total
# PostgreSQL 18 reports Actual Rows per loop with decimals: a whole count.
print(round(walk(json.load(sys.stdin)[0]["Plan"])))'
}
sql=$(q "$db" "select pgq.batch_event_sql($batch)")
read_rows=$(rows_read "$sql")
echo "batch $batch: 1000 events, the batch query read $read_rows rows"
echo "  $sql"
if [ "$read_rows" -gt 2000 ]; then
  q "$db" "explain (analyze) $sql" >&2
  fail "the batch query read $read_rows rows for a batch of 1,000 events: it scans from the long transaction's xid"
fi
# The measurement can see a scan from the old xid: the naive predicate reads ~100,000.
naive=$(rows_read "select * from pgq.event_1 where ev_txid >= $old_xid and ev_txid < txid_current()")
[ "$naive" -ge 100000 ] || fail "the naive scan read only $naive rows: the measurement is broken"
echo "  (a scan from the old transaction's xid reads $naive rows)"
[ "$(q "$db" "select pgq.finish_batch($batch)")" = 1 ] || fail "finish_batch failed"

# Commit the long transaction; the next batch must have its event, once.
echo "commit; select 'committed';" >&3
wait_for 30 "the long transaction's commit" grep -q '^committed' "$tmp/hold.out"
q "$db" "select pgq.insert_event('scan', 'after', 'after-commit')" "select pgq.force_tick('scan')" \
  "select pgq.ticker('scan')" >/dev/null
batch=$(q "$db" "select pgq.next_batch('scan', 'c')")
got=$(q "$db" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($batch)")
[ "$got" = "old-event,after-commit" ] || fail "the batch after the commit holds '$got', not 'old-event,after-commit'"
# It names the old transaction's xid: found by the index, not by a scan.
sql=$(q "$db" "select pgq.batch_event_sql($batch)")
read_rows=$(rows_read "$sql")
echo "batch $batch: old-event,after-commit; the batch query read $read_rows rows"
echo "  $sql"
[ "$read_rows" -le 10 ] || fail "the batch query read $read_rows rows for a batch of 2 events"
q "$db" "select pgq.finish_batch($batch)" >/dev/null
# A later batch does not repeat it.
q "$db" "select pgq.force_tick('scan')" "select pgq.ticker('scan')" >/dev/null
batch=$(q "$db" "select pgq.next_batch('scan', 'c')")
[ -n "$batch" ] || fail "no batch after the last tick"
[ "$(q "$db" "select count(*) from pgq.get_batch_events($batch)")" = 0 ] ||
  fail "a later batch repeats events: $(q "$db" "select string_agg(ev_data, ',') from pgq.get_batch_events($batch)")"
q "$db" "select pgq.finish_batch($batch)" >/dev/null
echo "ok: old event arrived once, after its commit; $(elapsed)"
