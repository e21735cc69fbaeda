#!/usr/bin/env bash
# pgqpp's change-capture triggers against no trigger and against PgQ 3.5's C
# triggers, measured on one throwaway cluster in one run.
#
#   BUILD=build bench/triggers.sh        (from the repo root)
#
# The case: one bulk UPDATE of every row of a 20-column table (BENCH_ROWS
# rows, default 100,000; integers, text, numeric, timestamptz, date, bool,
# float8; primary key on id), `update bench.t20 set c1 = c1 + 1`, in one
# transaction. Sides:
#   none                    no trigger (in pgqpp's database)
#   logutriga, sqltriga, jsontriga
#                           pgqpp's trigger, AFTER INSERT OR UPDATE OR DELETE
#                           FOR EACH ROW, one event per row into queue q
#   pgq logutriga, ...      the same trigger of PgQ 3.5 (Debian's
#                           postgresql-15-pgq3) in a second database
#   floor                   no trigger: the UPDATE, then a plain INSERT ...
#                           SELECT of the events logutriga made for it
#                           (kept from a first run) into the queue's event
#                           table, in one transaction. What writing one such
#                           event per row costs here by itself: no trigger
#                           that writes these events can beat it.
# Every run starts from the same state: the table is created afresh from a
# template (same rows, vacuumed and analyzed, so every UPDATE writes the same
# pages), the event tables are empty, then a CHECKPOINT. Each run checks that
# the trigger made one event per row.
#
# Method: the sides alternate (in reversed order every other round) over
# BENCH_REPS rounds (default 5), so load from elsewhere hits all of them
# alike; each number is the median. Wall-clock rows/s from psql's \timing
# (client side, commit included), and the backend's CPU time per row from
# /proc/self/schedstat around the statement (steadier than the wall clock
# on a shared machine). Ratios: "x none" is the side's time over no
# trigger's (1.0 = free; target for logutriga <= 1.5, on the wall clock),
# and "PgQ/pgqpp" is PgQ 3.5's time for the same trigger over pgqpp's
# (> 1 = pgqpp faster; target for logutriga > 1); each by wall clock and by
# backend CPU.
#
# Knobs: BENCH_ROWS (100000), BENCH_REPS (5), BENCH_RESULTS (report file,
# default $BUILD/bench-triggers.txt); KEEP_BENCH_WORK=1 keeps the work
# directory (cluster stopped). Exits non-zero only when something fails to
# run; targets are reported, never asserted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"

BENCH_ROWS=${BENCH_ROWS:-100000}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_RESULTS=${BENCH_RESULTS:-$build/bench-triggers.txt}
# The server settings of bench/run.sh: CPU cost, not the disk.
SERVER_OPTS=(
  "-c synchronous_commit=off"
  "-c autovacuum=off"
  "-c shared_buffers=256MB"
  "-c max_wal_size=4GB"
  "-c checkpoint_timeout=1h"
  "-c max_parallel_workers_per_gather=0"
)

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "$@" >&2; }

for f in "$build/extension/pgqpp.so" "$build/extension/pgqpp.control"; do
  [ -e "$f" ] || die "$f is missing; build first (make)"
done
[ -r /proc/self/schedstat ] || die "/proc/self/schedstat is missing (the backend's CPU time is read from it)"
command -v psql >/dev/null || die "psql is not installed"
[ -e "$PG_SHAREDIR/extension/pgq--3.5.sql" ] && [ -e "$PG_PKGLIBDIR/pgq_triggers.so" ] ||
  die "PgQ 3.5 (postgresql-15-pgq3) is not installed"

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/pgqpp-bench-triggers.XXXXXX)
chmod 755 "$work"
data=
cleanup() {
  if [ -n "$data" ]; then pg_stop "$data"; fi
  if [ -z "${KEEP_BENCH_WORK:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_stage "$work/stage" "$build" || die "staging the server failed"
# As in bench/run.sh: the reference must be PgQ 3.5 even when pgqpp was
# installed under the name pgq.
pgq_control="$work/stage/${PG_SHAREDIR#/}/extension/pgq.control"
if ! grep -q "^default_version = '3.5'" "$pgq_control"; then
  rm -f "$pgq_control"
  printf '%s\n' "# pgq extension" "comment = 'Generic queue for PostgreSQL'" "default_version = '3.5'" \
    "relocatable = false" "superuser = true" "schema = 'pg_catalog'" >"$pgq_control"
  chmod a+r "$pgq_control"
fi
port=$(free_port)
mkdir -p "$work/cluster"
data="$work/cluster/data"
pg_start "$data" "$port" "${SERVER_OPTS[@]}" || die "cannot start the cluster"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
unset PGDATABASE PGSERVICE PGOPTIONS PGPASSWORD

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

DB_PGQPP=bench_pgqpp
DB_PGQ=bench_pgq
sql postgres "create database $DB_PGQPP" >/dev/null
sql postgres "create database $DB_PGQ" >/dev/null
sql "$DB_PGQPP" "create extension pgqpp" >/dev/null
sql "$DB_PGQ" "create extension pgq" >/dev/null
[ "$(sql "$DB_PGQ" "select extversion from pg_extension where extname = 'pgq'")" = 3.5 ] ||
  die "extension pgq is not PgQ 3.5"

# The template: the same rows in both databases.
TEMPLATE="
  create schema bench;
  create table bench.template (
      id int primary key, c1 int, c2 int, c3 text, c4 text, c5 timestamptz, c6 numeric,
      c7 bool, c8 int8, c9 text, c10 text, c11 int, c12 int, c13 text, c14 text, c15 date,
      c16 float8, c17 text, c18 int, c19 text);
  insert into bench.template
  select g, g, g * 2, 'text ' || g, md5(g::text), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 s',
         g * 1.5, g % 2 = 0, g * 100, 'abc', 'defgh', 1, 2, 'x', 'y', date '2024-01-01' + g % 1000,
         g / 3.0, 'zzz', g, 'last'
    from generate_series(1, $BENCH_ROWS) g;"
for db in "$DB_PGQPP" "$DB_PGQ"; do
  sql "$db" "$TEMPLATE" >/dev/null
  sql "$db" "select pgq.create_queue('q')" >/dev/null
done

declare -A DB=([none]=$DB_PGQPP [floor]=$DB_PGQPP [logutriga]=$DB_PGQPP [sqltriga]=$DB_PGQPP
               [jsontriga]=$DB_PGQPP [pgq_logutriga]=$DB_PGQ [pgq_sqltriga]=$DB_PGQ [pgq_jsontriga]=$DB_PGQ)
declare -A FUNC=([none]= [floor]= [logutriga]=logutriga [sqltriga]=sqltriga [jsontriga]=jsontriga
                 [pgq_logutriga]=logutriga [pgq_sqltriga]=sqltriga [pgq_jsontriga]=jsontriga)
SIDES=(none floor logutriga pgq_logutriga sqltriga pgq_sqltriga jsontriga pgq_jsontriga)

# prepare SIDE: a fresh copy of the template with the side's trigger, empty
# event tables, a checkpoint.
prepare() {
  local side=$1 db=${DB[$1]} trigger=
  if [ -n "${FUNC[$side]}" ]; then
    trigger="create trigger capture after insert or update or delete on bench.t20
             for each row execute procedure pgq.${FUNC[$side]}('q');"
  fi
  sql "$db" "drop table if exists bench.t20;
             create table bench.t20 (like bench.template including all);
             insert into bench.t20 select * from bench.template;
             $trigger" >/dev/null
  sql "$db" "vacuum analyze bench.t20" >/dev/null
  local tables
  tables=$(sql "$db" "select string_agg(queue_data_pfx || '_' || i, ',')
                        from pgq.queue, generate_series(0, queue_ntables - 1) i where queue_name = 'q'")
  sql "$db" "truncate $tables" >/dev/null
  sql postgres "checkpoint" >/dev/null
}

# events SIDE: how many events the queue holds.
events() { sql "${DB[$1]}" "select count(*) from pgq.event_template"; }

# timed DB SQL: prints "wall_ms backend_cpu_ms" (as bench/run.sh measures).
timed() {
  local out
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" 2>&1 <<EOF
select 'cpu ' || split_part(pg_read_file('/proc/self/schedstat'), ' ', 1);
\timing on
$2;
\timing off
select 'cpu ' || split_part(pg_read_file('/proc/self/schedstat'), ' ', 1);
EOF
  ) || { echo "$out" >&2; die "query failed in $1: $2"; }
  awk '/^Time: / { t = $2 } /^cpu / { c[++n] = $2 }
       END { if (t == "" || n != 2) exit 1; printf "%s %.3f\n", t, (c[2] - c[1]) / 1e6 }' <<<"$out" ||
    { echo "$out" >&2; die "no timing from psql for: $2"; }
}

median() {
  tr ' ' '\n' | grep . | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

order() {
  local round=$1
  shift
  if ((round % 2 == 0)); then echo "$@"; else printf '%s\n' "$@" | tac | paste -sd' '; fi
}

UPDATE_SQL="update bench.t20 set c1 = c1 + 1"
# The floor's events: logutriga's for the same UPDATE, kept once.
prepare logutriga
sql "$DB_PGQPP" "$UPDATE_SQL" >/dev/null
sql "$DB_PGQPP" "create table bench.floor_events as select ev_type, ev_data, ev_extra1 from pgq.event_template" >/dev/null
read -r FLOOR_TABLE FLOOR_SEQ <<<"$(sql "$DB_PGQPP" "select queue_data_pfx || '_' || queue_cur_table || ' ' || queue_event_seq
                                                      from pgq.queue where queue_name = 'q'" )"
declare -A RUN_SQL=([floor]="do \$\$ begin $UPDATE_SQL;
  insert into $FLOOR_TABLE (ev_id, ev_time, ev_txid, ev_type, ev_data, ev_extra1)
  select nextval('$FLOOR_SEQ'), now(), txid_current(), ev_type, ev_data, ev_extra1 from bench.floor_events; end \$\$")
declare -A WALL CPU MS CPUMS
say "bulk UPDATE of $BENCH_ROWS rows: $BENCH_REPS rounds of ${#SIDES[@]} sides"
for ((r = 0; r < BENCH_REPS; r++)); do
  for side in $(order "$r" "${SIDES[@]}"); do
    prepare "$side"
    read -r ms cpu <<<"$(timed "${DB[$side]}" "${RUN_SQL[$side]:-$UPDATE_SQL}")"
    n=$(events "$side")
    expected=$BENCH_ROWS
    [ -n "${FUNC[$side]}" ] || [ "$side" = floor ] || expected=0
    [ "$n" -eq "$expected" ] || die "$side made $n events, expected $expected"
    MS[$side]+="$ms "
    CPUMS[$side]+="$cpu "
    say "   round $((r + 1)) $side: $ms ms, backend CPU $cpu ms"
  done
done
for side in "${SIDES[@]}"; do
  WALL[$side]=$(median <<<"${MS[$side]}")
  CPU[$side]=$(median <<<"${CPUMS[$side]}")
done

# ---------------------------------------------------------------- report ---
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
report() {
  local rev
  if rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
    git -C "$root" diff --quiet HEAD -- extension 2>/dev/null || rev="$rev (extension sources modified)"
  else
    rev=unknown
  fi
  echo "pgqpp trigger benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev, build $build"
  echo "machine: $(nproc) CPUs ($(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1)), load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "server:  $(sql postgres "select version()" | cut -d, -f1), fsync=off synchronous_commit=off shared_buffers=256MB autovacuum=off"
  echo "case:    $UPDATE_SQL  -- $BENCH_ROWS rows, 20 columns, one transaction; AFTER ROW trigger, one event per row"
  echo "method:  $BENCH_REPS rounds, sides alternating, fresh table copy + empty queue + CHECKPOINT before each run; medians"
  echo "floor:   no trigger; the UPDATE plus INSERT ... SELECT of logutriga's $BENCH_ROWS events for it, in one transaction"
  echo
  local fmt="%-18s %9s %7s %11s %7s %10s %10s  %s\n" side label pgq pgq_cpu verdict ratio
  # shellcheck disable=SC2059
  printf "$fmt" "trigger" "rows/s" "x none" "CPU µs/row" "x none" "PgQ/pgqpp" "PgQ/pgqpp" "target"
  # shellcheck disable=SC2059
  printf "$fmt" "" "(wall)" "(wall)" "(backend)" "(CPU)" "(wall)" "(CPU)" ""
  for side in none floor logutriga sqltriga jsontriga pgq_logutriga pgq_sqltriga pgq_jsontriga; do
    label=${side/pgq_/PgQ 3.5 }
    pgq=-
    pgq_cpu=-
    verdict=
    if [[ $side != none && $side != floor && $side != pgq_* ]]; then
      pgq=$(div "${WALL[pgq_$side]}" "${WALL[$side]}")
      pgq_cpu=$(div "${CPU[pgq_$side]}" "${CPU[$side]}")
    fi
    ratio=$(div "${WALL[$side]}" "${WALL[none]}")
    if [ "$side" = logutriga ]; then
      verdict="x none <= 1.5 $(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "met" : "MISSED" }')"
      verdict="$verdict, PgQ/pgqpp > 1 $(awk -v r="$pgq" 'BEGIN { print (r > 1) ? "met" : "MISSED" }')"
    fi
    # shellcheck disable=SC2059
    printf "$fmt" "$label" "$(awk -v n="$BENCH_ROWS" -v ms="${WALL[$side]}" 'BEGIN { printf "%.0f", n * 1000 / ms }')" \
      "$ratio" "$(awk -v n="$BENCH_ROWS" -v ms="${CPU[$side]}" 'BEGIN { printf "%.2f", ms * 1000 / n }')" \
      "$(div "${CPU[$side]}" "${CPU[none]}")" "$pgq" "$pgq_cpu" "$verdict"
  done
  echo
  echo "samples (wall ms | backend CPU ms per run):"
  for side in "${SIDES[@]}"; do printf '  %-14s %-40s| %s\n' "$side" "${MS[$side]}" "${CPUMS[$side]}"; done
  echo "run time: $(($(date +%s) - started)) s"
}
report | tee "$BENCH_RESULTS"
say "results written to $BENCH_RESULTS"
