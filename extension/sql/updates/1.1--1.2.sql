-- SPDX-License-Identifier: PostgreSQL
-- 1.1 -> 1.2, id sequences after a restore (issue 22 item 5): a PgQ 3.5
-- dump restored into a database with pgqpp brings the rows of pgq.queue,
-- pgq.consumer and pgq.subscription but not their id sequences.
-- pgq._ids_past_restored() moves those sequences past the ids in use;
-- create_queue and register_consumer_at call it before taking an id.

create function pgq._ids_past_restored() returns integer as $$
declare
    moved integer := 0;
    queue_max bigint;
    consumer_max bigint;
    sub_max bigint;
begin
    for attempt in 1 .. 2 loop
        queue_max := (select max(queue_id) from pgq.queue);
        consumer_max := (select max(co_id) from pgq.consumer);
        -- sub_id is not unique (pgq_coop's subconsumers share one) and
        -- retries keep the sub_id of the subscription that put them aside.
        sub_max := greatest((select max(sub_id) from pgq.subscription),
                            (select max(ev_owner) from pgq.retry_queue));
        if coalesce(pg_sequence_last_value('pgq.queue_queue_id_seq'), 0) >= coalesce(queue_max, 0)
           and coalesce(pg_sequence_last_value('pgq.consumer_co_id_seq'), 0) >= coalesce(consumer_max, 0)
           and coalesce(pg_sequence_last_value('pgq.subscription_sub_id_seq'), 0) >= coalesce(sub_max, 0)
        then
            return moved;
        end if;
        if attempt = 1 then
            -- Read again under the lock: a concurrent caller may have
            -- repaired (and taken ids) meanwhile.
            lock table pgq.queue, pgq.consumer, pgq.subscription, pgq.retry_queue
                in share row exclusive mode;
        end if;
    end loop;
    if coalesce(pg_sequence_last_value('pgq.queue_queue_id_seq'), 0) < queue_max then
        perform setval('pgq.queue_queue_id_seq', queue_max);
        moved := moved + 1;
    end if;
    if coalesce(pg_sequence_last_value('pgq.consumer_co_id_seq'), 0) < consumer_max then
        perform setval('pgq.consumer_co_id_seq', consumer_max);
        moved := moved + 1;
    end if;
    if coalesce(pg_sequence_last_value('pgq.subscription_sub_id_seq'), 0) < sub_max then
        perform setval('pgq.subscription_sub_id_seq', sub_max);
        moved := moved + 1;
    end if;
    return moved;
end;
$$ language plpgsql
    set search_path = pg_catalog, pgq, pg_temp;

revoke all on function pgq._ids_past_restored() from public;

create or replace function pgq.create_queue(i_queue_name text) returns integer as $$
declare
    id integer;
    pfx text;
    tick_seq text;
    ev_seq text;
    ntables integer;
begin
    perform pgq._check_name('queue', i_queue_name);
    if exists (select 1 from pgq.queue where queue_name = i_queue_name) then
        return 0;
    end if;
    perform pgq._ids_past_restored();  -- after a restore of PgQ 3.5 data
    id := nextval('pgq.queue_queue_id_seq');
    pfx := 'pgq.event_' || id;
    tick_seq := pfx || '_tick_seq';
    ev_seq := pfx || '_id_seq';
    insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
        values (id, i_queue_name, pfx, ev_seq, tick_seq)
        returning queue_ntables into ntables;
    execute 'create sequence ' || pgq.quote_fqname(tick_seq);
    execute 'create sequence ' || pgq.quote_fqname(ev_seq);
    execute 'create table ' || pgq.quote_fqname(pfx) || ' () inherits (pgq.event_template)';
    for i in 0 .. ntables - 1 loop
        execute 'create table ' || pgq.quote_fqname(pfx || '_' || i)
            || ' () inherits (' || pgq.quote_fqname(pfx) || ')';
        execute 'alter table ' || pgq.quote_fqname(pfx || '_' || i)
            || ' alter column ev_id set default nextval(' || quote_literal(ev_seq) || ')';
        execute 'create index ' || quote_ident('event_' || id || '_' || i || '_txid_idx')
            || ' on ' || pgq.quote_fqname(pfx || '_' || i) || ' (ev_txid)';
    end loop;
    perform pgq.grant_perms(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq.tune_storage(i_queue_name);
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

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
