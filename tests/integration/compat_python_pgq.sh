#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Drop-in compatibility: Debian's python3-pgq (pgq.Consumer on skytools'
# DBScript) consumes a pgqpp queue exactly as it consumes a PgQ 3.5 one.
#
# Three consumers run tests/compat/python_consumer.py, each in a different
# read path of pgq.Consumer:
#   pyc   cursor fetch (pgq.get_batch_cursor, 2 rows per FETCH), tags the
#         event of type 'retry-me' for retry (pgq.event_retry);
#   pyc2  plain fetch (pgq_lazy_fetch = 0: pgq.get_batch_events);
#   pyc3  table_filter (pgq.get_batch_cursor with an extra WHERE);
#   pyc4  (pgqpp, either edition) cursor fetch with max_batch_events 2: bounded batches.
# Each records what it received in a table, inside its batch transaction;
# the checks below compare those rows with the events committed here.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGDATABASE PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

here=$(cd "$(dirname "$0")" && pwd)
consumer_py="$here/../compat/python_consumer.py"
db=compat_pyq
# COMPAT_EXTENSION=pgq runs the same test against Debian's PgQ 3.5, to check
# the test itself; COMPAT_EXTENSION=sqlonly against pgqpp's SQL-only edition
# (ctest integration/sqlonly_compat_python_pgq).
extension=${COMPAT_EXTENSION:-pgqpp}
queue=pyq
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/compat_pyq"
rm -rf "$work"
mkdir -p "$work"

step() { echo "--- $*"; }

# python3-pgq is a Debian package for the system interpreter; a python3 found
# first on PATH (pyenv, venv) may not see it. No silent skip when it's absent.
py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 &&
    "$cand" -c 'import pgq, skytools, psycopg2' >/dev/null 2>&1; then
    py=$(command -v "$cand"); break
  fi
done
[ -n "$py" ] || fail "no python3 can import pgq, skytools and psycopg2 (install python3-pgq)"
command -v psql >/dev/null || fail "psql not found"
[ -f "$consumer_py" ] || fail "missing $consumer_py"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "--- consumer log (tail)" >&2
    tail -40 "$work/consumer.log" >&2 2>/dev/null || true
  fi
  psql_admin -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT

step "database $db with $extension"
psql_admin -c "set client_min_messages = warning" -c "drop database if exists $db" >/dev/null
psql_admin -c "create database $db" >/dev/null
install_queue_schema "$db" "$extension"
q "$db" >/dev/null <<SQL
select pgq.create_queue('$queue');
-- What the producer committed (rolled back with the events it describes).
create table expected (
  ev_id bigint primary key, ev_txid bigint, phase int, ev_type text,
  ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);
-- What the python consumers received (written in their batch transactions).
create table seen (
  run_label text, consumer text, seq int, batch_id bigint,
  prev_tick_id bigint, tick_id bigint, batch_seq_start bigint, batch_seq_end bigint,
  ev_id bigint, ev_txid bigint, ev_time timestamptz, ev_retry int,
  ev_type text, ev_data text,
  ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);
-- ev: insert one event through the 7-argument pgq.insert_event and note it.
create function ev(p int, t text, d text, e1 text, e2 text, e3 text, e4 text)
returns bigint language sql as \$\$
  insert into expected
  values (pgq.insert_event('$queue', t, d, e1, e2, e3, e4), txid_current(),
          p, t, d, e1, e2, e3, e4)
  returning ev_id
\$\$;
SQL

cat >"$work/consumer.ini" <<INI
[compat_consumer]
job_name = compat_pyq_consumer
db = host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db
queue_name = $queue
consumer_name = pyc
seen_table = seen
; process what is there, then exit (DBScript: loop_delay 0)
loop_delay = 0
use_skylog = 0
logfile = $work/consumer.log
pgq_lazy_fetch = 2
retry_seconds = 1
INI

# consume NAME RUN [--set k=v...]: one run of the python consumer; bounded.
consume() {
  local name=$1 run=$2
  shift 2
  timeout 30 "$py" "$consumer_py" "$work/consumer.ini" \
    --set "consumer_name=$name" --set "run_label=$run" "$@" ||
    fail "python consumer $name (run $run) exited with status $?"
}
tick() { q "$db" "select pgq.force_tick('$queue')" "select pgq.ticker()" >/dev/null; }

step "register consumers with python3-pgq's --register"
for c in pyc pyc2 pyc3; do
  timeout 30 "$py" "$consumer_py" "$work/consumer.ini" -q --set "consumer_name=$c" --register ||
    fail "python --register of $c failed"
done
check "three consumers registered" "$db" \
  "select count(*) = 3 from pgq.get_consumer_info('$queue')"
start_tick=$(q "$db" "select last_tick from pgq.get_consumer_info('$queue', 'pyc')")
[ -n "$start_tick" ] || fail "no last_tick for pyc after registration"

step "produce: 5 transactions, one rolled back, one with a rolled-back savepoint"
q "$db" >/dev/null <<SQL
begin;
insert into expected values (pgq.insert_event('$queue', 'plain', 'data 1'),
  txid_current(), 1, 'plain', 'data 1', null, null, null, null);
select ev(1, 'extras', e'multi\nline "quoted" ''apos'' tab\there \\\\ backslash',
          'e1', 'e2', 'e3', 'e4');
select ev(1, 'nulls', null, null, null, null, null);
commit;
SQL
tick
q "$db" >/dev/null <<SQL
begin;
select ev(2, 'retry-me', 'please retry', 'public.tbl1', null, 'x3', null);
select ev(2, 'unicode', 'žluťoučký kůň € 日本', null, 'ü2', null, 'ü4');
commit;
begin;
select pgq.insert_event('$queue', 'rolled-back', 'never seen');
select pgq.insert_event('$queue', 'rolled-back', 'never seen', 'a', 'b', 'c', 'd');
rollback;
begin;
select ev(2, 'empty', '', '', '', '', '');
commit;
SQL
tick
q "$db" >/dev/null <<SQL
begin;
savepoint s1;
select pgq.insert_event('$queue', 'rolled-back', 'in a savepoint');
rollback to savepoint s1;
select ev(3, 'after-savepoint', 'kept', 'public.tbl1', null, null, null);
commit;
SQL
tick
check "7 committed events to deliver" "$db" "select count(*) = 7 from expected"

step "consume: pyc (cursor fetch, tags 'retry-me' for retry)"
consume pyc 1 --set retry_types=retry-me
# Exactly the committed events, once each, with every field intact.
check "pyc: no event twice" "$db" \
  "select count(*) = count(distinct ev_id) from seen where consumer = 'pyc'"
check "pyc: every committed event, fields intact" "$db" "
  select count(*) = 7 from expected e join seen s using (ev_id)
   where s.consumer = 'pyc'
     and s.ev_txid = e.ev_txid and s.ev_type = e.ev_type
     and s.ev_data is not distinct from e.ev_data
     and s.ev_extra1 is not distinct from e.ev_extra1
     and s.ev_extra2 is not distinct from e.ev_extra2
     and s.ev_extra3 is not distinct from e.ev_extra3
     and s.ev_extra4 is not distinct from e.ev_extra4
     and s.ev_retry is null and s.ev_time is not null" \
  "select * from seen where consumer = 'pyc' order by seq"
check "pyc: nothing else (no rolled-back event)" "$db" \
  "select count(*) = 7 and count(*) filter (where ev_type = 'rolled-back') = 0
     from seen where consumer = 'pyc'"
# Batches are tick intervals: one per producer phase, ev_id order within each.
check "pyc: one batch per tick interval" "$db" "
  select count(distinct s.batch_id) = 3
     and count(distinct (s.batch_id, e.phase)) = 3
    from seen s join expected e using (ev_id) where s.consumer = 'pyc'"
check "pyc: events in ev_id order" "$db" "
  select bool_and(ev_id > prev) from (
    select ev_id, lag(ev_id, 1, 0::bigint) over (order by seq) prev
      from seen where consumer = 'pyc') x"
check "pyc: position advanced to the queue's last tick, no open batch" "$db" "
  select c.last_tick > $start_tick and c.last_tick = qi.last_tick_id
     and c.current_batch is null
    from pgq.get_consumer_info('$queue', 'pyc') c, pgq.get_queue_info('$queue') qi" \
  "select * from pgq.get_consumer_info('$queue')"
check "pyc: the retried event waits in pgq.retry_queue" "$db" "
  select count(*) = 1 from pgq.retry_queue r join expected e using (ev_id)
   where e.ev_type = 'retry-me'"

step "consume: pyc3 (table_filter = tbl1, i.e. ev_extra1 in ('public.tbl1'))"
consume pyc3 1 --set table_filter=tbl1
check "pyc3: only the filtered events" "$db" "
  select array_agg(ev_type order by seq) = array['retry-me', 'after-savepoint']
    from seen where consumer = 'pyc3'" \
  "select * from seen where consumer = 'pyc3' order by seq"

step "retry: pgq.maint_retry_events() moves the event back once it is due"
moved=0
for _ in $(seq 1 50); do  # retry_seconds is 1: due within ~1 s; give it 10 s
  moved=$(q "$db" "select pgq.maint_retry_events()")
  [ "$moved" -gt 0 ] && break
  sleep 0.2
done
[ "$moved" = 1 ] || fail "maint_retry_events() moved '$moved' events, expected 1 within 10 s"
check "retry_queue is empty after the move" "$db" "select count(*) = 0 from pgq.retry_queue"
tick
consume pyc 2 --set retry_types=retry-me
check "pyc: the retried event came back once, ev_retry = 1, same id and payload" "$db" "
  select count(*) = 1 and bool_and(s.ev_retry = 1) from seen s join expected e using (ev_id)
   where s.consumer = 'pyc' and s.run_label = '2'
     and e.ev_type = 'retry-me' and s.ev_type = e.ev_type
     and s.ev_data = e.ev_data and s.ev_extra1 = e.ev_extra1
     and s.ev_extra2 is null and s.ev_extra3 = e.ev_extra3 and s.ev_extra4 is null" \
  "select * from seen where consumer = 'pyc' and run_label = '2'"
check "pyc: nothing else in the second run" "$db" \
  "select count(*) = 1 from seen where consumer = 'pyc' and run_label = '2'"
check "pyc: the retried event is done (not retried again)" "$db" \
  "select count(*) = 0 from pgq.retry_queue"

step "consume: pyc2 (plain fetch) sees the queue without pyc's retry"
consume pyc2 1 --set pgq_lazy_fetch=0
check "pyc2: every committed event exactly once, ev_retry null" "$db" "
  select count(*) = 7 and count(distinct s.ev_id) = 7 and bool_and(s.ev_retry is null)
     and bool_and(s.ev_type = e.ev_type and s.ev_txid = e.ev_txid
                  and s.ev_data is not distinct from e.ev_data
                  and s.ev_extra1 is not distinct from e.ev_extra1
                  and s.ev_extra2 is not distinct from e.ev_extra2
                  and s.ev_extra3 is not distinct from e.ev_extra3
                  and s.ev_extra4 is not distinct from e.ev_extra4)
    from seen s join expected e using (ev_id) where s.consumer = 'pyc2'" \
  "select * from seen where consumer = 'pyc2' order by seq"
check "pyc2: nothing else" "$db" "select count(*) = 7 from seen where consumer = 'pyc2'"
# The retried copy matches pyc3's filter too, but belongs to pyc alone.
consume pyc3 2 --set table_filter=tbl1
check "pyc3: does not get pyc's retried event" "$db" \
  "select count(*) = 0 from seen where consumer = 'pyc3' and run_label = '2'" \
  "select * from seen where consumer = 'pyc3' and run_label = '2'"

check "all consumers at the last tick, none with an open batch" "$db" "
  select bool_and(c.last_tick = qi.last_tick_id and c.current_batch is null) and count(*) = 3
    from pgq.get_consumer_info('$queue') c, pgq.get_queue_info('$queue') qi" \
  "select * from pgq.get_consumer_info('$queue')"

step "a further run finds no batch and exits cleanly"
consume pyc 3 --set retry_types=retry-me
check "pyc: nothing in an empty run" "$db" "select count(*) = 0 from seen where run_label = '3'"

if [ "$extension" != pgq ]; then
  step "bounded batches: pyc4 (max_batch_events 2) reads the same intervals two events at a time"
  q "$db" "select pgq.register_consumer_at('$queue', 'pyc4', $start_tick)" \
    "select pgq.set_consumer_config('$queue', 'pyc4', 'max_batch_events', '2')" >/dev/null
  consume pyc4 1
  check "pyc4: every committed event exactly once, fields intact" "$db" "
    select count(*) = 7 and count(distinct s.ev_id) = 7
       and bool_and(s.ev_type = e.ev_type and s.ev_data is not distinct from e.ev_data
                    and s.ev_extra1 is not distinct from e.ev_extra1)
      from seen s join expected e using (ev_id) where s.consumer = 'pyc4'" \
    "select * from seen where consumer = 'pyc4' order by seq"
  check "pyc4: at most two events per batch, five batches for intervals of 3, 3 and 1" "$db" "
    select max(n) = 2 and count(*) = 5 from (
      select count(*) n from seen where consumer = 'pyc4' group by batch_id) b" \
    "select batch_id, prev_tick_id, tick_id, ev_id from seen where consumer = 'pyc4' order by seq"
  check "pyc4: events in ev_id order across its batches" "$db" "
    select bool_and(ev_id > prev) from (
      select ev_id, lag(ev_id, 1, 0::bigint) over (order by seq) prev
        from seen where consumer = 'pyc4') x"
  check "pyc4: at the queue's last tick, no open batch" "$db" "
    select c.last_tick = qi.last_tick_id and c.current_batch is null
      from pgq.get_consumer_info('$queue', 'pyc4') c, pgq.get_queue_info('$queue') qi"
  q "$db" "select pgq.unregister_consumer('$queue', 'pyc4')" >/dev/null
fi

step "python3-pgq's --unregister"
timeout 30 "$py" "$consumer_py" "$work/consumer.ini" -q --set consumer_name=pyc3 --unregister ||
  fail "python --unregister failed"
check "pyc3 unregistered" "$db" \
  "select count(*) = 2 and bool_and(consumer_name <> 'pyc3') from pgq.get_consumer_info('$queue')"

if grep -nE "ERROR|CRITICAL|Traceback|crashed" "$work/consumer.log"; then
  fail "the consumer log shows errors (above)"
fi

step "batch_info as pgq.next_batch_custom reports it"
check "batch_info: tick ids and event seq bounds agree with pgq.tick" "$db" "
  select bool_and(s.batch_seq_start = t1.tick_event_seq and s.batch_seq_end = t2.tick_event_seq
                  and s.tick_id > s.prev_tick_id)
    from seen s join pgq.tick t1 on t1.tick_id = s.prev_tick_id
                join pgq.tick t2 on t2.tick_id = s.tick_id" \
  "select distinct consumer, batch_id, prev_tick_id, tick_id, batch_seq_start, batch_seq_end
     from seen order by 1, 2"
# PgQ 3.5 stores the event sequence's last_value in a tick: 1 for a queue
# whose sequence is still unused, so the first batch starts at seq 1.
check "batch_info: the first batch of a new queue has seq_start 1, as in PgQ 3.5" "$db" "
  select bool_and(batch_seq_start = 1) from seen where prev_tick_id = $start_tick" \
  "select tick_id, tick_event_seq from pgq.tick order by 1"
echo "PASS compat_python_pgq"
