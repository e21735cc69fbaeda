-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 72_dead_letters.sql's C function
-- (extension/src/functions/dead_letter.cpp).

-- Function: pgq._so_bury(i_queue_id, i_sub_id, i_events_sql, i_condition, i_reason, i_skip_waiting)
--   SQL-only helper: inserts the batch's events matching i_condition into
--   the consumer's dead letters with i_reason (those already dead stay as
--   they are; with i_skip_waiting, also those waiting for a retry). Returns
--   how many it inserted.
create function pgq._so_bury(i_queue_id integer, i_sub_id integer, i_events_sql text,
    i_condition text, i_reason text, i_skip_waiting boolean)
returns bigint as $$
declare
    n bigint;
begin
    execute 'insert into pgq.dead_letter (dead_time, dead_reason, ev_queue, ev_id, ev_time, ev_txid,'
        || ' ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        || ' select now(), $1, ' || i_queue_id || ', e.ev_id, e.ev_time, e.ev_txid, ' || i_sub_id
        || ', e.ev_retry, e.ev_type, e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4'
        || ' from (' || i_events_sql || ') e where ' || i_condition
        || case when i_skip_waiting
                then ' and not exists (select 1 from pgq.retry_queue r where r.ev_owner = '
                     || i_sub_id || ' and r.ev_id = e.ev_id)' else '' end
        || ' on conflict (ev_owner, ev_id) do nothing'
        using i_reason;
    get diagnostics n = row_count;
    return n;
end;
$$ language plpgsql;

create function pgq.event_dead(x_batch_id bigint, x_event_id bigint, x_reason text)
returns integer as $$
declare
    b record;
    hit boolean;
begin
    if x_batch_id is null or x_event_id is null then
        raise exception 'event_dead: batch and event id must not be NULL' using errcode = '22004';
    end if;
    select * into b from pgq._so_open_batch(x_batch_id, null);
    if not found then
        raise exception 'batch % is not open', x_batch_id using errcode = '42704',
            detail = format('No consumer has batch %s open.', x_batch_id),
            hint = 'Call event_dead between next_batch and finish_batch.';
    end if;
    execute 'select exists (select 1 from (' || b.events_sql || ') e where e.ev_id = ' || x_event_id || ')'
        into hit;
    if not hit then
        raise exception 'event % is not in batch %', x_event_id, x_batch_id using errcode = '42704';
    end if;
    delete from pgq.retry_queue where ev_owner = b.sub_id and ev_id = x_event_id;
    return case when pgq._so_bury(b.queue_id, b.sub_id, b.events_sql, 'e.ev_id = ' || x_event_id,
                                  x_reason, false) > 0 then 1 else 0 end;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
