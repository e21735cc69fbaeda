-- SPDX-License-Identifier: PostgreSQL
-- Retries (C++: src/functions/retry.cpp).

-- Function: pgq.event_retry(x_batch_id, x_event_id, x_retry_time)
--   Puts one event of an open batch aside for this consumer until
--   x_retry_time; maintenance then brings it back in a later batch of this
--   consumer only, with ev_retry increased by one. Returns 1, or 0 when the
--   event is already waiting for a retry.
create function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns integer as 'MODULE_PATHNAME', 'pgqpp_event_retry_time' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds)
--   event_retry with the retry time given as seconds from now.
create function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns integer as 'MODULE_PATHNAME', 'pgqpp_event_retry_seconds' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.batch_retry(i_batch_id, i_retry_seconds)
--   Puts every event of an open batch aside for i_retry_seconds (events
--   already waiting are left as they are). Returns how many were added.
create function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns integer as 'MODULE_PATHNAME', 'pgqpp_batch_retry' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.event_retry_raw(x_queue, x_consumer, x_retry_after, x_ev_id, x_ev_time, x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1..4)
--   Puts an arbitrary event into a consumer's retry queue (a NULL x_ev_id
--   takes a new id from the queue's sequence). Returns the event id.
create function pgq.event_retry_raw(
    x_queue text, x_consumer text, x_retry_after timestamptz,
    x_ev_id bigint, x_ev_time timestamptz, x_ev_retry integer,
    x_ev_type text, x_ev_data text,
    x_ev_extra1 text, x_ev_extra2 text, x_ev_extra3 text, x_ev_extra4 text)
returns bigint as $$
declare
    s record;
    id bigint;
begin
    select sub.sub_id, sub.sub_queue, q.queue_event_seq into s
      from pgq.queue q
      join pgq.subscription sub on sub.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = sub.sub_consumer
     where q.queue_name = x_queue and c.co_name = x_consumer;
    if not found then
        raise exception 'consumer not registered' using errcode = '42704';
    end if;
    id := coalesce(x_ev_id, nextval(s.queue_event_seq));
    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_owner, ev_retry,
                                 ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (x_retry_after, s.sub_queue, id, x_ev_time, s.sub_id, x_ev_retry,
            x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
    return id;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.maint_retry_events()
--   Moves retry events whose time has come back into their queues' current
--   tables, owned by their consumer. Moves up to 1000 per call and returns
--   how many it moved: call it again while it returns more than 0.
create function pgq.maint_retry_events()
returns integer as 'MODULE_PATHNAME', 'pgqpp_maint_retry_events' language c;
