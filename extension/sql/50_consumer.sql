-- SPDX-License-Identifier: PostgreSQL
-- Consumers: registration on a queue.

-- Function: pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos)
--   Registers a consumer on a queue starting after tick x_tick_pos, or after
--   the queue's newest tick when x_tick_pos is NULL. For a consumer already
--   registered, a non-NULL x_tick_pos moves it there (dropping its open
--   batch). Returns 1 for a new registration, 0 otherwise. New consumer and
--   subscription ids come after every id in use, also when restored rows
--   came without their sequences (a new sub_id never shares an old one's
--   retries).
create function pgq.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
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

-- Function: pgq.register_consumer(x_queue_name, x_consumer_id)
--   Registers a consumer on a queue at its newest tick: the consumer sees
--   every event committed after that tick. Returns 1 for a new registration,
--   0 when it was already registered.
create function pgq.register_consumer(x_queue_name text, x_consumer_id text) returns integer as $$
    select pgq.register_consumer_at(x_queue_name, x_consumer_id, null);
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.unregister_consumer(x_queue_name, x_consumer_name)
--   Removes a consumer's registration, its open batch, its pending
--   retries and its dead letters; the consumer's name goes too when it has no other queue.
--   Subconsumers (rows sharing a sub_id, as pgq_coop makes them) are removed
--   one at a time. Returns the number of registrations removed, 0 when there
--   was none.
create function pgq.unregister_consumer(x_queue_name text, x_consumer_name text)
returns integer as $$
declare
    sid integer;
    cid integer;
    is_sub boolean;
    shared integer;
begin
    select s.sub_id, c.co_id,
           (s.sub_last_tick is null and s.sub_next_tick is null)
           or (s.sub_last_tick is not null and s.sub_next_tick is not null)
      into sid, cid, is_sub
      from pgq.subscription s
      join pgq.consumer c on c.co_id = s.sub_consumer
      join pgq.queue q on q.queue_id = s.sub_queue
     where q.queue_name = x_queue_name and c.co_name = x_consumer_name
       for update of s, c;
    if not found then
        return 0;
    end if;
    select count(*) into shared from pgq.subscription where sub_id = sid;
    if shared > 1 and is_sub then
        delete from pgq.subscription where sub_id = sid and sub_consumer = cid;
        return 1;
    end if;
    delete from pgq.retry_queue where ev_owner = sid;
    delete from pgq.dead_letter where ev_owner = sid;
    delete from pgq.subscription where sub_id = sid;
    if not exists (select 1 from pgq.subscription where sub_consumer = cid) then
        delete from pgq.consumer where co_id = cid;
    end if;
    return shared;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
