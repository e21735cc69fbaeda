#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Bounded batches at scale: 100,000 events in one tick interval (one
# transaction of 50,000 and 500 of 100, their ids interleaved by a second
# producer session), a consumer with max_batch_events 1000. It must get 100
# batches of at most 1,000 events, every event exactly once, in ev_id order,
# and each batch's query must read about its 1,000 rows (EXPLAIN ANALYZE of
# pgq.batch_event_sql by tests/lib/rows_read.sql, which LongTxScan in
# tests/cluster uses too), not the interval again.
# A consumer without the setting gets PgQ's one batch of 100,000. Prints the
# rows each next_batch fetched from the event tables (pg_stat_user_tables).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"

db=pgqpp_bounded_$$_$RANDOM
tmp=$(mktemp -d "${PGQPP_TEST_WORK:?}/bounded_batches.XXXXXX")
export PGOPTIONS="-c statement_timeout=120s"
hold_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$hold_pid" ]; then kill "$hold_pid" 2>/dev/null || true; wait "$hold_pid" 2>/dev/null || true; fi
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $db"
q "$db" <<'SQL' >/dev/null
create extension pgqpp;
select pgq.create_queue('big');
select pgq.register_consumer('big', 'bounded');
select pgq.register_consumer('big', 'whole');
select pgq.set_consumer_config('big', 'bounded', 'max_batch_events', '1000');
create table seen (batch_id bigint, ev_id bigint, ev_data text, pos bigserial);
SQL
q "$db" <"$root/tests/lib/rows_read.sql" >/dev/null

# The big transaction stays open (a psql fed through a fifo) while another
# session commits 500 transactions of 100: their ids interleave.
mkfifo "$tmp/hold.in"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <"$tmp/hold.in" >"$tmp/hold.out" 2>&1 &
hold_pid=$!
exec 3>"$tmp/hold.in"
echo "begin;" >&3
for i in $(seq 0 9); do
  echo "select pgq.insert_events('big', array['big'], array(select 'big' || g from generate_series($((i * 5000)), $((i * 5000 + 4999))) g));" >&3
  echo "select 'part$i';" >&3
  wait_for 60 "part $i of the big transaction" grep -q "^part$i\$" "$tmp/hold.out"
  for j in $(seq 0 49); do
    k=$((i * 50 + j))
    echo "select pgq.insert_events('big', array['small'], array(select 'small' || g from generate_series($((k * 100)), $((k * 100 + 99))) g));"
  done >"$tmp/small.sql"
  q "$db" <"$tmp/small.sql" >/dev/null
done
echo "commit; select 'committed';" >&3
wait_for 60 "the big transaction's commit" grep -q '^committed' "$tmp/hold.out"
q "$db" "select pgq.force_tick('big')" "select pgq.ticker('big')" >/dev/null
q "$db" "analyze pgq.event_1_0"
[ "$(q "$db" "select count(*) from pgq.event_1")" = 100000 ] || fail "expected 100,000 events"

fetched() {  # rows fetched from the event tables so far (flushed at session end)
  q "$db" "select coalesce(sum(coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)), 0)
          from pg_stat_user_tables where schemaname = 'pgq' and relname like 'event_1_%'"
}
rows_read() {  # rows_read SQL: rows the scan nodes on pgq.event_* read
  q "$db" "select rows_read(\$rr\$$1\$rr\$)"
}

# Consume with the bounded consumer, one batch per psql call.
batches=0 max_read=0 max_fetch=0 fetch_report=""
while :; do
  before=$(fetched)
  batch=$(q "$db" "select pgq.next_batch('big', 'bounded')")
  sleep 0.6  # the statistics of the closed session reach the counters
  after=$(fetched)
  [ -n "$batch" ] || break
  batches=$((batches + 1))
  [ $batches -le 101 ] || fail "more than 101 batches"
  n=$(q "$db" "select count(*) from pgq.get_batch_events($batch)")
  [ "$n" -le 1000 ] || fail "batch $batch holds $n events, more than 1,000"
  if [ $batches -le 3 ] || [ $((batches % 25)) = 0 ] || [ "$n" -lt 1000 ]; then
    read_rows=$(rows_read "$(q "$db" "select pgq.batch_event_sql($batch)")")
    [ "$read_rows" -le 2000 ] || {
      q "$db" "explain (analyze) $(q "$db" "select pgq.batch_event_sql($batch)")" >&2
      fail "batch $batch ($n events): its query read $read_rows rows"
    }
    [ "$read_rows" -gt "$max_read" ] && max_read=$read_rows
    fetch_report="$fetch_report batch#$batches:$((after - before))"
    [ $batches -gt 1 ] && [ $((after - before)) -gt "$max_fetch" ] && max_fetch=$((after - before))
  fi
  q "$db" "insert into seen (batch_id, ev_id, ev_data) select $batch, ev_id, ev_data from pgq.get_batch_events($batch) order by ev_id" \
    "select pgq.finish_batch($batch)" >/dev/null
done
echo "bounded: $batches batches; batch queries read at most $max_read rows (EXPLAIN ANALYZE)"
echo "rows fetched by next_batch (pg_stat_user_tables):$fetch_report"
[ "$batches" = 100 ] || fail "expected 100 batches of 1,000, got $batches"
res=$(q "$db" "select count(*), count(distinct ev_id), count(distinct ev_data) from seen")
[ "$res" = "100000|100000|100000" ] || fail "events seen (all, distinct ids, distinct data): $res"
# In ev_id order across the batches, as in PgQ's one batch.
[ "$(q "$db" "select count(*) from (select ev_id < lag(ev_id) over (order by pos) as back from seen) s where back")" = 0 ] ||
  fail "the bounded batches are not in ev_id order"
[ "$max_fetch" -le 3000 ] || fail "a next_batch after the first fetched $max_fetch rows"

# The consumer without the setting: one batch of all 100,000.
batch=$(q "$db" "select pgq.next_batch('big', 'whole')")
[ "$(q "$db" "select count(*) from pgq.get_batch_events($batch)")" = 100000 ] ||
  fail "the consumer without the setting did not get one batch of 100,000"
q "$db" "select pgq.finish_batch($batch)" >/dev/null
echo "ok: 100,000 events in 100 bounded batches, each once; the other consumer got one batch"
