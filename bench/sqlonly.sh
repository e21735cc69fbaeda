#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The SQL-only edition (part "sqlonly" of `make bench`, docs/managed.md):
# end-to-end latency at 100 events/s with 1,000 queues in the database,
# CPU of `pgqpp ticker` plus the server work it causes (at 100 ev/s and
# idle), and single-event producers against a plain INSERT, for the edition
# installed with `psql -f` (no library, nothing preloaded).
#
#   BUILD=build bench/sqlonly.sh    (alone: starts its own throwaway cluster)
#   make bench                      (bench/all.sh: on the run's shared cluster)
#
# Latency: bench/latency_probe (the producer's commit returned -> the
# consumer has the event), libpgqpp's Consumer (lib: woken by the tick
# NOTIFY) and plain SQL calling next_batch every millisecond (poll). CPU:
# user+system of the daemon and its backends, % of one core, as
# bench/ticker.sh measures it. Insert: pgbench, 4 clients, one event per
# transaction (pgq.insert_event of 100 bytes) against a plain INSERT of the
# same row into bench.event_base (bench/lib/event_base.sql: an event table's
# columns, defaults and ev_txid index, as bench/run.sh uses), in alternating runs of
# SQLONLY_BENCH_INSERT_SECONDS (5), SQLONLY_BENCH_ROUNDS (3) rounds each, the
# daemon running; the ratio is of the medians.
#
# Knobs: SQLONLY_BENCH_SETTLE (2) seconds between the daemon's start and the
# idle phase, SQLONLY_BENCH_SECONDS (10) per latency phase, SQLONLY_BENCH_QUEUES
# (1000), SQLONLY_BENCH_RATE (100 ev/s), SQLONLY_FILE (the edition's file;
# default: the build's pgqpp-sqlonly--*.sql). Targets (issue 23) are
# reported, never asserted.
part=sqlonly
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/lib/sqlonly.sh
. "$root/tests/lib/sqlonly.sh"

seconds=${SQLONLY_BENCH_SECONDS:-10}
queues=${SQLONLY_BENCH_QUEUES:-1000}
rate=${SQLONLY_BENCH_RATE:-100}
insert_seconds=${SQLONLY_BENCH_INSERT_SECONDS:-5}
rounds=${SQLONLY_BENCH_ROUNDS:-3}
file=${SQLONLY_FILE:-$(sqlonly_file "$build")}
probe=$build/bench/latency_probe
pgqpp=$build/cli/pgqpp
for tool in "$probe" "$pgqpp" /usr/bin/pgbench; do
  [ -x "$tool" ] || die "$tool is missing (make build; apt-get install postgresql-15)"
done
[ -r "$file" ] || die "the SQL-only edition's file is missing (make build, or SQLONLY_FILE)"

bench_begin
db=bench_sqlonly
dropdb_quietly "$db"
q postgres "create database $db" >/dev/null
on_exit "dropdb_quietly $db"
q "$db" "do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then create role pgq_reader; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then create role pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then
    create role pgq_admin in role pgq_reader, pgq_writer; end if;
end \$\$" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$file" >/dev/null 2>&1 || die "installing $file failed"
q "$db" "do \$\$ begin for i in 1..$queues loop perform pgq.create_queue('q' || i); commit; end loop; end \$\$"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$(dirname "$0")/lib/event_base.sql" >/dev/null ||
  die "creating the baseline table failed"
say "cluster ready: $queues queues in $db (SQL-only edition $(q "$db" "select pgq.sqlonly_version()")); phases of ${seconds}s at $rate ev/s"

# The daemon measured (bench/lib/common.sh's cpu_during): `pgqpp ticker`.
daemon_apps="application_name like 'pgqpp ticker%'"
idle() { sleep "$seconds"; }
# probe MODE: one latency run into q1; its line in $work/probe_MODE.
probe() {
  local out="$work/probe_$1"
  "$probe" "$(conninfo "$db")" q1 "probe_$1" "$1" "$rate" "$seconds" >"$out" 2>"$out.err" ||
    { cat "$out" "$out.err" >&2; die "latency probe $1 failed"; }
  say "   $1: $(cat "$out") $(cat "$out.err")"
}
field() { grep -o "$1=[0-9.-]*" "$work/probe_$2" | cut -d= -f2; }
# tps SQL: one pgbench run of SQL (4 clients), its tps.
tps() {
  echo "$1" >"$work/insert.sql"
  pgbench -n -M prepared -c 4 -j 2 -T "$insert_seconds" -f "$work/insert.sql" "$db" 2>&1 |
    sed -nE 's/^tps = ([0-9.]+).*/\1/p'
}
on_exit stop_daemon

daemon_start pgqpp "$db"
# The queues' first idle ticks come in bursts for about a minute (each
# queue's idle ticks back off from its first); SQLONLY_BENCH_SETTLE waits
# them out for the steady idle cost.
sleep "${SQLONLY_BENCH_SETTLE:-2}"
cpu_idle=$(cpu_during idle)
say "   idle: ${cpu_idle}% of a core"
cpu_load=$(cpu_during probe lib)
say "   at $rate ev/s: ${cpu_load}% of a core"
probe poll
declare -a EDITION PLAIN
for ((r = 0; r < rounds; r++)); do
  for side in $(order "$r" edition plain); do
    if [ "$side" = edition ]; then
      EDITION+=("$(tps "select pgq.insert_event('q2', 'bench', repeat('x', 100));")")
    else
      PLAIN+=("$(tps "insert into bench.event_base (ev_type, ev_data) values ('bench', repeat('x', 100));")")
    fi
  done
done
edition_tps=$(median <<<"${EDITION[*]}")
plain_tps=$(median <<<"${PLAIN[*]}")
insert_ratio=$(awk -v a="$edition_tps" -v b="$plain_tps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
say "   insert_event ${EDITION[*]} tps, plain INSERT ${PLAIN[*]} tps: ratio $insert_ratio"
stop_daemon

{
  echo "pgqpp SQL-only edition benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(revision); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "$queues queues, $rate ev/s into one of them, ${seconds}s phases; edition file $(basename "$file"); $(q postgres "show synchronous_commit" | sed 's/^/synchronous_commit=/')"
  echo "latency (ms, the producer's commit returned -> the consumer has the event):"
  echo "  libpgqpp Consumer (tick NOTIFY): p50 $(field p50_ms lib) p99 $(field p99_ms lib) max $(field max_ms lib)"
  echo "  SQL next_batch every 1 ms:       p50 $(field p50_ms poll) p99 $(field p99_ms poll) max $(field max_ms poll)"
  echo "ticker CPU (daemon + its backends, % of one core): ${cpu_load} at $rate ev/s, ${cpu_idle} idle"
  echo "insert, 1 event/tx, pgbench -c 4, ${insert_seconds}s x $rounds: insert_event ${EDITION[*]}, plain INSERT ${PLAIN[*]} tx/s; median ratio $insert_ratio"
  echo "targets (issue 23): p50 <= 20 ms, p99 <= 50 ms; CPU <= 10 % at 100 ev/s, < 1 % idle; insert ratio >= 0.9"
  echo "run time: $(($(date +%s) - started)) s"
} | report_to_results

emit sqlonly_latency_lib_p50 pgqpp "$(field p50_ms lib)" ms
emit sqlonly_latency_lib_p99 pgqpp "$(field p99_ms lib)" ms
emit sqlonly_latency_poll_p50 pgqpp "$(field p50_ms poll)" ms
emit sqlonly_latency_poll_p99 pgqpp "$(field p99_ms poll)" ms
emit sqlonly_ticker_cpu_load pgqpp "$cpu_load" "% core"
emit sqlonly_ticker_cpu_idle pgqpp "$cpu_idle" "% core"
emit sqlonly_insert_single pgqpp "$edition_tps" tx/s
emit sqlonly_insert_single raw "$plain_tps" tx/s
