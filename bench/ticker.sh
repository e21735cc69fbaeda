#!/usr/bin/env bash
# Ticker benchmark (part of `make bench`): end-to-end latency at 100 events/s
# with 1,000 queues in the database, CPU of the daemon plus the server work it
# causes (at 100 ev/s and idle), and insert throughput with and without the
# daemon, for `pgqpp ticker` (wake-up path) and Debian's pgqd, on one
# throwaway cluster (pgqpp preloaded) in one run.
#
#   BUILD=build bench/ticker.sh
# Knobs: TICKER_BENCH_SECONDS (10) per latency/CPU phase, TICKER_BENCH_QUEUES
# (1000), TICKER_BENCH_RATE (100 ev/s), BENCH_RESULTS (default
# $BUILD/bench-ticker-results.txt). Targets are reported, never asserted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"
seconds=${TICKER_BENCH_SECONDS:-10}
queues=${TICKER_BENCH_QUEUES:-1000}
rate=${TICKER_BENCH_RATE:-100}
results=${BENCH_RESULTS:-$build/bench-ticker-results.txt}
probe=$build/bench/latency_probe
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp" /usr/bin/pgqd /usr/bin/pgbench; do
  [ -x "$tool" ] || { echo "ticker bench: $tool is missing (make build; apt-get install pgqd postgresql-15)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/pgqpp-tbench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/cluster"
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  pg_stop "$work/cluster/data"
  rm -rf "$work"
}
trap cleanup EXIT

pg_stage "$work/stage" "$build"
port=$(free_port)
pg_start "$work/cluster/data" "$port" "-c shared_preload_libraries=pgqpp" "-c synchronous_commit=off" \
  "-c autovacuum=off"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=tbench
conninfo="host=127.0.0.1 port=$port user=postgres dbname=tbench"
psql -X -q -d postgres -c "create database tbench"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
q "create extension pgqpp"
# One transaction per queue: each takes locks on its new tables.
q "do \$\$ begin for i in 1..$queues loop perform pgq.create_queue('q' || i); commit; end loop; end \$\$"
q "create table plain_events (like pgq.event_template including defaults)"
q "create index on plain_events (ev_txid)"
echo "cluster ready: $queues queues; latency and CPU phases of ${seconds}s at $rate ev/s"

# CPU ticks (user+system) of the daemon and of the server backends serving
# it (found by application_name), i.e. the daemon plus the server work it
# causes; the probe's producer and consumer backends are not counted.
ticks_per_sec=$(getconf CLK_TCK)
cpu_seconds() {
  local total=0 p pids
  pids=$(psql -X -At -d postgres -c "select pid from pg_stat_activity
           where application_name like 'pgqpp ticker%' or application_name = 'pgqd_bench'")
  for p in $pids ${daemon_pid:-}; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# cpu_percent CMD...: runs CMD, prints the % of one core used meanwhile.
cpu_during() {
  local before after t0 t1
  before=$(cpu_seconds); t0=$(date +%s%N)
  "$@"
  after=$(cpu_seconds); t1=$(date +%s%N)
  awk -v d="$((after - before))" -v hz="$ticks_per_sec" -v ns="$((t1 - t0))" \
    'BEGIN { printf "%.1f", 100 * (d / hz) / (ns / 1e9) }'
}
idle() { sleep "$seconds"; }
probe_run() { "$probe" "$conninfo" q1 "probe_$1" "$1" "$rate" "$seconds" >"$work/probe_$2" 2>&1; }
field() { grep -o "$1=[0-9.]*" "$work/probe_$2" | cut -d= -f2; }
insert_tps() {
  echo "select pgq.insert_event('q2', 'bench', repeat('x', 100));" >"$work/insert.sql"
  pgbench -n -M prepared -c 4 -j 2 -T 5 -f "$work/insert.sql" tbench 2>/dev/null |
    awk '/^tps/ {print int($3)}'
}

report=()
run_side() { # run_side NAME START_CMD
  local name=$1
  echo "== $name"
  cpu_idle=$(cpu_during idle)
  cpu_load=$(cpu_during probe_run listen "${name}_listen")
  probe_run poll "${name}_poll"
  tps=$(insert_tps)
  report+=("$(printf '%-14s %10s %10s %10s %10s %9s%% %9s%% %10s' "$name" \
    "$(field p50_ms "${name}_listen")" "$(field p99_ms "${name}_listen")" \
    "$(field p50_ms "${name}_poll")" "$(field p99_ms "${name}_poll")" "$cpu_load" "$cpu_idle" "$tps")")
}

# --- no daemon: the insert baseline ---
base_tps=$(insert_tps)
echo "insert_event tps without a daemon: $base_tps"

# --- pgqpp ticker, default settings ---
"$pgqpp" ticker -q --syslog 0 --database tbench --base-connstr "host=127.0.0.1 port=$port user=postgres" &
daemon_pid=$!
sleep 2
run_side "pgqpp ticker"
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=

# --- Debian's pgqd, default settings ---
cat >"$work/pgqd.ini" <<EOF
[pgqd]
base_connstr = host=127.0.0.1 port=$port user=postgres application_name=pgqd_bench
database_list = tbench
logfile = $work/pgqd.log
pidfile = $work/pgqd.pid
syslog = 0
EOF
/usr/bin/pgqd -q "$work/pgqd.ini" &
daemon_pid=$!
sleep 2
run_side "pgqd"
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=

{
  echo "ticker benchmark: $queues queues, $rate ev/s to one of them, ${seconds}s phases,"
  echo "synchronous_commit=off, pgqpp in shared_preload_libraries; latency = consumer sees it - producer before commit"
  printf '%-14s %10s %10s %10s %10s %10s %10s %10s\n' daemon "listen p50" "listen p99" "poll1ms p50" "poll1ms p99" \
    "CPU@${rate}/s" "CPU idle" "insert tps"
  for line in "${report[@]}"; do echo "$line"; done
  printf '%-14s %10s %10s %10s %10s %10s %10s %10s\n' "no daemon" - - - - - - "$base_tps"
  echo "targets (pgqpp ticker): p50 <= 2 ms, p99 <= 10 ms; CPU <= 10 % at $rate ev/s, < 1 % idle;"
  echo "insert tps with the daemon >= 0.97 x without (CPU: % of one core, daemon + all server processes)"
} | tee "$results"
