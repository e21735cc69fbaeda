#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp migrate` (issue 22): a live PgQ 3.5 database (Debian's extension
# pgq) becomes a pgqpp database in place, and goes back with --to-pgq, while
# producers keep inserting.
#
# The database: queues qa and qb; on qa a consumer with a batch open at
# migration time (c_open), one with pending retries (c_retry) and one
# consuming all along (c_live); on qb a consumer (c_b) of a table's logutriga
# trigger. Four pgbench producers insert through both routes without a
# pause (one transaction in eight rolled back); a SQL ticker loop ticks.
# For each direction:
#  - --dry-run prints the plan, naming the version found, and changes nothing;
#  - the migration runs under the load: no producer transaction fails, and
#    the longest one and the migration's time are printed as NOTE lines;
#  - afterwards the extension's catalog equals a fresh install's
#    (tests/lib/ext_catalog.sql), the open batch comes back with the same id
#    and the same events, and the ids continue;
#  - once everything is consumed (pgqpp's ticker after the migration, the
#    SQL ticker after the way back), event by event: every committed event
#    reached every consumer once (the batch open at migration time twice),
#    none from a rolled-back transaction.
# And each refusal is one line: no PgQ, pgqpp already there, pgq_node on top
# of pgq, a view on PgQ's tables, pgqpp-only data on the way back.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR PGQPP_TEST_WORK.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
is_pgq35 "$(pgq35_version)" || fail "PgQ 3.5 is not installed for $(pg_config --version) (postgresql-15-pgq3)"
bindir=$(pg_config --bindir)
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/migrate_pgq35.XXXXXX")
db=migrate_pgq35_$$
fresh=migrate_fresh_$$
refuse=migrate_refuse_$$
bg_pids=()
ticker_pid=
stop_background() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bg_pids=()
}
stop_ticker() {
  [ -n "$ticker_pid" ] || return 0
  kill -TERM "$ticker_pid" 2>/dev/null || true
  wait "$ticker_pid" 2>/dev/null || true
  ticker_pid=
}
cleanup() {
  stop_background
  stop_ticker
  drop_databases
  rm -rf "$work"
}
trap cleanup EXIT
fail_context() { [ -s "$work/ticker.log" ] && tail -20 "$work/ticker.log"; }
fresh_databases "$db" "$fresh" "$refuse"
catalog() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -v ext="$2" -f "$root/tests/lib/ext_catalog.sql"; }
# run_pgqpp RC ARGS...: pgqpp must exit RC; output in $work/out, $work/err.
run_pgqpp() {
  local want=$1 rc=0
  shift
  "$pgqpp" "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "pgqpp $*: exit $rc, expected $want; stdout: $(cat "$work/out"); stderr: $(cat "$work/err")"
}
# refused LINE ARGS...: pgqpp migrate ARGS must refuse with exactly LINE.
refused() {
  local line=$1
  shift
  run_pgqpp 1 migrate "$@"
  [ "$(cat "$work/err")" = "pgqpp migrate: $line" ] ||
    fail "pgqpp migrate $*: expected the refusal 'pgqpp migrate: $line', got: $(cat "$work/err")"
  echo "ok: refused: $line"
}

# ------------------------------------------------------------ the database
q "$db" <<'SQL' >/dev/null
create extension pgq;
select pgq.create_queue('qa'), pgq.create_queue('qb');
select pgq.register_consumer('qa', c) from unnest(array['c_open', 'c_retry', 'c_live']) c;
select pgq.register_consumer('qb', 'c_b');
select pgq.set_queue_config(q, 'ticker_max_lag', '0.05') from unnest(array['qa', 'qb']) q;
create sequence produced_seq;
create table produced (queue text, id bigint primary key);
create table orders (id bigint primary key, note text);
create trigger orders_to_qb after insert on orders for each row execute function pgq.logutriga('qb');
create table got (consumer text, queue text, id bigint, batch bigint, phase text);
-- One event into qa (pgq.insert_event) or qb (the trigger), recorded in
-- `produced` by the same transaction.
create function produce(i_q int) returns void language plpgsql as $$
declare
    id bigint := nextval('produced_seq');
begin
    if i_q = 1 then
        perform pgq.insert_event('qa', 'e', id::text);
        insert into produced values ('qa', id);
    else
        insert into orders values (id, 'n' || id);
        insert into produced values ('qb', id);
    end if;
end $$;
create function event_id(i_queue text, i_data text) returns bigint language sql as $$
    select case when i_queue = 'qa' then i_data::bigint
                else substring(i_data from '(?:^|&)id=([0-9]+)')::bigint end
$$;
-- One batch into `got`: finished (returns its id), or left open ('open'),
-- or finished with every event whose id ends in 0 or 5 put aside for retry
-- ('retry'; those are not recorded now).
create function consume(i_queue text, i_consumer text, i_phase text, i_how text default 'finish')
returns bigint language plpgsql as $$
declare
    b bigint := pgq.next_batch(i_queue, i_consumer);
begin
    if b is null then
        return null;
    end if;
    insert into got select i_consumer, i_queue, event_id(i_queue, ev_data), b, i_phase
      from pgq.get_batch_events(b)
     where i_how <> 'retry' or event_id(i_queue, ev_data) % 5 <> 0;
    if i_how = 'retry' then
        perform pgq.event_retry(b, ev_id, 0) from pgq.get_batch_events(b)
          where event_id(i_queue, ev_data) % 5 = 0;
    end if;
    if i_how <> 'open' then
        perform pgq.finish_batch(b);
    end if;
    return b;
end $$;
-- Every batch ready for a consumer, in one call (one transaction).
create function drain(i_queue text, i_consumer text) returns integer language plpgsql as $$
declare
    n integer := 0;
begin
    while consume(i_queue, i_consumer, 'drain') is not null loop
        n := n + 1;
    end loop;
    return n;
end $$;
SQL
cat >"$work/produce.sql" <<'EOF'
\set q random(1, 2)
\set r random(1, 8)
begin;
select produce(:q);
\if :r = 1
rollback;
\else
commit;
\endif
\sleep 5 ms
EOF
printf '%s\n' 'select pgq.ticker();' '\sleep 50 ms' >"$work/tick.sql"

# pgbench_bg NAME SCRIPT CLIENTS: runs SCRIPT in the background until killed
# (at most 10 minutes), per-transaction log in $work/NAME.log.*, output in $work/NAME.out.
pgbench_bg() {
  "$bindir/pgbench" -n -f "$work/$2" -c "$3" -j 1 -T 600 -l --log-prefix="$work/$1.log" "$db" \
    >"$work/$1.out" 2>&1 &
  bg_pids+=($!)
}
# live_consumer: c_live consumes all along, one batch a session (a new
# call after a failure, as a consumer would), failures in $work/live.failed.
live_consumer() {
  while :; do
    q "$db" "select consume('qa', 'c_live', 'live')" >/dev/null 2>>"$work/live.failed" ||
      echo "(failed call)" >>"$work/live.failed"
    sleep 0.05
  done
}
# load_start / load_stop: producers, the SQL ticker and c_live.
load_start() {
  rm -f "$work"/*.log.* "$work/live.failed"
  touch "$work/live.failed"
  pgbench_bg prod produce.sql 4
  pgbench_bg tick tick.sql 1
  live_consumer &
  bg_pids+=($!)
}
load_stop() {
  stop_background
  local f
  for f in prod tick; do
    grep -qi 'abort\|error' "$work/$f.out" && fail "pgbench $f failed: $(grep -i 'abort\|error' "$work/$f.out" | head -3)"
  done
  return 0
}
# longest_producer_ms: the longest producer transaction (its 5 ms sleep
# included) in the pgbench logs.
longest_producer_ms() { cat "$work"/prod.log.* | awk '$3 > m { m = $3 } END { printf "%d", m / 1000 }'; }

# batches_with_events QUEUE CONSUMER HOW PHASE: consumes until a batch with
# events was handled HOW; prints its id.
batch_with_events() {
  local queue=$1 consumer=$2 how=$3 phase=$4 b n
  for _ in $(seq 100); do
    b=$(q "$db" "select consume('$queue', '$consumer', '$phase', '$how')")
    if [ -n "$b" ]; then
      n=$(q "$db" "select count(*) from got where consumer = '$consumer' and batch = $b")
      if [ "$n" -gt 0 ]; then echo "$b"; return 0; fi
      [ "$how" = open ] && q "$db" "select pgq.finish_batch($b)" >/dev/null
    fi
    sleep 0.2
  done
  fail "$consumer on $queue: no batch with events in 20 s"
}

# prepare_consumers: c_b and c_open consume a little, c_open leaves a batch
# open (its events in $work/open.ids), c_retry leaves retries pending.
prepare_consumers() {
  local phase=$1
  batch_with_events qb c_b finish "$phase" >/dev/null
  batch_with_events qa c_open finish "$phase" >/dev/null
  open_batch=$(batch_with_events qa c_open open "$phase")
  q "$db" "select ev_id from pgq.get_batch_events($open_batch) order by 1" >"$work/open.ids"
  for _ in $(seq 20); do
    batch_with_events qa c_retry retry "$phase" >/dev/null
    [ "$(q "$db" "select count(*) from pgq.retry_queue")" -eq 0 ] || break
  done
  [ "$(q "$db" "select count(*) from pgq.retry_queue")" -gt 0 ] || fail "no pending retry before the migration"
  echo "c_open holds batch $open_batch ($(wc -l <"$work/open.ids") events);" \
    "$(q "$db" "select count(*) from pgq.retry_queue") retries pending"
}

# check_open_batch: c_open gets the same batch with the same events back.
check_open_batch() {
  local phase=$1 b
  b=$(q "$db" "select pgq.next_batch('qa', 'c_open')")
  [ "$b" = "$open_batch" ] || fail "c_open's open batch after the migration: $b, want $open_batch"
  q "$db" "select ev_id from pgq.get_batch_events($b) order by 1" >"$work/open.after"
  diff -u "$work/open.ids" "$work/open.after" >&2 || fail "the open batch's events changed"
  q "$db" "insert into got select 'c_open', 'qa', event_id('qa', ev_data), $b, '$phase'
             from pgq.get_batch_events($b)" "select pgq.finish_batch($b)" >/dev/null
  echo "ok: c_open got batch $b back with the same $(wc -l <"$work/open.ids") events"
}

# drain: every consumer reads until it has every committed event.
caught_up() {
  local sub
  for sub in qa/c_open qa/c_retry qa/c_live qb/c_b; do
    q "$db" "select drain('${sub%/*}', '${sub#*/}')" >/dev/null
  done
  holds "$db" "select not exists (
      select 1 from produced p join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qb', 'c_b'))
        as c(queue, consumer) using (queue)
       where not exists (select 1 from got g where g.consumer = c.consumer and g.queue = p.queue and g.id = p.id))"
}

# check_deliveries: event by event.
check_deliveries() {
  check "every committed event reached every consumer once (the open batches' twice), none rolled back" "$db" \
    "with want as (
         select c.consumer, p.queue, p.id,
                case when c.consumer = 'c_open' and p.id in (select id from open_events) then 2 else 1 end as n
           from produced p join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qb', 'c_b'))
                as c(queue, consumer) using (queue)),
       have as (select consumer, queue, id, count(*) as n from got group by 1, 2, 3)
     select count(*) = 0 from want w full join have h using (consumer, queue, id)
      where w.n is distinct from h.n" \
    "with want as (
         select c.consumer, p.queue, p.id,
                case when c.consumer = 'c_open' and p.id in (select id from open_events) then 2 else 1 end as n
           from produced p join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qb', 'c_b'))
                as c(queue, consumer) using (queue)),
       have as (select consumer, queue, id, count(*) as n from got group by 1, 2, 3)
     select consumer, queue, id, w.n as want, h.n as got from want w full join have h using (consumer, queue, id)
      where w.n is distinct from h.n order by 1, 2, 3 limit 20"
  echo "  $(q "$db" "select count(*) from produced") committed events," \
    "$(q "$db" "select count(*) from got") deliveries," \
    "produced_seq at $(q "$db" "select last_value from produced_seq")"
}
q "$db" "create table open_events (id bigint)" >/dev/null
remember_open_events() {
  q "$db" "insert into open_events select event_id('qa', ev_data) from pgq.get_batch_events($open_batch)" >/dev/null
}

# ------------------------------------------------------------ PgQ 3.5 → pgqpp
load_start
sleep 2
prepare_consumers before
remember_open_events
run_pgqpp 0 migrate --dsn "dbname=$db" --dry-run
cat "$work/out"
grep -q "^found PgQ $(pgq35_version) (extension pgq) in database $db; pgqpp " "$work/out" ||
  fail "--dry-run does not name the PgQ version found"
grep -q "recreate 1 trigger(s).*orders_to_qb on orders (logutriga)" "$work/out" || fail "--dry-run: no trigger step"
[ "$(q "$db" "select string_agg(extname, ',') from pg_extension where extname like 'pgq%'")" = pgq ] ||
  fail "--dry-run changed the extensions"
sleep 1
run_pgqpp 0 migrate --dsn "dbname=$db"
cat "$work/out"
timing=$(sed -n 's/.* in \([0-9]*\) ms (writers blocked \([0-9]*\) ms.*/\1 ms, writers blocked \2 ms/p' "$work/out")
[ -n "$timing" ] || fail "pgqpp migrate printed no time"
sleep 2
load_stop
echo "NOTE: pgqpp migrate (PgQ 3.5 to pgqpp) under load: $timing; longest producer transaction $(longest_producer_ms) ms"
[ ! -s "$work/live.failed" ] || fail "c_live's calls failed: $(head -3 "$work/live.failed")"
[ "$(q "$db" "select string_agg(extname || ' ' || extversion, ',') from pg_extension where extname like 'pgq%'")" = \
  "pgqpp $(q "$fresh" "select default_version from pg_available_extensions where name = 'pgqpp'")" ] ||
  fail "after the migration the database does not run pgqpp alone"
q "$fresh" "create extension pgqpp"
catalog "$db" pgqpp >"$work/migrated.catalog"
catalog "$fresh" pgqpp >"$work/fresh.catalog"
diff -u "$work/fresh.catalog" "$work/migrated.catalog" >&2 || fail "the migrated catalog differs from a fresh pgqpp install's"
echo "ok: the catalog equals a fresh pgqpp install's ($(wc -l <"$work/fresh.catalog") lines)"
check "the trigger calls pgqpp's logutriga" "$db" \
  "select count(*) = 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where t.tgname = 'orders_to_qb' and p.oid in (select objid from pg_depend where refobjid =
          (select oid from pg_extension where extname = 'pgqpp') and deptype = 'e')"
check "no sequence behind its table's ids" "$db" "select pgq._ids_past_restored() = 0"
check_open_batch after
"$pgqpp" ticker -q --syslog 0 --logfile "$work/ticker.log" --database "$db" --ticker-period 0.1 >/dev/null 2>&1 &
ticker_pid=$!
wait_for 60 "every consumer caught up after the migration" caught_up
check_deliveries

# ------------------------------------------------------------ pgqpp → PgQ 3.5
q "$db" "truncate got, open_events" "delete from produced" >/dev/null
stop_ticker
load_start
sleep 1
prepare_consumers back
remember_open_events
q "$db" "select pgq.set_queue_config('qa', 'max_retries', '10')" >/dev/null
refused "pgqpp-only data would be lost (rows: 1 in pgq.queue_config): PgQ 3.5 has no place for it; add --discard-pgqpp-data to drop it" \
  --to-pgq --dsn "dbname=$db" --dry-run
# A delayed event not delivered yet is data too (its bookkeeping is not).
q "$db" "select pgq.insert_event_at('qa', now() + interval '1 day', 'later', 'x')" >/dev/null
refused "pgqpp-only data would be lost (rows: 1 in pgq.delayed_pending, 1 in pgq.queue_config): PgQ 3.5 has no place for it; add --discard-pgqpp-data to drop it" \
  --to-pgq --dsn "dbname=$db" --dry-run
run_pgqpp 0 migrate --to-pgq --discard-pgqpp-data --dsn "dbname=$db" --dry-run
cat "$work/out"
grep -q "^found pgqpp [0-9.]* (extension pgqpp) in database $db; PgQ $(pgq35_version) (extension pgq) will replace it" "$work/out" ||
  fail "--to-pgq --dry-run does not say what it found"
run_pgqpp 0 migrate --to-pgq --discard-pgqpp-data --dsn "dbname=$db"
cat "$work/out"
timing=$(sed -n 's/.* in \([0-9]*\) ms (writers blocked \([0-9]*\) ms.*/\1 ms, writers blocked \2 ms/p' "$work/out")
[ -n "$timing" ] || fail "pgqpp migrate --to-pgq printed no time"
sleep 2
load_stop
echo "NOTE: pgqpp migrate --to-pgq under load: $timing; longest producer transaction $(longest_producer_ms) ms;" \
  "c_live's failed calls: $(grep -c '^(failed call)' "$work/live.failed" || true)"
[ "$(q "$db" "select string_agg(extname || ' ' || extversion, ',') from pg_extension where extname like 'pgq%'")" = \
  "pgq $(pgq35_version)" ] || fail "after --to-pgq the database does not run PgQ 3.5 alone"
q "$fresh" "drop extension pgqpp" "create extension pgq"
catalog "$db" pgq >"$work/back.catalog"
catalog "$fresh" pgq >"$work/fresh35.catalog"
diff -u "$work/fresh35.catalog" "$work/back.catalog" >&2 || fail "the catalog after --to-pgq differs from a fresh PgQ 3.5 install's"
echo "ok: the catalog equals a fresh PgQ 3.5 install's ($(wc -l <"$work/fresh35.catalog") lines)"
check_open_batch after_back
# PgQ 3.5 has no ticker of its own in the database: the SQL ticker and
# maint_retry_events stand in for pgqd.
printf '%s\n' 'select pgq.ticker();' 'select pgq.maint_retry_events();' '\sleep 50 ms' >"$work/tick.sql"
pgbench_bg tick tick.sql 1
wait_for 60 "every consumer caught up after the way back" caught_up
stop_background
check_deliveries

# ------------------------------------------------------------ refusals
refused "database $refuse has no PgQ (no extension pgq): nothing to migrate (pgqpp install creates pgqpp)" \
  --dsn "dbname=$refuse" --dry-run
refused "database $refuse has no pgqpp (no extension pgqpp): nothing to take back to PgQ" --to-pgq --dsn "dbname=$refuse"
q "$refuse" "create extension pgqpp"
refused "database $refuse already runs pgqpp $(q "$refuse" "select extversion from pg_extension where extname = 'pgqpp'") (extension pgqpp): nothing to migrate" \
  --dsn "dbname=$refuse"
q "$refuse" "drop extension pgqpp" "create extension pgq" "create view queue_names as select queue_name from pgq.queue"
refused "view queue_names depends on table pgq.queue: pgqpp migrate cannot carry it over; drop it first and create it again afterwards" \
  --dsn "dbname=$refuse" --dry-run
q "$refuse" "drop view queue_names" "create extension pgq_node"
refused "extension pgq_node is installed on top of pgq: pgqpp migrate cannot carry it over; use ALTER EXTENSION pgq UPDATE, see docs/migration.md" \
  --dsn "dbname=$refuse"
q "$refuse" "drop extension pgq_node"
run_pgqpp 0 migrate --dsn "dbname=$refuse" --dry-run
run_pgqpp 2 migrate --dsn "dbname=$refuse" --discard-pgqpp-data

# A producer transaction holding its event table for 1.5 s: the swap's lock
# times out (200 ms), everything rolls back, and it tries again until the
# producer is done; the producer's event is there afterwards.
q "$refuse" "select pgq.create_queue('qlong')" >/dev/null
psql -X -q -d "$refuse" -c "begin" -c "select pgq.insert_event('qlong', 'e', 'long')" \
  -c "select pg_sleep(1.5)" -c "commit" >/dev/null 2>"$work/long.err" &
long_pid=$!
wait_for 10 "the long producer transaction" holds "$refuse" \
  "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid())"
run_pgqpp 0 migrate --dsn "dbname=$refuse"
wait "$long_pid" || fail "the long producer transaction failed: $(cat "$work/long.err")"
cat "$work/out"
grep -q 'attempt [2-9]' "$work/out" || fail "the swap did not have to try again"
check "the long transaction's event is in pgqpp's queue" "$refuse" \
  "select count(*) = 1 from pgq.event_template where ev_data = 'long'"
echo "ok: pgqpp migrate, both ways, under load"
