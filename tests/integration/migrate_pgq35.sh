#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp migrate` (issue 22): a live PgQ 3.5 database (Debian's extension
# pgq) becomes a pgqpp database in place, and goes back with --to-pgq, while
# producers keep inserting.
#
# The database: queues qa and qb; on qa a consumer with a batch open at
# migration time (c_open), one with pending retries (c_retry) and one
# consuming all along (c_live); on qb a consumer (c_b) of a table's logutriga
# trigger. Four pgbench producers insert through both routes without a
# pause (one transaction in eight rolled back); a SQL ticker loop ticks.
# On the way back a session holds a snapshot across the swap, so that
# consumers' positions are in their cells (pgqpp 1.4 and later), which the
# swap must move to their rows for PgQ 3.5.
# For each direction:
#  - --dry-run prints the plan, naming the version found, and changes nothing;
#  - the migration runs under the load: no producer transaction fails, and
#    the longest one and the migration's time are printed as NOTE lines;
#  - afterwards the extension's catalog equals a fresh install's
#    (tests/lib/ext_catalog.sql), the open batch comes back with the same id
#    and the same events, and the ids continue;
#  - once everything is consumed (pgqpp's ticker after the migration, the
#    SQL ticker after the way back), event by event: every committed event
#    reached every consumer exactly once (the batch open at migration time
#    counts when it is finished, after), none from a rolled-back transaction.
# The database, the load and the delivery check: tests/lib/migrate_load.sh.
# And each refusal is one line: no PgQ, pgqpp already there, pgq_node on top
# of pgq, a view on PgQ's tables, pgqpp-only data on the way back.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR PGQPP_TEST_WORK.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
is_pgq35 "$(pgq35_version)" || fail "PgQ 3.5 is not installed for $(pg_config --version) (postgresql-15-pgq3)"
. "$root/tests/lib/migrate_load.sh"
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/migrate_pgq35.XXXXXX")
db=migrate_pgq35_$$
fresh=migrate_fresh_$$
refuse=migrate_refuse_$$
mig_user=${PGUSER:?}
trap migrate_cleanup EXIT
fresh_databases "$db" "$fresh" "$refuse"

# ------------------------------------------------------------ the database
q "$db" "create extension pgq"
load_schema

# ------------------------------------------------------------ PgQ 3.5 → pgqpp
load_start 4
sleep 2
prepare_consumers before
run_pgqpp 0 migrate --dsn "dbname=$db" --dry-run
cat "$work/out"
grep -q "^found PgQ $(pgq35_version) (extension pgq) in database $db; pgqpp " "$work/out" ||
  fail "--dry-run does not name the PgQ version found"
grep -q "recreate 1 trigger(s).*orders_to_qb on orders (logutriga)" "$work/out" || fail "--dry-run: no trigger step"
[ "$(q "$db" "select string_agg(extname, ',') from pg_extension where extname like 'pgq%'")" = pgq ] ||
  fail "--dry-run changed the extensions"
sleep 1
run_pgqpp 0 migrate --dsn "dbname=$db"
cat "$work/out"
timing=$(migrate_timing)
sleep 2
load_stop
echo "NOTE: pgqpp migrate (PgQ 3.5 to pgqpp) under load: $timing; longest producer transaction $(longest_producer_ms) ms"
[ ! -s "$work/live.failed" ] || fail "c_live's calls failed: $(head -3 "$work/live.failed")"
[ "$(q "$db" "select string_agg(extname || ' ' || extversion, ',') from pg_extension where extname like 'pgq%'")" = \
  "pgqpp $(q "$fresh" "select default_version from pg_available_extensions where name = 'pgqpp'")" ] ||
  fail "after the migration the database does not run pgqpp alone"
q "$fresh" "create extension pgqpp"
catalog "$db" pgqpp >"$work/migrated.catalog"
catalog "$fresh" pgqpp >"$work/fresh.catalog"
diff -u "$work/fresh.catalog" "$work/migrated.catalog" >&2 || fail "the migrated catalog differs from a fresh pgqpp install's"
echo "ok: the catalog equals a fresh pgqpp install's ($(wc -l <"$work/fresh.catalog") lines)"
check "the trigger calls pgqpp's logutriga" "$db" \
  "select count(*) = 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where t.tgname = 'orders_to_qb' and p.oid in (select objid from pg_depend where refobjid =
          (select oid from pg_extension where extname = 'pgqpp') and deptype = 'e')"
check "no sequence behind its table's ids" "$db" "select pgq._ids_past_restored() = 0"
reopen_batch c_open "$open_batch" after
ticker_start
wait_for 60 "every consumer caught up after the migration" caught_up
check_deliveries

# ------------------------------------------------------------ pgqpp → PgQ 3.5
q "$db" "truncate got" "delete from produced" >/dev/null
ticker_stop
load_start 4
# A snapshot held from here to after the swap: consumers move their
# positions into their cells, PgQ 3.5 reads only pgq.subscription's rows,
# and --to-pgq must move them there (a consumer left at its row's older
# position would get batches again; check_deliveries would see them twice).
horizon_hold_start
sleep 1
prepare_consumers back
wait_for 60 "a consumer's position in its cell" cells_in_use
q "$db" "select pgq.set_queue_config('qa', 'max_retries', '10')" >/dev/null
refused "pgqpp-only data would be lost (rows: 1 in pgq.queue_config): PgQ 3.5 has no place for it; add --discard-pgqpp-data to drop it" \
  --to-pgq --dsn "dbname=$db" --dry-run
# A delayed event not delivered yet is data too (its bookkeeping is not).
q "$db" "select pgq.insert_event_at('qa', now() + interval '1 day', 'later', 'x')" >/dev/null
refused "pgqpp-only data would be lost (rows: 1 in pgq.delayed_pending, 1 in pgq.queue_config): PgQ 3.5 has no place for it; add --discard-pgqpp-data to drop it" \
  --to-pgq --dsn "dbname=$db" --dry-run
run_pgqpp 0 migrate --to-pgq --discard-pgqpp-data --dsn "dbname=$db" --dry-run
cat "$work/out"
grep -q "^  0\. take the locks of step 2 first .* move the [0-9]* consumer position(s) held in cells to their pgq.subscription rows" \
  "$work/out" || fail "--to-pgq --dry-run does not say that it moves positions out of cells"
echo "ok: $(cells_held) consumer position(s) in cells before the swap"
grep -q "^found pgqpp [0-9.]* (extension pgqpp) in database $db; PgQ $(pgq35_version) (extension pgq) will replace it" "$work/out" ||
  fail "--to-pgq --dry-run does not say what it found"
run_pgqpp 0 migrate --to-pgq --discard-pgqpp-data --verbose --dsn "dbname=$db"
cat "$work/out"
grep -q "moved [1-9][0-9]* consumer position(s) from their cells to their pgq.subscription rows" "$work/out" ||
  fail "--to-pgq moved no position out of a cell"
horizon_hold_stop
timing=$(migrate_timing)
sleep 2
load_stop
echo "NOTE: pgqpp migrate --to-pgq under load: $timing; longest producer transaction $(longest_producer_ms) ms;" \
  "c_live's failed calls: $(grep -c '^(failed call)' "$work/live.failed" || true)"
[ "$(q "$db" "select string_agg(extname || ' ' || extversion, ',') from pg_extension where extname like 'pgq%'")" = \
  "pgq $(pgq35_version)" ] || fail "after --to-pgq the database does not run PgQ 3.5 alone"
q "$fresh" "drop extension pgqpp" "create extension pgq"
catalog "$db" pgq >"$work/back.catalog"
catalog "$fresh" pgq >"$work/fresh35.catalog"
diff -u "$work/fresh35.catalog" "$work/back.catalog" >&2 || fail "the catalog after --to-pgq differs from a fresh PgQ 3.5 install's"
echo "ok: the catalog equals a fresh PgQ 3.5 install's ($(wc -l <"$work/fresh35.catalog") lines)"
reopen_batch c_open "$open_batch" after_back
# PgQ 3.5 has no ticker of its own in the database: the SQL ticker and
# maint_retry_events stand in for pgqd.
printf '%s\n' 'select pgq.ticker();' 'select pgq.maint_retry_events();' '\sleep 50 ms' >"$work/tick.sql"
pgbench_bg tick tick.sql 1
wait_for 60 "every consumer caught up after the way back" caught_up
load_stop
check_deliveries

# ------------------------------------------------------------ refusals
refused "database $refuse has no PgQ (no extension pgq): nothing to migrate (pgqpp install creates pgqpp)" \
  --dsn "dbname=$refuse" --dry-run
refused "database $refuse has no pgqpp (no extension pgqpp): nothing to take back to PgQ" --to-pgq --dsn "dbname=$refuse"
q "$refuse" "create extension pgqpp"
refused "database $refuse already runs pgqpp $(q "$refuse" "select extversion from pg_extension where extname = 'pgqpp'") (extension pgqpp): nothing to migrate" \
  --dsn "dbname=$refuse"
q "$refuse" "drop extension pgqpp" "create extension pgq" "create view queue_names as select queue_name from pgq.queue"
refused "view queue_names depends on table pgq.queue: pgqpp migrate cannot carry it over; drop it first and create it again afterwards" \
  --dsn "dbname=$refuse" --dry-run
q "$refuse" "drop view queue_names" "create extension pgq_node"
refused "extension pgq_node is installed on top of pgq: pgqpp migrate cannot carry it over; use ALTER EXTENSION pgq UPDATE, see docs/migration.md" \
  --dsn "dbname=$refuse"
q "$refuse" "drop extension pgq_node"
run_pgqpp 0 migrate --dsn "dbname=$refuse" --dry-run
run_pgqpp 2 migrate --dsn "dbname=$refuse" --discard-pgqpp-data

# A producer transaction holding its event table for 1.5 s: the swap's lock
# times out (200 ms), everything rolls back, and it tries again until the
# producer is done; the producer's event is there afterwards.
q "$refuse" "select pgq.create_queue('qlong')" >/dev/null
psql -X -q -d "$refuse" -c "begin" -c "select pgq.insert_event('qlong', 'e', 'long')" \
  -c "select pg_sleep(1.5)" -c "commit" >/dev/null 2>"$work/long.err" &
long_pid=$!
wait_for 10 "the long producer transaction" holds "$refuse" \
  "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid())"
run_pgqpp 0 migrate --dsn "dbname=$refuse"
wait "$long_pid" || fail "the long producer transaction failed: $(cat "$work/long.err")"
cat "$work/out"
grep -q 'attempt [2-9]' "$work/out" || fail "the swap did not have to try again"
check "the long transaction's event is in pgqpp's queue" "$refuse" \
  "select count(*) = 1 from pgq.event_template where ev_data = 'long'"
# Back with no position in a cell: the locks come after the new extension
# is created, as towards pgqpp, and no position moves.
run_pgqpp 0 migrate --to-pgq --verbose --dsn "dbname=$refuse"
cat "$work/out"
! grep -q "consumer position(s)" "$work/out" || fail "--to-pgq moved positions with no cell in use"
check "qlong's event is in PgQ 3.5's queue" "$refuse" "select count(*) = 1 from pgq.event_template where ev_data = 'long'"
echo "ok: pgqpp migrate, both ways, under load"
