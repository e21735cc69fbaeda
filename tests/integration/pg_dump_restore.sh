#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pg_dump -Fc / pg_restore keeps queues, consumers, their positions (an open
# batch included), pending retries and unconsumed events.
#
# The original database gets two queues and consumers at different places;
# it is dumped and restored into a new database of the same cluster. Then
# both databases run the same continuation (move due retries, tick, drain
# every consumer) and must produce the same events, batch ids included, and
# the events expected by construction. The restored database must then take
# new events, ticks and a new queue whose ids do not collide.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

src=pgqpp_dump_src_$$_$RANDOM
dst=pgqpp_dump_dst_$$_$RANDOM
tmp=$(mktemp -d "${PGQPP_TEST_WORK:?}/pg_dump_restore.XXXXXX")
bindir=$(pg_config --bindir)
export PGOPTIONS="-c statement_timeout=60s"
start=$(date +%s)
hold_pid=
fail_context() {
  if [ -s "$tmp/hold.out" ]; then echo "the open transaction's psql printed:"; cat "$tmp/hold.out"; fi
}
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$hold_pid" ]; then kill "$hold_pid" 2>/dev/null || true; wait "$hold_pid" 2>/dev/null || true; fi
  local d
  for d in "$src" "$dst"; do
    psql -X -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
# expect WHAT GOT WANT
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $src"
q "$src" <<'SQL' >/dev/null
create extension pgqpp;
select pgq.create_queue('qa');
select pgq.create_queue('qb');
select pgq.register_consumer('qa', 'ca_open');
select pgq.register_consumer('qa', 'ca_retry');
select pgq.register_consumer('qa', 'ca_behind');
select pgq.register_consumer('qb', 'cb');
-- Bounded batches: two events per batch; its place inside an interval must
-- survive the dump.
select pgq.register_consumer('qa', 'ca_bounded');
select pgq.set_consumer_config('qa', 'ca_bounded', 'max_batch_events', '2');
-- One tick of a queue, now.
create function tick(i_queue text) returns bigint language plpgsql as $$
begin
  perform pgq.force_tick(i_queue);
  return pgq.ticker(i_queue);
end $$;
SQL

# --- queue qa ---
q "$src" "select pgq.insert_event('qa', 'a', 'a1'), pgq.insert_event('qa', 'a', 'a2'),
                    pgq.insert_event('qa', 'a', 'a3', 'x1', 'x2', 'x3', 'x4')" >/dev/null
q "$src" "select tick('qa')" >/dev/null
# ca_retry reads a1..a3, puts a2 aside (due at once), a3 into its dead
# letters (pgqpp 1.2: kept by pg_dump like the queue setting max_retries),
# finishes.
q "$src" <<'SQL' >/dev/null
select pgq.set_queue_config('qa', 'max_retries', '5');
select pgq.next_batch('qa', 'ca_retry') as b \gset
select pgq.event_retry(:b, (select ev_id from pgq.get_batch_events(:b) where ev_data = 'a2'), 0);
select pgq.event_dead(:b, (select ev_id from pgq.get_batch_events(:b) where ev_data = 'a3'), 'dumped');
select pgq.finish_batch(:b);
SQL
q "$src" "select pgq.insert_event('qa', 'a', 'a4')" >/dev/null
q "$src" "select pgq.insert_event('qa', 'a', 'a5')" >/dev/null
q "$src" "select tick('qa')" >/dev/null
# ca_open finishes the first batch and leaves the second open.
b=$(q "$src" "select pgq.next_batch('qa', 'ca_open')")
expect "ca_open's first batch" "$(q "$src" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b)")" "a1,a2,a3"
q "$src" "select pgq.finish_batch($b)" >/dev/null
open_batch=$(q "$src" "select pgq.next_batch('qa', 'ca_open')")
expect "ca_open's open batch" "$(q "$src" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($open_batch)")" "a4,a5"
q "$src" "select pgq.insert_event('qa', 'a', 'a6')" >/dev/null   # not ticked
# ca_bounded reads the first window of a1..a3 and stops inside the interval.
b=$(q "$src" "select pgq.next_batch('qa', 'ca_bounded')")
expect "ca_bounded's first window" "$(q "$src" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b)")" "a1,a2"
q "$src" "select pgq.finish_batch($b)" >/dev/null

# --- queue qb: one transaction runs across its tick and commits before the dump ---
q "$src" "select pgq.insert_event('qb', 'b', 'b1')" >/dev/null
mkfifo "$tmp/hold.in"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$src" <"$tmp/hold.in" >"$tmp/hold.out" 2>&1 &
hold_pid=$!
exec 3>"$tmp/hold.in"
echo "begin; select pgq.insert_event('qb', 'b', 'b-listed') > 0; select 'inserted';" >&3
wait_for 30 "the open transaction's insert" grep -q '^inserted' "$tmp/hold.out"
q "$src" "select txid_current()" >/dev/null  # a later xid completes: the tick lists the open one
q "$src" "select tick('qb')" >/dev/null
echo "commit; select 'committed';" >&3
wait_for 30 "the open transaction's commit" grep -q '^committed' "$tmp/hold.out"
exec 3>&-
wait "$hold_pid" || fail "the psql holding the transaction failed: $(cat "$tmp/hold.out")"
hold_pid=
expect "the open transaction in qb's tick" "$(q "$src" "select count(*) from pgq.tick t, pgq.event_2 e
  where t.tick_queue = 2 and t.tick_id = 2 and e.ev_data = 'b-listed'
    and e.ev_txid in (select txid_snapshot_xip(t.tick_snapshot))")" 1
b=$(q "$src" "select pgq.next_batch('qb', 'cb')")
expect "cb's first batch" "$(q "$src" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b)")" "b1"
q "$src" "select pgq.finish_batch($b)" >/dev/null
q "$src" "select pgq.insert_event('qb', 'b', 'b2')" >/dev/null   # not ticked

expect "pending retries" "$(q "$src" "select count(*) from pgq.retry_queue")" 1
expect "dead letters" "$(q "$src" "select count(*) from pgq.dead_letter")" 1
state_sql="select q.queue_name, c.co_name, s.sub_id, s.sub_last_tick, s.sub_batch, s.sub_next_tick
             from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue
             join pgq.consumer c on c.co_id = s.sub_consumer order by 1, 2;
           select queue_id, queue_name, queue_cur_table, queue_data_pfx from pgq.queue order by 1;
           select tick_queue, tick_id, tick_snapshot, tick_event_seq from pgq.tick order by 1, 2;
           select ev_owner, ev_id, ev_retry, ev_data from pgq.retry_queue order by 1, 2;
           select ev_owner, ev_id, ev_data, ev_extra1, dead_reason, dead_time from pgq.dead_letter order by 1, 2;
           select qc_queue, qc_max_retries from pgq.queue_config order by 1;
           select tableoid::regclass, ev_id, ev_txid, ev_data from pgq.event_template order by 2;
           select * from pgq.consumer_config order by 1, 2;"
q "$src" "$state_sql" >"$tmp/src.state"
echo "original database ready after $(($(date +%s) - start)) s"

# --- dump and restore ---
"$bindir/pg_dump" -Fc -f "$tmp/src.dump" -d "$src" || fail "pg_dump failed"
"$bindir/createdb" "$dst"
"$bindir/pg_restore" --exit-on-error -d "$dst" "$tmp/src.dump" 2>"$tmp/restore.err" ||
  { cat "$tmp/restore.err" >&2; fail "pg_restore failed"; }
[ -s "$tmp/restore.err" ] && { echo "pg_restore said:" >&2; cat "$tmp/restore.err" >&2; }
q "$dst" "$state_sql" >"$tmp/dst.state"
diff -u "$tmp/src.state" "$tmp/dst.state" >&2 || fail "the restored pgq tables differ from the original's"
echo "restored; queues, ticks, positions, retries and events are identical"

# --- the same continuation in both databases (each statement its own transaction) ---
cat >"$tmp/continue.sql" <<'SQL'
\o /dev/null
create table got (n serial, consumer text, batch_id bigint, ev_id bigint, ev_type text,
                  ev_data text, ev_retry int, ev_time timestamptz, extra text);
create function drain(i_queue text, i_consumer text) returns void language plpgsql as $$
declare b bigint;
begin
  loop
    b := pgq.next_batch(i_queue, i_consumer);
    exit when b is null;
    insert into got (consumer, batch_id, ev_id, ev_type, ev_data, ev_retry, ev_time, extra)
      select i_consumer, b, ev_id, ev_type, ev_data, ev_retry, ev_time,
             concat_ws('/', ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        from pgq.get_batch_events(b) order by ev_id;
    if not found then
      insert into got (consumer, batch_id) values (i_consumer, b);  -- an empty batch
    end if;
    perform pgq.finish_batch(b);
  end loop;
end $$;
select pgq.maint_retry_events();
select tick('qa');
select tick('qb');
select drain('qa', 'ca_open');
select drain('qa', 'ca_retry');
select drain('qa', 'ca_behind');
select drain('qa', 'ca_bounded');
select drain('qb', 'cb');
\o
select consumer, batch_id, ev_id, ev_type, ev_data, ev_retry, ev_time, extra from got order by n;
SQL
q "$src" <"$tmp/continue.sql" >"$tmp/src.events"
q "$dst" <"$tmp/continue.sql" >"$tmp/dst.events"
echo "continuation in the restored database:"
sed 's/^/  /' "$tmp/dst.events"
diff -u "$tmp/src.events" "$tmp/dst.events" >&2 || fail "the restored database delivers other events than the original"
# They are the events expected by construction, batch by batch.
summary=$(awk -F'|' '
  { if ($1 != c) { if (c != "") out = out "] "; out = out $1 "=["; c = $1; b = ""; sep = "" }
    else if ($2 != b) { out = out "]["; sep = "" }
    if ($5 != "" || $3 != "") { out = out sep $5 ($6 != "" ? "(r" $6 ")" : ""); sep = "," }
    b = $2 }
  END { print out "]" }' "$tmp/dst.events")
expect "batches after the restore" "$summary" \
  "ca_open=[a4,a5][a6] ca_retry=[a4,a5][a2(r1),a6] ca_behind=[a1,a2,a3][a4,a5][a6] ca_bounded=[a3][a4,a5][a6] cb=[b-listed,b2]"
expect "ca_open's first batch after the restore" "$(head -1 "$tmp/dst.events" | cut -d'|' -f2)" "$open_batch"
expect "a3's extra fields" \
  "$(awk -F'|' '$5 == "a3" { print $8 }' "$tmp/dst.events" | sort -u)" "x1/x2/x3/x4"
echo "both databases delivered the same events: $summary"

# --- new work after the restore, run in both databases and compared ---
cat >"$tmp/after.sql" <<'SQL'
\o /dev/null
select pgq.insert_event('qa', 'a', 'a-new');
select pgq.insert_event('qb', 'b', 'b-new');
select pgq.create_queue('qc');
select pgq.register_consumer('qc', 'cc');
select pgq.register_consumer('qa', 'ca_late');
select pgq.insert_event('qc', 'c', 'c1');
select tick('qa');
select tick('qb');
select tick('qc');
truncate got;
select drain('qa', 'ca_open');
select drain('qa', 'ca_retry');
select drain('qa', 'ca_behind');
select drain('qa', 'ca_late');
select drain('qb', 'cb');
select drain('qc', 'cc');
\o
select consumer, batch_id, ev_id, ev_type, ev_data, ev_retry from got order by n;
select queue_id, queue_name, queue_data_pfx from pgq.queue order by 1;
select co_id, co_name from pgq.consumer order by 1;
select sub_id, sub_queue, sub_consumer from pgq.subscription order by 1, 2, 3;
SQL
q "$src" <"$tmp/after.sql" >"$tmp/src.after"
q "$dst" <"$tmp/after.sql" >"$tmp/dst.after"
echo "new work in the restored database:"
sed 's/^/  /' "$tmp/dst.after"
diff -u "$tmp/src.after" "$tmp/dst.after" >&2 || fail "new work in the restored database differs from the original's"
expect "new events after the restore" "$(cut -d'|' -f1,5 "$tmp/dst.after" | head -6 | tr '\n' ' ')" \
  "ca_open|a-new ca_retry|a-new ca_behind|a-new ca_late|a-new cb|b-new cc|c1 "
expect "the new queue" "$(grep '|qc|' "$tmp/dst.after")" "3|qc|pgq.event_3"
q "$dst" "select count(*) from pg_class where relname like 'event\_3\_%' and relkind = 'r'" |
  grep -qx 3 || fail "the new queue's event tables are missing"
echo "ok: dump and restore in $(($(date +%s) - start)) s"
