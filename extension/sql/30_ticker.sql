-- SPDX-License-Identifier: PostgreSQL
-- Ticks (C++: src/functions/ticker.cpp).

-- Function: pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq)
--   Inserts a tick given by an external source into a queue that has
--   queue_external_ticker set (cascaded replicas copy their provider's
--   ticks), and moves the queue's sequences forward to match. Returns
--   i_tick_id.
create function pgq.ticker(i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_ticker_external' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.ticker(i_queue_name)
--   Adds a tick to the queue if one is due (ticker_max_count events, or
--   events older than ticker_max_lag, or ticker_idle_period without events)
--   and returns the new tick id, or NULL when no tick was due.
create function pgq.ticker(i_queue_name text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_ticker_queue' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.ticker()
--   Ticks every queue that is neither paused nor externally ticked and is
--   due a tick by the same rule as pgq.ticker(queue); returns how many got
--   one. Set-based: a scan of pgq.queue and a look at each event sequence
--   find the queues that can be due by the newest ticks the session has
--   seen, one query reads the tick state of those only (of every queue in a
--   session's first call and once a minute; in the SQL-only edition, every
--   call), and two statements tick all
--   due queues, so calling it every second over thousands of queues stays
--   cheap. A queue that another ticker is ticking right now is skipped.
--   One call ticks at most 2 x max_locks_per_transaction queues (128 with
--   the default), those with new events first; the others are ticked by the
--   next call (each tick holds two locks until commit, and ticking
--   thousands of due queues at once would exhaust the shared lock table).
create function pgq.ticker()
returns bigint as 'MODULE_PATHNAME', 'pgqpp_ticker_all' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.force_tick(i_queue_name)
--   Makes the next pgq.ticker() call tick this queue by moving its event
--   sequence past ticker_max_count. Returns the queue's last tick id (the
--   new tick comes with the ticker's next run).
create function pgq.force_tick(i_queue_name text) returns bigint as $$
    select pg_catalog.setval(q.queue_event_seq::regclass,
                             pg_catalog.nextval(q.queue_event_seq::regclass) + q.queue_ticker_max_count * 2 + 1000)
      from pgq.queue q
     where q.queue_name = i_queue_name
       and not q.queue_external_ticker and not q.queue_ticker_paused;
    select t.tick_id from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
     where q.queue_name = i_queue_name
     order by t.tick_queue desc, t.tick_id desc limit 1;
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.find_tick_helper(i_queue_id, i_prev_tick_id, i_prev_tick_time, i_prev_tick_seq, i_min_count, i_min_interval)
--   For next_batch_custom: the first tick after i_prev_tick_id that closes a
--   batch of at least i_min_count events or i_min_interval of time (either
--   suffices). When the newest tick is not yet far enough, returns NULLs;
--   when it is far beyond, returns the earliest tick that suffices so that
--   batches stay near the requested size.
create function pgq.find_tick_helper(
    in i_queue_id int4, in i_prev_tick_id int8, in i_prev_tick_time timestamptz,
    in i_prev_tick_seq int8, in i_min_count int8, in i_min_interval interval,
    out next_tick_id int8, out next_tick_time timestamptz, out next_tick_seq int8)
as $$
declare
    newest record;
    enough boolean := false;
    far_beyond boolean := false;
begin
    select tick_id, tick_time, tick_event_seq into newest
      from pgq.tick
     where tick_queue = i_queue_id and tick_id > i_prev_tick_id
     order by tick_queue desc, tick_id desc limit 1;
    if not found then
        return;
    end if;
    if i_min_count is not null then
        enough := enough or newest.tick_event_seq - i_prev_tick_seq >= i_min_count;
        far_beyond := far_beyond or newest.tick_event_seq - i_prev_tick_seq > i_min_count * 2;
    end if;
    if i_min_interval is not null then
        enough := enough or newest.tick_time - i_prev_tick_time >= i_min_interval;
        far_beyond := far_beyond or newest.tick_time - i_prev_tick_time > i_min_interval * 2;
    end if;
    if far_beyond then
        select tick_id, tick_time, tick_event_seq into newest
          from pgq.tick
         where tick_queue = i_queue_id and tick_id > i_prev_tick_id
           and ((i_min_count is not null and tick_event_seq - i_prev_tick_seq >= i_min_count)
             or (i_min_interval is not null and tick_time - i_prev_tick_time >= i_min_interval))
         order by tick_queue asc, tick_id asc limit 1;
        enough := true;
    end if;
    if enough then
        next_tick_id := newest.tick_id;
        next_tick_time := newest.tick_time;
        next_tick_seq := newest.tick_event_seq;
    end if;
end;
$$ language plpgsql stable;
