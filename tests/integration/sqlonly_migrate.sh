#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp migrate` from pgqpp's SQL-only edition (docs/managed.md) to the
# C++ extension, in place (issue 23, item 4).
#
# The edition is installed with `psql -f` by a role that is no superuser
# (the database's owner, member of pgq_admin). On queue qa: a consumer with
# a batch open at migration time (c_open), one with pending retries and a
# dead letter (c_retry), one consuming all along (c_live) and a cooperative
# consumer whose subconsumer s1 holds a batch (cc); on qb a consumer (c_b)
# of a logutriga trigger on the owner's table. A delayed event due during
# the migration, one due tomorrow. Two pgbench producers (as the owner)
# insert through both routes without a pause (one transaction in eight
# rolled back) and a SQL ticker loop ticks, across the migration. Then:
#  - --dry-run names the edition and its version and changes nothing;
#  - the migration runs under the load: no producer transaction fails;
#  - afterwards only extension pgqpp remains, its catalog equals a fresh
#    install's (tests/lib/ext_catalog.sql), the id sequences did not go
#    back, the dead letter, the pending delayed event and the roles'
#    rights on the event tables are the same;
#  - c_open and s1 get their open batches back with the same events and
#    finish them; with `pgqpp ticker` running, every consumer reads the
#    rest: event by event, every committed event (the delayed one too)
#    reached every consumer exactly once (the subconsumers together count
#    as one), none from a rolled-back transaction; a role with only
#    pgq_writer still inserts.
# And the refusals, each changing nothing: an edition version it does not
# know, a function of the user's in schema pgq (found inside the swap's
# transaction: rolled back, the edition intact).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/sqlonly.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
file=$(sqlonly_file "$PGQPP_BUILD_DIR")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"
bindir=$(pg_config --bindir)
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/sqlonly_migrate.XXXXXX")
db=so_migrate_$$
fresh=so_migrate_fresh_$$
refuse=so_migrate_refuse_$$
owner=pgqpp_so_mig_owner
bg_pids=()
ticker_pid=
stop_background() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bg_pids=()
}
cleanup() {
  stop_background
  if [ -n "$ticker_pid" ]; then
    kill -TERM "$ticker_pid" 2>/dev/null || true
    wait "$ticker_pid" 2>/dev/null || true
  fi
  drop_databases
  rm -rf "$work"
}
trap cleanup EXIT
# On failure: the ticker's log, and per consumer the committed events it has not read.
fail_context() {
  [ -s "$work/ticker.log" ] && tail -20 "$work/ticker.log"
  q "$db" "select c.consumer, count(*), min(p.id), max(p.id) from produced p
             join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qa', 'cc'), ('qb', 'c_b'))
                  as c(queue, consumer) using (queue)
            where not exists (select 1 from got g where g.consumer = c.consumer and g.queue = p.queue and g.id = p.id)
              and not (c.consumer = 'c_retry' and p.id in (select ev_data::bigint from pgq.dead_letter))
            group by 1" 2>/dev/null | sed 's/^/missing: /'
}
fresh_databases "$db" "$fresh" "$refuse"
catalog() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -v ext=pgqpp -f "$root/tests/lib/ext_catalog.sql"; }
as_owner() { PGUSER=$owner q "$@"; }
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
# still_sqlonly DB: the edition is there, untouched, and no extension.
still_sqlonly() {
  check "$1 still has the SQL-only edition and no extension" "$1" \
    "select pgq.sqlonly_version() <> '' and not exists (select 1 from pg_extension where extname like 'pgq%')
        and to_regnamespace('pgq_migrating') is null and to_regnamespace('pgq_coop_migrating') is null"
}

# ------------------------------------------------------------ the edition
q postgres "do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then create role pgq_reader; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then create role pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then
    create role pgq_admin in role pgq_reader, pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = '$owner') then
    create role $owner login createdb in role pgq_admin; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgqpp_so_mig_writer') then
    create role pgqpp_so_mig_writer login in role pgq_writer; end if;
end \$\$" >/dev/null
for d in "$db" "$refuse"; do
  q postgres "alter database $d owner to $owner"
  PGUSER=$owner psql -X -q -v ON_ERROR_STOP=1 -d "$d" -f "$file" >/dev/null
done
check "the owner is no superuser" postgres "select not rolsuper from pg_roles where rolname = '$owner'"

as_owner "$db" <<'SQL' >/dev/null
select pgq.create_queue('qa'), pgq.create_queue('qb');
select pgq.register_consumer('qa', c) from unnest(array['c_open', 'c_retry', 'c_live']) c;
select pgq.register_consumer('qb', 'c_b');
select pgq_coop.register_subconsumer('qa', 'cc', s) from unnest(array['s1', 's2']) s;
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
-- One batch of consumer i_consumer (subconsumer i_sub of a cooperative
-- one when given): finished and recorded in `got` (returns its id), or
-- left open and not recorded ('open'), or finished with every event whose
-- id ends in 0 or 5 put aside for retry ('retry'; those are not recorded
-- now, and the first of them is made a dead letter too, from a copy).
create function consume(i_queue text, i_consumer text, i_phase text, i_how text default 'finish',
                        i_sub text default null)
returns bigint language plpgsql as $$
declare
    b bigint;
begin
    if i_sub is null then
        b := pgq.next_batch(i_queue, i_consumer);
    else
        b := pgq_coop.next_batch(i_queue, i_consumer, i_sub);
    end if;
    if b is null or i_how = 'open' then
        return b;
    end if;
    insert into got select i_consumer, i_queue, event_id(i_queue, ev_data), b, i_phase
      from pgq.get_batch_events(b)
     where i_how <> 'retry' or event_id(i_queue, ev_data) % 5 <> 0;
    if i_how = 'retry' then
        perform pgq.event_retry(b, ev_id, 0) from pgq.get_batch_events(b)
          where event_id(i_queue, ev_data) % 5 = 0;
    end if;
    if i_sub is null then
        perform pgq.finish_batch(b);
    else
        perform pgq_coop.finish_batch(b);
    end if;
    return b;
end $$;
-- Every batch ready for a consumer, in one call (one transaction).
create function drain(i_queue text, i_consumer text, i_sub text default null) returns integer
language plpgsql as $$
declare
    n integer := 0;
begin
    while consume(i_queue, i_consumer, 'drain', 'finish', i_sub) is not null loop
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
pgbench_bg() {
  "$bindir/pgbench" -n -U "$owner" -f "$work/$2" -c "$3" -j 1 -T 600 "$db" >"$work/$1.out" 2>&1 &
  bg_pids+=($!)
}
live_consumer() {
  while :; do
    as_owner "$db" "select consume('qa', 'c_live', 'live')" >/dev/null 2>>"$work/live.failed" ||
      echo "(failed call)" >>"$work/live.failed"
    sleep 0.05
  done
}
: >"$work/live.failed"
pgbench_bg prod produce.sql 2
pgbench_bg tick tick.sql 1
live_consumer &
bg_pids+=($!)
sleep 2

# batch_with_events QUEUE CONSUMER HOW [SUB]: consumes until a batch with
# events was handled HOW; prints its id.
batch_with_events() {
  local queue=$1 consumer=$2 how=$3 sub=${4:-} b n
  for _ in $(seq 100); do
    b=$(as_owner "$db" "select consume('$queue', '$consumer', 'before', '$how', nullif('$sub', ''))")
    if [ -n "$b" ]; then
      if [ "$how" = open ]; then
        n=$(q "$db" "select count(*) from pgq.get_batch_events($b)")
      else
        n=$(q "$db" "select count(*) from got where consumer = '$consumer' and batch = $b")
      fi
      if [ "$n" -gt 0 ]; then echo "$b"; return 0; fi
      if [ "$how" = open ] && [ -n "$sub" ]; then as_owner "$db" "select pgq_coop.finish_batch($b)" >/dev/null; fi
      if [ "$how" = open ] && [ -z "$sub" ]; then as_owner "$db" "select pgq.finish_batch($b)" >/dev/null; fi
    fi
    sleep 0.2
  done
  fail "$consumer on $queue: no batch with events in 20 s"
}
batch_with_events qb c_b finish >/dev/null
batch_with_events qa c_open finish >/dev/null
open_batch=$(batch_with_events qa c_open open)
q "$db" "select ev_id from pgq.get_batch_events($open_batch) order by 1" >"$work/open.ids"
coop_batch=$(batch_with_events qa cc open s1)
q "$db" "select ev_id from pgq.get_batch_events($coop_batch) order by 1" >"$work/coop.ids"
for _ in $(seq 20); do
  batch_with_events qa c_retry retry >/dev/null
  [ "$(q "$db" "select count(*) from pgq.retry_queue")" -eq 0 ] || break
done
[ "$(q "$db" "select count(*) from pgq.retry_queue")" -gt 0 ] || fail "no pending retry before the migration"
# A dead letter of c_retry: the first event of its next batch (c_retry
# never gets it again), the others recorded as read.
b=$(batch_with_events qa c_retry open)
as_owner "$db" "insert into got select 'c_retry', 'qa', event_id('qa', ev_data), $b, 'before'
                  from pgq.get_batch_events($b) order by ev_id offset 1" \
  "select pgq.event_dead($b, (select min(ev_id) from pgq.get_batch_events($b)), 'bad')" \
  "select pgq.finish_batch($b)" >/dev/null
# Delayed events: one due in the middle of the migration (recorded as
# produced: it must reach every consumer once), one due tomorrow.
as_owner "$db" "with i as (select nextval('produced_seq') as id)
                 insert into produced select 'qa', id from i
                  where pgq.insert_event_at('qa', clock_timestamp() + interval '3 seconds', 'e', id::text) > 0" \
  "select pgq.insert_event_at('qa', now() + interval '1 day', 'later', '-1')" >/dev/null
echo "c_open holds batch $open_batch ($(wc -l <"$work/open.ids") events), cc/s1 batch $coop_batch" \
  "($(wc -l <"$work/coop.ids") events); $(q "$db" "select count(*) from pgq.retry_queue") retries pending," \
  "$(q "$db" "select count(*) from pgq.dead_letter") dead letter(s), $(q "$db" "select count(*) from pgq.delayed_pending") delayed"

# What must survive, noted before.
state() {
  q "$db" "select 'dead: ' || ev_owner || ' ' || ev_id || ' ' || ev_data || ' ' || dead_reason
             from pgq.dead_letter order by ev_id"
  q "$db" "select 'delayed: ' || ev_type || ' ' || ev_data from pgq.delayed_pending where ev_type = 'later'"
  q "$db" "select 'queue: ' || queue_name || ' ' || queue_id || ' ' || queue_cur_table || ' ' || queue_ticker_max_lag
             from pgq.queue order by 1"
  q "$db" "select 'sub: ' || queue_name || ' ' || co_name || ' ' || s.sub_id || ' ' || coalesce(s.sub_batch::text, '-')
             from pgq.subscription s join pgq.queue on queue_id = sub_queue join pgq.consumer on co_id = sub_consumer
            where co_name not in ('c_live') order by 1"
  q "$db" "select 'rights: ' || c.relname || ' ' || has_table_privilege('pgq_reader', c.oid, 'select')
                  || ' ' || has_table_privilege('pgq_writer', c.oid, 'select')
                  || ' ' || has_table_privilege('public', c.oid, 'insert')
             from pg_class c where c.relnamespace = 'pgq'::regnamespace and c.relname ~ '^event_[0-9]' order by 1"
}
dead_sql="select count(*) from pgq.dead_letter"
[ "$(q "$db" "$dead_sql")" -eq 1 ] || fail "no dead letter before the migration"
seqs_sql="select string_agg(last_value::text, ' ' order by n) from (
    select 1 n, last_value from pgq.batch_id_seq union all select 2, last_value from pgq.queue_queue_id_seq
    union all select 3, last_value from pgq.consumer_co_id_seq union all select 4, last_value from pgq.subscription_sub_id_seq) s"
seqs_before=$(q "$db" "$seqs_sql")

run_pgqpp 0 migrate --dsn "dbname=$db" --dry-run
cat "$work/out"
grep -q "^found pgqpp [0-9.]* SQL-only edition (schemas pgq and pgq_coop, no extension) in database $db; pgqpp [0-9.]* (extension pgqpp) will replace it" "$work/out" ||
  fail "--dry-run does not name the SQL-only edition"
grep -q "recreate 1 trigger(s).*orders_to_qb on orders (logutriga)" "$work/out" || fail "--dry-run: no trigger step"
still_sqlonly "$db"
state >"$work/state.before"

run_pgqpp 0 migrate --dsn "dbname=$db"
cat "$work/out"
grep -q "^migrated database $db from pgqpp [0-9.]* SQL-only edition to pgqpp [0-9.]* in [0-9]* ms (writers blocked" "$work/out" ||
  fail "pgqpp migrate's result line"
timing=$(sed -n 's/.* in \([0-9]*\) ms (writers blocked \([0-9]*\) ms.*/\1 ms, writers blocked \2 ms/p' "$work/out")
sleep 2
stop_background
for f in prod tick; do
  if grep -qi 'abort\|error' "$work/$f.out"; then fail "pgbench $f failed: $(grep -i 'abort\|error' "$work/$f.out" | head -3)"; fi
done
echo "NOTE: pgqpp migrate (SQL-only edition to pgqpp) under load: $timing"
[ ! -s "$work/live.failed" ] || fail "c_live's calls failed: $(head -3 "$work/live.failed")"

# ------------------------------------------------------------ afterwards
[ "$(q "$db" "select string_agg(extname || ' ' || extversion, ',') from pg_extension where extname like 'pgq%'")" = \
  "pgqpp $(q "$fresh" "select default_version from pg_available_extensions where name = 'pgqpp'")" ] ||
  fail "after the migration the database does not run pgqpp alone"
check "no edition left (schemas pgq_migrating, pgq_coop_migrating, pgq.sqlonly_version())" "$db" \
  "select to_regnamespace('pgq_migrating') is null and to_regnamespace('pgq_coop_migrating') is null
      and to_regprocedure('pgq.sqlonly_version()') is null"
q "$fresh" "create extension pgqpp"
catalog "$db" >"$work/migrated.catalog"
catalog "$fresh" >"$work/fresh.catalog"
diff -u "$work/fresh.catalog" "$work/migrated.catalog" >&2 || fail "the migrated catalog differs from a fresh pgqpp install's"
echo "ok: the catalog equals a fresh pgqpp install's ($(wc -l <"$work/fresh.catalog") lines)"
state >"$work/state.after"
diff -u "$work/state.before" "$work/state.after" >&2 ||
  fail "queues, subscriptions, dead letters, delayed events or rights changed"
echo "ok: queues, subscriptions, the dead letter, the pending delayed event and the event tables' rights kept"
seqs_after=$(q "$db" "$seqs_sql")
check "no id sequence went back ($seqs_before -> $seqs_after)" "$db" \
  "select bool_and(a >= b) from unnest('{$(echo "$seqs_before" | tr ' ' ,)}'::bigint[],
                                       '{$(echo "$seqs_after" | tr ' ' ,)}'::bigint[]) as t(b, a)"
check "no sequence behind its table's ids" "$db" "select pgq._ids_past_restored() = 0"

# The open batches come back with the same events, and are finished.
b=$(as_owner "$db" "select pgq.next_batch('qa', 'c_open')")
[ "$b" = "$open_batch" ] || fail "c_open's open batch after the migration: $b, want $open_batch"
q "$db" "select ev_id from pgq.get_batch_events($b) order by 1" | diff -u "$work/open.ids" - >&2 ||
  fail "c_open's open batch's events changed"
as_owner "$db" "insert into got select 'c_open', 'qa', event_id('qa', ev_data), $b, 'after'
                  from pgq.get_batch_events($b)" "select pgq.finish_batch($b)" >/dev/null
b=$(as_owner "$db" "select pgq_coop.next_batch('qa', 'cc', 's1')")
[ "$b" = "$coop_batch" ] || fail "cc/s1's open batch after the migration: $b, want $coop_batch"
q "$db" "select ev_id from pgq.get_batch_events($b) order by 1" | diff -u "$work/coop.ids" - >&2 ||
  fail "cc/s1's open batch's events changed"
as_owner "$db" "insert into got select 'cc', 'qa', event_id('qa', ev_data), $b, 'after'
                  from pgq.get_batch_events($b)" "select pgq_coop.finish_batch($b)" >/dev/null
echo "ok: c_open and cc/s1 got their open batches ($open_batch, $coop_batch) back with the same events"
PGUSER=pgqpp_so_mig_writer q "$db" "select pgq.insert_event('qa', 'w', '-2') > 0" >/dev/null ||
  fail "a pgq_writer role cannot insert after the migration"
echo "ok: a role with pgq_writer inserts"

# The rest, with pgqpp's ticker (the SQL ticker loop has stopped).
last_tick=$(q "$db" "select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
                      where q.queue_name = 'qa'")
"$pgqpp" ticker -q --syslog 0 --logfile "$work/ticker.log" --database "$db" --ticker-period 0.1 >/dev/null 2>&1 &
ticker_pid=$!
caught_up() {
  local sub
  for sub in qa/c_open qa/c_retry qa/c_live qb/c_b; do
    as_owner "$db" "select drain('${sub%/*}', '${sub#*/}')" >/dev/null
  done
  as_owner "$db" "select drain('qa', 'cc', 's2')" >/dev/null
  holds "$db" "select not exists (
      select 1 from produced p join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qa', 'cc'),
                                            ('qb', 'c_b')) as c(queue, consumer) using (queue)
       where not exists (select 1 from got g where g.consumer = c.consumer and g.queue = p.queue and g.id = p.id)
         and not (c.consumer = 'c_retry' and p.id in (select ev_data::bigint from pgq.dead_letter)))"
}
wait_for 60 "every consumer caught up after the migration" caught_up
want="with want as (
         select c.consumer, p.queue, p.id from produced p
           join (values ('qa', 'c_open'), ('qa', 'c_retry'), ('qa', 'c_live'), ('qa', 'cc'), ('qb', 'c_b'))
                as c(queue, consumer) using (queue)
          where not (c.consumer = 'c_retry' and p.id in (select ev_data::bigint from pgq.dead_letter))),
       have as (select consumer, queue, id, count(*) as n from got where id >= 0 group by 1, 2, 3)"
check "every committed event reached every consumer exactly once, none rolled back" "$db" \
  "$want select count(*) = 0 from want w full join have h using (consumer, queue, id)
          where h.n is distinct from 1 or w.id is null" \
  "$want select consumer, queue, id, h.n as got from want w full join have h using (consumer, queue, id)
          where h.n is distinct from 1 or w.id is null order by 1, 2, 3 limit 20"
echo "  $(q "$db" "select count(*) from produced") committed events, $(q "$db" "select count(*) from got") deliveries"
check "pgqpp ticker ticked qa after the migration" "$db" \
  "select max(tick_id) > $last_tick from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
    where q.queue_name = 'qa'"

# ------------------------------------------------------------ refusals
as_owner "$refuse" "create function pgq.my_helper() returns int language sql as 'select 1'" >/dev/null
refused "schema pgq holds function pgq.my_helper(), which is not the SQL-only edition's: move it out first" \
  --dsn "dbname=$refuse"
still_sqlonly "$refuse"
as_owner "$refuse" "drop function pgq.my_helper()" \
  "create or replace function pgq.sqlonly_version() returns text language sql as \$\$ select '0.9'::text \$\$" >/dev/null
# It knows 1.3 (the first edition) and the one of its own build.
version=${file##*--}
version=${version%.sql}
known=1.3
[ "$version" = 1.3 ] || known="1.3, $version"
refused "database $refuse has the pgqpp SQL-only edition 0.9, which this pgqpp migrate does not know (it moves $known): use the pgqpp tool of that version" \
  --dsn "dbname=$refuse" --dry-run
still_sqlonly "$refuse"
echo "ok: pgqpp migrate from the SQL-only edition"
