-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 20_insert.sql's C functions: producers.
-- Each insert reads the queue's row (no per-backend cache: the row is the
-- check that the current table is still current, and costs one index
-- lookup with a cached plan) and writes with a dynamic INSERT into the
-- current event table; docs/managed.md ("Producers") has what was measured.

-- Function: pgq._so_queue_for_insert(i_queue_name)
--   SQL-only helper: the queue's id, current event table (quoted) and event
--   sequence; an unknown queue is SQLSTATE 42704 as in the extension.
create function pgq._so_queue_for_insert(i_queue_name text,
    out queue_id integer, out event_table text, out event_seq text,
    out disable_insert boolean, out per_tx_limit integer)
as $$
begin
    if i_queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;
    select q.queue_id, q.queue_data_pfx || '_' || q.queue_cur_table,
           q.queue_event_seq, q.queue_disable_insert, q.queue_per_tx_limit
      into queue_id, event_table, event_seq, disable_insert, per_tx_limit
      from pgq.queue q where q.queue_name = i_queue_name;
    -- Quoted here, not by an SQL function (each call of one costs more
    -- than the lookup).
    if position('.' in event_table) > 0 then
        event_table := quote_ident(split_part(event_table, '.', 1)) || '.'
            || quote_ident(substr(event_table, position('.' in event_table) + 1));
    else
        event_table := 'public.' || quote_ident(event_table);
    end if;
    if queue_id is null then
        raise exception 'No such queue' using errcode = '42704',
            detail = format('There is no queue named "%s".', i_queue_name),
            hint = 'Create it with pgq.create_queue().';
    end if;
end;
$$ language plpgsql stable;

-- Function: pgq._so_quote_fq(i_name)
--   SQL-only helper: "schema"."name" with both parts always quoted, as the
--   extension's C++ quotes the tables in the batch SQL it writes.
create function pgq._so_quote_fq(i_name text) returns text as $$
    select case when position('.' in i_name) > 0
        then '"' || replace(split_part(i_name, '.', 1), '"', '""') || '"."'
             || replace(substr(i_name, position('.' in i_name) + 1), '"', '""') || '"'
        else '"public"."' || replace(i_name, '"', '""') || '"' end;
$$ language sql immutable strict;

-- Function: pgq._so_insert_refusal(i_queue_name, i_queue_id, i_disable, i_limit, i_count, i_event_seq, i_ids_taken)
--   SQL-only helper: raises the extension's errors for a queue with inserts
--   disabled (55000) or over its per-transaction limit (54000). The count
--   of events per transaction lives in a session setting keyed by the
--   transaction id. i_ids_taken: ids the caller took already; a refusal
--   takes the rest of those that inserting one by one would have taken.
create function pgq._so_insert_refusal(i_queue_name text, i_queue_id integer, i_disable boolean,
    i_limit integer, i_count bigint, i_event_seq text, i_ids_taken bigint)
returns void as $$
declare
    key text;
    val text;
    used bigint := 0;
    ids bigint;
begin
    if i_disable and current_setting('session_replication_role') <> 'replica' then
        for i in i_ids_taken + 1 .. 1 loop
            perform nextval(i_event_seq);
        end loop;
        raise exception 'Insert into queue disallowed' using errcode = '55000',
            detail = format('Queue "%s" has queue_disable_insert set.', i_queue_name);
    end if;
    if i_limit is null then
        return;
    end if;
    key := 'pgq_sqlonly.tx_events_' || i_queue_id;
    val := current_setting(key, true);
    if val like txid_current() || ':%' then
        used := split_part(val, ':', 2)::bigint;
    end if;
    if used + i_count > i_limit then
        ids := greatest(i_limit - used, 0) + 1;
        for i in i_ids_taken + 1 .. ids loop
            perform nextval(i_event_seq);
        end loop;
        perform set_config(key, txid_current() || ':' || (greatest(used, i_limit) + 1), false);
        raise exception 'Queue ''%'' allows max % events from one TX', i_queue_name, i_limit
            using errcode = '54000';
    end if;
    perform set_config(key, txid_current() || ':' || (used + i_count), false);
end;
$$ language plpgsql;

-- The change signal (docs/managed.md, "Ticking on commit"): what the
-- extension's commit callback tells the ticker, without a library. Each
-- transaction that inserts into a queue adds one row here for that queue;
-- the row becomes visible exactly when the events do (it commits with
-- them), and the waiting ticker (pgq.wakeup_ticker) reads the table every
-- poll and deletes the rows of the queues it ticks. Producers only append
-- (no key, no update): no producer waits for another. UNLOGGED: no WAL; a
-- crash empties it, and the ticker's periodic pgq.ticker() covers that.
create unlogged table pgq._so_signal (
    queue_id integer not null
) with (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
        autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0);
-- The ticker looks through this index, not the heap: between autovacuum
-- runs, thousands of producer transactions a second leave many pages of
-- deleted rows, which a sequential scan at every poll would read (about
-- 1 ms per 10 MB), while the index's deleted entries are skipped and
-- removed as the ticker's scans find them.
create index _so_signal_queue_idx on pgq._so_signal (queue_id);
comment on table pgq._so_signal is
    'SQL-only edition: one row per transaction that wrote events to a queue, until a tick consumes it';
grant insert on pgq._so_signal to public;

-- Function: pgq._so_note_signal(i_queue_id)
--   SQL-only helper: the change signal of the calling transaction for
--   queue i_queue_id (docs/managed.md, "Ticking on commit"), written at
--   most once per transaction and queue: a session setting keyed by the
--   transaction id remembers it (a rolled-back savepoint rolls both back).
--   Both insert paths call it after their events are written. Skipped when
--   the table is gone (a call that waited on `pgqpp migrate` runs after
--   its last step dropped it). Returns whether it wrote the signal.
create function pgq._so_note_signal(i_queue_id integer) returns boolean as $$
declare
    key text := 'pgq_sqlonly.signal_' || i_queue_id;
    tx text := pg_catalog.txid_current()::text;
begin
    if pg_catalog.current_setting(key, true) is not distinct from tx then
        return false;
    end if;
    if pg_catalog.to_regclass('pgq._so_signal') is not null then
        insert into pgq._so_signal (queue_id) values (i_queue_id);
    end if;
    perform pg_catalog.set_config(key, tx, false);
    return true;
end;
$$ language plpgsql;

-- The three-argument form calls the seven-argument one, as PgQ's does (a
-- replaced seven-argument function sees every event: test 27).
create function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint as $$
begin
    return pgq.insert_event(queue_name, ev_type, ev_data, null, null, null, null);
end;
$$ language plpgsql security definer;

create function pgq.insert_event(queue_name text, ev_type text, ev_data text,
                                 ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
declare
    path text := pg_catalog.current_setting('search_path');
    id bigint;
begin
    perform pg_catalog.set_config('search_path', 'pg_catalog, pgq, pg_temp', true);
    id := pgq.insert_event_raw(queue_name, null, pg_catalog.now(), null, null, ev_type, ev_data,
                               ev_extra1, ev_extra2, ev_extra3, ev_extra4);
    perform pg_catalog.set_config('search_path', path, true);
    return id;
end;
$$ language plpgsql security definer;

create function pgq.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
declare
    q record;
    id bigint;
    signalled boolean;
begin
    q := pgq._so_queue_for_insert(queue_name);
    -- As PgQ: an id is taken even when ev_id is given (the ticker sees that
    -- events arrived), and before the queue's settings are checked.
    id := nextval(q.event_seq);
    if q.disable_insert or q.per_tx_limit is not null then
        perform pgq._so_insert_refusal(queue_name, q.queue_id, q.disable_insert, q.per_tx_limit,
                                       1, q.event_seq, 1);
    end if;
    id := coalesce(ev_id, id);
    execute 'insert into ' || q.event_table
        || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
        || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        || ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
        using id, coalesce(ev_time, now()), ev_owner, ev_retry, ev_type, ev_data,
              ev_extra1, ev_extra2, ev_extra3, ev_extra4;
    -- An assignment, not PERFORM: a plain function call is evaluated
    -- without the executor.
    signalled := pgq._so_note_signal(q.queue_id);
    return id;
end;
$$ language plpgsql;

-- Function: pgq._so_check_array(i_fn, i_count, i_len, i_arg, i_broadcast)
--   SQL-only helper: the length checks of the bulk inserts (2202E naming
--   the argument that differs from ev_data's length).
create function pgq._so_check_array(i_fn text, i_count integer, i_len integer, i_arg integer,
                                    i_broadcast boolean)
returns void as $$
begin
    if i_len is not null and i_len <> i_count and not (i_broadcast and i_len = 1) then
        raise exception '% arrays differ in length', i_fn using errcode = '2202E',
            detail = format('ev_data has %s elements, argument %s has %s.', i_count, i_arg, i_len),
            hint = case when i_fn = 'insert_events'
                        then 'Pass arrays of the same length, or a one-element ev_type array for all events.'
                        else 'Pass arrays of the same length, or one-element deliver_at and ev_type arrays for all events.' end;
    end if;
end;
$$ language plpgsql immutable;

-- Function: pgq._so_array_len(i_fn, a)
--   SQL-only helper: the length of a one-dimensional array (0 when empty,
--   NULL when NULL); a multi-dimensional one is an error (2202E).
create function pgq._so_array_len(i_fn text, a anyarray) returns integer as $$
begin
    if a is null then
        return null;
    end if;
    if array_ndims(a) > 1 then
        raise exception '% expects one-dimensional arrays', i_fn using errcode = '2202E';
    end if;
    return coalesce(cardinality(a), 0);
end;
$$ language plpgsql immutable;

-- Function: pgq._so_insert_events(...)
--   SQL-only helper: pgq.insert_events' body, run with search_path fixed.
create function pgq._so_insert_events(queue_name text, ev_types text[], ev_datas text[],
    ev_extra1s text[], ev_extra2s text[], ev_extra3s text[], ev_extra4s text[])
returns bigint as $$
declare
    n integer;
    q record;
begin
    if queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;
    perform pgq._so_array_len('insert_events', ev_types);
    n := pgq._so_array_len('insert_events', ev_datas);
    if n is null then
        raise exception 'ev_data must not be NULL' using errcode = '22004';
    end if;
    perform pgq._so_check_array('insert_events', n, pgq._so_array_len('insert_events', ev_types), 2, true);
    perform pgq._so_check_array('insert_events', n, pgq._so_array_len('insert_events', ev_extra1s), 4, false);
    perform pgq._so_check_array('insert_events', n, pgq._so_array_len('insert_events', ev_extra2s), 5, false);
    perform pgq._so_check_array('insert_events', n, pgq._so_array_len('insert_events', ev_extra3s), 6, false);
    perform pgq._so_check_array('insert_events', n, pgq._so_array_len('insert_events', ev_extra4s), 7, false);
    if n = 0 then
        return 0;
    end if;
    q := pgq._so_queue_for_insert(queue_name);
    if q.disable_insert or q.per_tx_limit is not null then
        perform pgq._so_insert_refusal(queue_name, q.queue_id, q.disable_insert, q.per_tx_limit,
                                       n, q.event_seq, 0);
    end if;
    execute 'insert into ' || q.event_table
        || ' (ev_id, ev_time, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        -- unnest, not $3[i]: subscripting a text array walks it from the start.
        || ' select nextval($1), now(), case when cardinality($2) = 1 then $2[1] else t.ty end,'
        || '        t.d, t.e1, t.e2, t.e3, t.e4'
        || '   from unnest($2, $3, $4, $5, $6, $7) t(ty, d, e1, e2, e3, e4)'
        using q.event_seq, ev_types, ev_datas, ev_extra1s, ev_extra2s, ev_extra3s, ev_extra4s;
    perform pgq._so_note_signal(q.queue_id);
    return n;
end;
$$ language plpgsql;

-- The three SECURITY DEFINER insert functions have no SET clause (as in the
-- extension, whose C resolves everything by OID): they fix search_path
-- themselves for their work and put the caller's back, so that no object
-- of the caller's is used with the owner's rights.
create function pgq.insert_events(queue_name text, ev_types text[], ev_datas text[],
    ev_extra1s text[] default null, ev_extra2s text[] default null,
    ev_extra3s text[] default null, ev_extra4s text[] default null)
returns bigint as $$
declare
    path text := pg_catalog.current_setting('search_path');
    n bigint;
begin
    perform pg_catalog.set_config('search_path', 'pg_catalog, pgq, pg_temp', true);
    n := pgq._so_insert_events(queue_name, ev_types, ev_datas, ev_extra1s, ev_extra2s, ev_extra3s, ev_extra4s);
    perform pg_catalog.set_config('search_path', path, true);
    return n;
end;
$$ language plpgsql security definer;
