-- SPDX-License-Identifier: PostgreSQL
-- Batches (C++: src/functions/batch.cpp).

-- Function: pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval)
--   Returns the consumer's open batch, or opens the next one. A new batch
--   ends at the next tick; with i_min_count / i_min_interval it ends at the
--   first tick that makes it that large or long (see find_tick_helper); with
--   i_min_lag its end tick must be at least that old. When no batch can be
--   opened, batch_id and the cur_* fields are NULL.
create function pgq.next_batch_custom(
    in i_queue_name text, in i_consumer_name text,
    in i_min_lag interval, in i_min_count int4, in i_min_interval interval,
    out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as 'MODULE_PATHNAME', 'pgqpp_next_batch_custom' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.next_batch_info(i_queue_name, i_consumer_name)
--   next_batch_custom without limits: the open or next batch with its ticks.
create function pgq.next_batch_info(
    in i_queue_name text, in i_consumer_name text,
    out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as 'MODULE_PATHNAME', 'pgqpp_next_batch_info' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.next_batch(i_queue_name, i_consumer_name)
--   The consumer's open batch id, or a new batch up to the next tick, or NULL
--   when there is no new tick yet. Until pgq.finish_batch, every call returns
--   the same open batch: a consumer that crashed gets it again.
create function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns int8 as 'MODULE_PATHNAME', 'pgqpp_next_batch' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.batch_event_sql(x_batch_id)
--   The SELECT statement that reads the batch's events: the events whose
--   transactions committed between the batch's two ticks, shared ones and
--   this consumer's retries, in ev_id order.
create function pgq.batch_event_sql(x_batch_id bigint)
returns text as 'MODULE_PATHNAME', 'pgqpp_batch_event_sql' language c;

-- Function: pgq.batch_event_tables(x_batch_id)
--   The event tables the batch's events can be in: one, or two while a table
--   rotation is recent.
create function pgq.batch_event_tables(x_batch_id bigint)
returns setof text as 'MODULE_PATHNAME', 'pgqpp_batch_event_tables' language c;

-- Function: pgq.get_batch_events(x_batch_id)
--   Every event of an open batch, in ev_id order.
create function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as 'MODULE_PATHNAME', 'pgqpp_get_batch_events' language c;

-- Function: pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, i_extra_where)
--   Opens a cursor named i_cursor_name over the batch's events (filtered by
--   the SQL condition i_extra_where when not NULL) and returns its first
--   i_quick_limit rows; FETCH the rest from the cursor in the same
--   transaction. Returns nothing when any of the first three is NULL.
create function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4, in i_extra_where text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as 'MODULE_PATHNAME', 'pgqpp_get_batch_cursor' language c;

-- Function: pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit)
--   get_batch_cursor without an extra condition.
create function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as 'MODULE_PATHNAME', 'pgqpp_get_batch_cursor' language c strict;

-- Function: pgq.finish_batch(x_batch_id)
--   Closes the batch: the consumer's position moves to the batch's end tick.
--   Returns 1, or 0 with a warning when no such batch is open.
create function pgq.finish_batch(x_batch_id bigint)
returns integer as 'MODULE_PATHNAME', 'pgqpp_finish_batch' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_batch_info(x_batch_id)
--   Describes an open batch: queue, consumer, start and end tick with their
--   times and event sequence values, and the lag of its end tick. All NULL
--   for an unknown batch.
create function pgq.get_batch_info(
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
