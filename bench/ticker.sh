#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The ticker (part "ticker" of `make bench`): end-to-end latency at 100
# events/s with 1,000 queues in the database, CPU of the daemon plus the
# server work it causes (at 100 ev/s, idle, and under full insert load),
# and insert throughput with the daemon running and paused, for pgqpp with
# `pgqpp ticker` (wake-up path) and for PgQ 3.5 with Debian's pgqd, each in
# its own database of one cluster, in one run.
#
#   BUILD=build bench/ticker.sh     (alone: starts its own throwaway cluster)
#   make bench                      (bench/all.sh: on the run's shared cluster)
#
# Latency is the time from an event's commit (the producer's insert_event
# returned) to the consumer having it in hand (bench/latency_probe.cpp), with
# each of these consumers:
#   lib     libpgqpp's Consumer, defaults: waits for the ticker's wake-up
#           NOTIFY on pgqpp; on PgQ 3.5, which sends none, it polls every
#           second (its poll_interval)
#   listen  plain SQL woken by the tick NOTIFY (pgqpp only)
#   poll    plain SQL calling next_batch every millisecond
#   notify  the raw PostgreSQL baseline, no queue: a plain table whose
#           trigger sends pg_notify, and a LISTENing client
#   pooler  libpgqpp's Consumer with behind_pooler, producer and consumer
#           connected through PgBouncer in transaction pooling (LISTEN does
#           not work there): it waits in the server, pgq.next_batch_wait;
#           at TICKER_BENCH_POOLER_RATE (50) ev/s, pgqpp only
# CPU: user+system time of the daemon and of the server backends serving it
# (found by application_name), as % of one core; the probe's own backends
# are not counted. "At 100 ev/s" is measured during the lib phase.
#
# Knobs: TICKER_BENCH_SECONDS (10) per phase, TICKER_BENCH_QUEUES (1000),
# TICKER_BENCH_RATE (100 ev/s), TICKER_BENCH_TPS_SECONDS (180) for the insert
# run, TICKER_BENCH_SLICE (3) seconds between pausing and resuming the daemon;
# the cluster and the output as
# bench/lib/common.sh says (report: $BENCH_RESULTS_DIR/ticker.txt, rows:
# ticker.tsv). Targets are reported, never asserted.
part=ticker
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/lib/pgbouncer.sh
. "$root/tests/lib/pgbouncer.sh"

seconds=${TICKER_BENCH_SECONDS:-10}
queues=${TICKER_BENCH_QUEUES:-1000}
rate=${TICKER_BENCH_RATE:-100}
pooler_rate=${TICKER_BENCH_POOLER_RATE:-50}
tps_seconds=${TICKER_BENCH_TPS_SECONDS:-180}
slice=${TICKER_BENCH_SLICE:-3}
probe=$build/bench/latency_probe
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp" /usr/bin/pgqd /usr/bin/pgbench; do
  [ -x "$tool" ] || die "$tool is missing (make build; apt-get install pgqd postgresql-15)"
done

bench_begin
declare -A DBS=([pgqpp]=tbench [pgq]=tbench_pgq)
for sys in pgqpp pgq; do
  db=${DBS[$sys]}
  bench_createdb "$db" "$([ "$sys" = pgq ] && echo pgq || echo pgqpp)"
  # One transaction per queue: each takes locks on its new tables.
  q "$db" "do \$\$ begin for i in 1..$queues loop perform pgq.create_queue('q' || i); commit; end loop; end \$\$"
done
say "cluster ready: $queues queues in ${DBS[pgqpp]} (pgqpp) and ${DBS[pgq]} (PgQ 3.5); phases of ${seconds}s at $rate ev/s"

idle() { sleep "$seconds"; }
# probe SYS MODE: one latency run into q1 of SYS's database; its line in
# $work/probe_SYS_MODE. The pooler mode connects through PgBouncer.
probe() {
  local out="$work/probe_$1_$2" conninfo r=$rate
  conninfo=$(conninfo "${DBS[$1]}")
  if [ "$2" = pooler ]; then
    conninfo="host=127.0.0.1 port=$PGBOUNCER_PORT user=$PGUSER dbname=${DBS[$1]}"
    r=$pooler_rate
  fi
  "$probe" "$conninfo" "$([ "$2" = notify ] && echo latency_probe || echo q1)" "probe_$2" "$2" \
    "$r" "$seconds" >"$out" 2>"$out.err" || { cat "$out" "$out.err" >&2; die "latency probe $1 $2 failed"; }
  say "   $1 $2: $(cat "$out") $(cat "$out.err")"
}
field() { grep -o "$1=[0-9.-]*" "$work/probe_$2_$3" | cut -d= -f2; }
# insert_ratio SYS: insert throughput with the running daemon against the
# same with it paused. One pgbench run (4 clients, insert_event of 100 bytes
# into q2) of TICKER_BENCH_TPS_SECONDS, during which the daemon is paused
# (SIGSTOP: its connections stay open and idle, as if it were not running)
# and resumed every TICKER_BENCH_SLICE seconds; bench/slice_ratio.py compares
# each running slice with the paused ones next to it. Alternating within one
# run keeps the machine's drifts out of the ratio, which a pair of separate
# runs cannot. Sets INSERT_LINE[SYS] (slice_ratio.py's line) and
# CPU_SATURATED[SYS] (the daemon's CPU while running, % of one core).
insert_ratio() {
  local sys=$1 progress="$work/progress_$1" toggles="$work/toggles_$1" bench state=running
  local cpu0 cpu1 run_ns=0 t0 t1
  echo "select pgq.insert_event('q2', 'bench', repeat('x', 100));" >"$work/insert.sql"
  : >"$toggles"
  pgbench -n -M prepared -c 4 -j 2 -T "$tps_seconds" -P 1 --progress-timestamp \
    -f "$work/insert.sql" "${DBS[$sys]}" >/dev/null 2>"$progress" &
  bench=$!
  cpu0=$(cpu_ticks)
  while kill -0 "$bench" 2>/dev/null; do
    echo "$(date +%s.%N) $state" >>"$toggles"
    t0=$(date +%s%N)
    sleep "$slice"
    t1=$(date +%s%N)
    if [ "$state" = running ]; then
      run_ns=$((run_ns + t1 - t0))
      kill -STOP "$daemon_pid"; state=paused
    else
      kill -CONT "$daemon_pid"; state=running
    fi
  done
  kill -CONT "$daemon_pid"
  wait "$bench" || die "pgbench failed: $(tail -3 "$progress")"
  cpu1=$(cpu_ticks)
  INSERT_LINE[$sys]=$(python3 "$root/bench/slice_ratio.py" "$progress" "$toggles")
  CPU_SATURATED[$sys]=$(awk -v d="$((cpu1 - cpu0))" -v hz="$ticks_per_sec" -v ns="$run_ns" \
    'BEGIN { printf "%.2f", (ns > 0 ? 100 * (d / hz) / (ns / 1e9) : 0) }')
  say "   $sys insert with the daemon running / paused: ${INSERT_LINE[$sys]}; daemon CPU ${CPU_SATURATED[$sys]}%"
}
insert_field() { grep -o "$1=[^ ]*" <<<"${INSERT_LINE[$2]}" | cut -d= -f2; }
on_exit stop_daemon

declare -A CPU_IDLE CPU_LOAD CPU_SATURATED INSERT_LINE

# --- no daemon: the raw LISTEN/NOTIFY baseline ---
say "== no daemon"
probe pgqpp notify

# --- pgqpp with `pgqpp ticker`, default settings ---
say "== pgqpp ticker"
daemon_start pgqpp "${DBS[pgqpp]}"
sleep 2
CPU_IDLE[pgqpp]=$(cpu_during idle)
CPU_LOAD[pgqpp]=$(cpu_during probe pgqpp lib)
probe pgqpp listen
probe pgqpp poll
# Through PgBouncer in transaction pooling (tests/lib/pgbouncer.sh).
pgbouncer_start "$work/pgbouncer" "$PGPORT" || die "cannot start pgbouncer (apt-get install pgbouncer)"
on_exit pgbouncer_stop "$work/pgbouncer"
probe pgqpp pooler
pgbouncer_stop "$work/pgbouncer"
insert_ratio pgqpp
stop_daemon

# --- PgQ 3.5 with Debian's pgqd, default settings ---
say "== pgqd"
daemon_start pgq "${DBS[pgq]}"
sleep 2
CPU_IDLE[pgq]=$(cpu_during idle)
CPU_LOAD[pgq]=$(cpu_during probe pgq lib)
probe pgq poll
insert_ratio pgq
stop_daemon

# ---------------------------------------------------------------- report ---
{
  echo "pgqpp ticker benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "$queues queues per database, $rate ev/s into one of them, ${seconds}s phases; $(q postgres "show synchronous_commit" | sed 's/^/synchronous_commit=/'), shared_preload_libraries=$(q postgres "show shared_preload_libraries")"
  echo "latency = consumer has the event in hand - the producer's commit returned (ms); CPU = daemon + its backends, % of one core"
  echo
  fmt='%-26s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n'
  # shellcheck disable=SC2059
  printf "$fmt" system "lib p50" "lib p99" "listen p50" "listen p99" "poll p50" "poll p99" \
    "CPU@${rate}/s" "CPU idle" "CPU full" "insert tps" "running ÷ paused"
  # shellcheck disable=SC2059
  printf "$fmt" "pgqpp + pgqpp ticker" "$(field p50_ms pgqpp lib)" "$(field p99_ms pgqpp lib)" \
    "$(field p50_ms pgqpp listen)" "$(field p99_ms pgqpp listen)" "$(field p50_ms pgqpp poll)" \
    "$(field p99_ms pgqpp poll)" "${CPU_LOAD[pgqpp]}%" "${CPU_IDLE[pgqpp]}%" "${CPU_SATURATED[pgqpp]}%" \
    "$(insert_field running_tps pgqpp)" "$(insert_field ratio pgqpp)"
  # shellcheck disable=SC2059
  printf "$fmt" "PgQ 3.5 + pgqd" "$(field p50_ms pgq lib)" "$(field p99_ms pgq lib)" - - \
    "$(field p50_ms pgq poll)" "$(field p99_ms pgq poll)" "${CPU_LOAD[pgq]}%" "${CPU_IDLE[pgq]}%" "${CPU_SATURATED[pgq]}%" \
    "$(insert_field running_tps pgq)" "$(insert_field ratio pgq)"
  # shellcheck disable=SC2059
  printf "$fmt" "raw LISTEN/NOTIFY" "$(field p50_ms pgqpp notify)" "$(field p99_ms pgqpp notify)" - - - - - - - - -
  echo
  echo "lib: libpgqpp Consumer (wake-up on pgqpp; polls every 1 s on PgQ 3.5); listen: plain SQL woken by the tick NOTIFY;"
  echo "poll: plain SQL, next_batch every 1 ms; raw: trigger pg_notify on a plain table, LISTENing client (no queue)"
  echo "through PgBouncer (transaction pooling) at $pooler_rate ev/s, libpgqpp Consumer behind_pooler (pgq.next_batch_wait):" \
    "p50 $(field p50_ms pgqpp pooler) ms, p99 $(field p99_ms pgqpp pooler) ms;" \
    "beside LISTEN without a pooler (lib above): p50 $(field p50_ms pgqpp lib) ms, p99 $(field p99_ms pgqpp lib) ms" \
    "(target through the pooler: p50 <= 2 ms, p99 <= 10 ms)"
  echo "insert: one pgbench run (-c 4, insert_event), ${tps_seconds} s, the daemon paused (SIGSTOP) and resumed every ${slice} s;"
  echo "  running ÷ paused: median over running slices of their rate over their paused neighbours' (bench/slice_ratio.py);"
  echo "  CPU full: the daemon's CPU while running during that run"
  for sys in pgqpp pgq; do echo "  $sys: ${INSERT_LINE[$sys]}"; done
  echo "targets (pgqpp ticker): p50 <= 2 ms, p99 <= 10 ms; CPU <= 10 % at $rate ev/s, < 1 % idle; insert running ÷ paused >= 0.97"
  echo "run time: $(($(date +%s) - started)) s"
} | report_to_results

# The rows of the table (bench/table.py).
for sys in pgqpp pgq; do
  for mode in lib poll; do
    emit "latency_${mode}_p50" "$sys" "$(field p50_ms "$sys" "$mode")" ms
    emit "latency_${mode}_p99" "$sys" "$(field p99_ms "$sys" "$mode")" ms
  done
  emit ticker_cpu_load "$sys" "${CPU_LOAD[$sys]}" "% core"
  emit ticker_cpu_idle "$sys" "${CPU_IDLE[$sys]}" "% core"
  emit ticker_cpu_saturated "$sys" "${CPU_SATURATED[$sys]}" "% core"
  emit insert_single_ticking "$sys" "$(insert_field running_tps "$sys")" tx/s
  emit insert_single_alone "$sys" "$(insert_field paused_tps "$sys")" tx/s
  emit insert_ticking_ratio "$sys" "$(insert_field ratio "$sys")" "running ÷ paused"
done
emit latency_listen_p50 pgqpp "$(field p50_ms pgqpp listen)" ms
emit latency_listen_p99 pgqpp "$(field p99_ms pgqpp listen)" ms
emit latency_pooler_p50 pgqpp "$(field p50_ms pgqpp pooler)" ms
emit latency_pooler_p99 pgqpp "$(field p99_ms pgqpp pooler)" ms
for mode in lib poll listen pooler; do
  emit "latency_${mode}_p50" raw "$(field p50_ms pgqpp notify)" ms
  emit "latency_${mode}_p99" raw "$(field p99_ms pgqpp notify)" ms
done
