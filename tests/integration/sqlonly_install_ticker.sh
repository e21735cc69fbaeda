#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The SQL-only edition (docs/managed.md) on the test cluster, installed by a
# role that is no superuser (LOGIN, CREATEDB, owner of its database), once
# with `psql -f` and once with `pgqpp install --sql-only`; then `pgqpp
# ticker` serves such a database: it detects the edition, ticks an event
# into a batch through the polling wake-up path, moves a retry back, and
# delivers a delayed event; `pgq.ticker()` alone (the pg_cron schedule of
# the docs) ticks too.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ticker.sh"
. "$PGQPP_SOURCE_DIR/tests/lib/sqlonly.sh"
dbs="so_psql so_tool"
ticker_test_setup sqlonly_install_ticker "$dbs"
file=$(sqlonly_file "$PGQPP_BUILD_DIR")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"

# The owner: no superuser, no CREATEROLE. PgQ's roles exist (an
# administrator creates them once; docs/managed.md).
owner=pgqpp_so_owner
q postgres "do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then create role pgq_reader; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then create role pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then
    create role pgq_admin in role pgq_reader, pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = '$owner') then
    create role $owner login createdb; end if;
end \$\$"
for d in $dbs; do q postgres "alter database $d owner to $owner"; done
check "the owner is no superuser" postgres \
  "select not rolsuper and not rolcreaterole from pg_roles where rolname = '$owner'"
as_owner() { PGUSER=$owner q "$@"; }

# --- psql -f, in one transaction ---
PGUSER=$owner psql -X -q -v ON_ERROR_STOP=1 -d so_psql -f "$file" >/dev/null
check "psql -f installed the edition" so_psql "select pgq.sqlonly_version() <> ''"
check "no extension was created" so_psql "select not exists (select 1 from pg_extension where extname in ('pgqpp', 'pgq'))"
check "the owner owns schema pgq" so_psql "select nspowner::regrole::text = '$owner' from pg_namespace where nspname = 'pgq'"
check "no function is LANGUAGE C" so_psql \
  "select not exists (select 1 from pg_proc p join pg_language l on l.oid = p.prolang
    where p.pronamespace in ('pgq'::regnamespace, 'pgq_coop'::regnamespace) and l.lanname = 'c')"
# A second run fails as a whole (schema pgq exists) and changes nothing.
if PGUSER=$owner psql -X -q -v ON_ERROR_STOP=1 -d so_psql -f "$file" >"$work/again.out" 2>&1; then
  fail "a second psql -f succeeded"
fi
grep -q "already has a schema pgq" "$work/again.out" || fail "second run: $(cat "$work/again.out")"
echo "ok: a second psql -f is refused: $(grep ERROR "$work/again.out" | head -1)"

# --- pgqpp install --sql-only: the same edition, embedded in the tool ---
out=$("$pgqpp" install --sql-only --dsn "dbname=so_tool user=$owner")
echo "$out" | grep -q "installed pgqpp .* (SQL-only edition) in database so_tool" || fail "install said: $out"
out=$("$pgqpp" install --sql-only --dsn "dbname=so_tool user=$owner")
echo "$out" | grep -q "is already installed" || fail "second install said: $out"
check "the tool installed the same objects as psql -f" so_tool \
  "select count(*) = $(q so_psql "select count(*) from pg_proc where pronamespace = 'pgq'::regnamespace")
     from pg_proc where pronamespace = 'pgq'::regnamespace"
# The extension path refuses a database with the SQL-only edition.
if "$pgqpp" install --dsn "dbname=so_tool" >"$work/ext.out" 2>&1; then fail "install (extension) succeeded over the SQL-only edition"; fi
echo "ok: pgqpp install (extension) refuses it: $(cat "$work/ext.out")"

# --- pgq.ticker() alone (what pg_cron runs) ---
as_owner so_psql "select pgq.create_queue('q')" "select pgq.register_consumer('q', 'c')" >/dev/null
as_owner so_psql "select pgq.insert_event('q', 't', 'cron')" "select pgq.force_tick('q')" >/dev/null
as_owner so_psql "select pgq.ticker()" >/dev/null
check "pgq.ticker() made a batch with the event" so_psql \
  "select count(*) = 1 from pgq.get_batch_events(pgq.next_batch('q', 'c')) where ev_data = 'cron'"
as_owner so_psql "select pgq.finish_batch(pgq.next_batch('q', 'c'))" >/dev/null

# --- pgqpp ticker (as the owner) serves the SQL-only database ---
as_owner so_tool "select pgq.create_queue('q')" "select pgq.register_consumer('q', 'c')" >/dev/null
ticker_test_ini "$work/ticker.ini" "$log" "so_tool"
sed -i "s/user=$PGUSER/user=$owner/" "$work/ticker.ini"
"$pgqpp" ticker -q -v "$work/ticker.ini" &
pid=$!
wait_for 10 "the ticker serving so_tool" log_has "db=so_tool: serving pgqpp .* SQL-only edition"
wait_for 10 "the wake-up path in so_tool" log_has "db=so_tool: wake-up path active"
as_owner so_tool "select pgq.insert_event('q', 't', 'first')" >/dev/null
wait_for 5 "the first event in a batch" batch_has so_tool first
echo "ok: insert, tick by the ticker, next_batch gets the event"
# A retry comes back through the ticker's retry moves.
as_owner so_tool "select pgq.insert_event('q', 't', 'retry me')" >/dev/null
wait_for 5 "a batch to retry from" retry_from_batch so_tool "retry me"
wait_for 10 "the retried event again" batch_has so_tool "retry me"
echo "ok: the retried event came back"
# A delayed event is delivered once due.
as_owner so_tool "select pgq.insert_event_at('q', clock_timestamp() + interval '1 second', 't', 'later')" >/dev/null
wait_for 10 "the delayed event" batch_has so_tool later
echo "ok: the delayed event came"
# Maintenance (rotation steps, retry moves) ran without errors.
wait_for 5 "a maintenance round" log_has "db=so_tool"
if grep -qE '\] (ERROR|FATAL)' "$log"; then
  fail "errors in the ticker's log: $(grep -E '\] (ERROR|FATAL)' "$log" | head -5)"
fi
echo "ok: no error in the ticker's log"
kill -TERM "$pid"
wait_for 5 "the ticker to stop" not_running "$pid"
pid=
