-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 70_retry.sql's C functions: retries, with the
-- queue's max_retries sending events to the dead letters
-- (extension/src/functions/retry.cpp).

-- Function: pgq._so_retry_or_bury(x_batch_id, i_condition, i_retry_after)
--   SQL-only helper: puts the open batch's events matching i_condition (an
--   SQL condition on e, or NULL for all) aside until i_retry_after: into the
--   retry queue, or into the dead letters for those already retried
--   max_retries times. Returns how many were put aside; NULL when the batch
--   is not open.
create function pgq._so_retry_or_bury(x_batch_id bigint, i_condition text, i_retry_after timestamptz)
returns bigint as $$
declare
    b record;
    max_retries integer;
    retry_filter text := i_condition;
    past text;
    dead bigint := 0;
    n bigint;
begin
    select * into b from pgq._so_open_batch(x_batch_id, null);
    if not found then
        return null;
    end if;
    select qc_max_retries into max_retries from pgq.queue_config where qc_queue = b.queue_id;
    if max_retries is not null then
        past := 'coalesce(e.ev_retry, 0) >= ' || max_retries;
        dead := pgq._so_bury(b.queue_id, b.sub_id, b.events_sql,
                             coalesce(i_condition || ' and ', '') || past,
                             'max_retries (' || max_retries || ') reached', true);
        retry_filter := coalesce(i_condition || ' and ', '') || 'coalesce(e.ev_retry, 0) < ' || max_retries;
    end if;
    execute 'insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid,'
        || ' ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        || ' select $1, ' || b.queue_id || ', e.ev_id, e.ev_time, null, ' || b.sub_id
        || ', coalesce(e.ev_retry, 0) + 1, e.ev_type, e.ev_data,'
        || ' e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4'
        || ' from (' || b.events_sql || ') e '
        || coalesce('where ' || retry_filter, '')
        || ' on conflict (ev_owner, ev_id) do nothing'
        using i_retry_after;
    get diagnostics n = row_count;
    return dead + n;
end;
$$ language plpgsql;

-- Function: pgq._so_retry_event(x_batch_id, x_event_id, x_retry_after)
--   SQL-only helper: event_retry's body; 1, or 0 when the event already
--   waits for a retry. An unknown batch or event is an error (42704).
create function pgq._so_retry_event(x_batch_id bigint, x_event_id bigint, x_retry_after timestamptz)
returns integer as $$
declare
    sql text;
    hit boolean;
begin
    if x_batch_id is null or x_event_id is null or x_retry_after is null then
        raise exception 'event_retry arguments must not be NULL' using errcode = '22004';
    end if;
    select events_sql into sql from pgq._so_open_batch(x_batch_id, null);
    if sql is null then
        raise exception 'event not found' using errcode = '42704',
            detail = format('No consumer has batch %s open.', x_batch_id);
    end if;
    execute 'select exists (select 1 from (' || sql || ') e where e.ev_id = ' || x_event_id || ')' into hit;
    if not hit then
        raise exception 'event not found' using errcode = '42704',
            detail = format('Event %s is not in batch %s.', x_event_id, x_batch_id);
    end if;
    return case when pgq._so_retry_or_bury(x_batch_id, 'e.ev_id = ' || x_event_id, x_retry_after) > 0
                then 1 else 0 end;
end;
$$ language plpgsql;

create function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns integer as $$
    select pgq._so_retry_event(x_batch_id, x_event_id, x_retry_time);
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns integer as $$
    select pgq._so_retry_event(x_batch_id, x_event_id, now() + x_retry_seconds * interval '1 second');
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns integer as $$
declare
    n bigint;
begin
    if i_batch_id is null or i_retry_seconds is null then
        raise exception 'batch_retry arguments must not be NULL' using errcode = '22004';
    end if;
    n := pgq._so_retry_or_bury(i_batch_id, null, now() + i_retry_seconds * interval '1 second');
    if n is null then
        raise exception 'batch_retry: batch % not found', i_batch_id using errcode = '42704';
    end if;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.maint_retry_events()
returns integer as $$
declare
    r record;
    dst record;
    n integer := 0;
begin
    lock table pgq.retry_queue in share update exclusive mode;
    for r in
        with due as (select ev_owner, ev_id from pgq.retry_queue
                      where ev_retry_after <= current_timestamp
                      order by ev_retry_after limit 1000)
        delete from pgq.retry_queue rq using due, pgq.queue q
         where rq.ev_owner = due.ev_owner and rq.ev_id = due.ev_id and q.queue_id = rq.ev_queue
        returning q.queue_name, rq.ev_id, rq.ev_time, rq.ev_owner, rq.ev_retry,
                  rq.ev_type, rq.ev_data, rq.ev_extra1, rq.ev_extra2, rq.ev_extra3, rq.ev_extra4
    loop
        -- Back into the queue without insert_event_raw's refusals, keeping
        -- its id, but taking one from the sequence as PgQ's move does.
        dst := pgq._so_queue_for_insert(r.queue_name);
        perform nextval(dst.event_seq);
        execute 'insert into ' || dst.event_table
            || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
            || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
            || ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
            using r.ev_id, r.ev_time, r.ev_owner, r.ev_retry, r.ev_type, r.ev_data,
                  r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4;
        n := n + 1;
    end loop;
    return n;
end;
$$ language plpgsql;
