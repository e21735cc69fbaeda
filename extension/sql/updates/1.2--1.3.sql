-- SPDX-License-Identifier: PostgreSQL
-- 1.2 -> 1.3: the steps of several features, each in a section of its own.

-- ---- cooperative consumers (issue 24 item 1): schema pgq_coop, PgQ's
-- pgq_coop API (extension/sql/68_coop.sql). Builds named pgq leave this
-- region out of extension pgq and install it as extension pgq_coop, so it
-- stays between the BEGIN/END lines (extension/cmake/concat_sql.cmake).
-- BEGIN pgq_coop

create schema pgq_coop;
grant usage on schema pgq_coop to public;

-- Function: pgq_coop._window(i_queue_id, i_consumer_id, i_last_tick, i_next_tick)
--   Internal: the bounded-batch window (after_id, upto_id, max_id) that a
--   consumer's batch over (i_last_tick, i_next_tick] holds, all NULL when
--   the batch covers its whole tick interval.
create function pgq_coop._window(i_queue_id integer, i_consumer_id integer,
                                 i_last_tick bigint, i_next_tick bigint,
                                 out after_id bigint, out upto_id bigint, out max_id bigint)
as $$
    select cc.cc_after_id, cc.cc_upto_id, cc.cc_max_id
      from pgq.consumer_config cc
     where cc.cc_queue = i_queue_id and cc.cc_consumer = i_consumer_id
       and cc.cc_last_tick = i_last_tick and cc.cc_next_tick = i_next_tick
       and cc.cc_upto_id is not null;
$$ language sql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop._set_window(i_queue_id, i_consumer_id, i_last_tick, i_next_tick, i_after_id, i_upto_id, i_max_id)
--   Internal: records the window of the batch a subconsumer now holds in
--   its pgq.consumer_config row (i_upto_id NULL: the whole interval, no
--   window), keeping any setting the row has. Returns 1.
create function pgq_coop._set_window(i_queue_id integer, i_consumer_id integer,
                                     i_last_tick bigint, i_next_tick bigint,
                                     i_after_id bigint, i_upto_id bigint, i_max_id bigint)
returns integer as $$
begin
    if i_upto_id is null then
        update pgq.consumer_config
           set cc_last_tick = null, cc_next_tick = null, cc_after_id = null,
               cc_upto_id = null, cc_max_id = null
         where cc_queue = i_queue_id and cc_consumer = i_consumer_id
           and cc_last_tick is not null;
    else
        insert into pgq.consumer_config (cc_queue, cc_consumer, cc_last_tick, cc_next_tick,
                                         cc_after_id, cc_upto_id, cc_max_id)
            values (i_queue_id, i_consumer_id, i_last_tick, i_next_tick,
                    i_after_id, i_upto_id, i_max_id)
            on conflict (cc_queue, cc_consumer) do update
               set cc_last_tick = excluded.cc_last_tick, cc_next_tick = excluded.cc_next_tick,
                   cc_after_id = excluded.cc_after_id, cc_upto_id = excluded.cc_upto_id,
                   cc_max_id = excluded.cc_max_id;
    end if;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop.register_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name)
--   Registers subconsumer i_subconsumer_name of consumer i_consumer_name on
--   a queue, registering the consumer too when it is new: the subconsumer
--   is the consumer 'i_consumer_name.i_subconsumer_name' sharing the main
--   consumer's subscription id, without a position of its own. Returns 1
--   for a new registration, 0 when it was already registered. An unknown
--   queue is an error (42704), a NULL or empty name 22004 / 22023.
create function pgq_coop.register_subconsumer(i_queue_name text, i_consumer_name text,
                                              i_subconsumer_name text)
returns integer as $$
declare
    subcon_name text;
    result integer;
    main record;
begin
    perform pgq._check_name('subconsumer', i_subconsumer_name);
    subcon_name := i_consumer_name || '.' || i_subconsumer_name;
    perform pgq.register_consumer(i_queue_name, i_consumer_name);
    result := pgq.register_consumer(i_queue_name, subcon_name);
    if result = 1 then
        select s.sub_queue, s.sub_id into main
          from pgq.subscription s
          join pgq.queue q on q.queue_id = s.sub_queue
          join pgq.consumer c on c.co_id = s.sub_consumer
         where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
        if not found then
            raise exception 'main consumer not found' using errcode = '42704';
        end if;
        update pgq.subscription s
           set sub_id = main.sub_id, sub_last_tick = null, sub_next_tick = null
          from pgq.consumer c
         where s.sub_queue = main.sub_queue and c.co_id = s.sub_consumer
           and c.co_name = subcon_name;
    end if;
    return result;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop.unregister_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name, i_batch_handling)
--   Removes a subconsumer's registration. When it holds a batch,
--   i_batch_handling decides: 1 drops the batch with it (its events are not
--   delivered to the consumer again), anything else is the error
--   'subconsumer has active batch' (55000) and nothing changes. Returns 1,
--   or 0 when the subconsumer is not registered.
create function pgq_coop.unregister_subconsumer(i_queue_name text, i_consumer_name text,
                                                i_subconsumer_name text, i_batch_handling integer)
returns integer as $$
declare
    sub record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_batch into sub
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name || '.' || i_subconsumer_name
       for update of s;
    if not found then
        return 0;
    end if;
    if sub.sub_batch is not null and i_batch_handling is distinct from 1 then
        raise exception 'subconsumer has active batch' using errcode = '55000',
            detail = format('Subconsumer %s.%s holds batch %s.', i_consumer_name,
                            i_subconsumer_name, sub.sub_batch),
            hint = 'Finish the batch with pgq_coop.finish_batch(), or pass i_batch_handling 1 to drop it.';
    end if;
    delete from pgq.subscription
     where sub_queue = sub.sub_queue and sub_consumer = sub.sub_consumer;
    if not exists (select 1 from pgq.subscription where sub_consumer = sub.sub_consumer) then
        delete from pgq.consumer where co_id = sub.sub_consumer;
    end if;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name, i_min_lag, i_min_count, i_min_interval, i_dead_interval)
--   The subconsumer's open batch (again, until pgq_coop.finish_batch), or
--   the main consumer's next batch, which is then the subconsumer's: the
--   main consumer moves past it at once, so no other subconsumer gets it.
--   i_min_lag, i_min_count and i_min_interval shape the new batch as in
--   pgq.next_batch_custom. With i_dead_interval, a subconsumer of the same
--   consumer that has not been seen for longer (no next_batch returning a
--   batch, no finish_batch) is unregistered first, and its open batch, if
--   any, is returned as this subconsumer's: the interval must be longer
--   than any batch takes to process. Unregistered consumers and
--   subconsumers are registered. Returns NULL when there is no batch yet;
--   a main consumer with a batch of its own open is an error
--   'main consumer has batch open?' (55000).
create function pgq_coop.next_batch_custom(i_queue_name text, i_consumer_name text,
                                           i_subconsumer_name text, i_min_lag interval,
                                           i_min_count int4, i_min_interval interval,
                                           i_dead_interval interval)
returns bigint as $$
declare
    main record;
    subcon record;
    dead record;
    nb record;
    win record;
begin
    -- The main consumer's row, locked: one subconsumer at a time opens batches.
    for attempt in 1..2 loop
        select s.sub_queue, s.sub_consumer, s.sub_id, s.sub_next_tick into main
          from pgq.subscription s
          join pgq.queue q on q.queue_id = s.sub_queue
          join pgq.consumer c on c.co_id = s.sub_consumer
         where q.queue_name = i_queue_name and c.co_name = i_consumer_name
           for update of s;
        exit when found;
        perform pgq_coop.register_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name);
    end loop;
    if main.sub_consumer is null then
        raise exception 'main consumer not found' using errcode = '42704';
    end if;
    if main.sub_next_tick is not null then
        raise exception 'main consumer has batch open?' using errcode = '55000',
            detail = format('Consumer %s holds a batch opened with pgq.next_batch().',
                            i_consumer_name),
            hint = 'Finish it with pgq.finish_batch() before its subconsumers take batches.';
    end if;

    for attempt in 1..2 loop
        select s.sub_consumer, s.sub_batch into subcon
          from pgq.subscription s
          join pgq.consumer c on c.co_id = s.sub_consumer
         where s.sub_queue = main.sub_queue
           and c.co_name = i_consumer_name || '.' || i_subconsumer_name;
        exit when found;
        perform pgq_coop.register_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name);
    end loop;
    if subcon.sub_consumer is null then
        raise exception 'subconsumer not found' using errcode = '42704';
    end if;

    if subcon.sub_batch is not null then
        update pgq.subscription set sub_active = now()
         where sub_queue = main.sub_queue and sub_consumer = subcon.sub_consumer;
        return subcon.sub_batch;
    end if;

    -- A subconsumer silent for longer than i_dead_interval is gone: take over.
    if i_dead_interval is not null then
        select s.sub_consumer, s.sub_batch, s.sub_last_tick, s.sub_next_tick into dead
          from pgq.subscription s
         where s.sub_queue = main.sub_queue and s.sub_id = main.sub_id
           and s.sub_consumer <> subcon.sub_consumer and s.sub_consumer <> main.sub_consumer
           and s.sub_active < now() - i_dead_interval
         order by s.sub_active
         limit 1
           for update of s;
        if found then
            select * into win
              from pgq_coop._window(main.sub_queue, dead.sub_consumer,
                                    dead.sub_last_tick, dead.sub_next_tick);
            delete from pgq.subscription
             where sub_queue = main.sub_queue and sub_consumer = dead.sub_consumer;
            if not exists (select 1 from pgq.subscription where sub_consumer = dead.sub_consumer) then
                delete from pgq.consumer where co_id = dead.sub_consumer;
            end if;
            if dead.sub_batch is not null then
                update pgq.subscription
                   set sub_batch = dead.sub_batch, sub_last_tick = dead.sub_last_tick,
                       sub_next_tick = dead.sub_next_tick, sub_active = now()
                 where sub_queue = main.sub_queue and sub_consumer = subcon.sub_consumer;
                perform pgq_coop._set_window(main.sub_queue, subcon.sub_consumer,
                                             dead.sub_last_tick, dead.sub_next_tick,
                                             win.after_id, win.upto_id, win.max_id);
                return dead.sub_batch;
            end if;
        end if;
    end if;

    -- The main consumer's next batch, closed for it and handed over.
    select n.batch_id, n.prev_tick_id, n.cur_tick_id into nb
      from pgq.next_batch_custom(i_queue_name, i_consumer_name,
                                 i_min_lag, i_min_count, i_min_interval) n;
    if nb.batch_id is null then
        return null;
    end if;
    select * into win
      from pgq_coop._window(main.sub_queue, main.sub_consumer, nb.prev_tick_id, nb.cur_tick_id);
    perform pgq.finish_batch(nb.batch_id);
    update pgq.subscription
       set sub_batch = nb.batch_id, sub_last_tick = nb.prev_tick_id,
           sub_next_tick = nb.cur_tick_id, sub_active = now()
     where sub_queue = main.sub_queue and sub_consumer = subcon.sub_consumer;
    perform pgq_coop._set_window(main.sub_queue, subcon.sub_consumer,
                                 nb.prev_tick_id, nb.cur_tick_id,
                                 win.after_id, win.upto_id, win.max_id);
    return nb.batch_id;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name, i_min_lag, i_min_count, i_min_interval)
--   next_batch_custom without taking over dead subconsumers' batches.
create function pgq_coop.next_batch_custom(i_queue_name text, i_consumer_name text,
                                           i_subconsumer_name text, i_min_lag interval,
                                           i_min_count int4, i_min_interval interval)
returns bigint as $$
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      i_min_lag, i_min_count, i_min_interval, null);
$$ language sql;

-- Function: pgq_coop.next_batch(i_queue_name, i_consumer_name, i_subconsumer_name, i_dead_interval)
--   next_batch_custom without limits on the batch's size or age: the
--   subconsumer's open batch, a dead subconsumer's batch (see
--   i_dead_interval there) or the consumer's next batch; NULL when there is
--   none yet.
create function pgq_coop.next_batch(i_queue_name text, i_consumer_name text,
                                    i_subconsumer_name text, i_dead_interval interval)
returns bigint as $$
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      null, null, null, i_dead_interval);
$$ language sql;

-- Function: pgq_coop.next_batch(i_queue_name, i_consumer_name, i_subconsumer_name)
--   The subconsumer's open batch, or the consumer's next batch, now the
--   subconsumer's; NULL when there is none yet. Registers the consumer and
--   the subconsumer when they are new.
create function pgq_coop.next_batch(i_queue_name text, i_consumer_name text,
                                    i_subconsumer_name text)
returns bigint as $$
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      null, null, null, null);
$$ language sql;

-- Function: pgq_coop.finish_batch(i_batch_id)
--   Closes a subconsumer's batch: the subconsumer holds no batch and no
--   position until its next pgq_coop.next_batch (the main consumer moved
--   past the batch when it was handed out). Returns 1, or 0 with the
--   warning 'coop_finish_batch: batch N not found' when no subconsumer has
--   it open. A batch of an ordinary consumer is closed as pgq.finish_batch
--   closes it.
create function pgq_coop.finish_batch(i_batch_id bigint)
returns integer as $$
declare
    sub record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_id into sub
      from pgq.subscription s where s.sub_batch = i_batch_id
       for update;
    if not found then
        raise warning 'coop_finish_batch: batch % not found', i_batch_id;
        return 0;
    end if;
    if not exists (select 1 from pgq.subscription o
                    where o.sub_queue = sub.sub_queue and o.sub_id = sub.sub_id
                      and o.sub_consumer <> sub.sub_consumer) then
        return pgq.finish_batch(i_batch_id);  -- not a subconsumer
    end if;
    update pgq.subscription
       set sub_active = now(), sub_last_tick = null, sub_next_tick = null, sub_batch = null
     where sub_queue = sub.sub_queue and sub_consumer = sub.sub_consumer;
    perform pgq_coop._set_window(sub.sub_queue, sub.sub_consumer, null, null, null, null, null);
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq_coop.version()
--   The version of the extension that holds schema pgq_coop: pgqpp's, or,
--   for builds with EXTENSION_NAME=pgq, that of extension pgq_coop.
create function pgq_coop.version() returns text as $$
    select e.extversion
      from pg_catalog.pg_proc p
      join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                                 and d.objid = p.oid and d.deptype = 'e'
      join pg_catalog.pg_extension e on e.oid = d.refobjid
     where p.pronamespace = 'pgq_coop'::pg_catalog.regnamespace and p.proname = 'version'
       and d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass;
$$ language sql stable;

-- Privileges, as PgQ gives them: consumers (pgq_reader) run the API.
revoke all on all functions in schema pgq_coop from public;
grant execute on function pgq_coop.version() to public;
grant execute on function
    pgq_coop.register_subconsumer(text, text, text),
    pgq_coop.unregister_subconsumer(text, text, text, integer),
    pgq_coop.next_batch(text, text, text),
    pgq_coop.next_batch(text, text, text, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval, interval),
    pgq_coop.finish_batch(bigint)
  to pgq_reader;
-- END pgq_coop
-- ---- end of cooperative consumers

-- ---- delayed events without dead tuples, delayed events in status (issue 21
-- leftovers, helper ext13): pgq.delayed_event becomes the parent of two
-- child tables written in turn; pgq.delayed_mark says what is delivered, so
-- delivery deletes nothing and rotation truncates (extension/sql/74_delayed.sql,
-- docs/internals.md); pgq.delayed_pending and pgq.get_delayed_info(i_queue_name).
alter table pgq.delayed_event reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold);
drop index pgq.delayed_event_due_idx;
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

-- The waiting rows of 1.2 move into the current child (nothing is delivered yet
-- by the mark's reckoning: they are all pending).
insert into pgq.delayed_event_0 select * from only pgq.delayed_event;
delete from only pgq.delayed_event;
revoke all on table pgq.delayed_event_0, pgq.delayed_event_1, pgq.delayed_mark,
    pgq.delayed_pending from public;
grant select, insert, update, delete on table pgq.delayed_event_0, pgq.delayed_event_1,
    pgq.delayed_mark to pgq_admin;
grant select on table pgq.delayed_pending to pgq_admin;
revoke all on function pgq.get_delayed_info(text) from public;
grant execute on function pgq.get_delayed_info(text) to public;
-- ---- end of delayed events without dead tuples
