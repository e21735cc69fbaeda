#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The SQL-only edition's change signal (docs/managed.md, "Ticking on commit
# without the library"): one row of pgq._so_signal per transaction and
# queue, whichever insert path wrote the events (insert_event with 3 and 7
# arguments, insert_event_raw, insert_events), none for a rolled-back
# transaction or savepoint, one again for the same queue after a
# rolled-back savepoint; and one place that writes it, pgq._so_note_signal
# (review D2: both insert paths call it, no function body of its own inserts
# into the table), also after a rotation moved the queue to its next table.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/sqlonly.sh"
file=$(sqlonly_file "${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"
db=so_signal
fresh_databases "$db"
q postgres "do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then create role pgq_reader; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then create role pgq_writer; end if;
  if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then
    create role pgq_admin in role pgq_reader, pgq_writer; end if;
end \$\$"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$file" >/dev/null
q "$db" "select pgq.create_queue('qa')" "select pgq.create_queue('qb')" >/dev/null

check "one place inserts into pgq._so_signal: pgq._so_note_signal" "$db" \
  "select array_agg(p.proname order by p.proname) = '{_so_note_signal}'
     from pg_proc p where p.pronamespace = 'pgq'::regnamespace
      and p.prosrc ~* 'insert\\s+into\\s+pgq\\._so_signal'" \
  "select p.oid::regprocedure from pg_proc p where p.pronamespace = 'pgq'::regnamespace
      and p.prosrc ~* 'insert\\s+into\\s+pgq\\._so_signal'"

# signals QUEUE: the queue's rows in pgq._so_signal.
signals() { echo "(select count(*) from pgq._so_signal s join pgq.queue q using (queue_id) where q.queue_name = '$1')"; }

# Every path, twice, in one transaction: one signal for qa, one for qb.
q "$db" <<SQL >/dev/null
begin;
select pgq.insert_event('qa', 't', '1');
select pgq.insert_event('qa', 't', '2', 'e1', 'e2', 'e3', 'e4');
select pgq.insert_event_raw('qa', null, null, null, null, 't', '3', null, null, null, null);
select pgq.insert_events('qa', '{t}', '{4,5}');
select pgq.insert_event('qb', 't', '1');
select pgq.insert_events('qb', '{t}', '{2}');
commit;
SQL
check "one signal per queue for a transaction of every insert path" "$db" \
  "select $(signals qa) = 1 and $(signals qb) = 1" "select * from pgq._so_signal"
check "the events are there" "$db" "select count(*) = 5 from pgq.event_$(q "$db" "select queue_id from pgq.queue where queue_name = 'qa'")"
q "$db" "delete from pgq._so_signal" >/dev/null

# Each path alone makes its signal (a transaction each).
for call in "pgq.insert_event('qa', 't', 'x')" "pgq.insert_event('qa', 't', 'x', null, null, null, null)" \
            "pgq.insert_event_raw('qa', null, null, null, null, 't', 'x', null, null, null, null)" \
            "pgq.insert_events('qa', '{t}', '{x}')"; do
  q "$db" "select $call" >/dev/null
  check "a signal from $call" "$db" "select $(signals qa) = 1"
  q "$db" "delete from pgq._so_signal" >/dev/null
done

# Rolled back: no signal; a rolled-back savepoint takes its signal with it,
# and the transaction's next insert writes it again.
q "$db" "begin" "select pgq.insert_event('qa', 't', 'gone')" "rollback" >/dev/null
check "no signal from a rolled-back transaction" "$db" "select $(signals qa) = 0"
q "$db" <<SQL >/dev/null
begin;
savepoint s;
select pgq.insert_event('qa', 't', 'gone');
rollback to savepoint s;
select pgq.insert_events('qa', '{t}', '{kept}');
commit;
SQL
check "one signal after a rolled-back savepoint and another insert" "$db" "select $(signals qa) = 1"
q "$db" "delete from pgq._so_signal" >/dev/null

# After a rotation the next insert goes into the new current table, with its signal.
q "$db" "update pgq.queue set queue_rotation_period = '0 seconds' where queue_name = 'qa'" \
  "select pgq.maint_rotate_tables_step1('qa')" "select pgq.maint_rotate_tables_step2()" >/dev/null
check "the rotation moved qa to its next table" "$db" "select queue_cur_table = 1 from pgq.queue where queue_name = 'qa'"
q "$db" "select pgq.insert_event('qa', 't', 'rotated')" >/dev/null
check "after a rotation the event is in the current table" "$db" \
  "select tableoid::regclass::text = (select queue_data_pfx || '_' || queue_cur_table from pgq.queue where queue_name = 'qa')
     from pgq.event_$(q "$db" "select queue_id from pgq.queue where queue_name = 'qa'") where ev_data = 'rotated'"
check "with its signal" "$db" "select $(signals qa) = 1"
