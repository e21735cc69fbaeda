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

-- 1.1 -> 1.2: dead letters (issue 21, item 1). The queue setting max_retries
-- (pgq.queue_config), the per-consumer table pgq.dead_letter, event_dead,
-- dead_letters, dead_letter_replay and dead_letter_purge; set_queue_config
-- accepts max_retries; drop_queue and unregister_consumer clean up the new
-- tables.

-- Dead letters, a pgqpp addition (C++: src/functions/dead_letter.cpp).
-- Events one consumer gave up on (event_dead, or retried past the queue's
-- max_retries in src/functions/retry.cpp), kept per consumer until they are
-- replayed or purged.
--
-- pgq.queue_config  pgqpp's own queue settings (max_retries), one row per
--                   queue that has any; PgQ's pgq.queue keeps its columns
-- pgq.dead_letter   the dead events, keyed like pgq.retry_queue by the
--                   owning subscription (ev_owner = sub_id) and ev_id

create table pgq.queue_config (
    qc_queue        int4    not null,
    qc_max_retries  int4,
    constraint queue_config_pkey primary key (qc_queue),
    constraint queue_config_queue_fkey foreign key (qc_queue) references pgq.queue (queue_id),
    constraint queue_config_max_retries_check check (qc_max_retries >= 0)
);

create table pgq.dead_letter (
    dead_time       timestamptz not null default now(),
    dead_reason     text,
    ev_queue        int4        not null,
    like pgq.event_template,
    constraint dl_pkey primary key (ev_owner, ev_id),
    constraint dl_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
);
alter table pgq.dead_letter alter column ev_owner set not null;
alter table pgq.dead_letter alter column ev_txid drop not null;

select pg_catalog.pg_extension_config_dump('pgq.queue_config', '');
select pg_catalog.pg_extension_config_dump('pgq.dead_letter', '');

-- Function: pgq._set_max_retries(x_queue_name, x_value)
--   set_queue_config's part for max_retries: stores x_value (an integer
--   already checked to be >= 0) in pgq.queue_config, or removes the setting
--   for '' or 'none'. Returns 1.
create function pgq._set_max_retries(x_queue_name text, x_value text)
returns integer as $$
declare
    qid integer;
begin
    select queue_id into strict qid from pgq.queue where queue_name = x_queue_name;
    if lower(x_value) in ('', 'none') then
        delete from pgq.queue_config where qc_queue = qid;
    else
        insert into pgq.queue_config (qc_queue, qc_max_retries) values (qid, x_value::integer)
            on conflict (qc_queue) do update set qc_max_retries = excluded.qc_max_retries;
    end if;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq._dead_letter_sub(x_queue, x_consumer)
--   The subscription (sub_id) of a consumer on a queue, for the dead-letter
--   functions; an unknown queue or an unregistered consumer is an error
--   (42704) naming it.
create function pgq._dead_letter_sub(x_queue text, x_consumer text)
returns integer as $$
declare
    qid integer;
    sid integer;
begin
    if x_queue is null or x_consumer is null then
        raise exception 'queue and consumer must not be NULL' using errcode = '22004';
    end if;
    select queue_id into qid from pgq.queue where queue_name = x_queue;
    if not found then
        raise exception 'queue "%" does not exist', x_queue using errcode = '42704';
    end if;
    select s.sub_id into sid
      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
     where s.sub_queue = qid and c.co_name = x_consumer;
    if not found then
        raise exception 'consumer "%" is not registered on queue "%"', x_consumer, x_queue
            using errcode = '42704';
    end if;
    return sid;
end;
$$ language plpgsql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.event_dead(x_batch_id, x_event_id, x_reason)
--   pgqpp addition: moves one event of an open batch into this consumer's
--   dead letters with x_reason (may be NULL), out of its retry queue if it
--   was waiting there. Other consumers still get the event as usual.
--   Returns 1, or 0 when the event is already a dead letter. A batch that
--   is not open, or an event not in it, is an error (42704).
create function pgq.event_dead(x_batch_id bigint, x_event_id bigint, x_reason text)
returns integer as 'MODULE_PATHNAME', 'pgqpp_event_dead' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letters(x_queue, x_consumer)
--   pgqpp addition: the dead letters of one consumer on a queue, in ev_id
--   order: every event column, plus when the event died (dead_time) and why
--   (dead_reason). An unknown queue or consumer is an error (42704).
create function pgq.dead_letters(x_queue text, x_consumer text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_owner integer,
    out ev_retry integer, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text,
    out dead_time timestamptz, out dead_reason text)
returns setof record as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
begin
    return query
        select d.ev_id, d.ev_time, d.ev_txid, d.ev_owner, d.ev_retry, d.ev_type, d.ev_data,
               d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4, d.dead_time, d.dead_reason
          from pgq.dead_letter d where d.ev_owner = sid order by d.ev_id;
end;
$$ language plpgsql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letter_replay(x_queue, x_consumer, x_event_id)
--   pgqpp addition: takes a dead letter (all of the consumer's when
--   x_event_id is NULL) out of the dead letters and delivers it again to
--   that consumer only, in a batch after this transaction commits, the way
--   a due retry comes back (same ev_id, ev_retry unchanged: a replayed event
--   that is retried again dies again when the queue has max_retries).
--   Returns how many were replayed. Unknown queue or consumer: 42704.
create function pgq.dead_letter_replay(x_queue text, x_consumer text, x_event_id bigint)
returns integer as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
    d record;
    n integer := 0;
begin
    for d in
        delete from pgq.dead_letter
         where ev_owner = sid and (x_event_id is null or ev_id = x_event_id)
        returning *
    loop
        perform pgq.insert_event_raw(x_queue, d.ev_id, d.ev_time, d.ev_owner, d.ev_retry,
                                     d.ev_type, d.ev_data, d.ev_extra1, d.ev_extra2,
                                     d.ev_extra3, d.ev_extra4);
        n := n + 1;
    end loop;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letter_purge(x_queue, x_consumer, x_event_id)
--   pgqpp addition: drops a dead letter of a consumer for good (all of the
--   consumer's when x_event_id is NULL). Returns how many were dropped.
--   Unknown queue or consumer: 42704.
create function pgq.dead_letter_purge(x_queue text, x_consumer text, x_event_id bigint)
returns integer as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
    n integer;
begin
    delete from pgq.dead_letter where ev_owner = sid and (x_event_id is null or ev_id = x_event_id);
    get diagnostics n = row_count;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

revoke all on function pgq._dead_letter_sub(text, text), pgq._set_max_retries(text, text),
    pgq.event_dead(bigint, bigint, text), pgq.dead_letters(text, text),
    pgq.dead_letter_replay(text, text, bigint), pgq.dead_letter_purge(text, text, bigint)
  from public;
grant execute on function
    pgq.event_dead(bigint, bigint, text), pgq.dead_letters(text, text),
    pgq.dead_letter_replay(text, text, bigint), pgq.dead_letter_purge(text, text, bigint)
  to pgq_reader;
revoke all on table pgq.queue_config, pgq.dead_letter from public;
grant select on table pgq.queue_config, pgq.dead_letter to pgq_reader;
grant select, insert, update, delete on table pgq.queue_config, pgq.dead_letter to pgq_admin;

-- Changed functions of sql/40_queue.sql and sql/50_consumer.sql.

-- Function: pgq.drop_queue(x_queue_name, x_force)
--   Drops a queue with its event tables, ticks and sequences. With consumers
--   still registered it fails, unless x_force, which unregisters them first.
--   Returns 1.
create or replace function pgq.drop_queue(x_queue_name text, x_force bool) returns integer as $$
declare
    q record;
begin
    select * into q from pgq.queue where queue_name = x_queue_name for update;
    if not found then
        raise exception 'No such event queue' using errcode = '42704';
    end if;
    if x_force then
        perform pgq.unregister_consumer(x_queue_name, c.co_name)
           from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
          where s.sub_queue = q.queue_id;
    elsif exists (select 1 from pgq.subscription where sub_queue = q.queue_id) then
        raise exception 'cannot drop queue, consumers still attached' using errcode = '2BP01',
            hint = 'Unregister the consumers, or use pgq.drop_queue(name, true).';
    end if;
    for i in 0 .. q.queue_ntables - 1 loop
        execute 'drop table ' || pgq.quote_fqname(q.queue_data_pfx || '_' || i);
    end loop;
    execute 'drop table ' || pgq.quote_fqname(q.queue_data_pfx);
    delete from pgq.retry_queue where ev_queue = q.queue_id;
    delete from pgq.dead_letter where ev_queue = q.queue_id;
    delete from pgq.queue_config where qc_queue = q.queue_id;
    delete from pgq.tick where tick_queue = q.queue_id;
    execute 'drop sequence ' || pgq.quote_fqname(q.queue_tick_seq);
    execute 'drop sequence ' || pgq.quote_fqname(q.queue_event_seq);
    delete from pgq.queue where queue_id = q.queue_id;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.set_queue_config(x_queue_name, x_param_name, x_param_value)
--   Changes one setting of a queue: ticker_max_count (integer >= 0),
--   ticker_max_lag, ticker_idle_period, rotation_period (intervals >= 0),
--   ticker_paused, external_ticker (booleans), and pgqpp's max_retries (an
--   integer >= 0, kept in pgq.queue_config; '' or 'none' unsets it: retry
--   forever). The name may also be given with its queue_ prefix. A bad name
--   or value is an error (22023) naming what is allowed. Returns 1.
create or replace function pgq.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
returns integer as $$
declare
    param text;
    ok boolean;
begin
    if x_queue_name is null or x_param_name is null or x_param_value is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;
    if not exists (select 1 from pgq.queue where queue_name = x_queue_name) then
        raise exception 'No such event queue' using errcode = '42704';
    end if;
    param := case when x_param_name like 'queue\_%' then substr(x_param_name, 7) else x_param_name end;
    begin
        case param
        when 'ticker_max_count' then
            ok := x_param_value::integer >= 0;
        when 'ticker_max_lag', 'ticker_idle_period', 'rotation_period' then
            ok := x_param_value::interval >= interval '0';
        when 'ticker_paused', 'external_ticker' then
            ok := x_param_value::boolean is not null;
        when 'max_retries' then
            ok := case when lower(x_param_value) in ('', 'none') then true
                        else x_param_value::integer >= 0 end;
        else
            raise exception 'cannot change parameter "%"', x_param_name using errcode = '22023',
                hint = 'Settable: ticker_max_count, ticker_max_lag, ticker_idle_period, '
                    || 'ticker_paused, rotation_period, external_ticker, max_retries.';
        end case;
    exception
        when invalid_text_representation or datetime_field_overflow
          or invalid_datetime_format or numeric_value_out_of_range then
            ok := false;
    end;
    if not ok then
        raise exception 'invalid value for %: "%"', param, x_param_value using errcode = '22023',
            hint = case when param = 'ticker_max_count' then 'Use a non-negative integer.'
                        when param in ('ticker_paused', 'external_ticker') then 'Use true or false.'
                        when param = 'max_retries' then 'Use a non-negative integer, or none.'
                        else 'Use a non-negative interval such as ''3 seconds''.' end;
    end if;
    if param = 'max_retries' then
        perform pgq._set_max_retries(x_queue_name, x_param_value);
        return 1;
    end if;
    execute format('update pgq.queue set %I = %L where queue_name = %L',
                   'queue_' || param, x_param_value, x_queue_name);
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.unregister_consumer(x_queue_name, x_consumer_name)
--   Removes a consumer's registration, its open batch, its pending
--   retries and its dead letters; the consumer's name goes too when it has no other queue.
--   Subconsumers (rows sharing a sub_id, as pgq_coop makes them) are removed
--   one at a time. Returns the number of registrations removed, 0 when there
--   was none.
create or replace function pgq.unregister_consumer(x_queue_name text, x_consumer_name text)
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

-- 1.1 -> 1.2

-- ---- delayed events (issue 21 item 2): pgq.delayed_event, pgq.insert_event_at,
-- pgq.insert_events_at; the ticker moves due events (extension/sql/74_delayed.sql).
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
revoke all on function
    pgq.insert_event_at(text, timestamptz, text, text),
    pgq.insert_event_at(text, timestamptz, text, text, text, text, text, text),
    pgq.insert_events_at(text, timestamptz[], text[], text[], text[], text[], text[], text[]),
    pgq._delayed_queue_dropped()
  from public;
grant execute on function
    pgq.insert_event_at(text, timestamptz, text, text),
    pgq.insert_event_at(text, timestamptz, text, text, text, text, text, text),
    pgq.insert_events_at(text, timestamptz[], text[], text[], text[], text[], text[], text[])
  to pgq_writer;
revoke all on table pgq.delayed_event from public;
grant select, insert, update, delete on table pgq.delayed_event to pgq_admin;
-- ---- end of delayed events

-- 1.1 -> 1.2

-- Bounded batches (issue 21, item 3): pgq.consumer_config,
-- pgq.set_consumer_config and pgq.get_consumer_config.
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

-- 1.1 -> 1.2, waits that survive connection poolers (issue 21, item 5):
-- pgq.next_batch_wait, pgq.next_batch that waits inside the server for the
-- queue's next tick (extension/sql/66_wait.sql).

create function pgq.next_batch_wait(i_queue_name text, i_consumer_name text, i_timeout_ms integer)
returns int8 as 'MODULE_PATHNAME', 'pgqpp_next_batch_wait' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;
revoke all on function pgq.next_batch_wait(text, text, integer) from public;
grant execute on function pgq.next_batch_wait(text, text, integer) to pgq_reader;
