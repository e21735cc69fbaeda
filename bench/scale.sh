#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Consumers at scale (issue 24), one pgqpp database:
#   - keyed workers: BENCH_SCALE_EVENTS (16,000) events over 64 keys
#     (ev_extra1), in batches of BENCH_SCALE_BATCH (1,000), read by one
#     KeyedConsumer process with 1, 2, 4 and 8 workers, the handler sleeping
#     BENCH_SCALE_COST_US (1,000) µs per event: events/s, and the speed-up
#     over 1 worker divided by N (target >= 0.9). A batch has a fixed cost
#     (next_batch, opening its stream, finish_batch: a few ms on a loaded
#     machine) that workers do not share out, so batches must be large
#     against it: 0.9 at N workers takes about 9 x N x that cost (in ms)
#     events of 1 ms per batch;
#   - subconsumers: the same events read by 1, 2, 4 and 8 processes, each a
#     subconsumer (pgq_coop) of one consumer with the same handler: events/s
#     from the first process's start (connected) to the last one's end, the
#     speed-up divided by N;
#   - fan-out: BENCH_FANOUT_EVENTS (1,000,000; 100 consumers then take
#     about 70 s on 2 CPUs: scale it down for a quick run) events in 10
#     batches, read by 1, 10 and 100
#     independent consumers at once (BENCH_FANOUT_CONSUMERS), each its own
#     process with a handler doing nothing: deliveries/s (wall time from
#     launching them to the last exit, connections included), server CPU per
#     delivered event (reaped backends' CPU from the postmaster), and the
#     event tables' size per event with every consumer registered (one
#     stored copy whatever the number of consumers).
# Each figure is one run (sleep-bound handlers vary little); the report has
# the load average.
#
#   BUILD=build bench/scale.sh      (or a part of `make bench`)
set -euo pipefail
part=scale
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

events=${BENCH_SCALE_EVENTS:-16000}
batch=${BENCH_SCALE_BATCH:-1000}
cost=${BENCH_SCALE_COST_US:-1000}
fan_events=${BENCH_FANOUT_EVENTS:-1000000}
fan_counts=${BENCH_FANOUT_CONSUMERS:-1 10 100}
ns="1 2 4 8"
bin=$build/bench/pgqpp_bench_scale
[ -x "$bin" ] || die "$bin is missing; build first (make)"

bench_begin
db=bench_scale
bench_createdb "$db" pgqpp
ci=$(conninfo "$db")

# produce QUEUE TOTAL PER_TICK: TOTAL events (extra1 = one of 64 keys), a
# tick after every PER_TICK, each chunk its own transaction.
produce() {
  local queue=$1 total=$2 per=$3 from
  for ((from = 0; from < total; from += per)); do
    echo "select count(pgq.insert_event('$queue', 't', 'event ' || g, 'k' || (g % 64), null, null, null))
            from generate_series($from, least($from + $per, $total) - 1) g;"
    echo "select pgq.force_tick('$queue');"
    echo "select pgq.ticker('$queue');"
  done | psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" >/dev/null || die "producing into $queue failed"
}

# rate EVENTS SECONDS
rate() { awk -v e="$1" -v s="$2" 'BEGIN { printf "%.0f\n", e / s }'; }

# --- keyed workers and subconsumers: the same events for every reader ---
q "$db" "select pgq.create_queue('work')" >/dev/null
for n in $ns; do
  q "$db" "select pgq.register_consumer('work', 'keyed$n')" >/dev/null
  for ((i = 1; i <= n; i++)); do
    q "$db" "select pgq_coop.register_subconsumer('work', 'coop$n', 's$i')" >/dev/null
  done
done
produce work "$events" "$batch"
say "== $events events in batches of $batch, handler ${cost} µs per event"

# summed RUN: the lines "events start end" of RUN's processes as "events
# seconds", from the first start to the last end.
summed() {
  cat "$work/$1".* | awk '{ e += $1; if (!s || $2 < s) s = $2; if ($3 > t) t = $3 } END { printf "%d %.6f\n", e, t - s }'
}

declare -A KEYED COOP
for n in $ns; do
  "$bin" "$ci" work "keyed$n" keyed "$n" "$cost" >"$work/keyed$n.1" || die "keyed $n failed"
  read -r got secs < <(summed "keyed$n")
  [ "$got" = "$events" ] || die "keyed $n read $got events, not $events"
  KEYED[$n]=$(rate "$got" "$secs")
  say "   keyed, $n workers: ${KEYED[$n]} events/s"
done
for n in $ns; do
  pids=()
  for ((i = 1; i <= n; i++)); do
    "$bin" "$ci" work "coop$n" coop "s$i" "$cost" >"$work/coop$n.$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "a subconsumer of coop$n failed"; done
  read -r got secs < <(summed "coop$n")
  [ "$got" = "$events" ] || die "coop$n's subconsumers read $got events, not $events"
  COOP[$n]=$(rate "$got" "$secs")
  say "   subconsumers, $n processes: ${COOP[$n]} events/s"
done
eff() { awk -v r="$1" -v one="$2" -v n="$3" 'BEGIN { printf "%.2f\n", r / one / n }'; }
for n in $ns; do
  emit "scale_keyed_$n" pgqpp "${KEYED[$n]}" events/s
  emit "scale_coop_$n" pgqpp "${COOP[$n]}" events/s
  if [ "$n" != 1 ]; then
    emit "scale_keyed_${n}_efficiency" pgqpp "$(eff "${KEYED[$n]}" "${KEYED[1]}" "$n")" ratio
    emit "scale_coop_${n}_efficiency" pgqpp "$(eff "${COOP[$n]}" "${COOP[1]}" "$n")" ratio
  fi
done

# --- fan-out: independent consumers, one stored copy ---
q "$db" "select pgq.create_queue('fan')" >/dev/null
total_consumers=0
for f in $fan_counts; do total_consumers=$((total_consumers + f)); done
for ((i = 1; i <= total_consumers; i++)); do q "$db" "select pgq.register_consumer('fan', 'f$i')" >/dev/null; done
produce fan "$fan_events" $(((fan_events + 9) / 10))
q "$db" "checkpoint" >/dev/null
bytes=$(q "$db" "select sum(pg_total_relation_size(c.oid)) from pg_class c
                   join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = 'pgq' and c.relkind = 'r' and c.relname like 'event\_' || (select queue_id from pgq.queue where queue_name = 'fan') || '\_%'")
per_event=$(awk -v b="$bytes" -v e="$fan_events" 'BEGIN { printf "%.1f\n", b / e }')
say "== fan-out: $fan_events events, event tables $bytes bytes ($per_event per event) with $total_consumers consumers registered"
emit fanout_storage_per_event pgqpp "$per_event" bytes
declare -A FAN FAN_CPU
next=1
for f in $fan_counts; do
  backends_gone
  cpu0=$(reaped_cpu)
  t0=$(date +%s.%N)
  pids=()
  for ((i = next; i < next + f; i++)); do
    "$bin" "$ci" fan "f$i" plain - 0 >"$work/fan$f.$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "a fan-out consumer failed"; done
  t1=$(date +%s.%N)
  backends_gone
  cpu1=$(reaped_cpu)
  read -r got _ < <(summed "fan$f")
  [ "$got" = $((f * fan_events)) ] || die "$f consumers read $got events, not $((f * fan_events))"
  FAN[$f]=$(rate "$got" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  FAN_CPU[$f]=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$got" 'BEGIN { printf "%.3f\n", (b - a) * 1e6 / n }')
  say "   $f consumers: ${FAN[$f]} deliveries/s, ${FAN_CPU[$f]} µs server CPU per delivered event"
  emit "fanout_${f}_rate" pgqpp "${FAN[$f]}" events/s
  emit "fanout_${f}_cpu" pgqpp "${FAN_CPU[$f]}" µs/ev
  next=$((next + f))
done

{
  echo "consumers at scale $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision)"
  machine_line
  echo "keyed workers and subconsumers: $events events over 64 keys, batches of $batch, handler sleeping $cost µs per event"
  for n in $ns; do
    printf '  %d: keyed %s events/s (%s of %d x one), subconsumers %s events/s (%s of %d x one)\n' "$n" \
      "${KEYED[$n]}" "$(eff "${KEYED[$n]}" "${KEYED[1]}" "$n")" "$n" \
      "${COOP[$n]}" "$(eff "${COOP[$n]}" "${COOP[1]}" "$n")" "$n"
  done
  echo "fan-out: $fan_events events in 10 batches; event tables $bytes bytes, $per_event bytes per event, $total_consumers consumers registered"
  for f in $fan_counts; do
    echo "  $f consumers at once: ${FAN[$f]} deliveries/s, ${FAN_CPU[$f]} µs server CPU per delivered event"
  done
} | report_to_results
