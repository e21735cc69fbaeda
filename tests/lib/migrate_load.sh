# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# What the `pgqpp migrate` tests (tests/integration/migrate_pgq35.sh,
# sqlonly_migrate.sh) share: the database of tests/lib/migrate_load.sql
# under load across the migration (pgbench producers through both queues'
# routes, one transaction in eight rolled back; a SQL ticker loop; c_live
# consuming all along), the batch held open across it, and the event-by-
# event check that every committed event reached every reader once.
# Source it after testlib.sh and cluster.sh; the script sets root, db (the
# database), work (its scratch directory), pgqpp (the tool) and mig_user
# (the role producers and consumers connect as), and calls migrate_cleanup
# from its EXIT trap.
# shellcheck disable=SC2154  # root, db, work, pgqpp: set by the script

_mig_bg_pids=()
_mig_ticker_pid=
bindir=$(pg_config --bindir)

# as_user DB [SQL...]: q as mig_user.
as_user() { PGUSER=${mig_user:?} q "$@"; }

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
# migrate_timing: "N ms, writers blocked M ms" from pgqpp migrate's result line.
migrate_timing() {
  local t
  t=$(sed -n 's/.* in \([0-9]*\) ms (writers blocked \([0-9]*\) ms.*/\1 ms, writers blocked \2 ms/p' "$work/out")
  [ -n "$t" ] || fail "pgqpp migrate printed no time"
  echo "$t"
}
# catalog DB EXT: the catalog of extension EXT (or the schemas an edition
# fills), as tests/lib/ext_catalog.sql lists it.
catalog() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -v ext="$2" -f "$root/tests/lib/ext_catalog.sql"; }

# load_schema: the queues, consumers, tables and functions, as mig_user.
load_schema() { as_user "$db" <"$root/tests/lib/migrate_load.sql" >/dev/null; }

# pgbench_bg NAME SCRIPT CLIENTS: runs $work/SCRIPT in the background until
# stopped (at most 10 minutes), per-transaction log in $work/NAME.log.*,
# output in $work/NAME.out.
pgbench_bg() {
  "$bindir/pgbench" -n -U "$mig_user" -f "$work/$2" -c "$3" -j 1 -T 600 -l --log-prefix="$work/$1.log" "$db" \
    >"$work/$1.out" 2>&1 &
  _mig_bg_pids+=($!)
}
# live_consumer: c_live consumes all along, one batch a session (a new call
# after a failure, as a consumer would), failures in $work/live.failed.
live_consumer() {
  while :; do
    as_user "$db" "select consume('qa', 'c_live', 'live')" >/dev/null 2>>"$work/live.failed" ||
      echo "(failed call)" >>"$work/live.failed"
    sleep 0.05
  done
}
# load_start CLIENTS: CLIENTS producers, the SQL ticker loop and c_live.
load_start() {
  rm -f "$work"/*.log.*
  : >"$work/live.failed"
  printf '%s\n' '\set q random(1, 2)' '\set r random(1, 8)' 'begin;' 'select produce(:q);' \
    '\if :r = 1' 'rollback;' '\else' 'commit;' '\endif' '\sleep 5 ms' >"$work/produce.sql"
  printf '%s\n' 'select pgq.ticker();' '\sleep 50 ms' >"$work/tick.sql"
  pgbench_bg prod produce.sql "$1"
  pgbench_bg tick tick.sql 1
  live_consumer &
  _mig_bg_pids+=($!)
}
# background_stop: stops what runs in the background.
background_stop() {
  local p
  for p in "${_mig_bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${_mig_bg_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  _mig_bg_pids=()
}
# load_stop: stops what runs in the background; fails if a pgbench failed.
load_stop() {
  local f
  background_stop
  for f in prod tick; do
    [ -e "$work/$f.out" ] || continue
    if grep -qi 'abort\|error' "$work/$f.out"; then
      fail "pgbench $f failed: $(grep -i 'abort\|error' "$work/$f.out" | head -3)"
    fi
  done
  return 0
}
# longest_producer_ms: the longest producer transaction (its 5 ms sleep
# included) in the pgbench logs.
longest_producer_ms() { cat "$work"/prod.log.* | awk '$3 > m { m = $3 } END { printf "%d", m / 1000 }'; }

# horizon_hold_start / horizon_hold_stop: a session whose snapshot holds
# VACUUM's horizon back, so that consumers move their positions into their
# cells (pgq.subscription_cell, pgqpp 1.4 and later).
horizon_hold_start() {
  PGAPPNAME=migrate_hold psql -X -q -d "$db" -c "select pg_sleep(600)" >/dev/null 2>&1 &
  _mig_bg_pids+=($!)
}
horizon_hold_stop() {
  q "$db" "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'migrate_hold'" \
    >/dev/null
}
# cells_held: how many consumers' positions are in their cells now.
cells_held() {
  q "$db" "select count(*) from pgq.subscription s join pgq.subscription_current c using (sub_id)
            where (s.sub_last_tick, s.sub_batch) is distinct from (c.sub_last_tick, c.sub_batch)"
}

cells_in_use() { [ "$(cells_held)" -gt 0 ]; }

# ticker_start / ticker_stop: `pgqpp ticker` on the database, log in $work/ticker.log.
ticker_start() {
  "$pgqpp" ticker -q --syslog 0 --logfile "$work/ticker.log" --database "$db" --ticker-period 0.1 >/dev/null 2>&1 &
  _mig_ticker_pid=$!
}
ticker_stop() {
  [ -n "$_mig_ticker_pid" ] || return 0
  kill -TERM "$_mig_ticker_pid" 2>/dev/null || true
  wait "$_mig_ticker_pid" 2>/dev/null || true
  _mig_ticker_pid=
}
# migrate_cleanup: for the script's EXIT trap.
migrate_cleanup() {
  background_stop
  ticker_stop
  horizon_hold_stop 2>/dev/null || true
  drop_databases
  rm -rf "$work"
}
# fail_context: the ticker's log, and per reader the committed events it has not read.
fail_context() {
  [ -s "$work/ticker.log" ] && tail -20 "$work/ticker.log"
  q "$db" "select r.consumer, count(*), min(p.id), max(p.id) from produced p join readers r using (queue)
            where not exists (select 1 from got g where g.consumer = r.consumer and g.queue = p.queue and g.id = p.id)
              and not exists (select 1 from not_for n where n.consumer = r.consumer and n.id = p.id)
            group by 1" 2>/dev/null | sed 's/^/missing: /'
}

# coop_or_pgq SUB: the schema of the batch functions, for a subconsumer SUB or none.
coop_or_pgq() { if [ -n "$1" ]; then echo pgq_coop; else echo pgq; fi; }
# batch_with_events QUEUE CONSUMER HOW PHASE [SUB]: consumes (consume())
# until a batch with events was handled HOW; prints its id.
batch_with_events() {
  local queue=$1 consumer=$2 how=$3 phase=$4 sub=${5:-} b n
  for _ in $(seq 100); do
    b=$(as_user "$db" "select consume('$queue', '$consumer', '$phase', '$how', nullif('$sub', ''))")
    if [ -n "$b" ]; then
      if [ "$how" = open ]; then
        n=$(q "$db" "select count(*) from pgq.get_batch_events($b)")
        [ "$n" -gt 0 ] || as_user "$db" "select $(coop_or_pgq "$sub").finish_batch($b)" >/dev/null
      else
        n=$(q "$db" "select count(*) from got where consumer = '$consumer' and batch = $b")
      fi
      if [ "$n" -gt 0 ]; then echo "$b"; return 0; fi
    fi
    sleep 0.2
  done
  fail "$consumer on $queue: no batch with events in 20 s"
}
# hold_batch CONSUMER PHASE [SUB]: CONSUMER (or its subconsumer SUB) takes
# a batch with events on qa and leaves it open; prints its id, its events'
# ids in $work/batch_ID.ids.
hold_batch() {
  local b
  b=$(batch_with_events qa "$1" open "$2" "${3:-}")
  q "$db" "select ev_id from pgq.get_batch_events($b) order by 1" >"$work/batch_$b.ids"
  echo "$b"
}
# reopen_batch CONSUMER WANT PHASE [SUB]: CONSUMER (or its subconsumer
# SUB) gets batch WANT back on qa, with the same events; records and
# finishes it.
reopen_batch() {
  local consumer=$1 want=$2 phase=$3 sub=${4:-} b
  if [ -n "$sub" ]; then
    b=$(as_user "$db" "select pgq_coop.next_batch('qa', '$consumer', '$sub')")
  else
    b=$(as_user "$db" "select pgq.next_batch('qa', '$consumer')")
  fi
  [ "$b" = "$want" ] || fail "$consumer${sub:+/$sub}'s open batch after the migration: $b, want $want"
  q "$db" "select ev_id from pgq.get_batch_events($b) order by 1" | diff -u "$work/batch_$want.ids" - >&2 ||
    fail "$consumer${sub:+/$sub}'s open batch's events changed"
  as_user "$db" "insert into got select '$consumer', 'qa', event_id('qa', ev_data), $b, '$phase'
                   from pgq.get_batch_events($b)" "select $(coop_or_pgq "$sub").finish_batch($b)" >/dev/null
  echo "ok: $consumer${sub:+/$sub} got batch $b back with the same $(wc -l <"$work/batch_$want.ids") events"
}
# prepare_consumers PHASE: c_b and c_open consume a little, c_open leaves a
# batch open (its id in open_batch), c_retry leaves retries pending.
prepare_consumers() {
  local phase=$1
  batch_with_events qb c_b finish "$phase" >/dev/null
  batch_with_events qa c_open finish "$phase" >/dev/null
  open_batch=$(hold_batch c_open "$phase")
  for _ in $(seq 20); do
    batch_with_events qa c_retry retry "$phase" >/dev/null
    [ "$(q "$db" "select count(*) from pgq.retry_queue")" -eq 0 ] || break
  done
  [ "$(q "$db" "select count(*) from pgq.retry_queue")" -gt 0 ] || fail "no pending retry before the migration"
  echo "c_open holds batch $open_batch ($(wc -l <"$work/batch_$open_batch.ids") events);" \
    "$(q "$db" "select count(*) from pgq.retry_queue") retries pending"
}

# caught_up: every reader reads what is ready; true when each has every
# committed event (for wait_for).
caught_up() {
  local queue consumer sub
  while IFS='|' read -r queue consumer sub; do
    as_user "$db" "select drain('$queue', '$consumer', nullif('$sub', ''))" >/dev/null
  done < <(q "$db" "select queue, consumer, coalesce(sub, '') from readers")
  holds "$db" "select not exists (
      select 1 from produced p join readers r using (queue)
       where not exists (select 1 from got g where g.consumer = r.consumer and g.queue = p.queue and g.id = p.id)
         and not exists (select 1 from not_for n where n.consumer = r.consumer and n.id = p.id))"
}
# check_deliveries: event by event, every committed event reached every
# reader exactly once (`not_for` aside), and none from a rolled-back
# transaction (events with a negative id are the tests' markers).
check_deliveries() {
  local want="with want as (
         select r.consumer, p.queue, p.id from produced p join readers r using (queue)
          where not exists (select 1 from not_for n where n.consumer = r.consumer and n.id = p.id)),
       have as (select consumer, queue, id, count(*) as n from got where id >= 0 group by 1, 2, 3)"
  check "every committed event reached every consumer exactly once, none rolled back" "$db" \
    "$want select count(*) = 0 from want w full join have h using (consumer, queue, id)
            where h.n is distinct from 1 or w.id is null" \
    "$want select consumer, queue, id, h.n as got from want w full join have h using (consumer, queue, id)
            where h.n is distinct from 1 or w.id is null order by 1, 2, 3 limit 20"
  echo "  $(q "$db" "select count(*) from produced") committed events, $(q "$db" "select count(*) from got") deliveries," \
    "produced_seq at $(q "$db" "select last_value from produced_seq")"
}
