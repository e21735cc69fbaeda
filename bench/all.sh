#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `make bench`: every benchmark part on one throwaway cluster (pgqpp
# preloaded; pgqpp and Debian's PgQ 3.5 each in databases of their own), then
# one table of pgqpp against PgQ 3.5 + pgqd and against plain PostgreSQL.
#
#   BUILD=build bench/all.sh
#
# Parts, in this order (each also runs alone, see its header):
#   core      bench/run.sh       insert (single, bulk) and batch-read paths
#   triggers  bench/triggers.sh  change-capture triggers on a bulk UPDATE
#   consume   bench/consume.sh   one large batch read end to end by clients
#   ticker    bench/ticker.sh    latency at 100 ev/s with 1,000 queues, ticker CPU
#   sqlonly   bench/sqlonly.sh   the same for the SQL-only edition, its inserts
#                                against a plain INSERT
#   delayed   bench/delayed.sh   delayed events: lateness, dead tuples
#   held_xmin bench/held_xmin.sh 20 consumers under a held snapshot: throughput,
#                                metadata growth (BENCH_HOLD_SECONDS, 120)
#   bounded   bench/bounded.sh   rows read per bounded batch, bounded vs unbounded reads
#   scale     bench/scale.sh     keyed workers and subconsumers (1 to 8) with a 1 ms
#                                handler; fan-out to 1, 10, 100 consumers: server CPU
#                                per delivery, storage per event (BENCH_SCALE_*, BENCH_FANOUT_*)
#   curves    bench/curves.sh    cost curves: queues, consumers, databases per
#                                ticker (its own report and chart, curves.svg)
#   load      bench/load.sh      when it exists (the load run; it writes
#                                $BUILD/bench-load-results.txt)
# The parts write their reports and rows into $BUILD/bench-results/ (its
# .tsv and .txt files are removed first); bench/table.py prints the table and writes $BUILD/bench-table.md.
# BENCH_PARTS="core ticker" runs only some parts. A part that fails does not
# stop the others; the exit status is then 1, and the table shows what was
# measured.
part=all
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

parts=${BENCH_PARTS:-core triggers consume ticker sqlonly delayed bounded scale held_xmin curves load}
declare -A SCRIPT=([core]=run.sh [triggers]=triggers.sh [consume]=consume.sh [ticker]=ticker.sh [sqlonly]=sqlonly.sh [delayed]=delayed.sh [bounded]=bounded.sh [scale]=scale.sh [held_xmin]=held_xmin.sh [curves]=curves.sh [load]=load.sh)
for p in $parts; do [ -n "${SCRIPT[$p]:-}" ] || die "unknown part $p (core, triggers, consume, ticker, sqlonly, delayed, bounded, scale, held_xmin, curves, load)"; done

rm -f "$BENCH_RESULTS_DIR"/*.tsv "$BENCH_RESULTS_DIR"/*.txt "$BENCH_RESULTS_DIR"/*.points "$BENCH_RESULTS_DIR"/*.svg
bench_work
# The curves part's database point needs more connections than the default.
if [[ " $parts " == *" curves "* ]]; then
  BENCH_SERVER_OPTS+=("-c max_connections=$(curves_max_connections)")
fi
bench_start_cluster "$work"
export PGQPP_BENCH_CLUSTER=env BENCH_RESULTS_DIR BUILD=$build

info() { printf '%s\t%s\n' "$1" "$2" >>"$BENCH_RESULTS_DIR/info.tsv"; }
info started "$(date -u '+%Y-%m-%d %H:%M UTC')"
info started_epoch "$(date +%s)"
info commit "$(revision)"
info load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
info postgres "$(q postgres "select version()" | cut -d, -f1)"
info settings "$(q postgres "select string_agg(name || '=' || setting, ' ' order by name) from pg_settings
  where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'autovacuum', 'max_wal_size',
                 'checkpoint_timeout', 'max_parallel_workers_per_gather', 'shared_preload_libraries')")"

failed=()
for p in $parts; do
  script="$root/bench/${SCRIPT[$p]}"
  if [ "$p" = load ] && [ ! -e "$script" ]; then continue; fi
  say "=== part $p (bench/${SCRIPT[$p]}), $(date -u '+%H:%M:%S UTC')"
  t0=$(date +%s)
  if bash "$script"; then
    info "seconds_$p" "$(($(date +%s) - t0))"
  else
    failed+=("$p")
    say "=== part $p FAILED"
  fi
done
info finished "$(date -u '+%Y-%m-%d %H:%M UTC')"
info load_after "$(cut -d' ' -f1-3 /proc/loadavg)"

python3 "$root/bench/table.py" "$BENCH_RESULTS_DIR" --load "$build/bench-load-results.txt" \
  --out "$build/bench-table.md"
say "table written to $build/bench-table.md; every part's report in $BENCH_RESULTS_DIR"
if [ ${#failed[@]} -gt 0 ]; then die "failed: ${failed[*]}"; fi
