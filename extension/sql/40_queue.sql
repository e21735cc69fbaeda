-- SPDX-License-Identifier: PostgreSQL
-- Queues: create, drop, configure.

-- Function: pgq._check_name(i_kind, i_name)
--   pgqpp internal. Rejects NULL, empty and overlong (over 1000 bytes) queue
--   and consumer names with SQLSTATE 22023; any other text, quotes and dots
--   included, is a valid name.
create function pgq._check_name(i_kind text, i_name text) returns void as $$
begin
    if i_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004',
            detail = i_kind || ' name must not be NULL.';
    end if;
    if i_name = '' then
        raise exception '% name must not be empty', i_kind using errcode = '22023';
    end if;
    if octet_length(i_name) > 1000 then
        raise exception '% name is too long', i_kind using errcode = '22023',
            detail = format('The name has %s bytes; the limit is 1000.', octet_length(i_name));
    end if;
end;
$$ language plpgsql immutable;

-- Function: pgq.create_queue(i_queue_name)
--   Creates a queue: its row in pgq.queue, its parent event table
--   pgq.event_<id> with queue_ntables child tables, its event and tick
--   sequences, their privileges, and a first tick. Returns 1, or 0 when the
--   queue already exists. The queue id comes after every id in pgq.queue,
--   also when restored rows came without their sequence.
create function pgq.create_queue(i_queue_name text) returns integer as $$
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

-- Function: pgq.drop_queue(x_queue_name, x_force)
--   Drops a queue with its event tables, ticks and sequences. With consumers
--   still registered it fails, unless x_force, which unregisters them first.
--   Returns 1.
create function pgq.drop_queue(x_queue_name text, x_force bool) returns integer as $$
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

-- Function: pgq.drop_queue(x_queue_name)
--   Drops a queue that has no consumers: pgq.drop_queue(name, false).
create function pgq.drop_queue(x_queue_name text) returns integer as $$
    select pgq.drop_queue(x_queue_name, false);
$$ language sql strict;

-- Function: pgq.set_queue_config(x_queue_name, x_param_name, x_param_value)
--   Changes one setting of a queue: ticker_max_count (integer >= 0),
--   ticker_max_lag, ticker_idle_period, rotation_period (intervals >= 0),
--   ticker_paused, external_ticker (booleans), and pgqpp's max_retries (an
--   integer >= 0, kept in pgq.queue_config; '' or 'none' unsets it: retry
--   forever). The name may also be given with its queue_ prefix. A bad name
--   or value is an error (22023) naming what is allowed. Returns 1.
create function pgq.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
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
