#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Fault injection: producers, consumers and the ticker under SIGKILLs and one
# immediate PostgreSQL restart, then an event-by-event check (about 3
# minutes). Seeded: the seed is printed first and in every failure, and
# FAULT_SEED=N reruns the same schedule of kills and producer choices.
#
# Cast (harness: build/tests/fault/pgqpp_fault, one role per source file):
#   p1  short transactions (1-20 events), half through the bulk insert
#   p2  long transactions: open 1.5-6 s across many ticks, 10 % rolled back
#   p3  short transactions, 30 % rolled back
#   p4  transactions open 0.3-2.5 s, 25 % rolled back
#   c_copy    libpgqpp Consumer, COPY stream, as fast as it goes
#   c_cursor  Consumer reading through a cursor (FETCH 50), batches of at
#             least 0.5 s, each held 300 ms before its finish (a slow
#             consumer: kills often land inside a batch, which comes again)
#   c_wide    Consumer with min_count 300 (batches spanning many ticks)
#   eo        ExactlyOnceConsumer writing into a table of a second database,
#             waiting 200 ms between the target's commit and the queue's
#             finish (kills there must not apply a batch twice)
#   the ticker daemon (pgqpp ticker), wake-up path on (pgqpp preloaded)
# Every producer transaction also writes its keys into table fault_truth, so
# after any crash "committed" is "in fault_truth". During FAULT_SECONDS (90)
# of production the schedule kills consumers and the ticker with SIGKILL and
# starts them again, and restarts PostgreSQL once with an immediate shutdown
# (crash recovery). The queue rotates its event tables every 10 s meanwhile.
# Then everything drains and `pgqpp_fault check` compares, event by event.
#
# Runs on its own cluster (the shared test cluster is never restarted).
# Env (from the ctest fixture, tests/harness/fixture.sh): PGQPP_BUILD_DIR PGQPP_SOURCE_DIR PGQPP_TEST_WORK.
set -Eeuo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/fault/scene.sh"
build=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}

seed=${FAULT_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
echo "fault injection on $scene_edition: seed $seed (rerun with FAULT_SEED=$seed)"
trap 'echo "FAIL (seed $seed): line $LINENO: $BASH_COMMAND failed"' ERR
seconds=${FAULT_SECONDS:-90}

harness=$build/tests/fault/pgqpp_fault
pgqpp=$build/cli/pgqpp
for bin in "$harness" "$pgqpp"; do
  [ -x "$bin" ] || { echo "FAIL (seed $seed): $bin is not built"; exit 1; }
done
work=${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/fault_injection
rm -rf "$work"
mkdir -p "$work/pg"
data=$work/pg/data

declare -A pid=() inc=()
consumers="c_copy c_cursor c_wide eo"
t_start=$SECONDS

cleanup() {
  local name
  for name in "${!pid[@]}"; do kill -9 "${pid[$name]}" 2>/dev/null || true; done
  pg_stop "$data"
}
trap cleanup EXIT
fail_context() {
  echo "(seed $seed)"
  local f
  for f in "$work"/*.out "$work/ticker.log"; do
    [ -s "$f" ] && { echo "--- $(basename "$f"):"; tail -5 "$f"; }
  done
}
elapsed() { echo "$((SECONDS - t_start))s"; }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
now_ms() { date +%s%3N; }

# --- our own cluster, pgqpp preloaded (tests/fault/scene.sh) ---
[ -n "${PG_STAGED_POSTGRES:-}" ] || pg_stage "$work/stage" "$build"
scene_cluster "$data" || fail "cannot start a cluster"
# shellcheck disable=SC2086  # one argument per consumer
scene_queue fault q "10 seconds" $consumers
q fault "create table fault_truth (key text primary key)"
scene_ticker_ini "$work/ticker.ini" fault "$work/ticker.log" ticker_period=0.2 retry_period=1 \
  maint_period=1 check_period=2 stats_period=30

# --- starting and killing the roles ---
role_of() { case $1 in ticker) echo ticker ;; eo) echo exactly-once ;; *) echo consumer ;; esac; }
start() {
  local name=$1
  inc[$name]=$(( ${inc[$name]:-0} + 1 ))
  case $name in
    ticker) "$pgqpp" ticker -q "$work/ticker.ini" >>"$work/ticker.out" 2>&1 & ;;
    eo) "$harness" exactly-once --conninfo "$conn" --target-conninfo "$target" --target-table fault_eo \
          --queue q --name eo --incarnation "${inc[$name]}" --log "$work/eo.log" --poll-ms 500 \
          --min-interval-ms 300 --commit-delay-ms 200 \
          >>"$work/eo.out" 2>&1 & ;;
    *)
      local extra=()
      [ "$name" = c_cursor ] && extra=(--fetch-size 50 --min-interval-ms 500 --batch-delay-ms 300)
      [ "$name" = c_wide ] && extra=(--min-count 300)
      "$harness" consume --conninfo "$conn" --queue q --name "$name" --incarnation "${inc[$name]}" \
        --log "$work/$name.log" --poll-ms 500 "${extra[@]}" >>"$work/$name.out" 2>&1 & ;;
  esac
  pid[$name]=$!
}
kill_now() {
  local name=$1
  kill -0 "${pid[$name]}" 2>/dev/null || fail "$name (process ${inc[$name]}) ended by itself before its kill (see $name.out)"
  kill -9 "${pid[$name]}"
  wait "${pid[$name]}" 2>/dev/null || true
  printf '%s\t%s\t%s\n' "$(role_of "$name")" "$name" "${inc[$name]}" >>"$work/faults.log"
}
# stop_gracefully NAME: SIGTERM, wait up to 20 s, demand exit 0.
stop_gracefully() {
  local name=$1 rc=0 _
  kill -TERM "${pid[$name]}" 2>/dev/null || fail "$name had ended before the end of the run (see $name.out)"
  for _ in $(seq 200); do kill -0 "${pid[$name]}" 2>/dev/null || break; sleep 0.1; done
  kill -0 "${pid[$name]}" 2>/dev/null && fail "$name did not stop within 20 s of SIGTERM"
  wait "${pid[$name]}" || rc=$?
  unset "pid[$name]"
  [ "$rc" -eq 0 ] || fail "$name exited with $rc (see $name.out)"
}

switch_before=$(q fault "select queue_switch_time from pgq.queue")
start ticker
for c in $consumers; do start "$c"; done

# --- producers ---
producer() { # producer ID OPTIONS...
  local id=$1; shift
  "$harness" produce --conninfo "$conn" --queue q --id "$id" --seed "$seed" --seconds "$seconds" \
    --truth-table fault_truth --log "$work/p$id.log" "$@" >>"$work/p$id.out" 2>&1 &
  pid[p$id]=$!
}
producer 1 --min-tx-events 1 --max-tx-events 20 --pause-max-ms 40
producer 2 --min-tx-events 5 --max-tx-events 200 --hold-min-ms 1500 --hold-max-ms 6000 --rollback-pct 10
producer 3 --min-tx-events 1 --max-tx-events 50 --pause-max-ms 40 --rollback-pct 30
producer 4 --min-tx-events 1 --max-tx-events 100 --hold-min-ms 300 --hold-max-ms 2500 --rollback-pct 25
echo "$(elapsed): producing for ${seconds}s under faults"

# --- the seeded faults ---
"$harness" schedule --seed "$seed" --seconds "$seconds" --targets "ticker,${consumers// /,}" >"$work/schedule.txt"
t0=$(now_ms)
while IFS=$'\t' read -r at action name down; do
  wait_ms=$((at - ($(now_ms) - t0)))
  [ "$wait_ms" -gt 0 ] && sleep_ms "$wait_ms"
  case $action in
    kill)
      kill_now "$name"
      sleep_ms "$down"
      start "$name" ;;
    restart-postgres)
      echo "$(elapsed): immediate shutdown of PostgreSQL, start again after ${down} ms"
      printf 'postgres\trestart\t-\n' >>"$work/faults.log"
      pg_crash_restart "$data" "$(printf '%d.%03d' $((down / 1000)) $((down % 1000)))" ||
        fail "PostgreSQL did not come back after the immediate shutdown"
      echo "$(elapsed): PostgreSQL is back" ;;
  esac
done <"$work/schedule.txt"
echo "$(elapsed): $(grep -c . "$work/schedule.txt") faults injected"

for id in 1 2 3 4; do
  rc=0
  wait "${pid[p$id]}" || rc=$?
  unset "pid[p$id]"
  [ "$rc" -eq 0 ] || fail "producer p$id exited with $rc (see p$id.out)"
  cat "$work/p$id.out"
done

# --- drain: one tick after the last commit, every consumer past it ---
# force_tick returns the last tick before it; the next tick (ours or the
# daemon's) covers every commit, and every consumer must get past it.
last_tick=$(q fault "select pgq.force_tick('q')")
q fault "select pgq.ticker('q')" >/dev/null
drained() {
  [ "$(q fault "select count(*) from pgq.get_consumer_info('q')
                where last_tick <= $last_tick or current_batch is not null")" = 0 ]
}
deadline=$((SECONDS + 60))
until drained; do
  [ $SECONDS -lt $deadline ] || fail "consumers did not drain within 60 s: $(q fault "select string_agg(consumer_name || ' at tick ' || last_tick, ', ') from pgq.get_consumer_info('q')") (want past $last_tick)"
  sleep 0.2
done
echo "$(elapsed): drained past tick $last_tick"
for c in $consumers ticker; do stop_gracefully "$c"; done

# --- the verdict ---
consumer_args=()
for c in c_copy c_cursor c_wide; do consumer_args+=(--consumer "$c=$work/$c.log"); done
"$harness" check --seed "$seed" --conninfo "$conn" --truth-table fault_truth \
  --producer-log "$work/p1.log" --producer-log "$work/p2.log" --producer-log "$work/p3.log" \
  --producer-log "$work/p4.log" "${consumer_args[@]}" --faults "$work/faults.log" \
  --exactly-once fault_eo --target-conninfo "$target" || fail "the check found faults (above)"
echo "event tables: last rotation $(q fault "select case when queue_switch_time > '$switch_before' then 'during the run' else 'before the run (none during it)' end from pgq.queue")"
pg_crashed "$data" && fail "a backend crashed: $(grep -E 'terminated by signal' "$work/pg/server.log" | head -3)"
echo "$(elapsed): ok"
