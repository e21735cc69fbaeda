# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# Shared by every benchmark script (bench/run.sh, triggers.sh, consume.sh,
# ticker.sh, curves.sh, delayed.sh, load.sh, produce.sh, search_path.sh, ...) and by
# bench/all.sh. Source it after setting `part`.
#
# The cluster: with PGQPP_BENCH_CLUSTER=env a part runs on the cluster the
# PG* variables name (bench/all.sh starts one and hands it to every part, as
# tests/run-all.sh does for integration tests); otherwise the part starts a
# throwaway cluster of its own with the same settings. The opt-in is explicit
# so that a PGHOST left in a shell never points a benchmark at a real server.
#
# The output: every part appends its figures to $BENCH_RESULTS_DIR/PART.tsv,
# one row per figure, `part<TAB>metric<TAB>system<TAB>value<TAB>unit`
# (system: pgqpp, pgq for PgQ 3.5, raw for plain PostgreSQL), and writes its
# human-readable report to PART.txt next to it; bench/table.py turns the rows
# into the table.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
# shellcheck source=tests/lib/cluster.sh
. "$root/tests/lib/cluster.sh"
# shellcheck source=tests/lib/testlib.sh
. "$root/tests/lib/testlib.sh"  # q DB SQL..., wait_for, fail

BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$build/bench-results}
mkdir -p "$BENCH_RESULTS_DIR"
BENCH_RESULTS_DIR=$(cd "$BENCH_RESULTS_DIR" && pwd)

# The server settings of every benchmark cluster, beyond pg_start's fsync=off
# and max_connections=120.
BENCH_SERVER_OPTS=(
  "-c shared_preload_libraries=pgqpp"  # the production setup: the ticker's wake-up path is on
  "-c synchronous_commit=off"  # commits do not wait for the WAL flush: CPU cost, not disk
  "-c autovacuum=off"          # no vacuum or analyze starts in the middle of a measurement
  "-c shared_buffers=512MB"    # every table of the run stays in memory
  "-c max_wal_size=4GB"        # no checkpoint starts during a run (one is taken before each)
  "-c checkpoint_timeout=1h"
  "-c max_parallel_workers_per_gather=0"  # one process per query: batch reads run through SPI
)

# part: the benchmark's name, set by the script that sources this file.
die() { echo "bench ${part:?}: $*" >&2; exit 1; }
say() { echo "$@" >&2; }

# median: the median of the numbers on standard input (space or newline separated).
median() {
  tr ' ' '\n' | grep . | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# order ROUND SIDE...: the sides, reversed in odd rounds, so that load from
# elsewhere hits every side alike.
order() {
  local round=$1
  shift
  if ((round % 2 == 0)); then echo "$@"; else printf '%s\n' "$@" | tac | paste -sd' '; fi
}

# emit METRIC SYSTEM VALUE UNIT: one machine-readable row of this part.
emit() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$part" "$1" "$2" "$3" "$4" >>"$BENCH_RESULTS_DIR/$part.tsv"
}

# on_exit CMD...: runs CMD when the part exits (in reverse order of
# registration), even after a failure.
_bench_exit_cmds=()
on_exit() { _bench_exit_cmds=("$*" "${_bench_exit_cmds[@]}"); }
_bench_exit() {
  local c
  for c in "${_bench_exit_cmds[@]}"; do eval "$c" || true; done
}
trap _bench_exit EXIT
trap 'exit 130' INT TERM

# bench_work: a temporary folder the server's user can read, removed at exit
# (KEEP_BENCH_WORK=1 keeps it).
bench_work() {
  work=$(mktemp -d "/tmp/pgqpp-bench-$part.XXXXXX")
  chmod 755 "$work"
  on_exit 'if [ -z "${KEEP_BENCH_WORK:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi'
}

# The database points of the cost curves (bench/curves.sh) and the
# max_connections the largest needs: pgqpp's ticker holds two connections
# per database (pgq.ticker() calls and the wake-up wait), pgqd one, and the
# bench's own sessions come on top (120, the clusters' default, ran out at
# 100 databases for both). bench/all.sh starts its shared cluster with it
# when the run has the curves part (with 120, PgQ 3.5's pgq.ticker() over
# 10,000 queues also ran out of shared memory: the lock table grows with
# max_connections).
CURVES_DATABASE_POINTS=${CURVES_DATABASES:-1 10 100}
curves_max_connections() {
  local most
  most=$(echo "$CURVES_DATABASE_POINTS 0" | tr ' ' '\n' | grep . | sort -n | tail -1)
  echo $((2 * most + 60 > 120 ? 2 * most + 60 : 120))
}

# bench_start_cluster DIR [--without-pgq]: stages the server with pgqpp's
# build output and starts a throwaway cluster under DIR with
# BENCH_SERVER_OPTS; exports PG* for it and stops it at exit. Needs the build
# and, unless --without-pgq, PgQ 3.5 installed.
bench_start_cluster() {
  local dir=$1 f
  for f in "$build/extension/pgqpp.so" "$build/extension/pgqpp.control"; do
    [ -e "$f" ] || die "$f is missing; build first (make)"
  done
  if [ "${2:-}" = --without-pgq ]; then
    pg_stage "$dir/stage" "$build" || die "staging the server failed"
  else
    bench_stage_with_pgq35 "$dir"
  fi
  local port
  port=$(free_port)
  mkdir -p "$dir/cluster"
  bench_data="$dir/cluster/data"
  on_exit 'pg_stop "$bench_data"'
  pg_start "$bench_data" "$port" "${BENCH_SERVER_OPTS[@]}" || die "cannot start the cluster"
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
  unset PGSERVICE PGOPTIONS PGPASSWORD
}

# bench_stage_with_pgq35 DIR: stages the server under DIR/stage, with PgQ
# 3.5's own control file for extension pgq.
bench_stage_with_pgq35() {
  local dir=$1 f pgq_version
  pgq_version=
  for f in "$PG_SHAREDIR"/extension/pgq--3.5*.sql; do
    case "$f" in *--*--*) ;; *) [ -e "$f" ] && pgq_version=$(basename "$f" .sql) && pgq_version=${pgq_version#pgq--} ;; esac
  done
  [ -n "$pgq_version" ] && [ -e "$PG_PKGLIBDIR/pgq_lowlevel.so" ] ||
    die "PgQ 3.5 is not installed (postgresql-15-pgq3; for PG=17/18 scripts/pg-major.sh builds it)"
  pg_stage "$dir/stage" "$build" || die "staging the server failed"
  # `make install EXTENSION_NAME=pgq` replaces the system's pgq.control with
  # pgqpp's; the reference must still be PgQ 3.5, so the stage gets its own.
  local control="$dir/stage/${PG_SHAREDIR#/}/extension/pgq.control"
  if ! grep -q "^default_version = '$pgq_version'" "$control"; then
    rm -f "$control"
    printf '%s\n' "# pgq extension" "comment = 'Generic queue for PostgreSQL'" "default_version = '$pgq_version'" \
      "relocatable = false" "superuser = true" "schema = 'pg_catalog'" >"$control"
    chmod a+r "$control"
    say "note: $PG_SHAREDIR/extension/pgq.control is not PgQ 3.5's (pgqpp installed as pgq?); the staged server uses PgQ 3.5's own"
  fi
}

# bench_cluster: the cluster this part runs on (the caller's with
# PGQPP_BENCH_CLUSTER=env, else a throwaway one under $work); empties this
# part's rows. Sets postmaster (its pid, for CPU accounting).
bench_cluster() {
  : >"$BENCH_RESULTS_DIR/$part.tsv"
  if [ "${PGQPP_BENCH_CLUSTER:-}" = env ]; then
    [ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ] || die "PGQPP_BENCH_CLUSTER=env needs PGHOST and PGPORT"
    export PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-postgres}
  else
    bench_start_cluster "$work"
  fi
  q postgres "select 1" >/dev/null || die "cannot connect to the cluster at $PGHOST:$PGPORT"
  [ "$(q postgres "select rolsuper from pg_roles where rolname = current_user")" = t ] ||
    die "the benchmarks need a superuser (they read /proc through pg_read_file)"
  q postgres "show shared_preload_libraries" | grep -qw pgqpp ||
    say "note: pgqpp is not in shared_preload_libraries: the ticker falls back to polling"
  # shellcheck disable=SC2034  # read by bench/run.sh
  postmaster=$(q postgres "select split_part(pg_read_file('postmaster.pid'), E'\n', 1)")
}

# bench_begin: the start of a part on its cluster: notes the time and the
# load average (started, load_before), names its report (BENCH_RESULTS,
# PART.txt), makes its work folder and takes its cluster (bench_cluster).
# shellcheck disable=SC2034  # started is read by the parts
bench_begin() {
  started=$(date +%s)
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  BENCH_RESULTS=$BENCH_RESULTS_DIR/$part.txt
  bench_work
  bench_cluster
}

# reaped_cpu: CPU seconds of the postmaster's exited children (backends);
# needs bench_cluster's postmaster.
reaped_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($16 + $17) / hz }' "/proc/${postmaster:?}/stat"
}

# The daemon a part measures (bench/ticker.sh, bench/curves.sh):
# daemon_pid is the `pgqpp ticker` or pgqd the part started (daemon_start),
# daemon_apps the SQL condition that finds the backends serving it by
# application_name (pgqd's is set in its base_connstr).
daemon_pid=
daemon_apps="application_name like 'pgqpp ticker%' or application_name = 'pgqd_bench'"
ticks_per_sec=$(getconf CLK_TCK)

# daemon_start SYS DB...: `pgqpp ticker` (SYS pgqpp) or Debian's pgqd (SYS
# pgq) serving the databases with default settings (for `pgqpp ticker`,
# BENCH_TICKER_ARGS adds options, e.g. "--sqlonly-idle-poll 0.01"); sets
# daemon_pid.
daemon_start() {
  local sys=$1 db args=() extra=()
  shift
  if [ "$sys" = pgqpp ]; then
    for db in "$@"; do args+=(--database "$db"); done
    read -r -a extra <<<"${BENCH_TICKER_ARGS:-}"
    args+=("${extra[@]}")
    "$build/cli/pgqpp" ticker -q --syslog 0 "${args[@]}" --base-connstr "host=$PGHOST port=$PGPORT user=$PGUSER" &
  else
    printf '%s\n' "[pgqd]" "base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER application_name=pgqd_bench" \
      "database_list = $(IFS=,; echo "$*")" "logfile = ${work:?}/pgqd.log" "pidfile = $work/pgqd.pid" \
      "syslog = 0" >"$work/pgqd.ini"
    /usr/bin/pgqd -q "$work/pgqd.ini" &
  fi
  daemon_pid=$!
}

# stop_daemon: stops the daemon and waits for it; resumed first, as a run
# cut short may have left it paused (SIGSTOP), and a paused process would
# not act on SIGTERM.
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  kill -CONT "$daemon_pid" 2>/dev/null || true
  kill "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}

# daemon_pids: the daemon and the backends serving it.
daemon_pids() {
  echo "$daemon_pid"
  q postgres "select pid from pg_stat_activity where $daemon_apps"
}

# proc_ticks PID...: CPU ticks (user+system) of those processes still running.
proc_ticks() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# cpu_ticks: CPU ticks of the daemon and of the backends serving it.
# shellcheck disable=SC2046  # one pid per word
cpu_ticks() { proc_ticks $(daemon_pids); }

# cpu_during CMD...: runs CMD; prints the % of one core the daemon used meanwhile.
cpu_during() {
  local before after t0 t1
  before=$(cpu_ticks); t0=$(date +%s%N)
  "$@"
  after=$(cpu_ticks); t1=$(date +%s%N)
  awk -v d="$((after - before))" -v hz="$ticks_per_sec" -v ns="$((t1 - t0))" \
    'BEGIN { printf "%.2f", 100 * (d / hz) / (ns / 1e9) }'
}

# server_ticks: CPU ticks of the postmaster and all its children, those
# that exited included (the postmaster's cutime/cstime hold what it
# reaped); needs bench_cluster's postmaster.
server_ticks() {
  local own
  own=$(awk '{print $14 + $15 + $16 + $17}' "/proc/${postmaster:?}/stat")
  # shellcheck disable=SC2046  # one pid per word
  echo $((own + $(proc_ticks $(ps -o pid= --ppid "$postmaster"))))
}

# backends_gone: waits until every client backend has exited and been reaped,
# so that its CPU time shows in reaped_cpu.
backends_gone() {
  local i
  for ((i = 0; i < 200; i++)); do
    # shellcheck disable=SC2009  # pgrep cannot match on a child's full title and state
    if ! ps --ppid "$postmaster" -o args= | grep -qE '^postgres: postgres |defunct'; then return 0; fi
    sleep 0.05
  done
  die "backends did not exit"
}

# conninfo DB: the libpq connection string of DB on this part's cluster.
conninfo() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }

# machine_line: the CPUs and the load average before (bench_begin) and now.
machine_line() {
  echo "machine: $(nproc) CPUs ($(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1)), load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
}

# report_to_results: standard input into this part's report (and onto stdout).
report_to_results() {
  tee "$BENCH_RESULTS"
  say "results written to $BENCH_RESULTS"
}

# dropdb_quietly DB: drops DB if it exists, without a notice when it does not.
dropdb_quietly() {
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "set client_min_messages = warning" \
    -c "drop database if exists $1 with (force)" >/dev/null
}

# bench_createdb DB EXTENSION: a new database with the extension (pgqpp, or
# pgq for PgQ 3.5), dropped when the part exits.
bench_createdb() {
  local db=$1 ext=$2
  dropdb_quietly "$db"
  q postgres "create database $db" >/dev/null
  on_exit "dropdb_quietly $db"
  q "$db" "create extension $ext" >/dev/null
  if [ "$ext" = pgq ]; then
    is_pgq35 "$(q "$db" "select extversion from pg_extension where extname = 'pgq'")" ||
      die "extension pgq is not PgQ 3.5"
  fi
}

# timed DB SQL: runs SQL once in a fresh session (one transaction), output
# discarded; prints "wall_ms backend_cpu_ms": psql's \timing (client side,
# commit included, connecting excluded) and the backend's own CPU time from
# /proc/self/schedstat around the statement.
timed() {
  local out
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" 2>&1 <<EOF
select 'cpu ' || split_part(pg_read_file('/proc/self/schedstat'), ' ', 1);
\o /dev/null
\timing on
$2;
\timing off
\o
select 'cpu ' || split_part(pg_read_file('/proc/self/schedstat'), ' ', 1);
EOF
  ) || { echo "$out" >&2; die "query failed in $1: $2"; }
  awk '/^Time: / { t = $2 } /^cpu / { c[++n] = $2 }
       END { if (t == "" || n != 2) exit 1; printf "%s %.3f\n", t, (c[2] - c[1]) / 1e6 }' <<<"$out" ||
    { echo "$out" >&2; die "no timing from psql for: $2"; }
}

# revision: the commit benchmarked, marked when the extension's sources differ from it.
revision() {
  local rev
  if rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
    git -C "$root" diff --quiet HEAD -- extension lib ticker 2>/dev/null || rev="$rev (sources modified)"
  else
    rev=unknown
  fi
  echo "$rev"
}
