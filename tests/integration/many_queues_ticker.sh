#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pgq.ticker() over more queues than the shared lock table has room for
# (issue 25: where the queue count becomes the limit). A cluster of its own
# with max_locks_per_transaction = 10 and max_connections = 20: a lock table
# of a few hundred entries, against 1,500 queues that are all due a tick.
# PgQ 3.5's pgq.ticker() and pgqpp's before this check locked every queue's
# event sequence until commit and failed with "out of shared memory" on
# every call, so no queue ever ticked again. Now:
#  - one call ticks at most 2 x max_locks_per_transaction queues (20 here),
#    the queue with new events first although its id comes last;
#  - it holds about three locks per ticked queue, not one per queue;
#  - repeated calls tick every queue.
# With MANY_QUEUES_EDITION=sqlonly (sqlonly_many_queues_ticker.sh) the same
# against the SQL-only edition's PL/pgSQL pgq.ticker() (docs/managed.md).
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
edition=${MANY_QUEUES_EDITION:-extension}
work=$PGQPP_TEST_WORK/many_queues_ticker_$edition
rm -rf "$work"
mkdir -p "$work/cluster"
chmod 755 "$work"
trap 'pg_stop "$work/cluster/data"' EXIT

queues=1500
cap=20
pg_stage "$work/stage" "$PGQPP_BUILD_DIR"
port=$(free_port)
pg_start "$work/cluster/data" "$port" "-c max_locks_per_transaction=10" "-c max_connections=20"
export PGPORT=$port PGHOST=$work/cluster PGUSER=postgres
db=postgres
if [ "$edition" = sqlonly ]; then
  . "$root/tests/lib/sqlonly.sh"
  q "$db" "create role pgq_reader" "create role pgq_writer" "create role pgq_admin in role pgq_reader, pgq_writer"
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$(sqlonly_file "$PGQPP_BUILD_DIR")" >/dev/null
  check "the SQL-only edition is installed" "$db" "select pgq.sqlonly_version() <> ''"
else
  q "$db" "create extension pgqpp"
fi
# Ten queues per transaction: creating one takes a dozen locks.
q "$db" "do \$\$ begin for i in 1..$queues loop perform pgq.create_queue('q' || i);
          if i % 10 = 0 then commit; end if; end loop; end \$\$"
# Every queue due an idle tick; the last one (highest id) also has an event.
q "$db" "update pgq.queue set queue_ticker_idle_period = '0'" >/dev/null
q "$db" "select pgq.set_queue_config('q$queues', 'ticker_max_count', '1')" >/dev/null
# Two events: the event sequence reads 1 before and after its first value
# (PgQ's seq_getval), so only the second one shows as new.
q "$db" "select pgq.insert_event('q$queues', 'e', 'first'), pgq.insert_event('q$queues', 'e', 'second')" >/dev/null
ticks_of() { q "$db" "select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = '$1'"; }
before=$(ticks_of "q$queues")

out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'SQL'
begin;
select pgq.ticker();
select count(*) from pg_locks where pid = pg_backend_pid();
commit;
SQL
) || fail "pgq.ticker() over $queues due queues failed: $out"
read -r -d '' ticked locks <<<"$out" || true
[ "$ticked" -eq "$cap" ] || fail "the first pgq.ticker() ticked $ticked queues, expected $cap (2 x max_locks_per_transaction)"
# Three per ticked queue (its tick lock, its two sequences) and a few more
# (the transaction's own, pgq's tables): not one per queue.
[ "$locks" -le $((3 * cap + 30)) ] || fail "pgq.ticker() held $locks locks for $cap ticks"
[ "$(ticks_of "q$queues")" -gt "$before" ] || fail "the queue with an event was not among the first ticked"

calls=1
while [ "$(q "$db" "select count(*) from pgq.queue q where (select count(*) from pgq.tick where tick_queue = q.queue_id) < 2")" -gt 0 ]; do
  n=$(q "$db" "select pgq.ticker()")
  [ "$n" -le "$cap" ] || fail "pgq.ticker() ticked $n queues, more than $cap"
  calls=$((calls + 1))
  [ "$calls" -le $((queues / cap + 10)) ] || fail "after $calls calls some queues still had no new tick"
done
echo "ok ($edition): $queues due queues ticked in $calls calls of at most $cap, $locks locks held by a call"
