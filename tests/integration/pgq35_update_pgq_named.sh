#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# ALTER EXTENSION pgq UPDATE from Debian's PgQ 3.5 (3.5.1 on 17 and 18) to
# pgqpp built as `pgq` (make install EXTENSION_NAME=pgq), in place:
#  - the catalog is exactly a fresh pgq-named install's (tests/lib/
#    ext_catalog.sql, object by object); as a control, PgQ 3.5's differs;
#  - every PgQ function keeps its OID (a trigger on a user table still
#    points to it) and every function of the extension is now pgqpp's
#    ($libdir/pgqpp; nothing points to pgq_lowlevel or pgq_triggers);
#  - the data is kept (tests/lib/pgq_data_digest.sql): an open batch comes
#    back with the same id and events, a pending retry comes back to its
#    consumer only, unconsumed events are delivered; pgqpp's additions work;
#  - with producers (insert_event and a logutriga trigger) running through
#    the update, a consumer gets every committed event exactly once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/pgq_named.sh"
build=${PGQPP_BUILD_DIR:-$root/build}
work=$PGQPP_TEST_WORK/pgq35_update_pgq_named
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

pgq35=$(pgq35_version)
is_pgq35 "$pgq35" || fail "PgQ 3.5 is not installed for this PostgreSQL (pgq.control: '$pgq35'; Debian's postgresql-15-pgq3)"
pgq_named_scripts "$root" "$work/build-pgq"
current=$(pgq_named_version "$work/build-pgq")
[ -f "$work/build-pgq/extension/pgq--$pgq35--$current.sql" ] ||
  fail "the EXTENSION_NAME=pgq build has no update script pgq--$pgq35--$current.sql"

# --- a server with PgQ 3.5 only ---
pg_stage "$work/stage" ""
port=$(free_port)
mkdir -p "$work/cluster"
producer_pid=""
cleanup() {
  [ -z "$producer_pid" ] || kill "$producer_pid" 2>/dev/null || true
  pg_stop "$work/cluster/data"
}
trap cleanup EXIT
pg_start "$work/cluster/data" "$port"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
fail_context() { tail -20 "$work/cluster/server.log"; }
catalog() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -v ext=pgq -f "$root/tests/lib/ext_catalog.sql"; }
digest() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -f "$root/tests/lib/pgq_data_digest.sql"; }
functions() { q "$1" "select oid || ' ' || oid::regprocedure from pg_proc where pronamespace = 'pgq'::regnamespace order by 1"; }

for db in upd live; do
  q postgres "create database $db"
  q "$db" "create extension pgq"
  [ "$(q "$db" "select extversion from pg_extension where extname = 'pgq'")" = "$pgq35" ] ||
    fail "database $db: extension pgq is not PgQ $pgq35"
done

# --- upd: data at PgQ 3.5, an open batch, a pending retry, unconsumed events, a trigger ---
q upd >/dev/null <<'SQL'
select pgq.create_queue('uq');
select pgq.register_consumer('uq', 'open_c');
select pgq.register_consumer('uq', 'retry_c');
select pgq.insert_event('uq', 't', 'e' || i) from generate_series(1, 3) i;
select pgq.force_tick('uq');
select pgq.ticker();
create table public.tt (id int primary key, v text);
create trigger tt_q after insert or update or delete on public.tt for each row execute procedure pgq.logutriga('uq');
SQL
b1=$(q upd "select pgq.next_batch('uq', 'open_c')")
b2=$(q upd "select pgq.next_batch('uq', 'retry_c')")
[ -n "$b1" ] && [ -n "$b2" ] || fail "no batches at PgQ $pgq35"
q upd >/dev/null <<SQL
select pgq.event_retry($b2, ev_id, 0) from pgq.get_batch_events($b2) where ev_data = 'e2';
select pgq.finish_batch($b2);
select pgq.insert_event('uq', 't', 'e' || i) from generate_series(4, 5) i;
insert into public.tt values (1, 'before');
SQL
b1_events=$(q upd "select string_agg(ev_id || ':' || ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")
[ "$(q upd "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")" = e1,e2,e3 ] ||
  fail "batch $b1 at PgQ $pgq35 holds $b1_events"
data_before=$(digest upd)
functions upd >"$work/functions-$pgq35"
trigger_fn=$(q upd "select tgfoid from pg_trigger where tgname = 'tt_q'")
catalog upd >"$work/pgq-$pgq35.catalog"
[ "$(q upd "select count(*) from pg_proc where probin like '%pgq_lowlevel' or probin like '%pgq_triggers'")" -gt 0 ] ||
  fail "PgQ $pgq35's functions do not use pgq_lowlevel or pgq_triggers: not PgQ"

# --- live: producers run through the update, a consumer reads everything ---
q live >/dev/null <<'SQL'
select pgq.create_queue('lq');
select pgq.register_consumer('lq', 'all_c');
create table public.lt (id int primary key, v text);
create trigger lt_q after insert on public.lt for each row execute procedure pgq.logutriga('lq');
create table public.seen (ev_type text, ev_data text);
SQL
# insert_event N: one insert_event in its own transaction. PgQ 3.5's
# insert_event is PL/pgSQL and pgqpp's is C: a statement that PostgreSQL
# looked up as PL/pgSQL just before the update's commit and whose body it
# read just after it fails with a syntax error at pgqpp's C symbol (a race
# of PostgreSQL's when a function's language changes; docs/migration.md).
# Nothing of that statement was committed: it is run again, once, and
# counted. Any other error stops the producer.
insert_event() {
  local err sql="select pgq.insert_event('lq', 'n', '$1')"
  err=$(q live "$sql" 2>&1 >/dev/null) && return 0
  echo "$err" >>"$work/producer.log"
  case "$err" in
    *'syntax error at or near "pgqpp_insert_event"'*) echo "$1" >>"$work/language_race" ;;
    *) return 1 ;;
  esac
  q live "$sql" >/dev/null
}
# producer: one transaction per row, alternately insert_event and the
# trigger; it logs each committed number and stops at the first error.
producer() {
  local i=0
  while [ ! -e "$work/stop" ]; do
    i=$((i + 1))
    if [ $((i % 2)) -eq 0 ]; then
      insert_event "$i" || { echo "error at $i: $(tail -3 "$work/producer.log" 2>/dev/null)" >"$work/producer.err"; return 1; }
    else
      q live "insert into public.lt values ($i, 'r')" || { echo "error at $i" >"$work/producer.err"; return 1; }
    fi
    echo "$i" >>"$work/produced"
  done
}
# consume_all [MAX]: ticks and reads all_c's batches into public.seen until
# a tick brings nothing (or MAX batches were read).
consume_all() {
  local b n left=${1:--1}
  while [ "$left" -ne 0 ]; do
    left=$((left - 1))
    q live "select pgq.force_tick('lq')" "select pgq.ticker()" >/dev/null
    b=$(q live "select pgq.next_batch('lq', 'all_c')")
    [ -n "$b" ] || continue
    n=$(q live "with e as (insert into public.seen select ev_type, ev_data from pgq.get_batch_events($b) returning 1) select count(*) from e")
    q live "select pgq.finish_batch($b)" >/dev/null
    [ "$n" -gt 0 ] || return 0
  done
}
producer &
producer_pid=$!
wait_for 10 "the producer's first rows" test -s "$work/produced"
consume_all 3   # batches read at PgQ 3.5
sleep 1

# --- pgqpp-as-pgq replaces PgQ 3.5's control file and adds its scripts and pgqpp.so ---
pgq_named_stage "$work/stage" "$build" "$work/build-pgq"
q postgres "create database fresh"
q fresh "create extension pgq"
[ "$(q fresh "select extversion from pg_extension where extname = 'pgq'")" = "$current" ] ||
  fail "a fresh install of pgq is not version $current"
catalog fresh >"$work/fresh.catalog"
if cmp -s "$work/fresh.catalog" "$work/pgq-$pgq35.catalog"; then
  fail "PgQ $pgq35's catalog equals pgqpp's fresh one: the comparison sees nothing"
fi

# --- the update ---
start=$(date +%s%N)
q live "alter extension pgq update to '$current'"
live_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
touch "$work/stop"
wait "$producer_pid" || fail "the producer failed during the update: $(cat "$work/producer.err" 2>/dev/null)"
producer_pid=""
start=$(date +%s%N)
q upd "alter extension pgq update"
upd_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "ALTER EXTENSION pgq UPDATE from $pgq35 to $current: ${upd_ms} ms (quiet database), ${live_ms} ms (under the producer)"
for db in upd live; do
  [ "$(q "$db" "select extversion from pg_extension where extname = 'pgq'")" = "$current" ] ||
    fail "database $db is not at version $current after the update"
done

# --- the catalog is a fresh install's ---
catalog upd >"$work/updated.catalog"
diff -u "$work/fresh.catalog" "$work/updated.catalog" >"$work/catalog.diff" ||
  { head -80 "$work/catalog.diff"; fail "PgQ $pgq35 updated to $current differs from a fresh $current install (- fresh, + updated)"; }
echo "updated catalog = fresh catalog ($(grep -c '' "$work/fresh.catalog") lines)"

# --- PgQ's functions keep their OIDs, and all of them are pgqpp's ---
functions upd >"$work/functions-updated"
missing=$(comm -23 "$work/functions-$pgq35" "$work/functions-updated")
[ -z "$missing" ] || fail "PgQ functions lost their OIDs in the update: $missing"
[ "$(q upd "select tgfoid from pg_trigger where tgname = 'tt_q'")" = "$trigger_fn" ] || fail "the trigger's function changed"
check "every C function of pgq is pgqpp's" upd \
  "select count(*) > 0 and bool_and(probin = '\$libdir/pgqpp') from pg_proc where pronamespace = 'pgq'::regnamespace and prolang = 13" \
  "select oid::regprocedure, probin from pg_proc where pronamespace = 'pgq'::regnamespace and prolang = 13"
check "no function points to PgQ 3.5's libraries" upd \
  "select not exists (select 1 from pg_proc where probin like '%pgq_lowlevel' or probin like '%pgq_triggers')"

# --- the data is kept, and consumers continue ---
[ "$(digest upd)" = "$data_before" ] || fail "the update changed pgq's data"
[ "$(q upd "select pgq.next_batch('uq', 'open_c')")" = "$b1" ] || fail "open_c's open batch is not $b1 after the update"
[ "$(q upd "select string_agg(ev_id || ':' || ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")" = "$b1_events" ] ||
  fail "batch $b1 lost events in the update"
[ "$(q upd "select pgq.maint_retry_events()")" = 1 ] || fail "the pending retry did not come back"
q upd "insert into public.tt values (2, 'after')" "select pgq.force_tick('uq')" "select pgq.ticker()" >/dev/null
b3=$(q upd "select pgq.next_batch('uq', 'retry_c')")
got=$(q upd "select string_agg(ev_type || ':' || ev_data || ':' || coalesce(ev_retry, 0), ',' order by ev_id) from pgq.get_batch_events($b3)")
want="t:e2:1,t:e4:0,t:e5:0,I:id:id=1&v=before:0,I:id:id=2&v=after:0"
[ "$got" = "$want" ] || fail "retry_c's batch after the update holds '$got', want $want"
q upd "select pgq.finish_batch($b1)" "select pgq.finish_batch($b3)" >/dev/null
b4=$(q upd "select pgq.next_batch('uq', 'open_c')")
got=$(q upd "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b4)")
[ "$got" = "e4,e5,id=1&v=before,id=2&v=after" ] || fail "open_c's next batch holds '$got'"
echo "open batch, retry, unconsumed events and the trigger kept"
# pgqpp's additions: bulk insert, consumer settings, a new queue.
q upd >/dev/null <<'SQL'
select pgq.insert_events('uq', array['b', 'b'], array['x', 'y'], null, null, null, null);
select pgq.set_consumer_config('uq', 'open_c', 'max_batch_events', '100');
select pgq.create_queue('uq2');
select pgq.register_consumer('uq2', 'c2');
SQL
check "pgqpp's additions work after the update" upd \
  "select (select count(*) from pgq.event_template where ev_type = 'b') = 2 and (select count(*) from pgq.consumer_config) = 1"

# --- under the producer: every committed event exactly once ---
consume_all
if [ -s "$work/language_race" ]; then
  echo "NOTE insert_event met PostgreSQL's race at the update's commit and was run again: $(grep -c '' "$work/language_race") statement(s)"
fi
produced=$(grep -c '' "$work/produced")
check "all_c got each of the producer's $produced events exactly once" live \
  "with want as (select g::text as n from unnest(string_to_array('$(paste -sd, "$work/produced")', ',')) g),
        got as (select case when ev_type = 'n' then ev_data else substring(ev_data from 'id=([0-9]+)') end as n from public.seen)
   select (select count(*) from got) = (select count(*) from want)
      and not exists (select n from want except select n from got)
      and not exists (select n from got group by n having count(*) > 1)" \
  "select count(*) as seen, count(distinct ev_data) as distinct_data from public.seen"

if pg_crashed "$work/cluster/data"; then fail "a backend crashed"; fi
