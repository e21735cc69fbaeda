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
# The database, the load and the delivery check: tests/lib/migrate_load.sh.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/sqlonly.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
file=$(sqlonly_file "$PGQPP_BUILD_DIR")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"
. "$root/tests/lib/migrate_load.sh"
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/sqlonly_migrate.XXXXXX")
db=so_migrate_$$
fresh=so_migrate_fresh_$$
refuse=so_migrate_refuse_$$
mig_user=pgqpp_so_mig_owner
owner=$mig_user
trap migrate_cleanup EXIT
fresh_databases "$db" "$fresh" "$refuse"
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

load_schema
as_user "$db" "select pgq_coop.register_subconsumer('qa', 'cc', s) from unnest(array['s1', 's2']) s" \
  "insert into readers values ('qa', 'cc', 's2')" >/dev/null
load_start 2
sleep 2
prepare_consumers before
coop_batch=$(hold_batch cc before s1)
# A dead letter of c_retry: the first event of its next batch (c_retry
# never gets it again), the others recorded as read.
b=$(batch_with_events qa c_retry open before)
as_user "$db" "insert into got select 'c_retry', 'qa', event_id('qa', ev_data), $b, 'before'
                 from pgq.get_batch_events($b) order by ev_id offset 1" \
  "select pgq.event_dead($b, (select min(ev_id) from pgq.get_batch_events($b)), 'bad')" \
  "select pgq.finish_batch($b)" >/dev/null
q "$db" "insert into not_for select 'c_retry', ev_data::bigint from pgq.dead_letter"
# Delayed events: one due in the middle of the migration (recorded as
# produced: it must reach every consumer once), one due tomorrow.
as_user "$db" "with i as (select nextval('produced_seq') as id)
                insert into produced select 'qa', id from i
                 where pgq.insert_event_at('qa', clock_timestamp() + interval '3 seconds', 'e', id::text) > 0" \
  "select pgq.insert_event_at('qa', now() + interval '1 day', 'later', '-1')" >/dev/null
echo "cc/s1 holds batch $coop_batch ($(wc -l <"$work/batch_$coop_batch.ids") events);" \
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
timing=$(migrate_timing)
sleep 2
load_stop
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
catalog "$db" pgqpp >"$work/migrated.catalog"
catalog "$fresh" pgqpp >"$work/fresh.catalog"
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
reopen_batch c_open "$open_batch" after
reopen_batch cc "$coop_batch" after s1
PGUSER=pgqpp_so_mig_writer q "$db" "select pgq.insert_event('qa', 'w', '-2') > 0" >/dev/null ||
  fail "a pgq_writer role cannot insert after the migration"
echo "ok: a role with pgq_writer inserts"

# The rest, with pgqpp's ticker (the SQL ticker loop has stopped).
last_tick=$(q "$db" "select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
                      where q.queue_name = 'qa'")
ticker_start
wait_for 60 "every consumer caught up after the migration" caught_up
check_deliveries
check "pgqpp ticker ticked qa after the migration" "$db" \
  "select max(tick_id) > $last_tick from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
    where q.queue_name = 'qa'"

# ------------------------------------------------------------ refusals
as_user "$refuse" "create function pgq.my_helper() returns int language sql as 'select 1'" >/dev/null
refused "schema pgq holds function pgq.my_helper(), which is not the SQL-only edition's: move it out first" \
  --dsn "dbname=$refuse"
still_sqlonly "$refuse"
as_user "$refuse" "drop function pgq.my_helper()" \
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
