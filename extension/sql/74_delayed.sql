-- SPDX-License-Identifier: PostgreSQL
-- Delayed events, a pgqpp addition (C++: src/functions/delayed_insert.cpp, delayed_move.cpp).
-- A delayed event waits in pgq.delayed_event until its
-- deliver_at; the ticking transaction that first runs at or after that time
-- (pgq.ticker(), pgq.ticker(queue), pgq.wakeup_ticker()) moves it into the
-- queue's current event table and ticks the queue, so that the batch ending
-- at that tick holds it. docs/delayed.md has the design.

-- pgq.delayed_event: events waiting for their time. ev_time is the inserting
-- transaction's start; the delivered event's ev_time is de_deliver_at. The
-- parent holds no rows: they live in its two children, written into the
-- current one (pgq.delayed_mark.dm_cur_table). Delivery deletes nothing:
-- pgq.delayed_mark says which rows are delivered, and rotation copies the
-- few still-pending rows of the other child into the current one and
-- truncates it, so the storage never has dead tuples (docs/internals.md).
create table pgq.delayed_event (
    de_deliver_at   timestamptz not null,
    de_queue        int4        not null,
    like pgq.event_template
);
select pg_catalog.pg_extension_config_dump('pgq.delayed_event', '');

-- pgq.delayed_mark: one row, what has been delivered and which child is
-- current. A row is delivered when de_deliver_at <= dm_time and its ev_txid
-- is visible in dm_snapshot (the last move's); the next move delivers the
-- rows due then and visible in its own snapshot, minus those. dm_rotated_at
-- and dm_rotation_period: a move rotates when the period has passed.
create table pgq.delayed_mark (
    dm_time             timestamptz  not null default '-infinity',
    dm_snapshot         txid_snapshot not null default '1:1:',
    dm_cur_table        int4         not null default 0,
    dm_rotated_at       timestamptz  not null default now(),
    dm_rotation_period  interval     not null default '2 hours',
    dm_one              bool         not null default true primary key check (dm_one)
);
insert into pgq.delayed_mark default values;

create table pgq.delayed_event_0 () inherits (pgq.delayed_event);
create table pgq.delayed_event_1 () inherits (pgq.delayed_event);
create index delayed_event_0_due_idx on pgq.delayed_event_0 (de_deliver_at);
create index delayed_event_1_due_idx on pgq.delayed_event_1 (de_deliver_at);
create index delayed_event_0_txid_idx on pgq.delayed_event_0 (ev_txid);
create index delayed_event_1_txid_idx on pgq.delayed_event_1 (ev_txid);
-- A dump keeps the pending rows only; the restored mark starts empty.
select pg_catalog.pg_extension_config_dump('pgq.delayed_event_0',
    'where not (de_deliver_at <= (select dm_time from pgq.delayed_mark)'
    ' and txid_visible_in_snapshot(ev_txid, (select dm_snapshot from pgq.delayed_mark)))');
select pg_catalog.pg_extension_config_dump('pgq.delayed_event_1',
    'where not (de_deliver_at <= (select dm_time from pgq.delayed_mark)'
    ' and txid_visible_in_snapshot(ev_txid, (select dm_snapshot from pgq.delayed_mark)))');

-- pgq.delayed_pending: the delayed events not delivered yet.
create view pgq.delayed_pending as
    select d.* from pgq.delayed_event d, pgq.delayed_mark m
     where not (d.de_deliver_at <= m.dm_time and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot));

-- Function: pgq.get_delayed_info(i_queue_name)
--   pgqpp addition: the delayed events waiting per queue, one row per queue
--   (all queues when i_queue_name is NULL, the default): queue_name,
--   pending (how many are stored and not delivered yet) and next_due (the
--   earliest deliver_at among them, NULL when none waits). Delivered events
--   are not counted even while their rows wait for rotation. An unknown
--   queue name is an error (42704).
create function pgq.get_delayed_info(i_queue_name text default null,
    out queue_name text, out pending bigint, out next_due timestamptz)
returns setof record as $$
begin
    if $1 is not null and not exists (select 1 from pgq.queue q where q.queue_name = $1) then
        raise exception using errcode = '42704', message = 'No such queue',
            detail = format('There is no queue named "%s".', $1);
    end if;
    return query
        select q.queue_name::text, count(p.de_queue), min(p.de_deliver_at)
          from pgq.queue q left join pgq.delayed_pending p on p.de_queue = q.queue_id
         where $1 is null or q.queue_name = $1
         group by q.queue_name order by q.queue_name;
end;
$$ language plpgsql stable security definer set search_path = pg_catalog, pgq, pg_temp;

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
