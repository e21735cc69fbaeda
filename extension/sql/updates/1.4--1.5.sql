-- SPDX-License-Identifier: PostgreSQL
-- 1.4 -> 1.5: pgq.get_batch_info in PL/pgSQL (its plan kept per session)
-- instead of an SQL function planned at every call; same arguments, result
-- and rights.

create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text, out consumer_name text,
    out batch_start timestamptz, out batch_end timestamptz,
    out prev_tick_id bigint, out tick_id bigint, out lag interval,
    out seq_start bigint, out seq_end bigint)
as $$
begin
    -- PL/pgSQL, as PgQ's: it keeps the query's plan for the session. An SQL
    -- function with SET search_path is planned at every call (about 1 ms
    -- for this join; docs/performance.md).
    select q.queue_name, c.co_name, prev.tick_time, cur.tick_time,
           s.sub_last_tick, s.sub_next_tick, current_timestamp - cur.tick_time,
           prev.tick_event_seq, cur.tick_event_seq
      into queue_name, consumer_name, batch_start, batch_end,
           prev_tick_id, tick_id, lag, seq_start, seq_end
      from pgq.subscription_current s
      join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
      join pgq.tick prev on prev.tick_queue = s.sub_queue and prev.tick_id = s.sub_last_tick
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where s.sub_batch = x_batch_id;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
