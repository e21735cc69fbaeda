-- SPDX-License-Identifier: PostgreSQL
-- pgqpp addition: per-consumer settings, for now max_batch_events (bounded
-- batches, docs/concepts.md). The C++ side is src/functions/bounded_batch.cpp.
--
-- pgq.consumer_config  one row per subscription with a setting, plus its
--                      progress through a tick interval that is handed out
--                      in bounded batches: the interval (cc_last_tick,
--                      cc_next_tick] is read in ev_id windows; the open or
--                      next batch holds the events with ev_id in
--                      (cc_after_id, cc_upto_id], the interval's events have
--                      ids up to cc_max_id.

create table pgq.consumer_config (
    cc_queue            int4    not null,
    cc_consumer         int4    not null,
    cc_max_batch_events int4,
    cc_last_tick        bigint,
    cc_next_tick        bigint,
    cc_after_id         bigint,
    cc_upto_id          bigint,
    cc_max_id           bigint,
    constraint consumer_config_pkey primary key (cc_queue, cc_consumer),
    constraint consumer_config_sub_fkey foreign key (cc_queue, cc_consumer)
        references pgq.subscription (sub_queue, sub_consumer) on delete cascade,
    constraint consumer_config_max_batch_events_check check (cc_max_batch_events > 0)
);
select pg_catalog.pg_extension_config_dump('pgq.consumer_config', '');

-- Function: pgq.set_consumer_config(i_queue_name, i_consumer_name, i_key, i_value)
--   pgqpp addition: changes one setting of a consumer on a queue. The only
--   key is max_batch_events: a positive integer N makes every batch this
--   consumer gets hold at most N events (a tick interval with more is handed
--   out in several batches, in ev_id order, each event once); NULL or ''
--   unsets it. Setting it creates an index on ev_id on the queue's event
--   tables if they have none (bounded batches read through it). An unknown
--   key or a bad value is an error (22023), an unknown consumer 42704.
--   Returns 1.
create function pgq.set_consumer_config(i_queue_name text, i_consumer_name text,
                                        i_key text, i_value text)
returns integer as $$
declare
    sub record;
    n integer;
    tbl regclass;
begin
    if i_queue_name is null or i_consumer_name is null or i_key is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;
    select s.sub_queue, s.sub_consumer, q.queue_data_pfx into sub
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
    if not found then
        raise exception 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name
            using errcode = '42704', hint = 'Register the consumer with pgq.register_consumer().';
    end if;
    if i_key <> 'max_batch_events' then
        raise exception 'unknown consumer setting "%"', i_key using errcode = '22023',
            hint = 'Settable: max_batch_events.';
    end if;
    if coalesce(i_value, '') <> '' then
        begin
            n := i_value::integer;
        exception when invalid_text_representation or numeric_value_out_of_range then
            n := null;
        end;
        if n is null or n <= 0 then
            raise exception 'invalid value for max_batch_events: "%"', i_value
                using errcode = '22023',
                hint = 'Use a positive integer, or NULL or '''' to unset it.';
        end if;
        -- Bounded batches read ev_id windows: give every event table an index
        -- on ev_id (PgQ's tables only have one on ev_txid).
        for tbl in
            select i.inhrelid::regclass from pg_catalog.pg_inherits i
             where i.inhparent = sub.queue_data_pfx::regclass
               and not exists (
                   select 1 from pg_catalog.pg_index x
                    where x.indrelid = i.inhrelid and x.indkey[0] = (
                          select a.attnum from pg_catalog.pg_attribute a
                           where a.attrelid = i.inhrelid and a.attname = 'ev_id'))
        loop
            execute format('create index on %s (ev_id)', tbl);
        end loop;
    end if;
    insert into pgq.consumer_config (cc_queue, cc_consumer, cc_max_batch_events)
        values (sub.sub_queue, sub.sub_consumer, n)
        on conflict (cc_queue, cc_consumer) do update set cc_max_batch_events = excluded.cc_max_batch_events;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.get_consumer_config(i_queue_name, i_consumer_name)
--   pgqpp addition: the settings of a consumer on a queue, one row (key,
--   value) per known key, value NULL when unset. Known keys:
--   max_batch_events. An unknown consumer is an error (42704).
create function pgq.get_consumer_config(i_queue_name text, i_consumer_name text,
                                        out key text, out value text)
returns setof record as $$
declare
    sub record;
begin
    select s.sub_queue, s.sub_consumer into sub
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
    if not found then
        raise exception 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name
            using errcode = '42704', hint = 'Register the consumer with pgq.register_consumer().';
    end if;
    key := 'max_batch_events';
    value := (select cc.cc_max_batch_events::text from pgq.consumer_config cc
               where cc.cc_queue = sub.sub_queue and cc.cc_consumer = sub.sub_consumer);
    return next;
end;
$$ language plpgsql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

revoke all on function pgq.set_consumer_config(text, text, text, text),
    pgq.get_consumer_config(text, text) from public;
grant execute on function pgq.get_consumer_config(text, text) to pgq_reader;
grant execute on function pgq.set_consumer_config(text, text, text, text) to pgq_admin;
revoke all on table pgq.consumer_config from public;
grant select on table pgq.consumer_config to pgq_reader;
grant select, insert, update, delete on table pgq.consumer_config to pgq_admin;
