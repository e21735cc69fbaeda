#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pgqpp's change-capture triggers (part "triggers" of `make bench`) against
# no trigger and against PgQ 3.5's C triggers, measured on one cluster in one
# run.
#
#   BUILD=build bench/triggers.sh   (alone: starts its own throwaway cluster)
#   make bench                      (bench/all.sh: on the run's shared cluster)
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
#   empty                   pgqpp's logutriga under session_replication_role
#                           "local", where PgQ's triggers return at once: what
#                           PostgreSQL's AFTER ROW machinery costs with a C
#                           function that does nothing (queueing the row's
#                           event, fetching its two versions, the call)
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
# BENCH_REPS rounds (default 4), so load from elsewhere hits all of them
# alike; each number is the median. Wall-clock rows/s from psql's \timing
# (client side, commit included), and the backend's CPU time per row from
# /proc/self/schedstat around the statement (steadier than the wall clock
# on a shared machine). Ratios: "x none" is the side's time over no
# trigger's (1.0 = free; target for logutriga <= 1.5, on the wall clock),
# and "PgQ/pgqpp" is PgQ 3.5's time for the same trigger over pgqpp's
# (> 1 = pgqpp faster; target for logutriga > 1); each by wall clock and by
# backend CPU.
#
# Knobs: BENCH_ROWS (100000), BENCH_REPS (4); the cluster and the output as
# bench/lib/common.sh says (report: $BENCH_RESULTS_DIR/triggers.txt, rows:
# triggers.tsv); KEEP_BENCH_WORK=1 keeps the work directory. Exits non-zero only when something fails to
# run; targets are reported, never asserted.
part=triggers
# shellcheck source=bench/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

BENCH_ROWS=${BENCH_ROWS:-100000}
BENCH_REPS=${BENCH_REPS:-4}

[ -r /proc/self/schedstat ] || die "/proc/self/schedstat is missing (the backend's CPU time is read from it)"
command -v psql >/dev/null || die "psql is not installed"
[ -e "$PG_PKGLIBDIR/pgq_triggers.so" ] || die "PgQ 3.5 (postgresql-15-pgq3) is not installed"

bench_begin

DB_PGQPP=bench_trg_pgqpp
DB_PGQ=bench_trg_pgq
bench_createdb "$DB_PGQPP" pgqpp
bench_createdb "$DB_PGQ" pgq

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
  q "$db" "$TEMPLATE" >/dev/null
  q "$db" "select pgq.create_queue('q')" >/dev/null
done

declare -A DB=([none]=$DB_PGQPP [empty]=$DB_PGQPP [floor]=$DB_PGQPP [logutriga]=$DB_PGQPP [sqltriga]=$DB_PGQPP
               [jsontriga]=$DB_PGQPP [pgq_logutriga]=$DB_PGQ [pgq_sqltriga]=$DB_PGQ [pgq_jsontriga]=$DB_PGQ)
declare -A FUNC=([none]="" [empty]=logutriga [floor]="" [logutriga]=logutriga [sqltriga]=sqltriga [jsontriga]=jsontriga
                 [pgq_logutriga]=logutriga [pgq_sqltriga]=sqltriga [pgq_jsontriga]=jsontriga)
SIDES=(none empty floor logutriga pgq_logutriga sqltriga pgq_sqltriga jsontriga pgq_jsontriga)

# prepare SIDE: a fresh copy of the template with the side's trigger, empty
# event tables, a checkpoint.
prepare() {
  local side=$1 db=${DB[$1]} trigger=
  if [ -n "${FUNC[$side]}" ]; then
    trigger="create trigger capture after insert or update or delete on bench.t20
             for each row execute procedure pgq.${FUNC[$side]}('q');"
  fi
  q "$db" "drop table if exists bench.t20;
             create table bench.t20 (like bench.template including all);
             insert into bench.t20 select * from bench.template;
             $trigger" >/dev/null
  q "$db" "vacuum analyze bench.t20" >/dev/null
  local tables
  tables=$(q "$db" "select string_agg(queue_data_pfx || '_' || i, ',')
                        from pgq.queue, generate_series(0, queue_ntables - 1) i where queue_name = 'q'")
  q "$db" "truncate $tables" >/dev/null
  q postgres "checkpoint" >/dev/null
}

# events SIDE: how many events the queue holds.
events() { q "${DB[$1]}" "select count(*) from pgq.event_template"; }

UPDATE_SQL="update bench.t20 set c1 = c1 + 1"
# The floor's events: logutriga's for the same UPDATE, kept once.
prepare logutriga
q "$DB_PGQPP" "$UPDATE_SQL" >/dev/null
q "$DB_PGQPP" "create table bench.floor_events as select ev_type, ev_data, ev_extra1 from pgq.event_template" >/dev/null
read -r FLOOR_TABLE FLOOR_SEQ <<<"$(q "$DB_PGQPP" "select queue_data_pfx || '_' || queue_cur_table || ' ' || queue_event_seq
                                                      from pgq.queue where queue_name = 'q'" )"
declare -A RUN_SQL=([floor]="do \$\$ begin $UPDATE_SQL;
  insert into $FLOOR_TABLE (ev_id, ev_time, ev_txid, ev_type, ev_data, ev_extra1)
  select nextval('$FLOOR_SEQ'), now(), txid_current(), ev_type, ev_data, ev_extra1 from bench.floor_events; end \$\$")
declare -A WALL CPU MS CPUMS
say "bulk UPDATE of $BENCH_ROWS rows: $BENCH_REPS rounds of ${#SIDES[@]} sides"
for ((r = 0; r < BENCH_REPS; r++)); do
  for side in $(order "$r" "${SIDES[@]}"); do
    prepare "$side"
    opts=
    [ "$side" != empty ] || opts="-c session_replication_role=local"
    read -r ms cpu <<<"$(PGOPTIONS="$opts" timed "${DB[$side]}" "${RUN_SQL[$side]:-$UPDATE_SQL}")"
    n=$(events "$side")
    expected=$BENCH_ROWS
    [ -n "${FUNC[$side]}" ] || [ "$side" = floor ] || expected=0
    [ "$side" != empty ] || expected=0
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
# floor_budget: what 0.9x of the floor (issue 25's target for the three
# triggers) leaves for a trigger's own work, by backend CPU per row. Any
# AFTER ROW trigger pays the empty one's cost on top of writing the events,
# which the floor writes by itself.
floor_budget() {
  awk -v n="$BENCH_ROWS" -v none="${CPU[none]}" -v empty="${CPU[empty]}" -v floor="${CPU[floor]}" \
      -v logu="${CPU[logutriga]}" 'BEGIN {
    us = 1000 / n
    machinery = (empty - none) * us; insert = (floor - none) * us
    budget = (floor / 0.9 - floor) * us
    own = (logu - floor) * us - machinery
    printf "floor budget (backend CPU per row): the empty trigger costs %.2f us over no trigger;\n", machinery
    printf "  writing the events (floor - none) %.2f us; 0.9x of the floor leaves %.2f us per row\n", insert, budget
    printf "  for everything a trigger adds, of which the empty trigger takes %.2f us.\n", machinery
    printf "  logutriga adds %.2f us over the floor: %.2f us of its own (payload, checks) beyond the empty trigger.\n", (logu - floor) * us, own
  }'
}
report() {
  local rev
  rev=$(revision)
  echo "pgqpp trigger benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev, build $build"
  machine_line
  echo "server:  $(q postgres "select version()" | cut -d, -f1), fsync=$(q postgres "show fsync") synchronous_commit=$(q postgres "show synchronous_commit") shared_buffers=$(q postgres "show shared_buffers") autovacuum=$(q postgres "show autovacuum")"
  echo "case:    $UPDATE_SQL  -- $BENCH_ROWS rows, 20 columns, one transaction; AFTER ROW trigger, one event per row"
  echo "method:  $BENCH_REPS rounds, sides alternating, fresh table copy + empty queue + CHECKPOINT before each run; medians"
  echo "floor:   no trigger; the UPDATE plus INSERT ... SELECT of logutriga's $BENCH_ROWS events for it, in one transaction"
  echo
  local fmt="%-18s %9s %7s %11s %7s %10s %10s  %s\n" side label pgq pgq_cpu verdict ratio
  # shellcheck disable=SC2059
  printf "$fmt" "trigger" "rows/s" "x none" "CPU µs/row" "x none" "PgQ/pgqpp" "PgQ/pgqpp" "target"
  # shellcheck disable=SC2059
  printf "$fmt" "" "(wall)" "(wall)" "(backend)" "(CPU)" "(wall)" "(CPU)" ""
  for side in none empty floor logutriga sqltriga jsontriga pgq_logutriga pgq_sqltriga pgq_jsontriga; do
    label=${side/pgq_/PgQ 3.5 }
    [ "$side" != empty ] || label="empty C trigger"
    pgq=-
    pgq_cpu=-
    verdict=
    if [[ $side != none && $side != empty && $side != floor && $side != pgq_* ]]; then
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
  floor_budget
  echo
  echo "samples (wall ms | backend CPU ms per run):"
  for side in "${SIDES[@]}"; do printf '  %-14s %-40s| %s\n' "$side" "${MS[$side]}" "${CPUMS[$side]}"; done
  echo "run time: $(($(date +%s) - started)) s"
}
report | report_to_results

# The rows of the table (bench/table.py): rows/s of the bulk UPDATE with each
# trigger, and the backend's CPU per row; raw is the UPDATE without a trigger
# (and, for update_logutriga_floor, the UPDATE plus a plain INSERT of the
# same events).
rows_per_s() { awk -v n="$BENCH_ROWS" -v ms="${WALL[$1]}" 'BEGIN { print n * 1000 / ms }'; }
cpu_per_row() { awk -v n="$BENCH_ROWS" -v ms="${CPU[$1]}" 'BEGIN { print ms * 1000 / n }'; }
for f in logutriga sqltriga jsontriga; do
  emit "update_$f" pgqpp "$(rows_per_s "$f")" rows/s
  emit "update_$f" pgq "$(rows_per_s "pgq_$f")" rows/s
  emit "update_$f" raw "$(rows_per_s none)" rows/s
  emit "update_${f}_cpu" pgqpp "$(cpu_per_row "$f")" µs/row
  emit "update_${f}_cpu" pgq "$(cpu_per_row "pgq_$f")" µs/row
  emit "update_${f}_cpu" raw "$(cpu_per_row none)" µs/row
done
emit update_logutriga_floor pgqpp "$(rows_per_s logutriga)" rows/s
emit update_logutriga_floor pgq "$(rows_per_s pgq_logutriga)" rows/s
emit update_logutriga_floor raw "$(rows_per_s floor)" rows/s
