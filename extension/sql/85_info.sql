-- SPDX-License-Identifier: PostgreSQL
-- Status functions: queues and consumers at a glance.

-- Function: pgq.get_queue_info(i_queue_name)
--   One row per queue (all queues when i_queue_name is NULL), by name: its
--   settings, ticker_lag (age of its newest tick), ev_per_sec (over up to the
--   last 20 ticks), ev_new (events inserted since the newest tick) and
--   last_tick_id.
create function pgq.get_queue_info(
    in i_queue_name text,
    out queue_name text, out queue_ntables integer, out queue_cur_table integer,
    out queue_rotation_period interval, out queue_switch_time timestamptz,
    out queue_external_ticker boolean, out queue_ticker_paused boolean,
    out queue_ticker_max_count integer, out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval, out ticker_lag interval,
    out ev_per_sec float8, out ev_new bigint, out last_tick_id bigint)
returns setof record as $$
    select q.queue_name, q.queue_ntables, q.queue_cur_table, q.queue_rotation_period,
           q.queue_switch_time, q.queue_external_ticker, q.queue_ticker_paused,
           q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,
           current_timestamp - top.tick_time,
           case when old.tick_time < top.tick_time
                then (top.tick_event_seq - old.tick_event_seq)
                     / extract(epoch from top.tick_time - old.tick_time)::float8 end,
           coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1)
               - top.tick_event_seq,
           top.tick_id
      from pgq.queue q
      left join lateral (select t.tick_id, t.tick_time, t.tick_event_seq from pgq.tick t
                          where t.tick_queue = q.queue_id
                          order by t.tick_queue desc, t.tick_id desc limit 1) top on true
      left join lateral (select t.tick_time, t.tick_event_seq from pgq.tick t
                          where t.tick_queue = q.queue_id and t.tick_id >= top.tick_id - 20
                          order by t.tick_queue asc, t.tick_id asc limit 1) old on true
     where i_queue_name is null or q.queue_name = i_queue_name
     order by q.queue_name;
$$ language sql stable;

-- Function: pgq.get_queue_info()
--   get_queue_info for every queue.
create function pgq.get_queue_info(
    out queue_name text, out queue_ntables integer, out queue_cur_table integer,
    out queue_rotation_period interval, out queue_switch_time timestamptz,
    out queue_external_ticker boolean, out queue_ticker_paused boolean,
    out queue_ticker_max_count integer, out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval, out ticker_lag interval,
    out ev_per_sec float8, out ev_new bigint, out last_tick_id bigint)
returns setof record as $$
    select * from pgq.get_queue_info(null::text);
$$ language sql stable;

-- Function: pgq.get_consumer_info(i_queue_name, i_consumer_name)
--   One row per registration, by queue and consumer (NULL matches all): lag
--   (age of the consumer's position), last_seen (time since its last
--   next_batch / finish_batch), last_tick, current_batch, next_tick (end of
--   the open batch) and pending_events (events between its position and the
--   queue's newest tick).
create function pgq.get_consumer_info(
    in i_queue_name text, in i_consumer_name text,
    out queue_name text, out consumer_name text, out lag interval, out last_seen interval,
    out last_tick bigint, out current_batch bigint, out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
    select q.queue_name, c.co_name,
           current_timestamp - t.tick_time, current_timestamp - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           top.tick_event_seq - t.tick_event_seq
      from pgq.subscription_current s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick
      left join lateral (select tt.tick_event_seq from pgq.tick tt
                          where tt.tick_queue = s.sub_queue
                          order by tt.tick_queue desc, tt.tick_id desc limit 1) top on true
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or c.co_name = i_consumer_name)
     order by 1, 2;
$$ language sql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_consumer_info(i_queue_name)
--   get_consumer_info for every consumer of one queue.
create function pgq.get_consumer_info(
    in i_queue_name text,
    out queue_name text, out consumer_name text, out lag interval, out last_seen interval,
    out last_tick bigint, out current_batch bigint, out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
    select * from pgq.get_consumer_info(i_queue_name, null::text);
$$ language sql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_consumer_info()
--   get_consumer_info for every consumer of every queue.
create function pgq.get_consumer_info(
    out queue_name text, out consumer_name text, out lag interval, out last_seen interval,
    out last_tick bigint, out current_batch bigint, out next_tick bigint,
    out pending_events bigint)
returns setof record as $$
    select * from pgq.get_consumer_info(null::text, null::text);
$$ language sql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;
