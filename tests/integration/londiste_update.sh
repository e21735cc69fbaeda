#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Londiste keeps replicating across ALTER EXTENSION pgq UPDATE from PgQ 3.5
# to pgqpp built as `pgq` (make install EXTENSION_NAME=pgq): Debian's
# londiste 3 (python3-londiste, SQL of postgresql-15-londiste-sql) on
# Debian's pgq_node and PgQ 3.5, a root and a leaf database, pgqd ticking.
# A producer changes rows on the root all along (one session, one
# transaction each: an insert, every third one also an update); the update
# runs on the root and then on the leaf while it does. Then every row is on the leaf as on the
# root, and every insert and update was applied on the leaf exactly once
# (counted by a trigger that fires also under londiste's replica role).
# Prints how long each ALTER took and the replication lag around it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/pgq_named.sh"
build=${PGQPP_BUILD_DIR:-$root/build}
work=$PGQPP_TEST_WORK/londiste_update
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

# No silent skip: londiste and pgqd are what this test is about.
command -v londiste >/dev/null || fail "londiste not found (Debian's python3-londiste)"
command -v pgqd >/dev/null || fail "pgqd not found (Debian's pgqd)"
pgq35=$(pgq35_version)
is_pgq35 "$pgq35" || fail "PgQ 3.5 is not installed for this PostgreSQL (Debian's postgresql-15-pgq3)"
# londiste's extension is SQL only, and Debian ships it for PostgreSQL 15
# (postgresql-15-londiste-sql); scripts/pg-major.sh builds PgQ 3.5.1 and
# pgq_node for 17 and 18, not londiste: there the stage gets 15's files.
londiste_sql=$PG_SHAREDIR/extension
[ -f "$londiste_sql/londiste.control" ] || londiste_sql=/usr/share/postgresql/15/extension
[ -f "$londiste_sql/londiste.control" ] || fail "londiste's SQL is not installed (Debian's postgresql-15-londiste-sql)"
[ -f "$PG_SHAREDIR/extension/pgq_node.control" ] || fail "pgq_node is not installed for this PostgreSQL (Debian's postgresql-15-pgq-node)"
pgq_named_scripts "$root" "$work/build-pgq"
current=$(pgq_named_version "$work/build-pgq")

pg_stage "$work/stage" ""
[ -e "$work/stage/${PG_SHAREDIR#/}/extension/londiste.control" ] ||
  ln -s "$londiste_sql"/londiste.control "$londiste_sql"/londiste--*.sql "$work/stage/${PG_SHAREDIR#/}/extension/"
port=$(free_port)
mkdir -p "$work/cluster"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in root leaf; do
    [ ! -s "$work/$p.pid" ] || kill "$(cat "$work/$p.pid")" 2>/dev/null || true
  done
  pg_stop "$work/cluster/data"
}
trap cleanup EXIT
fail_context() {
  local f
  for f in root.log leaf.log pgqd.log; do echo "--- $f (tail)"; tail -15 "$work/$f" 2>/dev/null || true; done
  echo "--- server.log (tail)"
  tail -15 "$work/cluster/server.log"
}
pg_start "$work/cluster/data" "$port"
conn() { echo "dbname=$1 host=$PGHOST port=$PGPORT user=$PGUSER"; }

# --- PgQ 3.5, pgq_node and londiste in a root and a leaf database ---
for db in root leaf; do
  q postgres "create database $db"
  q "$db" "create extension londiste cascade" "create table public.rep (id int primary key, v text, created timestamptz not null default clock_timestamp())"
  [ "$(q "$db" "select extversion from pg_extension where extname = 'pgq'")" = "$pgq35" ] || fail "$db: pgq is not PgQ $pgq35"
  cat >"$work/$db.ini" <<INI
[londiste]
job_name = londiste_$db
db = $(conn "$db")
queue_name = replika
logfile = $work/$db.log
pidfile = $work/$db.pid
loop_delay = 0.2
INI
done
# On the leaf: each applied insert and update, once per row version.
q leaf >/dev/null <<'SQL'
create table public.applied (id int, op text, v text, at timestamptz not null default clock_timestamp());
create function public.count_applied() returns trigger language plpgsql as $$
begin
    insert into public.applied (id, op, v) values (new.id, tg_op, new.v);
    return new;
end $$;
create trigger count_applied after insert or update on public.rep for each row execute function public.count_applied();
alter table public.rep enable always trigger count_applied;
SQL
cat >"$work/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER
database_list = root, leaf
logfile = $work/pgqd.log
pidfile = $work/pgqd.pid
syslog = 0
ticker_period = 0.2
maint_period = 1
INI
pgqd -q "$work/pgqd.ini" >"$work/pgqd.out" 2>&1 &
pids+=($!)

londiste -q "$work/root.ini" create-root root_node "$(conn root)" >>"$work/admin.log" 2>&1 || { cat "$work/admin.log"; fail "create-root"; }
londiste -q "$work/leaf.ini" create-leaf leaf_node "$(conn leaf)" --provider="$(conn root)" >>"$work/admin.log" 2>&1 ||
  { cat "$work/admin.log"; fail "create-leaf"; }
londiste -q -d "$work/root.ini" worker
londiste -q -d "$work/leaf.ini" worker
q root "insert into public.rep (id, v) select i, 'before add-table' from generate_series(-5, -1) i"
londiste -q "$work/root.ini" add-table public.rep >>"$work/admin.log" 2>&1 || { cat "$work/admin.log"; fail "root add-table"; }
londiste -q "$work/leaf.ini" add-table public.rep >>"$work/admin.log" 2>&1 || { cat "$work/admin.log"; fail "leaf add-table"; }
wait_for 120 "the leaf's copy of public.rep in sync" holds leaf \
  "select merge_state = 'ok' from londiste.get_table_list('replika') where table_name = 'public.rep'"
echo "londiste root -> leaf replicating on PgQ $pgq35"

# --- the producer: one session on the root, one transaction per change ---
# It stays connected through the updates: its backend runs londiste's
# trigger from PgQ's pgq_triggers.so before them and from pgqpp.so after.
q root "create table public.producer_ctl (pid int, stop boolean not null default false)" "insert into public.producer_ctl values (null)"
q root >"$work/producer.out" 2>&1 <<'SQL' &
update public.producer_ctl set pid = pg_backend_pid();
do $$
declare i int := 0;
begin
    loop
        i := i + 1;
        insert into public.rep (id, v) values (i, 'new');
        if i % 3 = 0 then
            update public.rep set v = 'updated' where id = i - 1;
        end if;
        commit;
        exit when (select stop from public.producer_ctl);
        perform pg_sleep(0.02);
    end loop;
end $$;
SQL
producer_pid=$!
pids+=("$producer_pid")
wait_for 10 "the producer's session" holds root "select pid is not null from public.producer_ctl"
backend=$(q root "select pid from public.producer_ctl")
wait_for 60 "rows replicated before the update" holds leaf "select count(*) >= 10 from public.applied"
sleep 3
date +%s.%N >"$work/updating"

grep -q pgq_triggers.so "/proc/$backend/maps" || fail "the producer's backend $backend has not loaded PgQ's pgq_triggers.so"
! grep -q pgqpp.so "/proc/$backend/maps" || fail "the producer's backend $backend has pgqpp.so before the update"
# --- pgqpp-as-pgq over PgQ 3.5's files, and the updates, while rows flow ---
pgq_named_stage "$work/stage" "$build" "$work/build-pgq"
declare -A took
for db in root leaf; do
  start=$(date +%s%N)
  q "$db" "alter extension pgq update to '$current'"
  took[$db]=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$(q "$db" "select extversion from pg_extension where extname = 'pgq'")" = "$current" ] || fail "$db: pgq is not at $current"
  echo "$db: ALTER EXTENSION pgq UPDATE from $pgq35 to $current took ${took[$db]} ms"
  date +%s.%N >"$work/updated-$db"
  sleep 3
done
sleep 3
grep -q pgqpp.so "/proc/$backend/maps" || fail "the producer's backend $backend did not load pgqpp.so"
echo "the producer's backend $backend ran londiste's trigger with PgQ's pgq_triggers.so before the updates and pgqpp.so after"
q root "update public.producer_ctl set stop = true"
wait "$producer_pid" || fail "the producer failed: $(cat "$work/producer.out")"
last=$(q root "select max(id) from public.rep")
updates=$(q root "select count(*) from public.rep where v = 'updated'")
echo "the producer committed $last inserts and $updates updates on the root"

# --- everything arrives on the leaf, once ---
wait_for 120 "the leaf has row $last" holds leaf "select exists (select 1 from public.rep where id = $last)"
sleep 3
check "the leaf's public.rep equals the root's ($last rows)" leaf \
  "select count(*) = $last + 5 and md5(string_agg(id || ':' || v || ':' || created, ',' order by id)) =
          '$(q root "select md5(string_agg(id || ':' || v || ':' || created, ',' order by id)) from public.rep")'
     from public.rep"
check "each insert and update was applied on the leaf once" leaf \
  "select count(*) = 0 from (select id, op from public.applied group by id, op having count(*) > 1) d" \
  "select id, op, count(*) from public.applied group by id, op having count(*) > 1 order by 1 limit 10"
check "every insert and update from the producer was applied" leaf \
  "select count(*) filter (where op = 'INSERT') = $last and count(*) filter (where op = 'UPDATE') = $updates from public.applied where id > 0" \
  "select op, count(*), min(id), max(id) from public.applied group by op"
for db in root leaf; do
  check "$db: every pgq function is pgqpp's" "$db" \
    "select not exists (select 1 from pg_proc where probin like '%pgq_lowlevel' or probin like '%pgq_triggers')"
done
check "pgq_node and londiste are still installed" root \
  "select count(*) = 2 from pg_extension where extname in ('pgq_node', 'londiste')"
# The lag: the longest from a row's commit on the root to its arrival on
# the leaf, before the updates and around each of them.
lag() {  # lag FROM TO (epoch seconds): of the rows created between them
  q leaf "select coalesce(round(extract(epoch from max(a.at - r.created))::numeric, 2)::text, 'none')
            from public.applied a join public.rep r using (id)
           where a.op = 'INSERT' and r.id > 0 and r.created between to_timestamp($1) and to_timestamp($2)"
}
echo "replication lag before the updates: up to $(lag 0 "$(cat "$work/updating")") s"
for db in root leaf; do
  t=$(cat "$work/updated-$db")
  echo "replication lag of the rows from 5 s before to 2 s after the update on $db: up to $(lag "$t - 5" "$t + 2") s"
done
londiste -q "$work/leaf.ini" status >"$work/status.txt" 2>&1 || { cat "$work/status.txt"; fail "londiste status"; }
grep -q leaf_node "$work/status.txt" || fail "londiste status does not show the leaf: $(cat "$work/status.txt")"
grep -i -E "error|traceback" "$work/root.log" "$work/leaf.log" >"$work/worker-errors.txt" || true
[ ! -s "$work/worker-errors.txt" ] || { head -20 "$work/worker-errors.txt"; fail "the londiste workers logged errors"; }
if pg_crashed "$work/cluster/data"; then fail "a backend crashed"; fi
