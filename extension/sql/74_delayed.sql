-- SPDX-License-Identifier: PostgreSQL
-- Delayed events, a pgqpp addition (C++: src/functions/delayed_insert.cpp, delayed_move.cpp).
-- A delayed event waits in pgq.delayed_event until its
-- deliver_at; the ticking transaction that first runs at or after that time
-- (pgq.ticker(), pgq.ticker(queue), pgq.wakeup_ticker()) moves it into the
-- queue's current event table and ticks the queue, so that the batch ending
-- at that tick holds it. docs/delayed.md has the design.

-- pgq.delayed_event: events waiting for their time. ev_time is the inserting
-- transaction's start; the delivered event's ev_time is de_deliver_at.
create table pgq.delayed_event (
    de_deliver_at   timestamptz not null,
    de_queue        int4        not null,
    like pgq.event_template
) with (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000);
create index delayed_event_due_idx on pgq.delayed_event (de_deliver_at);
select pg_catalog.pg_extension_config_dump('pgq.delayed_event', '');

-- Function: pgq.insert_event_at(queue_name, deliver_at, ev_type, ev_data)
--   pgqpp addition: inserts an event that consumers get only once
--   deliver_at has come. The event is stored within the caller's
--   transaction (a rollback drops it) and returns its ev_id, which it keeps
--   when delivered. It reaches every consumer registered on the queue at
--   delivery, in the batch ending at the first tick made at or after
--   deliver_at (a deliver_at in the past means the next tick), never
--   earlier; the delivered event's ev_time is deliver_at. Errors: NULL
--   queue_name or deliver_at (22004), an infinite deliver_at (22008), an
--   unknown queue (42704), a queue with inserts disabled (55000) or over its
--   per-transaction limit (54000), which counts delayed events too.
create function pgq.insert_event_at(queue_name text, deliver_at timestamptz, ev_type text, ev_data text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_event_at' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.insert_event_at(queue_name, deliver_at, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
--   pgqpp addition: pgq.insert_event_at with the four extra fields. Returns
--   the ev_id.
create function pgq.insert_event_at(queue_name text, deliver_at timestamptz, ev_type text, ev_data text,
                                    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_event_at_extra' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.insert_events_at(queue_name, deliver_ats, ev_types, ev_datas, ev_extra1s, ev_extra2s, ev_extra3s, ev_extra4s)
--   pgqpp addition: the bulk form of pgq.insert_event_at, with the array
--   rules of pgq.insert_events: one event per element of ev_datas, the
--   other arrays of the same length or NULL (extras); deliver_ats and
--   ev_types may have one element that applies to every event. A NULL or
--   infinite element of deliver_ats is an error and nothing is stored.
--   Ids come from the queue's sequence in array order. Returns how many
--   events were stored.
create function pgq.insert_events_at(queue_name text, deliver_ats timestamptz[], ev_types text[],
    ev_datas text[], ev_extra1s text[] default null, ev_extra2s text[] default null,
    ev_extra3s text[] default null, ev_extra4s text[] default null)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_events_at' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq._delayed_queue_dropped()
--   Trigger on pgq.queue: a dropped queue's delayed events go with it.
create function pgq._delayed_queue_dropped() returns trigger as $$
begin
    delete from pgq.delayed_event where de_queue = old.queue_id;
    return null;
end;
$$ language plpgsql set search_path = pg_catalog, pgq, pg_temp;
create trigger delayed_queue_dropped after delete on pgq.queue
    for each row execute function pgq._delayed_queue_dropped();
