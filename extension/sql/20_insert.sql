-- SPDX-License-Identifier: PostgreSQL
-- Producers: inserting events (C++: src/functions/insert.cpp).

-- Function: pgq.insert_event(queue_name, ev_type, ev_data)
--   Inserts an event into the queue within the caller's transaction and
--   returns its ev_id. The event becomes visible to consumers in the first
--   batch whose end tick sees the transaction committed; if the transaction
--   rolls back, no consumer ever sees it. Once the seven-argument form has
--   been replaced (or altered), it calls that with NULL extras and the
--   caller's rights and returns its result, as PgQ's PL/pgSQL form does.
create function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_event' language c security definer;

-- Function: pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
--   As the three-argument form, with the four extra fields (PgQ's triggers
--   put the table name in ev_extra1). Returns the ev_id.
create function pgq.insert_event(queue_name text, ev_type text, ev_data text,
                                 ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_event_extra' language c security definer;

-- Function: pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data, ev_extra1..4)
--   Low-level insert with every field given: a NULL ev_id takes the next id
--   from the queue's sequence, a NULL ev_time means now(). Used by retry
--   moves and by tools that copy events between queues. Returns the ev_id.
create function pgq.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_event_raw' language c;

-- Function: pgq.insert_events(queue_name, ev_types, ev_datas, ev_extra1s, ev_extra2s, ev_extra3s, ev_extra4s)
--   pgqpp addition: the bulk insert. Inserts one event per element of
--   ev_datas in one call, within the caller's transaction, and returns how
--   many were inserted. The other arrays have the same length, or are NULL
--   (all NULL fields); ev_types may have one element that applies to every
--   event. Ids come from the queue's sequence in array order.
create function pgq.insert_events(queue_name text, ev_types text[], ev_datas text[],
    ev_extra1s text[] default null, ev_extra2s text[] default null,
    ev_extra3s text[] default null, ev_extra4s text[] default null)
returns bigint as 'MODULE_PATHNAME', 'pgqpp_insert_events' language c security definer;

-- Function: pgq.current_event_table(x_queue_name)
--   The name of the table that takes the queue's inserts now. Fails when the
--   queue does not exist or has inserts disabled (except for
--   session_replication_role = replica). The name is only valid until the
--   next rotation: use it within one transaction.
create function pgq.current_event_table(x_queue_name text) returns text as $$
declare
    q record;
begin
    select queue_data_pfx || '_' || queue_cur_table as tbl, queue_disable_insert
      into q from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found' using errcode = '42704';
    end if;
    if q.queue_disable_insert and current_setting('session_replication_role') <> 'replica' then
        raise exception 'Writing to queue disabled' using errcode = '55000';
    end if;
    return q.tbl;
end;
$$ language plpgsql;
