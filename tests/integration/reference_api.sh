#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pgqpp's functions, table columns and privileges equal PgQ 3.5's reference
# lists (tests/reference/), apart from the documented differences.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
ref=$(cd "$(dirname "$0")/../reference" && pwd)
db=ref_api
out=$PGQPP_TEST_WORK/reference_api
mkdir -p "$out"
psql -X -q -c "drop database if exists $db" -c "create database $db"
trap 'psql -X -q -c "drop database if exists $db" >/dev/null 2>&1 || true' EXIT
q "$db" "create extension pgqpp; select pgq.create_queue('one'); select pgq.create_queue('two');" >/dev/null

# Documented differences: pgqpp additions (functions, then tables).
added_functions='insert_events|wakeup_ticker|next_batch_wait|_check_name|_queue_changed|_ids_past_restored|event_dead|dead_letters|dead_letter_replay|dead_letter_purge|_dead_letter_sub|_set_max_retries|insert_event_at|insert_events_at|_delayed_queue_dropped|set_consumer_config|get_consumer_config|get_delayed_info'
added_tables='dead_letter|queue_config|delayed_event|delayed_event_0|delayed_event_1|delayed_mark|delayed_pending|consumer_config'
additions="^($added_functions)\\("

q "$db" "select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') -> '
          || case when p.proretset then 'SETOF ' else '' end || format_type(p.prorettype, null)
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'pgq' order by 1" | grep -Ev "$additions" | LC_ALL=C sort >"$out/functions"
LC_ALL=C sort "$ref/pgq-3.5-functions.txt" >"$out/functions.ref"

q "$db" "select c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
     from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'pgq' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
      and c.relname in ('consumer','event_template','queue','retry_queue','subscription','tick')" \
  | LC_ALL=C sort >"$out/tables"
LC_ALL=C sort "$ref/pgq-3.5-tables.txt" >"$out/tables.ref"

# Privileges of everyone but the owner, as "ROLE PRIVILEGE object".
q "$db" "with acl as (
     select p.proname || '(' || pg_get_function_arguments(p.oid) || ')' as obj, p.proowner as owner,
            (aclexplode(p.proacl)).*
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'pgq'
     union all
     select c.relname, c.relowner, (aclexplode(c.relacl)).*
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'pgq' and c.relkind in ('r', 'S'))
   select case when grantee = 0 then 'PUBLIC' else pg_get_userbyid(grantee) end
          || ' ' || privilege_type || ' ' || obj
     from acl where grantee <> owner" \
  | grep -Ev " ($added_functions)\\(| ($added_tables)$" | LC_ALL=C sort -u >"$out/grants"
LC_ALL=C sort -u "$ref/pgq-3.5-grants.txt" >"$out/grants.ref"

status=0
for what in functions tables grants; do
  if ! diff -u "$out/$what.ref" "$out/$what" >"$out/$what.diff"; then
    echo "pgqpp's $what differ from PgQ 3.5's (- reference, + pgqpp):"
    cat "$out/$what.diff"
    status=1
  else
    echo "$what: $(wc -l <"$out/$what") lines identical to PgQ 3.5's"
  fi
done
exit $status
