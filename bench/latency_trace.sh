#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Where an event's latency goes: one latency_probe run with per-event times
# (LATENCY_TRACE), joined with the server's own timestamps, printed as
# p50/p99 per stage:
#   commit->tick     the producer's commit (its commit timestamp) to the
#                    tick that closes the event's batch (pgq.tick.tick_time,
#                    clock_timestamp() when the tick row is written): the
#                    ticker's wake-up and the tick statement
#   tick->commit     the tick row to the commit of the ticking transaction,
#                    which sends the NOTIFY
#   commit->consumer the tick's commit to the consumer having the event in
#                    hand: NOTIFY delivery, the consumer's wake-up,
#                    next_batch and get_batch_events
#   commit->client   the producer's commit timestamp to its client seeing
#                    the commit return (not part of the latency; shown to
#                    tell the clocks' agreement)
#   total            what latency_probe reports
# Producer, ticker and consumer run on this machine, so the wall clocks of
# client and server are the same clock.
#
#   bench/latency_trace.sh DB QUEUE [MODE [RATE [SECONDS]]]
#
# On a running cluster (the PG* variables), with a ticker serving DB, and
# track_commit_timestamp = on (the commit timestamps; needs a restart).
# MODE as latency_probe's (lib, listen, poll), default lib; RATE (100) ev/s
# for SECONDS (10). BUILD names the build directory (default build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
db=${1:?usage: latency_trace.sh DB QUEUE [MODE [RATE [SECONDS]]]}
queue=${2:?usage: latency_trace.sh DB QUEUE [MODE [RATE [SECONDS]]]}
mode=${3:-lib} rate=${4:-100} seconds=${5:-10}
psql_() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
[ "$(psql_ -At -c 'show track_commit_timestamp')" = on ] ||
  { echo "latency_trace.sh: needs track_commit_timestamp = on" >&2; exit 2; }
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
LATENCY_TRACE=$trace "$build/bench/latency_probe" "dbname=$db" "$queue" "trace_$mode" "$mode" "$rate" "$seconds"
psql_ -v trace="$trace" -v queue="$queue" <<'SQL'
create temp table trace_run (i int, committed_us bigint, seen_us bigint);
\set copy '\\copy trace_run from ' :'trace' ' with (delimiter '' '')'
:copy
-- Each event of this run (its payload is i; earlier runs used the same
-- numbers, so the commit must be the probe's), with the first tick of its
-- queue whose snapshot sees it.
create temp table trace_stage as
select r.committed_us, r.seen_us,
       extract(epoch from pg_xact_commit_timestamp((e.ev_txid % 4294967296)::text::xid)) * 1e6 as ev_commit_us,
       extract(epoch from t.tick_time) * 1e6 as tick_us,
       extract(epoch from pg_xact_commit_timestamp(t.xmin)) * 1e6 as tick_commit_us
  from trace_run r
  join pgq.event_template e on e.ev_data = r.i::text and e.ev_type = 'probe'
   and extract(epoch from e.ev_time) * 1e6 between r.committed_us - 1e6 and r.committed_us
  cross join lateral (select t.tick_time, t.xmin from pgq.tick t
                       where t.tick_queue = (select queue_id from pgq.queue where queue_name = :'queue')
                         and txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)
                       order by t.tick_id limit 1) t;
with s(stage, ord, us) as (
  select 'commit->tick', 1, tick_us - ev_commit_us from trace_stage
  union all select 'tick->commit', 2, tick_commit_us - tick_us from trace_stage
  union all select 'commit->consumer', 3, seen_us - tick_commit_us from trace_stage
  union all select 'commit->client', 4, committed_us - ev_commit_us from trace_stage
  union all select 'total', 5, seen_us - committed_us from trace_stage)
select stage, count(*) as events,
       round((percentile_cont(0.5) within group (order by us))::numeric / 1000, 3) as p50_ms,
       round((percentile_cont(0.99) within group (order by us))::numeric / 1000, 3) as p99_ms
  from s group by stage, ord order by ord;
SQL
