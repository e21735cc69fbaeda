#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Drop-in compatibility of pgq_coop: Debian's python3-pgq cooperative
# consumer (pgq.CoopConsumer, tests/compat/python_coop_consumer.py) on a
# pgqpp queue. Its --register and --unregister; two subconsumers running at
# once share the consumer's batches, every event once, no batch twice; with
# subconsumer_timeout set, one takes over the batch of a subconsumer that
# died holding it.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

here=$(cd "$(dirname "$0")" && pwd)
consumer_py="$here/../compat/python_coop_consumer.py"
db=compat_pyq_coop
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/compat_pyq_coop"
rm -rf "$work"
mkdir -p "$work"

# python3-pgq is a Debian package for the system interpreter (see
# compat_python_pgq.sh); no silent skip when it's absent.
py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 &&
    "$cand" -c 'import pgq, skytools, psycopg2; pgq.CoopConsumer' >/dev/null 2>&1; then
    py=$(command -v "$cand"); break
  fi
done
[ -n "$py" ] || fail "no python3 can import pgq (with CoopConsumer), skytools and psycopg2 (install python3-pgq)"
fail_context() { tail -30 "$work"/*.log 2>/dev/null || true; }
fresh_databases $db

q $db >/dev/null <<'SQL'
create extension pgqpp;
select pgq.create_queue('pq');
create table seen (sub text, batch_id bigint, ev_id bigint, ev_data text);
SQL

# consume SUB [--set k=v...]: one run of subconsumer SUB of consumer pc.
consume() {
  local sub=$1
  shift
  cat >"$work/$sub.ini" <<INI
[compat_coop]
job_name = compat_coop_$sub
db = host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db
queue_name = pq
consumer_name = pc
subconsumer_name = $sub
seen_table = seen
loop_delay = 0
use_skylog = 0
logfile = $work/$sub.log
INI
  timeout 60 "$py" "$consumer_py" "$work/$sub.ini" -q "$@" || fail "python subconsumer $sub exited with status $?"
}
tick() { q $db "select pgq.force_tick('pq')" "select pgq.ticker()" >/dev/null; }

consume py1 --register
consume py2 --register
check "python registered two subconsumers of pc" $db \
  "select string_agg(consumer_name, ',' order by consumer_name) = 'pc,pc.py1,pc.py2'
     from pgq.get_consumer_info('pq')"

for i in $(seq 1 12); do
  q $db "select pgq.insert_events('pq', array['t'], array(select '$i.' || g from generate_series(1, 5) g))" >/dev/null
  tick
done
consume py1 &
p1=$!
consume py2 &
p2=$!
wait $p1 || fail "py1 failed"
wait $p2 || fail "py2 failed"
check "all 60 events seen once" $db \
  "select count(*) = 60 and count(distinct ev_id) = 60 from seen" \
  "select sub, count(*) from seen group by sub"
check "no batch went to both" $db \
  "select not exists (select 1 from seen group by batch_id having count(distinct sub) > 1)"
check "the consumer has every event, no subconsumer holds a batch" $db \
  "select bool_and(current_batch is null) and
          (select pending_events = 0 from pgq.get_consumer_info('pq', 'pc'))
     from pgq.get_consumer_info('pq')"
echo "two python subconsumers shared 12 batches: $(q $db "select string_agg(sub || ' ' || n, ', ') from (select sub, count(distinct batch_id) n from seen group by sub order by sub) s")"

# A subconsumer dies holding a batch; py2 with subconsumer_timeout takes it over.
q $db "select pgq.insert_event('pq', 't', 'orphan')" >/dev/null
tick
b=$(q $db "select pgq_coop.next_batch('pq', 'pc', 'ghost')")
[ -n "$b" ] || fail "ghost got no batch"
consume py2
check "without a timeout py2 leaves the ghost's batch alone" $db \
  "select not exists (select 1 from seen where ev_data = 'orphan')"
q $db "update pgq.subscription set sub_active = now() - interval '2 hours' where sub_batch = $b" >/dev/null
consume py2 --set "subconsumer_timeout=1 hour"
check "py2 took the ghost's batch over" $db \
  "select count(*) = 1 from seen where ev_data = 'orphan' and sub = 'py2' and batch_id = $b"
check "the ghost is unregistered" $db \
  "select not exists (select 1 from pgq.get_consumer_info('pq', 'pc.ghost'))"

consume py1 --unregister
check "python unregistered py1" $db \
  "select not exists (select 1 from pgq.get_consumer_info('pq', 'pc.py1'))"
echo "PASS"
