#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Consumer positions across crashes, on a standby and in a prepared
# transaction, while a snapshot is held open (the held xmin of issue 21 item
# 4, under which positions might be kept out of new row versions:
# docs/internals.md, "Metadata under a held xmin"). Whatever stores them, a
# position must never go backwards or skip an event:
#
#   1. consumer c finishes batches 1 and 2 (committed; the standby shows the
#      position the primary has) and then, after a checkpoint, opens and
#      finishes batch 3 in a transaction that stays open (the standby must
#      keep showing batch 2's end); consumer c2 finishes a batch in a
#      prepared transaction;
#   2. immediate shutdown (crash recovery): c is at batch 2's end and gets
#      batch 3 again; c2 is where it was before the prepared transaction,
#      its next_batch waits for that transaction's row lock, and after
#      COMMIT PREPARED it has moved one batch on;
#   3. a finish committed just before a second immediate shutdown (no
#      checkpoint since) survives it;
#   4. every event reached each consumer exactly once (tables c_seen and
#      c2_seen, written in the transaction of each finish_batch), and the
#      standby ends with the primary's positions.
#
# A cluster of its own (max_prepared_transactions = 2) with a streaming
# standby (pg_basebackup -R). Env (from the ctest fixture,
# tests/harness/fixture.sh): PGQPP_BUILD_DIR PGQPP_SOURCE_DIR PGQPP_TEST_WORK.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
work=${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/position_crash
rm -rf "$work"
mkdir -p "$work/cluster" "$work/standby"
chmod 755 "$work"
holders=()
cleanup() {
  local p
  for p in "${holders[@]}"; do kill "$p" 2>/dev/null || true; done
  pg_stop "$work/standby/data"
  pg_stop "$work/cluster/data"
}
trap cleanup EXIT
fail_context() { tail -20 "$work/cluster/server.log"; tail -5 "$work/standby/server.log"; }

pg_stage "$work/stage" "${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}"
port=$(free_port)
# pgqpp.position_cell_after=1: the first write behind a held snapshot moves
# a consumer's position into its cell, so that the cell is what crashes.
pg_start "$work/cluster/data" "$port" "-c max_prepared_transactions=2" "-c wal_level=replica" \
  "-c pgqpp.position_cell_after=1"
export PGHOST=$work/cluster PGPORT=$port PGUSER=postgres
db=postgres

# The standby: a base backup of the primary, streaming from it.
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work/standby"; fi
as_pg_owner "$PG_BINDIR/pg_basebackup" -h "$work/cluster" -p "$port" -U postgres \
  -D "$work/standby/data" -R -X stream >/dev/null
sport=$(free_port)
same="-c max_connections=120 -c max_prepared_transactions=2"  # hot standby: not below the primary's
as_pg_owner "$PG_BINDIR/pg_ctl" -D "$work/standby/data" -p "$PG_STAGED_POSTGRES" \
  -o "-p $sport -k $work/standby -c listen_addresses=127.0.0.1 -c fsync=off $same" \
  -l "$work/standby/server.log" -w -t 60 start >/dev/null || fail "the standby did not start"
# sq SQL: one query on the standby.
sq() { PGHOST=$work/standby PGPORT=$sport q "$db" "$1"; }
# caught_up: the standby replayed everything the primary wrote so far.
caught_up() {
  local lsn
  lsn=$(q "$db" "select pg_current_wal_lsn()")
  [ "$(sq "select pg_last_wal_replay_lsn() >= '$lsn'")" = t ]
}

q "$db" <<'SQL' >/dev/null
set client_min_messages = warning;
create extension pgqpp;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '1');
select pgq.register_consumer('q', 'c');
select pgq.register_consumer('q', 'c2');
create table c_seen (ev_id bigint, ev_data text);
create table c2_seen (ev_id bigint, ev_data text);
create table produced (ev_data text);
-- Events b<N>-1 and b<N>-2, committed, then a tick: one batch each.
create procedure produce(i_n int) language plpgsql as $$
begin
  for i in 1..i_n loop
    perform pgq.insert_event('q', 'e', 'b' || i || '-' || j), 1 from generate_series(1, 2) j;
    insert into produced select 'b' || i || '-' || j from generate_series(1, 2) j;
    commit;
    perform pgq.force_tick('q');
    perform pgq.ticker('q');
    commit;
  end loop;
end $$;
-- Reads the consumer's next batch into <consumer>_seen and finishes it;
-- the batch's events, or 'none'.
create function consume(i_consumer text) returns text language plpgsql as $$
declare
  b bigint := pgq.next_batch('q', i_consumer);
  evs text;
begin
  if b is null then return 'none'; end if;
  execute format('insert into %I select ev_id, ev_data from pgq.get_batch_events($1)',
                 i_consumer || '_seen') using b;
  select string_agg(ev_data, ',' order by ev_id) into evs from pgq.get_batch_events(b);
  perform pgq.finish_batch(b);
  return coalesce(evs, '');
end $$;
create function pos_of(i_consumer text) returns text language sql as $$
  select i.last_tick || '/' || coalesce(i.current_batch::text, '-') || '|'
         || s.sub_last_tick || '/' || coalesce(s.sub_batch::text, '-')
    from pgq.get_consumer_info('q', i_consumer) i
    join pgq.consumer c on c.co_name = i_consumer
    join pgq.subscription_current s on s.sub_consumer = c.co_id
$$;
call produce(6);
SQL

# hold: a repeatable-read snapshot open in the background (the held xmin).
hold() {
  psql -X -q -d "$db" -c "begin isolation level repeatable read" -c "select 1" \
    -c "select pg_sleep(600)" >/dev/null 2>&1 &
  holders+=($!)
  wait_for 10 "the held snapshot" holds "$db" \
    "select count(*) = 1 from pg_stat_activity where query = 'select pg_sleep(600)' and backend_xmin is not null"
}
hold

# 1. Batches 1 and 2 of c committed, one each for c2; the standby follows.
[ "$(q "$db" "select consume('c')")" = b1-1,b1-2 ] || fail "c's batch 1"
[ "$(q "$db" "select consume('c')")" = b2-1,b2-2 ] || fail "c's batch 2"
[ "$(q "$db" "select consume('c2')")" = b1-1,b1-2 ] || fail "c2's batch 1"
committed=$(q "$db" "select pos_of('c')")
c2_before=$(q "$db" "select pos_of('c2')")
wait_for 30 "the standby's replay" caught_up
[ "$(sq "select pos_of('c')")" = "$committed" ] ||
  fail "the standby shows c at $(sq "select pos_of('c')"), the primary at $committed"
# c's second batch came behind the held snapshot: its position is in its
# cell (c2's first was written to its row, as the horizon had passed it).
[ "$(q "$db" "select count(*) from pgq.subscription_cell cl
               join pgq.consumer co on co.co_id = cl.cell_consumer where co.co_name = 'c'")" = 1 ] ||
  fail "c's position is not in its cell: $(q "$db" "select * from pgq.subscription_cell")"
echo "ok: c at $committed (get_consumer_info last_tick/batch | pgq.subscription_current), in its cell, the same on the standby"

# c2 finishes batch 2 in a prepared transaction; c opens and finishes
# batch 3 in a transaction that stays open over the crash.
q "$db" "checkpoint"
q "$db" "begin" "select consume('c2')" "prepare transaction 'p1'" >/dev/null
psql -X -q -d "$db" -c "begin" -c "select consume('c')" -c "select pg_sleep(600)" >/dev/null 2>&1 &
holders+=($!)
wait_for 10 "the open finish of batch 3" holds "$db" \
  "select count(*) = 1 from pg_stat_activity where query = 'select pg_sleep(600)' and backend_xid is not null"
q "$db" "select pgq.insert_event('q', 'e', 'unrelated') is not null" >/dev/null  # flushes the WAL
q "$db" "insert into produced values ('unrelated')"
wait_for 30 "the standby's replay" caught_up
[ "$(q "$db" "select pos_of('c')")" = "$committed" ] || fail "the open finish shows on the primary"
[ "$(sq "select pos_of('c')")" = "$committed" ] ||
  fail "the standby shows the open finish: c at $(sq "select pos_of('c')"), committed $committed"
[ "$(sq "select pos_of('c2')")" = "$c2_before" ] || fail "the standby shows the prepared finish"
echo "ok: an open and a prepared finish show neither on the primary nor on the standby"

# 2. Crash with both open; another snapshot is held after the restart.
pg_crash_restart "$work/cluster/data" 0
hold
[ "$(q "$db" "select pos_of('c')")" = "$committed" ] ||
  fail "after the crash c is at $(q "$db" "select pos_of('c')"), committed was $committed"
[ "$(q "$db" "select pos_of('c2')")" = "$c2_before" ] ||
  fail "after the crash c2 is at $(q "$db" "select pos_of('c2')") before COMMIT PREPARED, was $c2_before"
got=$(psql -X -q -At -d "$db" -c "set lock_timeout = '300ms'" -c "select pgq.next_batch('q', 'c2')" 2>&1 || true)
case "$got" in *"lock timeout"*) ;; *) fail "c2's next_batch did not wait for the prepared transaction: $got" ;; esac
q "$db" "commit prepared 'p1'"
[ "$(q "$db" "select consume('c2')")" = b3-1,b3-2 ] || fail "c2's batch after COMMIT PREPARED"
[ "$(q "$db" "select consume('c')")" = b3-1,b3-2 ] || fail "c's batch 3 after the crash"
echo "ok: after the crash c gets batch 3 again, c2 moves on with COMMIT PREPARED"

# 3. A finish committed just before a crash (no checkpoint since).
[ "$(q "$db" "select consume('c')")" = b4-1,b4-2 ] || fail "c's batch 4"
committed=$(q "$db" "select pos_of('c')")
pg_crash_restart "$work/cluster/data" 0
[ "$(q "$db" "select pos_of('c')")" = "$committed" ] ||
  fail "a committed finish was lost in the crash: c at $(q "$db" "select pos_of('c')"), committed $committed"
echo "ok: a committed finish survives an immediate shutdown"

# 4. The rest; every event exactly once for each consumer.
q "$db" "select pgq.force_tick('q'), pgq.ticker('q')" >/dev/null
for c in c c2; do
  for _ in $(seq 1 10); do [ "$(q "$db" "select consume('$c')")" != none ] || break; done
  check "$c got every event exactly once" "$db" \
    "select (select count(*) from ${c}_seen) = (select count(*) from produced)
        and (select count(distinct ev_id) from ${c}_seen) = (select count(*) from produced)
        and not exists (select ev_data from produced except select ev_data from ${c}_seen)" \
    "select ev_data, count(*) from ${c}_seen group by 1 order by 1"
done
wait_for 30 "the standby's replay" caught_up
for c in c c2; do
  [ "$(sq "select pos_of('$c')")" = "$(q "$db" "select pos_of('$c')")" ] ||
    fail "the standby shows $c at $(sq "select pos_of('$c')"), the primary at $(q "$db" "select pos_of('$c')")"
done
echo "ok: the standby ends with the primary's positions"
