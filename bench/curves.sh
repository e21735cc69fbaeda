#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Cost curves (part "curves" of `make bench`): what one ticker costs as the
# number of queues and of databases it serves grows, for pgqpp with
# `pgqpp ticker` and for PgQ 3.5 with Debian's pgqd, on one cluster, in one
# run. Each point is measured in this run; bench/curves_chart.sh draws the
# charts from the rows.
#
#   BUILD=build bench/curves.sh    (alone: starts its own throwaway cluster)
#   make bench                     (bench/all.sh: on the run's shared cluster)
#
# Queues in one database (CURVES_QUEUES, default "10 100 1000 10000"; the
# queues are added to one database point by point): for each point
#   cpu idle      the daemon and its backends, % of one core, nothing produced
#   cpu load      the same while CURVES_RATE (100) events/s go in: 90 % of
#                 them spread at random over all the queues (pgbench -R), 10 %
#                 into q1 where the latency probe (bench/latency_probe.cpp)
#                 reads them: libpgqpp's Consumer on pgqpp, plain SQL polling
#                 next_batch every millisecond on PgQ 3.5 (which sends no
#                 wake-up)
#   p50, p99      that probe's commit-to-consumer latency, ms
#   memory        private memory (RssAnon) of the daemon and of its backends
#                 at the end of the load phase, MB: what the queue count
#                 costs in the catalog and relation caches
#   ticker ms     one `select pgq.ticker()` with the daemon paused (median of
#                 3), ms: the full tick every idle period pays, in a fresh
#                 session (its catalog and relation caches cold)
#   ticker warm   the same in a session that has called it before (median of
#                 3 calls after one), ms: what a daemon's long-lived
#                 connection pays; the report gives PgQ 3.5's time over
#                 pgqpp's for both (above 1: pgqpp is cheaper)
# Consumers on one queue (CURVES_CONSUMERS, default "1 10 100"): that many
# libpgqpp Consumers (bench/latency_probe.cpp, one thread and connection
# each) reading every event of one queue at CURVES_RATE events/s: latency
# p50/p99 over every (event, consumer) pair, and the whole server's CPU
# (postmaster and every child: producer, consumers, daemon) per delivered
# event, µs. On PgQ 3.5 the Consumer polls every second (no wake-up), so its
# latency is the poll interval's.
# Databases served by one daemon (CURVES_DATABASES, default "1 10 100"):
# that many databases with the extension and one queue each; the daemon's
# idle CPU and its connections (pg_stat_activity).
# PgQ 3.5's queue points stop at CURVES_PGQ_MAX_QUEUES (10000): creating
# PgQ's queues is the slow part of the run, not what is measured.
#
# Knobs: CURVES_QUEUES, CURVES_CONSUMERS, CURVES_DATABASES, CURVES_RATE (100),
# CURVES_SECONDS (10) per phase, CURVES_SYSTEMS ("pgqpp pgq"),
# CURVES_PGQ_MAX_QUEUES; the cluster and the output as bench/lib/common.sh
# says (report: $BENCH_RESULTS_DIR/curves.txt; points: curves.points, in
# the form of the parts' .tsv rows with the point in the row's name, e.g.
# queues_1000_cpu_load; chart: curves.svg). Targets are reported, never
# asserted.
part=curves
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

queue_points=${CURVES_QUEUES:-10 100 1000 10000}
db_points=$CURVES_DATABASE_POINTS
consumer_points=${CURVES_CONSUMERS:-1 10 100}
rate=${CURVES_RATE:-100}
seconds=${CURVES_SECONDS:-10}
systems=${CURVES_SYSTEMS:-pgqpp pgq}
pgq_max_queues=${CURVES_PGQ_MAX_QUEUES:-10000}
probe=$build/bench/latency_probe
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp" /usr/bin/pgqd /usr/bin/pgbench; do
  [ -x "$tool" ] || die "$tool is missing (make build; apt-get install pgqd postgresql-15)"
done
probe_rate=$((rate / 10 > 0 ? rate / 10 : 1))
spread_rate=$((rate - probe_rate))

# Room for the largest database point (bench/lib/common.sh). On the shared
# cluster of `make bench`, bench/all.sh started it with this already.
BENCH_SERVER_OPTS+=("-c max_connections=$(curves_max_connections)")

bench_begin
# memory_mb: private memory of the daemon and its backends, MB.
memory_mb() {
  local kb=0 p
  for p in $(daemon_pids); do
    [ -r "/proc/$p/status" ] || continue
    kb=$((kb + $(awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# start_daemon SYS DB...: pgqpp ticker or pgqd serving the databases, once
# it has connected to each; false (and the point failed) when it has not
# within 60 s.
start_daemon() {
  local sys=$1 end=$((SECONDS + 60)) have=
  daemon_start "$@"
  shift
  # Serving: one connection per database.
  until have=$(q postgres "select count(distinct datname) from pg_stat_activity where $daemon_apps" 2>/dev/null) &&
    [ "$have" -ge "$#" ]; do
    if [ "$SECONDS" -ge "$end" ]; then
      point_failed "the $sys daemon connected to ${have:-?} of $# databases in 60 s"
      return 1
    fi
    sleep 0.1
  done
  sleep 2
}
on_exit stop_daemon

# add_queues DB FROM TO: creates queues qFROM..qTO, 500 per transaction.
add_queues() {
  q "$1" "do \$\$ begin for i in $2..$3 loop perform pgq.create_queue('q' || i);
            if i % 500 = 0 then commit; end if; end loop; end \$\$" >/dev/null
}

# A point that cannot be measured (PgQ 3.5's pgq.ticker() out of shared
# memory at 10,000 queues, consumers that cannot keep up) is reported as
# failed, with why, and the run goes on: point_failed WHY notes it in
# $work/point_failed (the measuring functions run in $(...) subshells),
# take_failure KEY moves it into FAILED[KEY] and succeeds when there was one.
declare -A FAILED
point_failed() { echo "$*" >"$work/point_failed"; say "   failed: $*"; }
take_failure() {
  [ -e "$work/point_failed" ] || return 1
  FAILED[$1]=$(cat "$work/point_failed")
  rm -f "$work/point_failed"
}

# load_phase SYS DB QUEUES: the spread producer and the probe at once;
# leaves the probe's line in $work/probe.
load_phase() {
  local sys=$1 db=$2 n=$3 mode=lib
  [ "$sys" = pgq ] && mode=poll
  printf '%s\n' "\\set r random(1, $n)" "select pgq.insert_event('q' || :r, 'curve', 'x');" >"$work/spread.sql"
  pgbench -n -M prepared -c 1 -R "$spread_rate" -T "$seconds" -f "$work/spread.sql" "$db" \
    >"$work/pgbench.log" 2>&1 &
  local bench=$!
  if ! "$probe" "$(conninfo "$db")" q1 curve_probe "$mode" "$probe_rate" "$seconds" >"$work/probe" 2>"$work/probe.err"; then
    cat "$work/probe" "$work/probe.err" >&2
    point_failed "latency probe: $(tail -1 "$work/probe.err")"
  fi
  wait "$bench" || point_failed "pgbench: $(grep -m1 ERROR "$work/pgbench.log" || tail -1 "$work/pgbench.log")"
}
field() { grep -o "$1=[0-9.-]*" "$work/probe" | cut -d= -f2; }

# ticker_ms DB: one pgq.ticker() with the daemon paused, median of 3.
ticker_ms() {
  local i t=() ms out
  kill -STOP "$daemon_pid"
  for i in 1 2 3; do
    if ! out=$(timed "$1" "select pgq.ticker()" 2>"$work/ticker.err"); then
      kill -CONT "$daemon_pid"
      point_failed "pgq.ticker(): $(grep -m1 ERROR "$work/ticker.err")"
      return
    fi
    read -r ms _ <<<"$out"
    t+=("$ms")
  done
  kill -CONT "$daemon_pid"
  echo "${t[*]}" | median
}

# ticker_warm_ms DB: pgq.ticker() in a session that has run it once, the
# daemon paused: median of the next 3 calls, ms (psql's \timing).
ticker_warm_ms() {
  local out
  kill -STOP "$daemon_pid"
  out=$(printf '%s\n' '\o /dev/null' 'select pgq.ticker();' '\timing on' \
    'select pgq.ticker();' 'select pgq.ticker();' 'select pgq.ticker();' |
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" 2>&1) ||
    { kill -CONT "$daemon_pid"; point_failed "pgq.ticker(): $(grep -m1 ERROR <<<"$out")"; return; }
  kill -CONT "$daemon_pid"
  awk '/^Time: / { print $2 }' <<<"$out" | median
}

# ratio A B: A ÷ B with two decimals and "×", or "-" when either is missing.
ratio() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f×\n", a / b }'
}

# row SYS NAME VALUE UNIT: one point, into $points (the rows of
# bench/table.py's form, in a file of their own: the curves have their own
# report and chart, not rows of the table).
declare -A ROW
points=$BENCH_RESULTS_DIR/curves.points
: >"$points"
# cell KEY: a measured value, or "-" for one not measured (a failed point).
cell() { echo "${ROW[$1]:--}"; }
row() {
  ROW[$1_$2]=$3
  printf '%s\t%s\t%s\t%s\t%s\n' "$part" "$2" "$1" "$3" "$4" >>"$points"
}

# ------------------------------------------------------------ queue curve ---
for sys in $systems; do
  db=curves_$sys
  bench_createdb "$db" "$([ "$sys" = pgq ] && echo pgq || echo pgqpp)"
  have=0
  for n in $queue_points; do
    if [ "$sys" = pgq ] && [ "$n" -gt "$pgq_max_queues" ]; then continue; fi
    say "== $sys, $n queues"
    t0=$(date +%s)
    add_queues "$db" $((have + 1)) "$n"
    have=$n
    say "   created in $(($(date +%s) - t0)) s"
    start_daemon "$sys" "$db" || die "$(cat "$work/point_failed")"
    row "$sys" "queues_${n}_cpu_idle" "$(cpu_during sleep "$seconds")" "% core"
    load=$(cpu_during load_phase "$sys" "$db" "$n")
    if ! take_failure "$sys queues $n load"; then
      row "$sys" "queues_${n}_cpu_load" "$load" "% core"
      row "$sys" "queues_${n}_p50" "$(field p50_ms)" ms
      row "$sys" "queues_${n}_p99" "$(field p99_ms)" ms
    fi
    row "$sys" "queues_${n}_memory" "$(memory_mb)" MB
    ms=$(ticker_ms "$db")
    take_failure "$sys queues $n pgq.ticker()" || row "$sys" "queues_${n}_ticker" "$ms" ms
    ms=$(ticker_warm_ms "$db")
    take_failure "$sys queues $n pgq.ticker() warm" || row "$sys" "queues_${n}_ticker_warm" "$ms" ms
    say "   idle $(cell "${sys}_queues_${n}_cpu_idle")%, load $(cell "${sys}_queues_${n}_cpu_load")%," \
      "p50 $(cell "${sys}_queues_${n}_p50") ms, p99 $(cell "${sys}_queues_${n}_p99") ms," \
      "memory $(cell "${sys}_queues_${n}_memory") MB, pgq.ticker() $(cell "${sys}_queues_${n}_ticker") ms" \
      "(warm $(cell "${sys}_queues_${n}_ticker_warm") ms)"
    stop_daemon
  done
  dropdb_quietly "$db"
done

# --------------------------------------------------------- consumer curve ---
for sys in $systems; do
  db=curves_${sys}_c
  bench_createdb "$db" "$([ "$sys" = pgq ] && echo pgq || echo pgqpp)"
  q "$db" "select pgq.create_queue('q1')" >/dev/null
  start_daemon "$sys" "$db" || die "$(cat "$work/point_failed")"
  for n in $consumer_points; do
    say "== $sys, $n consumers"
    before=$(server_ticks)
    if ! "$probe" "$(conninfo "$db")" q1 curve_c lib "$rate" "$seconds" "$n" >"$work/probe" 2>"$work/probe.err"; then
      point_failed "$(tail -1 "$work/probe.err"); $(cat "$work/probe")"
      take_failure "$sys consumers $n"
      continue
    fi
    after=$(server_ticks)
    events=$(grep -o 'events=[0-9]*' "$work/probe" | cut -d= -f2)
    row "$sys" "consumers_${n}_p50" "$(field p50_ms)" ms
    row "$sys" "consumers_${n}_p99" "$(field p99_ms)" ms
    row "$sys" "consumers_${n}_cpu" "$(awk -v d="$((after - before))" -v hz="$ticks_per_sec" -v e="$events" \
      'BEGIN { printf "%.1f", (e > 0 ? 1e6 * (d / hz) / e : 0) }')" "µs/event"
    say "   p50 ${ROW[${sys}_consumers_${n}_p50]} ms, p99 ${ROW[${sys}_consumers_${n}_p99]} ms," \
      "server CPU ${ROW[${sys}_consumers_${n}_cpu]} µs per delivered event"
  done
  stop_daemon
  dropdb_quietly "$db"
done

# --------------------------------------------------------- database curve ---
for sys in $systems; do
  dbs=()
  for n in $db_points; do
    say "== $sys, $n databases"
    for ((i = ${#dbs[@]} + 1; i <= n; i++)); do
      bench_createdb "curves_${sys}_db$i" "$([ "$sys" = pgq ] && echo pgq || echo pgqpp)"
      q "curves_${sys}_db$i" "select pgq.create_queue('q1')" >/dev/null
      dbs+=("curves_${sys}_db$i")
    done
    if ! start_daemon "$sys" "${dbs[@]}"; then
      take_failure "$sys databases $n"
      stop_daemon
      continue
    fi
    idle=$(cpu_during sleep "$seconds")
    # A daemon that needs more connections than the server allows takes
    # them all (the query below then cannot connect) and keeps retrying:
    # its CPU and memory would describe that, not serving n databases.
    if conns=$(q postgres "select count(*) from pg_stat_activity where $daemon_apps" 2>"$work/conns.err"); then
      row "$sys" "databases_${n}_cpu_idle" "$idle" "% core"
      row "$sys" "databases_${n}_connections" "$conns" connections
      row "$sys" "databases_${n}_memory" "$(memory_mb)" MB
      say "   idle ${ROW[${sys}_databases_${n}_cpu_idle]}%, ${ROW[${sys}_databases_${n}_connections]} connections," \
        "memory ${ROW[${sys}_databases_${n}_memory]} MB"
    else
      point_failed "$(grep -m1 -o 'FATAL:.*' "$work/conns.err") (the daemon took every connection; max_connections $(grep -o 'max_connections=[0-9]*' <<<"${BENCH_SERVER_OPTS[*]}" | cut -d= -f2))"
      take_failure "$sys databases $n"
    fi
    stop_daemon
  done
  for db in "${dbs[@]}"; do dropdb_quietly "$db"; done
done

# ---------------------------------------------------------------- report ---
{
  echo "pgqpp cost curves $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision)"
  machine_line
  echo "load: $rate ev/s ($spread_rate spread over all queues by pgbench -R, $probe_rate into q1 read by the latency probe); ${seconds}s phases"
  echo "CPU: the daemon and its backends, % of one core; memory: their private memory (RssAnon), MB"
  echo
  fmt='%-8s %-7s %9s %9s %9s %9s %9s %11s %11s\n'
  # shellcheck disable=SC2059
  printf "$fmt" queues system "CPU idle" "CPU load" "p50 ms" "p99 ms" "memory MB" "ticker() ms" "warm ms"
  for n in $queue_points; do
    for sys in $systems; do
      [ -n "${ROW[${sys}_queues_${n}_cpu_idle]:-}" ] || continue
      # shellcheck disable=SC2059
      printf "$fmt" "$n" "$sys" "$(cell "${sys}_queues_${n}_cpu_idle")" "$(cell "${sys}_queues_${n}_cpu_load")" \
        "$(cell "${sys}_queues_${n}_p50")" "$(cell "${sys}_queues_${n}_p99")" \
        "$(cell "${sys}_queues_${n}_memory")" "$(cell "${sys}_queues_${n}_ticker")" \
        "$(cell "${sys}_queues_${n}_ticker_warm")"
    done
  done
  for n in $queue_points; do
    [ -n "${ROW[pgq_queues_${n}_ticker]:-}" ] && [ -n "${ROW[pgqpp_queues_${n}_ticker]:-}" ] || continue
    echo "pgq.ticker() at $n queues, PgQ 3.5's time ÷ pgqpp's (>= 1: pgqpp as cheap or cheaper):" \
      "fresh session $(ratio "${ROW[pgq_queues_${n}_ticker]}" "${ROW[pgqpp_queues_${n}_ticker]}")," \
      "warm $(ratio "${ROW[pgq_queues_${n}_ticker_warm]}" "${ROW[pgqpp_queues_${n}_ticker_warm]}")"
  done
  echo
  fmt='%-9s %-7s %9s %9s %20s\n'
  # shellcheck disable=SC2059
  printf "$fmt" consumers system "p50 ms" "p99 ms" "server CPU µs/event"
  for n in $consumer_points; do
    for sys in $systems; do
      # shellcheck disable=SC2059
      printf "$fmt" "$n" "$sys" "$(cell "${sys}_consumers_${n}_p50")" "$(cell "${sys}_consumers_${n}_p99")" \
        "$(cell "${sys}_consumers_${n}_cpu")"
    done
  done
  echo
  fmt='%-9s %-7s %9s %12s %9s\n'
  # shellcheck disable=SC2059
  printf "$fmt" databases system "CPU idle" "connections" "memory MB"
  for n in $db_points; do
    for sys in $systems; do
      # shellcheck disable=SC2059
      printf "$fmt" "$n" "$sys" "$(cell "${sys}_databases_${n}_cpu_idle")" \
        "$(cell "${sys}_databases_${n}_connections")" "$(cell "${sys}_databases_${n}_memory")"
    done
  done
  echo
  for key in "${!FAILED[@]}"; do echo "failed: $key: ${FAILED[$key]}"; done | sort
  echo "latency, queue curve: pgqpp with libpgqpp's Consumer (ticker wake-up), PgQ 3.5 with plain SQL polling every 1 ms;"
  echo "  consumer curve: libpgqpp's Consumer on both (it polls every 1 s on PgQ 3.5, which sends no wake-up)"
  echo "run time: $(($(date +%s) - started)) s"
} | report_to_results
python3 "$root/bench/curves_chart.py" "$points" "$BENCH_RESULTS_DIR/curves.svg"
