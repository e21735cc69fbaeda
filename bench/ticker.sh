#!/usr/bin/env bash
# The ticker (part "ticker" of `make bench`): end-to-end latency at 100
# events/s with 1,000 queues in the database, CPU of the daemon plus the
# server work it causes (at 100 ev/s and idle), and insert throughput with
# and without the daemon, for pgqpp with `pgqpp ticker` (wake-up path) and
# for PgQ 3.5 with Debian's pgqd, each in its own database of one cluster,
# in one run.
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
# CPU: user+system time of the daemon and of the server backends serving it
# (found by application_name), as % of one core; the probe's own backends
# are not counted. "At 100 ev/s" is measured during the lib phase.
#
# Knobs: TICKER_BENCH_SECONDS (10) per phase, TICKER_BENCH_QUEUES (1000),
# TICKER_BENCH_RATE (100 ev/s), TICKER_BENCH_TPS_SECONDS (5) per pgbench run;
# the cluster and the output as
# bench/lib/common.sh says (report: $BENCH_RESULTS_DIR/ticker.txt, rows:
# ticker.tsv). Targets are reported, never asserted.
part=ticker
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

seconds=${TICKER_BENCH_SECONDS:-10}
queues=${TICKER_BENCH_QUEUES:-1000}
rate=${TICKER_BENCH_RATE:-100}
tps_seconds=${TICKER_BENCH_TPS_SECONDS:-5}
BENCH_RESULTS=$BENCH_RESULTS_DIR/$part.txt
probe=$build/bench/latency_probe
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp" /usr/bin/pgqd /usr/bin/pgbench; do
  [ -x "$tool" ] || die "$tool is missing (make build; apt-get install pgqd postgresql-15)"
done

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_work
bench_cluster
declare -A DBS=([pgqpp]=tbench [pgq]=tbench_pgq)
conninfo_of() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=${DBS[$1]}"; }
for sys in pgqpp pgq; do
  db=${DBS[$sys]}
  bench_createdb "$db" "$([ "$sys" = pgq ] && echo pgq || echo pgqpp)"
  # One transaction per queue: each takes locks on its new tables.
  sql "$db" "do \$\$ begin for i in 1..$queues loop perform pgq.create_queue('q' || i); commit; end loop; end \$\$"
done
say "cluster ready: $queues queues in ${DBS[pgqpp]} (pgqpp) and ${DBS[pgq]} (PgQ 3.5); phases of ${seconds}s at $rate ev/s"

# cpu_ticks: CPU ticks (user+system) of the daemon and of the backends
# serving it.
ticks_per_sec=$(getconf CLK_TCK)
daemon_pid=
cpu_ticks() {
  local total=0 p pids
  pids=$(sql postgres "select pid from pg_stat_activity
           where application_name like 'pgqpp ticker%' or application_name = 'pgqd_bench'")
  for p in $pids ${daemon_pid:-}; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# cpu_during CMD...: runs CMD, prints the % of one core the daemon used meanwhile.
cpu_during() {
  local before after t0 t1
  before=$(cpu_ticks); t0=$(date +%s%N)
  "$@"
  after=$(cpu_ticks); t1=$(date +%s%N)
  awk -v d="$((after - before))" -v hz="$ticks_per_sec" -v ns="$((t1 - t0))" \
    'BEGIN { printf "%.2f", 100 * (d / hz) / (ns / 1e9) }'
}
idle() { sleep "$seconds"; }
# probe SYS MODE: one latency run into q1 of SYS's database; its line in $work/probe_SYS_MODE.
probe() {
  local out="$work/probe_$1_$2"
  "$probe" "$(conninfo_of "$1")" "$([ "$2" = notify ] && echo latency_probe || echo q1)" "probe_$2" "$2" \
    "$rate" "$seconds" >"$out" 2>"$out.err" || { cat "$out" "$out.err" >&2; die "latency probe $1 $2 failed"; }
  say "   $1 $2: $(cat "$out") $(cat "$out.err")"
}
field() { grep -o "$1=[0-9.-]*" "$work/probe_$2_$3" | cut -d= -f2; }
# insert_tps SYS: pgbench, 4 clients, insert_event of 100 bytes into q2.
insert_tps() {
  echo "select pgq.insert_event('q2', 'bench', repeat('x', 100));" >"$work/insert.sql"
  pgbench -n -M prepared -c 4 -j 2 -T "$tps_seconds" -f "$work/insert.sql" "${DBS[$1]}" 2>/dev/null |
    awk '/^tps/ {print int($3)}'
}
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  kill "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}
on_exit stop_daemon

declare -A CPU_IDLE CPU_LOAD TPS TPS_ALONE

# --- no daemon: the inserts alone, and the raw LISTEN/NOTIFY baseline ---
say "== no daemon"
for sys in pgqpp pgq; do TPS_ALONE[$sys]=$(insert_tps "$sys"); done
probe pgqpp notify

# --- pgqpp with `pgqpp ticker`, default settings ---
say "== pgqpp ticker"
"$pgqpp" ticker -q --syslog 0 --database "${DBS[pgqpp]}" --base-connstr "host=$PGHOST port=$PGPORT user=$PGUSER" &
daemon_pid=$!
sleep 2
CPU_IDLE[pgqpp]=$(cpu_during idle)
CPU_LOAD[pgqpp]=$(cpu_during probe pgqpp lib)
probe pgqpp listen
probe pgqpp poll
TPS[pgqpp]=$(insert_tps pgqpp)
stop_daemon

# --- PgQ 3.5 with Debian's pgqd, default settings ---
say "== pgqd"
cat >"$work/pgqd.ini" <<EOF
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER application_name=pgqd_bench
database_list = ${DBS[pgq]}
logfile = $work/pgqd.log
pidfile = $work/pgqd.pid
syslog = 0
EOF
/usr/bin/pgqd -q "$work/pgqd.ini" &
daemon_pid=$!
sleep 2
CPU_IDLE[pgq]=$(cpu_during idle)
CPU_LOAD[pgq]=$(cpu_during probe pgq lib)
probe pgq poll
TPS[pgq]=$(insert_tps pgq)
stop_daemon

# ---------------------------------------------------------------- report ---
{
  echo "pgqpp ticker benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "$queues queues per database, $rate ev/s into one of them, ${seconds}s phases; $(sql postgres "show synchronous_commit" | sed 's/^/synchronous_commit=/'), shared_preload_libraries=$(sql postgres "show shared_preload_libraries")"
  echo "latency = consumer has the event in hand - the producer's commit returned (ms); CPU = daemon + its backends, % of one core"
  echo
  fmt='%-26s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n'
  # shellcheck disable=SC2059
  printf "$fmt" system "lib p50" "lib p99" "listen p50" "listen p99" "poll p50" "poll p99" \
    "CPU@${rate}/s" "CPU idle" "insert tps" "tps alone"
  # shellcheck disable=SC2059
  printf "$fmt" "pgqpp + pgqpp ticker" "$(field p50_ms pgqpp lib)" "$(field p99_ms pgqpp lib)" \
    "$(field p50_ms pgqpp listen)" "$(field p99_ms pgqpp listen)" "$(field p50_ms pgqpp poll)" \
    "$(field p99_ms pgqpp poll)" "${CPU_LOAD[pgqpp]}%" "${CPU_IDLE[pgqpp]}%" "${TPS[pgqpp]}" "${TPS_ALONE[pgqpp]}"
  # shellcheck disable=SC2059
  printf "$fmt" "PgQ 3.5 + pgqd" "$(field p50_ms pgq lib)" "$(field p99_ms pgq lib)" - - \
    "$(field p50_ms pgq poll)" "$(field p99_ms pgq poll)" "${CPU_LOAD[pgq]}%" "${CPU_IDLE[pgq]}%" "${TPS[pgq]}" "${TPS_ALONE[pgq]}"
  # shellcheck disable=SC2059
  printf "$fmt" "raw LISTEN/NOTIFY" "$(field p50_ms pgqpp notify)" "$(field p99_ms pgqpp notify)" - - - - - - - -
  echo
  echo "lib: libpgqpp Consumer (wake-up on pgqpp; polls every 1 s on PgQ 3.5); listen: plain SQL woken by the tick NOTIFY;"
  echo "poll: plain SQL, next_batch every 1 ms; raw: trigger pg_notify on a plain table, LISTENing client (no queue)"
  echo "insert tps: pgbench -c 4 insert_event, ${tps_seconds} s, with the daemon running / without it"
  echo "targets (pgqpp ticker): p50 <= 2 ms, p99 <= 10 ms; CPU <= 10 % at $rate ev/s, < 1 % idle; insert tps with the daemon >= 0.97 x without"
  echo "run time: $(($(date +%s) - started)) s"
} | tee "$BENCH_RESULTS"
say "results written to $BENCH_RESULTS"

# The rows of the table (bench/table.py).
for sys in pgqpp pgq; do
  for mode in lib poll; do
    emit "latency_${mode}_p50" "$sys" "$(field p50_ms "$sys" "$mode")" ms
    emit "latency_${mode}_p99" "$sys" "$(field p99_ms "$sys" "$mode")" ms
  done
  emit ticker_cpu_load "$sys" "${CPU_LOAD[$sys]}" "% core"
  emit ticker_cpu_idle "$sys" "${CPU_IDLE[$sys]}" "% core"
  emit insert_single_ticking "$sys" "${TPS[$sys]}" tx/s
  emit insert_single_alone "$sys" "${TPS_ALONE[$sys]}" tx/s
done
emit latency_listen_p50 pgqpp "$(field p50_ms pgqpp listen)" ms
emit latency_listen_p99 pgqpp "$(field p99_ms pgqpp listen)" ms
for mode in lib poll listen; do
  emit "latency_${mode}_p50" raw "$(field p50_ms pgqpp notify)" ms
  emit "latency_${mode}_p99" raw "$(field p99_ms pgqpp notify)" ms
done
