#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Drop-in compatibility: Debian's pgqd (PgQ 3.5's maintenance daemon) drives a
# pgqpp database: it ticks, moves retried events back (pgq.maint_retry_events)
# and rotates event tables (pgq.maint_operations -> maint_rotate_tables_*).
# The test never ticks itself: every tick here comes from pgqd.
#
# Consumers c1 and c2 are SQL functions in the test database (next_batch,
# get_batch_events, event_retry, finish_batch in one transaction), recording
# what they get in table `seen`; `produced` holds what was committed.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGDATABASE PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

db=compat_pgqd
queue=pgqd_q
# COMPAT_EXTENSION=pgq runs the same test against Debian's PgQ 3.5, to check
# the test itself; COMPAT_EXTENSION=sqlonly against pgqpp's SQL-only edition
# (ctest integration/sqlonly_compat_pgqd).
extension=${COMPAT_EXTENSION:-pgqpp}
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/compat_pgqd"
rm -rf "$work"
mkdir -p "$work"
log="$work/pgqd.log"

step() { echo "--- $* ($SECONDS s)"; }

# No silent skip: pgqd is what this test is about.
command -v pgqd >/dev/null || fail "pgqd not found (install Debian's pgqd package)"
command -v psql >/dev/null || fail "psql not found"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

pgqd_pid=""
# stop_pgqd: SIGINT is pgqd's graceful stop; it must exit 0 within 5 s.
stop_pgqd() {
  local pid=$pgqd_pid rc=0
  [ -n "$pid" ] || return 0
  pgqd_pid=""
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "pgqd (pid $pid) did not stop on SIGINT within 5 s; killed" >&2
    return 1
  fi
  wait "$pid" || rc=$?
  [ $rc -eq 0 ] || { echo "pgqd exited with status $rc" >&2; return 1; }
}
cleanup() {
  local rc=$?
  stop_pgqd || true
  if [ $rc -ne 0 ] && [ -f "$log" ]; then
    echo "--- pgqd log (tail)" >&2
    tail -30 "$log" >&2
  fi
  psql_admin -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT

step "database $db with $extension, queue $queue, consumers c1 c2"
psql_admin -c "set client_min_messages = warning" -c "drop database if exists $db with (force)" >/dev/null
psql_admin -c "create database $db" >/dev/null
install_queue_schema "$db" "$extension"
q "$db" >/dev/null <<SQL
select pgq.create_queue('$queue');
-- Tick soon after events arrive, and at least every 2 s when idle (the
-- rotation check needs consumers to move on while nothing is produced).
select pgq.set_queue_config('$queue', 'ticker_max_lag', '1 second');
select pgq.set_queue_config('$queue', 'ticker_idle_period', '2 seconds');
select pgq.register_consumer('$queue', 'c1');
select pgq.register_consumer('$queue', 'c2');
create table produced (ev_id bigint primary key, ev_txid bigint, ev_type text, ev_data text);
create table seen (consumer text, batch_id bigint, ev_id bigint, ev_txid bigint,
                   ev_retry int, ev_type text, ev_data text);
-- produce: one event, noted in the same transaction (so rolled back with it).
create function produce(t text, d text) returns bigint language sql as \$\$
  insert into produced
  values (pgq.insert_event('$queue', t, d), txid_current(), t, d)
  returning ev_id
\$\$;
-- consume_all: process every batch ready for consumer c; c1 sends events of
-- type 'retry-me' to retry (due at once) on their first delivery.
create function consume_all(c text) returns int language plpgsql as \$\$
declare
  b bigint;
  n int := 0;
  e record;
begin
  for i in 1..1000 loop
    b := pgq.next_batch('$queue', c);
    exit when b is null;
    for e in select * from pgq.get_batch_events(b) loop
      insert into seen values (c, b, e.ev_id, e.ev_txid, e.ev_retry, e.ev_type, e.ev_data);
      if c = 'c1' and e.ev_type = 'retry-me' and e.ev_retry is null then
        perform pgq.event_retry(b, e.ev_id, 0);
      end if;
      n := n + 1;
    end loop;
    perform pgq.finish_batch(b);
  end loop;
  return n;
end
\$\$;
-- rot_step: one round of the rotation phase: produce (optional), let the
-- consumers named consume, return the current event table number.
create function rot_step(p boolean, consumers text[]) returns int language plpgsql as \$\$
declare c text;
begin
  if p then perform produce('rot', clock_timestamp()::text); end if;
  foreach c in array consumers loop perform consume_all(c); end loop;
  return (select queue_cur_table from pgq.get_queue_info('$queue'));
end
\$\$;
SQL
start_tick=$(q "$db" "select last_tick_id from pgq.get_queue_info('$queue')")

step "start pgqd"
cat >"$work/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER
database_list = $db
logfile = $log
pidfile = $work/pgqd.pid
syslog = 0
ticker_period = 0.2
retry_period = 0.5
maint_period = 0.5
INI
pgqd -q "$work/pgqd.ini" >"$work/pgqd.out" 2>&1 &
pgqd_pid=$!
deadline=$((SECONDS + 10))
until grep -qE "$db\]?: pgq version ok" "$log" 2>/dev/null; do
  kill -0 "$pgqd_pid" 2>/dev/null || { cat "$work/pgqd.out" >&2; fail "pgqd exited at start"; }
  [ $SECONDS -lt $deadline ] || fail "pgqd did not accept the database within 10 s"
  sleep 0.2
done
echo "ok: pgqd accepted $db: $(grep -o "pgq version ok.*" "$log" | head -1)"

step "ticks: events from 2 committed transactions and 1 rolled back"
q "$db" >/dev/null <<SQL
begin;
select produce('a', 'one'); select produce('a', 'two'); select produce('b', 'three');
commit;
begin;
select pgq.insert_event('$queue', 'rolled-back', 'never');
select pgq.insert_event('$queue', 'rolled-back', 'never');
rollback;
begin;
select produce('c', 'four'); select produce('c', 'five');
commit;
SQL
wait_for 8 "pgqd ticked: c1 gets the 5 events in a batch" holds "$db" \
  "select consume_all('c1') >= 0 and (select count(*) = 5 from seen where consumer = 'c1')"
check "pgqd made the ticks" "$db" \
  "select last_tick_id > $start_tick from pgq.get_queue_info('$queue')"
q "$db" "select consume_all('c2')" >/dev/null
check "c1 and c2: each committed event once, fields intact, nothing rolled back" "$db" "
  select count(*) = 10 and count(distinct (s.consumer, s.ev_id)) = 10
     and bool_and(s.ev_type = p.ev_type and s.ev_data = p.ev_data
                  and s.ev_txid = p.ev_txid and s.ev_retry is null)
     and (select count(*) = 10 from seen)
    from seen s join produced p using (ev_id)" \
  "select * from seen order by consumer, ev_id"

step "retry: pgqd's retry maintenance moves a retried event back"
retry_id=$(q "$db" "select produce('retry-me', 'again')")
wait_for 8 "c1 got the event and sent it to retry" holds "$db" \
  "select consume_all('c1') >= 0 and exists (select 1 from seen where consumer = 'c1' and ev_id = $retry_id)"
wait_for 10 "c1 gets it back with ev_retry = 1" holds "$db" \
  "select consume_all('c1') >= 0
      and exists (select 1 from seen where consumer = 'c1' and ev_id = $retry_id and ev_retry = 1)"
check "the retry queue is empty" "$db" "select count(*) = 0 from pgq.retry_queue"
q "$db" "select consume_all('c2')" >/dev/null
check "c1 got it twice (ev_retry null, then 1); c2 once (ev_retry null)" "$db" "
  select array_agg(coalesce(ev_retry, 0) order by consumer, ev_retry nulls first) = array[0, 1, 0]
     and array_agg(consumer order by consumer, ev_retry nulls first) = array['c1', 'c1', 'c2']
     and bool_and(ev_type = 'retry-me' and ev_data = 'again')
    from seen where ev_id = $retry_id" \
  "select * from seen where ev_id = $retry_id"

step "rotation: rotation_period 1 second; c2 lags behind"
q "$db" "select consume_all('c1'), consume_all('c2')" >/dev/null
first_table=$(q "$db" "select queue_cur_table from pgq.get_queue_info('$queue')")
first_ids=$(q "$db" "select string_agg(ev_id::text, ',') from produced")
q "$db" "select pgq.set_queue_config('$queue', 'rotation_period', '1 second')" >/dev/null
lag_id=$(q "$db" "select produce('lagging', 'c2 has not read me')")
# For 5 s (room for 4 rotations) only c1 consumes. pgqd may rotate, but never
# truncate the table holding the event c2 has not read yet: with 3 tables
# that takes 3 rotations (PgQ 3.5 itself stops after 1).
changes=0
cur=$first_table
end=$((SECONDS + 5))
while [ $SECONDS -lt $end ]; do
  now=$(q "$db" "select rot_step(false, array['c1'])")
  [ "$now" = "$cur" ] || { changes=$((changes + 1)); cur=$now; }
  sleep 0.2
done
echo "event tables rotated $changes time(s) while c2 lagged (table $first_table -> $cur)"
[ $changes -ge 1 ] || fail "pgqd did not rotate the event tables within 5 s (rotation_period 1 second, maint_period 0.5)"
[ $changes -lt 3 ] || fail "event tables rotated $changes times while consumer c2 still needed table $first_table"
q "$db" "select consume_all('c2')" >/dev/null
check "c2, once caught up, gets the event it lagged behind" "$db" \
  "select count(*) = 1 from seen where consumer = 'c2' and ev_id = $lag_id"

step "rotation: both consume while events arrive; wait for a full cycle"
changes=0
deadline=$((SECONDS + 20))
while [ $changes -lt 3 ]; do
  [ $SECONDS -lt $deadline ] ||
    fail "only $changes rotation(s) within 20 s with both consumers caught up"
  now=$(q "$db" "select rot_step(true, array['c1', 'c2'])")
  [ "$now" = "$cur" ] || { changes=$((changes + 1)); cur=$now; echo "rotated to table $now"; }
  sleep 0.2
done
check "the tables of the first events were truncated (a full cycle)" "$db" "
  select count(*) = 0 from pgq.event_template e
   where e.ev_id in ($first_ids)
     and e.tableoid::regclass::text like (select queue_data_pfx from pgq.queue
                                           where queue_name = '$queue') || '%'"
# Let both consumers finish what is produced; every event once per consumer.
wait_for 10 "c1 and c2 read every committed event" holds "$db" "
  select consume_all('c1') >= 0 and consume_all('c2') >= 0
     and (select count(*) from produced) * 2
         = (select count(*) from seen where ev_retry is null)"
check "no event lost or repeated across the rotations" "$db" "
  select count(*) = 0 from (
    select p.ev_id, c.consumer, count(s.ev_id) filter (where s.ev_retry is null) n
      from produced p cross join (values ('c1'), ('c2')) c(consumer)
      left join seen s on s.ev_id = p.ev_id and s.consumer = c.consumer
     group by 1, 2) x
   where n <> 1" \
  "select p.ev_id, p.ev_type, s.consumer, s.ev_retry from produced p
     left join seen s using (ev_id) order by 1, 3"
check "all events seen are committed ones" "$db" \
  "select count(*) = 0 from seen s where not exists (select 1 from produced p where p.ev_id = s.ev_id)"
check "rotation kept the retry-move result: ev_retry only on c1's copy" "$db" \
  "select count(*) = 1 from seen where ev_retry is not null" \
  "select * from seen where ev_retry is not null or ev_id = $retry_id"

step "stop pgqd (SIGINT)"
stop_pgqd || fail "pgqd did not stop cleanly"
grep -q "Got SIGINT" "$log" || fail "pgqd's log does not show the SIGINT shutdown"
# pgqd logs a failed query or connection as WARNING or ERROR (and, for the
# ticker, "calling pgq.ticker() failed" / "bad pgq version" at other levels).
if grep -nE "WARNING|ERROR|FATAL|failed|bad pgq|Weird" "$log" "$work/pgqd.out"; then
  fail "pgqd reported problems (above)"
fi
echo "ok: pgqd log has no errors ($(wc -l <"$log") lines)"
echo "PASS compat_pgqd"
