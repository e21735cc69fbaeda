-- SPDX-License-Identifier: PostgreSQL
-- 1.3 -> 1.4: the steps of several features, each in a section of its own.

-- ---- the position cell (issue 21 item 4): extension/sql/58_position_cell.sql,
-- and the functions that now read positions through pgq.subscription_current
-- or return a consumer to row mode before updating its row.

create table pgq.subscription_cell (
    cell_queue          int4        not null,
    cell_consumer       int4        not null,
    cell_flags          int8        not null,
    cell_writer         int8        not null,
    cell_prev           int8        not null,
    cell_since          int8        not null,
    cell_row_writer     int8        not null,
    cell_old_last_tick  int8        not null,
    cell_old_next_tick  int8        not null,
    cell_old_batch      int8        not null,
    cell_old_active     timestamptz not null,
    cell_new_last_tick  int8        not null,
    cell_new_next_tick  int8        not null,
    cell_new_batch      int8        not null,
    cell_new_active     timestamptz not null,
    constraint subscription_cell_pkey primary key (cell_queue, cell_consumer),
    constraint subscription_cell_sub_fkey foreign key (cell_queue, cell_consumer)
        references pgq.subscription (sub_queue, sub_consumer) on delete cascade
);

-- (Only its owner may touch it, as with any new table: the functions that
-- use it are SECURITY DEFINER.)

-- Function: pgq._cell_positions()
--   Internal: the consumers whose position, for the calling statement's
--   snapshot, is in their cell rather than in their pgq.subscription row
--   (queue_id, consumer_id, last_tick, next_tick, batch_id, active). Read
--   through pgq.subscription_current.
create function pgq._cell_positions(out queue_id int4, out consumer_id int4,
                                    out last_tick int8, out next_tick int8,
                                    out batch_id int8, out active timestamptz)
returns setof record
as 'MODULE_PATHNAME', 'pgqpp_cell_positions' language c stable rows 10;

-- Function: pgq._position_to_row(i_queue_id, i_consumer_id)
--   Internal: returns the consumer to row mode with its position unchanged
--   (pgq.subscription's row gets the cell's position), before SQL that
--   UPDATEs that row itself, such as re-registering at a tick.
create function pgq._position_to_row(i_queue_id int4, i_consumer_id int4) returns void
as 'MODULE_PATHNAME', 'pgqpp_position_to_row' language c;

-- View: pgq.subscription_current
--   pgq.subscription with every consumer's current position: while a
--   snapshot holds VACUUM's horizon back for long, consumers write their
--   positions in place (pgq.subscription_cell) and their rows keep the
--   position of the hold's start. Monitoring that reads positions
--   (sub_last_tick, sub_next_tick, sub_batch, sub_active) should read this
--   view; pgqpp's own functions and tools do.
create view pgq.subscription_current as
select s.sub_id, s.sub_queue, s.sub_consumer,
       case when c.queue_id is null then s.sub_last_tick else c.last_tick end as sub_last_tick,
       case when c.queue_id is null then s.sub_active else c.active end as sub_active,
       case when c.queue_id is null then s.sub_batch else c.batch_id end as sub_batch,
       case when c.queue_id is null then s.sub_next_tick else c.next_tick end as sub_next_tick
  from pgq.subscription s
  left join pgq._cell_positions() c
         on c.queue_id = s.sub_queue and c.consumer_id = s.sub_consumer;

grant select on pgq.subscription_current to public;

-- As 90_grants.sql leaves them on a fresh install.
revoke all on function pgq._cell_positions() from public;
grant execute on function pgq._cell_positions() to public;
revoke all on function pgq._position_to_row(int4, int4) from public;

-- Function: pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos)
--   Registers a consumer on a queue starting after tick x_tick_pos, or after
--   the queue's newest tick when x_tick_pos is NULL. For a consumer already
--   registered, a non-NULL x_tick_pos moves it there (dropping its open
--   batch). Returns 1 for a new registration, 0 otherwise. New consumer and
--   subscription ids come after every id in use, also when restored rows
--   came without their sequences (a new sub_id never shares an old one's
--   retries).
create or replace function pgq.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
returns integer as $$
declare
    qid integer;
    cid integer;
    start_tick bigint;
begin
    select queue_id into qid from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not created yet' using errcode = '42704',
            detail = format('There is no queue named %L.', x_queue_name);
    end if;
    perform pgq._check_name('consumer', x_consumer_name);
    perform pgq._ids_past_restored();  -- after a restore of PgQ 3.5 data
    select co_id into cid from pgq.consumer where co_name = x_consumer_name for update;
    if not found then
        insert into pgq.consumer (co_name) values (x_consumer_name) returning co_id into cid;
    end if;
    if x_tick_pos is not null
       and not exists (select 1 from pgq.tick where tick_queue = qid and tick_id = x_tick_pos) then
        raise exception 'cannot reposition, tick not found: %', x_tick_pos using errcode = '22023';
    end if;
    if exists (select 1 from pgq.subscription where sub_queue = qid and sub_consumer = cid) then
        if x_tick_pos is not null then
            perform pgq._position_to_row(qid, cid);
            update pgq.subscription
               set sub_last_tick = x_tick_pos, sub_batch = null, sub_next_tick = null,
                   sub_active = now()
             where sub_queue = qid and sub_consumer = cid;
        end if;
        return 0;
    end if;
    start_tick := x_tick_pos;
    if start_tick is null then
        select tick_id into start_tick from pgq.tick
         where tick_queue = qid order by tick_queue desc, tick_id desc limit 1;
        if not found then
            raise exception 'No ticks for this queue.  Please run ticker on database.'
                using errcode = '55000';
        end if;
    end if;
    insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick)
        values (qid, cid, start_tick);
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_batch_info(x_batch_id)
--   Describes an open batch: queue, consumer, start and end tick with their
--   times and event sequence values, and the lag of its end tick. All NULL
--   for an unknown batch.
create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text, out consumer_name text,
    out batch_start timestamptz, out batch_end timestamptz,
    out prev_tick_id bigint, out tick_id bigint, out lag interval,
    out seq_start bigint, out seq_end bigint)
as $$
    select q.queue_name, c.co_name, prev.tick_time, cur.tick_time,
           s.sub_last_tick, s.sub_next_tick, current_timestamp - cur.tick_time,
           prev.tick_event_seq, cur.tick_event_seq
      from pgq.subscription_current s
      join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
      join pgq.tick prev on prev.tick_queue = s.sub_queue and prev.tick_id = s.sub_last_tick
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where s.sub_batch = x_batch_id;
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_consumer_info(i_queue_name, i_consumer_name)
--   One row per registration, by queue and consumer (NULL matches all): lag
--   (age of the consumer's position), last_seen (time since its last
--   next_batch / finish_batch), last_tick, current_batch, next_tick (end of
--   the open batch) and pending_events (events between its position and the
--   queue's newest tick).
create or replace function pgq.get_consumer_info(
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
