#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# A PgQ 3.5 database (Debian's `pgq` extension) dumped with pg_dump and
# restored into a database where `pgqpp install` ran first (issue 22, the
# dump-and-restore route).
#
# 1. Id sequences. PgQ 3.5's dump carries the rows of pgq.queue,
#    pgq.consumer and pgq.subscription but not their id sequences, which
#    start again at 1 in the new database. create-queue and register must
#    still work, with ids past the restored ones (a new consumer never shares
#    a sub_id, hence retries, with an old one), and every restored consumer
#    continues where it was: event by event, each committed event reaches
#    each consumer exactly once, none from a rolled-back transaction.
# 2. Transaction ids. The same kind of dump, from a cluster whose txids are
#    far ahead (pg_resetwal -e), restored into a fresh cluster: `pgqpp
#    install`, `pgqpp status` and `pgqpp ticker` refuse the database with
#    one line saying what to do; once done (pg_resetwal -e on the new
#    cluster), all three accept it and events flow again.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR PGQPP_TEST_WORK.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
is_pgq35 "$(pgq35_version)" || fail "PgQ 3.5 is not installed for $(pg_config --version) (postgresql-15-pgq3)"
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/pgq35_dump_restore.XXXXXX")
chmod 755 "$work"
bindir=$(pg_config --bindir)
export PGOPTIONS="-c statement_timeout=60s"
start=$(date +%s)
src=pgq35_src_$$
dst=pgq35_dst_$$
ticker_pid=
src_data=$work/src/data
dst_data=$work/dst/data
cleanup() {
  [ -n "$ticker_pid" ] && kill -9 "$ticker_pid" 2>/dev/null || true
  local d
  for d in "$src" "$dst"; do
    psql -X -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true
  done
  pg_stop "$src_data"
  pg_stop "$dst_data"
  rm -rf "$work"
}
trap cleanup EXIT
fail_context() { [ -s "$work/ticker.log" ] && tail -20 "$work/ticker.log"; }
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# run_pgqpp RC ARGS...: pgqpp must exit RC; output in $work/out, $work/err.
run_pgqpp() {
  local want=$1 rc=0
  shift
  "$pgqpp" "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "pgqpp $*: exit $rc, expected $want; stdout: $(cat "$work/out"); stderr: $(cat "$work/err")"
}

# pgq35_source DB: a PgQ 3.5 database with queues, consumers at different
# places (one with an open batch, one with a pending retry), events
# consumed, ticked but unconsumed, not ticked, and rolled back. Every
# committed event is also a row of `produced` (same transaction).
pgq35_source() {
  local d=$1
  q "$d" <<'SQL' >/dev/null
create extension pgq;
create table produced (queue text, ev_data text);
create function produce(i_queue text, i_data text) returns void language sql as $$
  select pgq.insert_event(i_queue, 'e', i_data);
  insert into produced values (i_queue, i_data);
$$;
create function tick(i_queue text) returns bigint language plpgsql as $$
begin
  perform pgq.force_tick(i_queue);
  return pgq.ticker(i_queue);
end $$;
select pgq.create_queue('qa');
select pgq.create_queue('qdropped');
select pgq.create_queue('qb');
select pgq.drop_queue('qdropped');
select pgq.register_consumer('qa', 'c_open');
select pgq.register_consumer('qa', 'c_retry');
select pgq.register_consumer('qb', 'c_retry');
select pgq.register_consumer('qa', 'c_behind');
select pgq.register_consumer('qb', 'c_b');
select produce('qa', 'a' || i) from generate_series(1, 5) i;
select produce('qb', 'b' || i) from generate_series(1, 3) i;
begin; select produce('qa', 'a-rolled-back'); rollback;
select tick('qa'), tick('qb');
select produce('qa', 'a' || i) from generate_series(6, 8) i;
select tick('qa');
select produce('qa', 'a9'), produce('qb', 'b4');
SQL
}

# consume DB QUEUE CONSUMER [finish]: one batch into `got`; finished unless
# the fourth argument is "open". Prints the batch id (empty: none ready).
consume() {
  local d=$1 queue=$2 consumer=$3 how=${4:-finish} b
  b=$(q "$d" "select pgq.next_batch('$queue', '$consumer')")
  [ -n "$b" ] || return 0
  q "$d" "insert into got select '$consumer', '$queue', ev_data from pgq.get_batch_events($b)"
  [ "$how" = open ] || q "$d" "select pgq.finish_batch($b)" >/dev/null
  echo "$b"
}

# ---------------------------------------------------------------- part 1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $src" -c "create database $dst"
pgq35_source "$src"
q "$src" "create table got (consumer text, queue text, ev_data text)"
consume "$src" qa c_open >/dev/null                 # a1..a5
open_batch=$(consume "$src" qa c_open open)         # a6..a8, left open
b=$(q "$src" "select pgq.next_batch('qa', 'c_retry')")
q "$src" "insert into got select 'c_retry', 'qa', ev_data from pgq.get_batch_events($b) where ev_data <> 'a3'" \
  "select pgq.event_retry($b, ev_id, 0) from pgq.get_batch_events($b) where ev_data = 'a3'" \
  "select pgq.finish_batch($b)" >/dev/null
consume "$src" qb c_b >/dev/null                    # b1..b3
expect "PgQ version of the source" "$(q "$src" "select extversion from pg_extension where extname = 'pgq'")" "$(pgq35_version)"
expect "pending retries in the source" "$(q "$src" "select count(*) from pgq.retry_queue")" 1
ids_sql="select 'queue', queue_id, queue_name from pgq.queue
         union all select 'consumer', co_id, co_name from pgq.consumer
         union all select 'sub', sub_id, q.queue_name || '/' || c.co_name
           from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue
           join pgq.consumer c on c.co_id = s.sub_consumer order by 1, 2"
q "$src" "$ids_sql" >"$work/src.ids"
echo "PgQ $(pgq35_version) source database ready; its ids:"
sed 's/^/  /' "$work/src.ids"

run_pgqpp 0 install --dsn "dbname=$dst"
"$bindir/pg_dump" -Fc -f "$work/src.dump" -d "$src" || fail "pg_dump failed"
# What an operator runs first: a plain restore. The only statements that
# fail are the ones creating the extension pgq (pgqpp holds schema pgq).
"$bindir/pg_restore" -d "$dst" "$work/src.dump" 2>"$work/restore.err" || true
echo "pg_restore said:"
sed 's/^/  /' "$work/restore.err"
grep '^Command was:' "$work/restore.err" | grep -v 'EXTENSION IF NOT EXISTS pgq \|ON EXTENSION pgq ' &&
  fail "pg_restore failed on something besides the extension pgq"
grep -q 'errors ignored on restore: 2$' "$work/restore.err" || fail "pg_restore: not exactly the two expected errors"
expect "extensions after the restore" "$(q "$dst" "select string_agg(extname, ',' order by extname) from pg_extension where extname like 'pgq%'")" pgqpp
q "$dst" "$ids_sql" >"$work/dst.ids"
diff -u "$work/src.ids" "$work/dst.ids" >&2 || fail "the restored ids differ from the source's"
expect "sequences as restored (PgQ 3.5's dump lacks them)" \
  "$(q "$dst" "select string_agg(coalesce(last_value, 0)::text, ',' order by sequencename) from pg_sequences
                  where schemaname = 'pgq' and sequencename in ('queue_queue_id_seq', 'consumer_co_id_seq', 'subscription_sub_id_seq')")" \
  "0,0,0"

# New queue, new consumers: ids past the restored ones.
run_pgqpp 0 create-queue --dsn "dbname=$dst" qnew
run_pgqpp 0 register --dsn "dbname=$dst" qa c_new
run_pgqpp 0 register --dsn "dbname=$dst" qnew c_new
run_pgqpp 0 register --dsn "dbname=$dst" qb c_b2
q "$dst" "$ids_sql" >"$work/after.ids"
echo "ids after create-queue and register:"
sed 's/^/  /' "$work/after.ids"
max_of() { awk -F'|' -v k="$1" '$1 == k && $2 > m { m = $2 } END { print m + 0 }' "$2"; }
for kind in queue consumer sub; do
  old_max=$(max_of "$kind" "$work/src.ids")
  awk -F'|' -v k="$kind" -v m="$old_max" '$1 == k && $2 > m { print $3 }' "$work/after.ids" | sort >"$work/new.$kind"
  awk -F'|' -v k="$kind" '$1 == k { print $2 }' "$work/after.ids" | sort | uniq -d | grep -q . &&
    [ "$kind" != sub ] && fail "two ${kind}s share an id"
  case $kind in
    queue) expect "new queue ids past $old_max" "$(tr '\n' ' ' <"$work/new.$kind")" "qnew " ;;
    consumer) expect "new consumer ids past $old_max" "$(tr '\n' ' ' <"$work/new.$kind")" "c_b2 c_new " ;;
    sub) expect "new subscription ids past $old_max" "$(tr '\n' ' ' <"$work/new.$kind")" "qa/c_new qb/c_b2 qnew/c_new " ;;
  esac
done
expect "subscriptions sharing a sub_id" "$(q "$dst" "select count(*) from (select sub_id from pgq.subscription group by 1 having count(*) > 1) s")" 0

# Every consumer continues; new events reach old and new consumers.
q "$dst" "select pgq.maint_retry_events()" "select tick('qa'), tick('qb')" >/dev/null
reopened=$(consume "$dst" qa c_open)
expect "c_open's open batch after the restore" "$reopened" "$open_batch"
q "$dst" "select produce('qa', 'a10'), produce('qb', 'b5'), produce('qnew', 'n1')" \
  "begin" "select produce('qa', 'a-rolled-back-2')" "rollback" \
  "select tick('qa'), tick('qb'), tick('qnew')" >/dev/null
for sub in qa/c_open qa/c_retry qb/c_retry qa/c_behind qb/c_b qa/c_new qnew/c_new qb/c_b2; do
  while [ -n "$(consume "$dst" "${sub%/*}" "${sub#*/}")" ]; do :; done
done
# Each consumer got each event committed after its registration exactly
# once (c_open's open batch twice: once before the dump, once after).
check_sql="with want(consumer, queue, ev_data, n) as (
    select c.consumer, p.queue, p.ev_data,
           case when c.consumer = 'c_open' and p.ev_data in ('a6', 'a7', 'a8') then 2 else 1 end
      from produced p
      join (values ('c_open', 'qa', 0), ('c_retry', 'qa', 0), ('c_retry', 'qb', 0), ('c_behind', 'qa', 0),
                   ('c_b', 'qb', 0), ('c_new', 'qa', 9), ('c_new', 'qnew', 0), ('c_b2', 'qb', 4))
           as c(consumer, queue, from_n) on c.queue = p.queue
     where substr(p.ev_data, 2)::int >= c.from_n),
  have as (select consumer, queue, ev_data, count(*) n from got group by 1, 2, 3)
  select coalesce(w.consumer, h.consumer) || ' ' || coalesce(w.queue, h.queue) || ' ' ||
         coalesce(w.ev_data, h.ev_data) || ': want ' || coalesce(w.n, 0) || ', got ' || coalesce(h.n, 0)
    from want w full join have h using (consumer, queue, ev_data)
   where w.n is distinct from h.n"
q "$dst" "$check_sql" >"$work/mismatch"
[ -s "$work/mismatch" ] && fail "events not delivered exactly once: $(tr '\n' ';' <"$work/mismatch")"
expect "c_retry's retried event" "$(q "$dst" "select count(*) from got where consumer = 'c_retry' and ev_data = 'a3'")" 1
echo "ok: after the restore every consumer got every committed event exactly once" \
  "($(q "$dst" "select count(*) from got") deliveries); new ids never collide"

# ---------------------------------------------------------------- part 2
# A source cluster whose txids are in epoch 5, a fresh destination cluster.
# pg_resetwal moves the epoch; the npm build of 17 has none.
if [ ! -x "$PG_BINDIR/pg_resetwal" ]; then
  echo "NOTE pgq35_dump_restore: part 2 (a dump from a later txid epoch) skipped: no pg_resetwal in $PG_BINDIR"
  exit 0
fi
pg_stage "$work/stage" "$PGQPP_BUILD_DIR"
mkdir -p "$work/src" "$work/dst"
src_port=$(free_port)
pg_start "$src_data" "$src_port"
as_pg_owner "$PG_BINDIR/pg_ctl" -D "$src_data" -m fast -w stop >/dev/null
as_pg_owner "$PG_BINDIR/pg_resetwal" -e 5 "$src_data" >/dev/null
as_pg_owner "$PG_BINDIR/pg_ctl" -D "$src_data" -l "$work/src/server.log" -w -t 60 restart >/dev/null 2>&1
pgq35_source "host=$PGHOST port=$src_port dbname=postgres"
src_xmax=$(q "host=$PGHOST port=$src_port dbname=postgres" "select max(txid_snapshot_xmax(tick_snapshot)) from pgq.tick")
"$bindir/pg_dump" -Fc -f "$work/ahead.dump" -d "host=$PGHOST port=$src_port dbname=postgres" || fail "pg_dump failed"
pg_stop "$src_data"
dst_port=$(free_port)
pg_start "$dst_data" "$dst_port"
dst_db="host=$PGHOST port=$dst_port dbname=postgres"
run_pgqpp 0 install --dsn "$dst_db"
# The restore docs/migration.md gives: without the extension pgq's entries, no error.
"$bindir/pg_restore" -l "$work/ahead.dump" | grep -v ' EXTENSION - pgq \| COMMENT - EXTENSION pgq ' >"$work/ahead.list"
"$bindir/pg_restore" --exit-on-error -L "$work/ahead.list" -d "$dst_db" "$work/ahead.dump" ||
  fail "pg_restore -L without the extension pgq failed"
dst_now=$(q "$dst_db" "select txid_snapshot_xmax(txid_current_snapshot())")
echo "ticks restored up to txid $src_xmax (epoch $((src_xmax >> 32))); the new cluster is at $dst_now"
[ "$dst_now" -lt "$src_xmax" ] || fail "the new cluster's txids are not behind the dump's ticks"
# A pending event (a9) and no lag allowed: a ticker that ticked would now.
q "$dst_db" "select pgq.set_queue_config('qa', 'ticker_max_lag', '0')" >/dev/null
ticks_before=$(q "$dst_db" "select count(*) from pgq.tick")

refusal="database postgres: transaction ids are behind the ticks in pgq.tick"
for cmd in install status; do
  run_pgqpp 1 "$cmd" --dsn "$dst_db"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "pgqpp $cmd: expected one line, got: $(cat "$work/err")"
  grep -qF "$refusal" "$work/err" || fail "pgqpp $cmd: no refusal: $(cat "$work/err")"
  grep -qF "pg_resetwal -e 6 " "$work/err" || fail "pgqpp $cmd: no pg_resetwal -e 6 advice: $(cat "$work/err")"
  echo "pgqpp $cmd refuses: $(cat "$work/err")"
done
PGPORT=$dst_port "$pgqpp" ticker -q --syslog 0 --logfile "$work/ticker.log" --database postgres \
  --ticker-period 0.1 >/dev/null 2>&1 &
ticker_pid=$!
wait_for 20 "the ticker's refusal" grep -qF "$refusal" "$work/ticker.log"
sleep 1
expect "ticks made by the refusing ticker" "$(q "$dst_db" "select count(*) from pgq.tick")" "$ticks_before"
[ "$(grep -cF "$refusal" "$work/ticker.log")" -eq 1 ] || fail "the ticker logged the refusal more than once"
echo "the ticker refuses: $(grep -F "$refusal" "$work/ticker.log")"
kill -TERM "$ticker_pid"; wait "$ticker_pid" || true; ticker_pid=

# Doing what the line says: everything works again, nothing is lost.
as_pg_owner "$PG_BINDIR/pg_ctl" -D "$dst_data" -m fast -w stop >/dev/null
as_pg_owner "$PG_BINDIR/pg_resetwal" -e 6 "$dst_data" >/dev/null
as_pg_owner "$PG_BINDIR/pg_ctl" -D "$dst_data" -l "$work/dst/server.log" -w -t 60 restart >/dev/null 2>&1
run_pgqpp 0 install --dsn "$dst_db"
run_pgqpp 0 status --dsn "$dst_db"
q "$dst_db" "create table got (consumer text, queue text, ev_data text)" "select produce('qa', 'a101')" >/dev/null
PGPORT=$dst_port "$pgqpp" ticker -q --syslog 0 --logfile "$work/ticker.log" --database postgres \
  --ticker-period 0.1 >/dev/null 2>&1 &
ticker_pid=$!
ticked_past_dump() {
  [ "$(q "$dst_db" "select count(*) from pgq.tick where txid_snapshot_xmax(tick_snapshot) > $src_xmax")" -gt 0 ]
}
wait_for 20 "ticks after pg_resetwal" ticked_past_dump
kill -TERM "$ticker_pid"; wait "$ticker_pid" || true; ticker_pid=
q "$dst_db" "select tick('qa')" >/dev/null
while [ -n "$(consume "$dst_db" qa c_behind)" ]; do :; done
expect "c_behind's events after pg_resetwal" \
  "$(q "$dst_db" "select string_agg(ev_data, ',' order by substr(ev_data, 2)::int) from got")" \
  "a1,a2,a3,a4,a5,a6,a7,a8,a9,a101"
echo "ok: refused before pg_resetwal -e 6, every event delivered after it, in $(($(date +%s) - start)) s"
