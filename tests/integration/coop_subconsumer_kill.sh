#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Cooperative consumers (pgq_coop) with a subconsumer killed mid-batch:
# three subconsumer processes share consumer c over 40 batches of 25 events
# while a producer keeps inserting and ticking. One of them (the victim)
# takes a batch, records its events and hangs; the test kills it with
# SIGKILL. The others go on with pgq_coop.next_batch(..., '5 seconds'); one
# of them takes the victim's batch over after the dead interval. In the end
# every event was handled, each exactly once by the survivors; the victim's
# batch was delivered twice in all (to the victim, then to exactly one
# other subconsumer), and no other batch more than once.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

db=pgqpp_coop_kill_$$_$RANDOM
tmp=$(mktemp -d "${PGQPP_TEST_WORK:?}/coop_subconsumer_kill.XXXXXX")
export PGOPTIONS="-c statement_timeout=60s"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "create database $db"
q "$db" <<'SQL' >/dev/null
create extension pgqpp;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '100000');
select pgq_coop.register_subconsumer('q', 'c', 'victim');
select pgq_coop.register_subconsumer('q', 'c', 'w1');
select pgq_coop.register_subconsumer('q', 'c', 'w2');
create table handled (sub text, batch_id bigint, ev_id bigint, ev_data text,
                      at timestamptz not null);
SQL

# worker SUB MODE: a subconsumer process. It takes a batch, records its
# events (committed at once, as a consumer's work would be) and finishes
# the batch; MODE victim: after recording its first batch it hangs until
# killed. Stops when $tmp/stop exists and there is no batch left.
worker() {
  local sub=$1 mode=$2 b taken
  while :; do
    # With the batch, the time its next_batch ran at (now(): what the dead
    # interval is measured with), recorded as the events' handling time.
    read -r b taken <<<"$(q "$db" "select pgq_coop.next_batch('q', 'c', '$sub', '5 seconds')
                                          || ' ' || extract(epoch from now())")"
    if [ -z "$b" ]; then
      [ -e "$tmp/stop" ] && return 0
      sleep 0.05
      continue
    fi
    q "$db" "insert into handled (sub, batch_id, ev_id, ev_data, at)
             select '$sub', $b, ev_id, ev_data, to_timestamp($taken) from pgq.get_batch_events($b)"
    if [ "$mode" = victim ]; then
      echo "$b" >"$tmp/victim_batch"
      while :; do sleep 0.1; done  # hangs holding the batch
    fi
    sleep 0.02  # the work
    [ "$(q "$db" "select pgq_coop.finish_batch($b)")" = 1 ] || { echo "finish_batch($b) failed"; return 1; }
  done
}

# The producer: 40 transactions of 25 events, each followed by a tick.
for i in $(seq 1 40); do
  q "$db" "select pgq.insert_events('q', array['t'],
             array(select '$i.' || g from generate_series(1, 25) g))" >/dev/null
  q "$db" "select pgq.force_tick('q'); select pgq.ticker('q')" >/dev/null
  if [ "$i" = 3 ]; then
    worker victim victim >"$tmp/victim.log" 2>&1 &
    pids+=($!)
    victim=$!
    wait_for 20 "the victim to take a batch" test -s "$tmp/victim_batch"
    worker w1 normal >"$tmp/w1.log" 2>&1 &
    pids+=($!)
    worker w2 normal >"$tmp/w2.log" 2>&1 &
    pids+=($!)
  fi
  if [ "$i" = 10 ]; then
    kill -9 "$victim"
    wait "$victim" 2>/dev/null || true
  fi
done
vb=$(cat "$tmp/victim_batch")
echo "victim killed holding batch $vb"
check "the victim still holds its batch when killed" "$db" \
  "select exists (select 1 from pgq.get_consumer_info('q', 'c.victim') where current_batch = $vb)
       or exists (select 1 from handled where batch_id = $vb and sub <> 'victim')"

# The survivors stop once no batch is left; the victim's counts only after
# the dead interval (5 s after it last took a batch), which a fast machine
# may not have reached yet: wait for the takeover first.
taken_over() {
  [ "$(q "$db" "select exists (select 1 from handled where batch_id = $vb and sub <> 'victim')")" = t ]
}
wait_for 60 "a survivor to take the victim's batch over" taken_over
touch "$tmp/stop"
for p in "${pids[@]:1}"; do  # w1, w2
  wait "$p" || { cat "$tmp"/w*.log; fail "a worker failed"; }
done
pids=()

check "all 1000 events handled by the survivors, each once" "$db" \
  "select count(*) = 1000 and count(distinct ev_id) = 1000 from handled where sub <> 'victim'" \
  "select sub, count(*), count(distinct ev_id) from handled group by sub"
check "the victim's batch went to exactly one other subconsumer" "$db" \
  "select count(distinct sub) = 1 and count(*) = (select count(*) from handled
                                                   where sub = 'victim')
     from handled where batch_id = $vb and sub <> 'victim'" \
  "select sub, batch_id, count(*) from handled where batch_id = $vb group by 1, 2"
check "no batch but the victim's was delivered twice" "$db" \
  "select not exists (select 1 from handled where batch_id <> $vb
                       group by batch_id having count(distinct sub) > 1)"
check "the taker got it after the dead interval" "$db" \
  "select min(at) filter (where sub <> 'victim') - min(at) filter (where sub = 'victim')
          >= interval '5 seconds' from handled where batch_id = $vb"
check "the dead subconsumer is unregistered, the consumer has everything" "$db" \
  "select not exists (select 1 from pgq.get_consumer_info('q', 'c.victim'))
      and (select pending_events = 0 and current_batch is null
             from pgq.get_consumer_info('q', 'c'))"
echo "PASS"
