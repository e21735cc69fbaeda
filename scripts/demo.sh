#!/usr/bin/env bash
# make demo: a throwaway local PostgreSQL with pgqpp, a queue, a ticker, a SQL
# producer and a consumer reading batches for a few seconds, then a summary.
# Everything runs in a temporary folder that is removed at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
seconds=${DEMO_SECONDS:-8}
. "$root/tests/lib/cluster.sh"

work=$(mktemp -d /tmp/pgqpp-demo.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/cluster"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop "$work/cluster/data"
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "starting a throwaway PostgreSQL with pgqpp (in $work)"
pg_stage "$work/stage" "$build"
port=$(free_port)
pg_start "$work/cluster/data" "$port" "-c shared_preload_libraries=pgqpp"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

say "create extension pgqpp; a queue 'orders' with a consumer 'shipping'"
q "create extension pgqpp"
q "select pgq.create_queue('orders')" >/dev/null
q "select pgq.register_consumer('orders', 'shipping')" >/dev/null
q "create table demo_seen (ev_id bigint, batch_id bigint, latency interval)"

say "ticker: pgqpp ticker, woken by each commit (pgqpp is in shared_preload_libraries)"
"$build/cli/pgqpp" ticker -q --syslog 0 --database postgres --logfile "$work/ticker.log" &
pids+=($!)
ticker_pid=$!

say "producer: one order per transaction, about 200 per second, through pgq.insert_event"
q "do \$\$ declare deadline timestamptz := clock_timestamp() + interval '$seconds seconds'; i int := 0;
   begin while clock_timestamp() < deadline loop
     i := i + 1;
     perform pgq.insert_event('orders', 'order.created',
                              json_build_object('order', i, 'amount', i % 97 + 3)::text);
     commit;
     perform pg_sleep(0.005);
   end loop; end \$\$" &
producer_pid=$!
pids+=($producer_pid)

say "consumer: next_batch / get_batch_events / finish_batch, for $seconds seconds"
# Reads batches until `until` passes; each batch's events are recorded with
# their end-to-end latency (commit of the producer to the consumer's read).
consume_until() {
  q "do \$\$ declare b bigint; deadline timestamptz := clock_timestamp() + interval '$1 seconds';
     begin
       while clock_timestamp() < deadline loop
         b := pgq.next_batch('orders', 'shipping');
         if b is null then
           commit; perform pg_sleep(0.001); continue;
         end if;
         insert into demo_seen
         select ev_id, b, clock_timestamp() - ev_time from pgq.get_batch_events(b);
         perform pgq.finish_batch(b);
         commit;
       end loop; end \$\$"
}
consume_until "$seconds"
# The producer has stopped; the ticker's last ticks let the consumer drain.
wait "$producer_pid"
consume_until 2
kill "$ticker_pid"
wait "$ticker_pid" || true
pids=()

say "summary"
produced=$(q "select count(*) from pgq.event_1")
psql -X -q -v ON_ERROR_STOP=1 <<SQL
select $produced as events_produced,
       count(*) as events_consumed,
       count(*) - count(distinct ev_id) as duplicates,
       count(distinct batch_id) as batches,
       round(count(*)::numeric / nullif(count(distinct batch_id), 0), 1) as events_per_batch,
       round((extract(epoch from percentile_cont(0.5) within group (order by latency)) * 1000)::numeric, 1) as p50_latency_ms,
       round((extract(epoch from percentile_cont(0.99) within group (order by latency)) * 1000)::numeric, 1) as p99_latency_ms
  from demo_seen;
select queue_name, ev_per_sec::numeric(10,1) as ev_per_sec, last_tick_id from pgq.get_queue_info();
select queue_name, consumer_name, pending_events, current_batch from pgq.get_consumer_info();
SQL
consumed=$(q "select count(distinct ev_id) from demo_seen")
if [ "$consumed" != "$produced" ]; then
  echo "demo: produced $produced events but the consumer saw $consumed" >&2
  exit 1
fi
echo "ticker log:"
grep -E "serving|wake-up|stats" "$work/ticker.log" | head -5 | sed 's/^/  /'
say "every produced event was consumed exactly once; cleaning up"
