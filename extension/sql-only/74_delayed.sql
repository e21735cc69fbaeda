-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 74_delayed.sql's C functions: delayed events
-- (extension/src/functions/delayed_insert.cpp), and the move of due ones
-- into their queues that the ticks run (delayed_move.cpp).

-- Function: pgq._so_check_deliver_at(i_at)
--   SQL-only helper: a deliver_at must be a finite time (22004, 22008).
create function pgq._so_check_deliver_at(i_at timestamptz) returns void as $$
begin
    if i_at is null then
        raise exception 'deliver_at must not be NULL' using errcode = '22004',
            hint = 'Give the time the event is due, or use pgq.insert_event for now.';
    end if;
    if not isfinite(i_at) then
        raise exception 'deliver_at must be a finite time' using errcode = '22008';
    end if;
end;
$$ language plpgsql immutable;

-- Function: pgq._so_delayed_table()
--   SQL-only helper: the current child of pgq.delayed_event.
create function pgq._so_delayed_table() returns text as $$
    select case when dm_cur_table = 1 then 'pgq.delayed_event_1' else 'pgq.delayed_event_0' end
      from pgq.delayed_mark;
$$ language sql stable;

create function pgq.insert_event_at(queue_name text, deliver_at timestamptz, ev_type text, ev_data text)
returns bigint as $$
begin
    return pgq.insert_event_at(queue_name, deliver_at, ev_type, ev_data, null, null, null, null);
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.insert_event_at(queue_name text, deliver_at timestamptz, ev_type text, ev_data text,
                                    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
declare
    q record;
    id bigint;
begin
    if queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;
    perform pgq._so_check_deliver_at(deliver_at);
    q := pgq._so_queue_for_insert(queue_name);
    id := nextval(q.event_seq);
    if q.disable_insert or q.per_tx_limit is not null then
        perform pgq._so_insert_refusal(queue_name, q.queue_id, q.disable_insert, q.per_tx_limit,
                                       1, q.event_seq, 1);
    end if;
    execute 'insert into ' || pgq._so_delayed_table()
        || ' (de_deliver_at, de_queue, ev_id, ev_time, ev_txid, ev_type, ev_data,'
        || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        || ' values ($1, $2, $3, now(), txid_current(), $4, $5, $6, $7, $8, $9)'
        using deliver_at, q.queue_id, id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4;
    return id;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.insert_events_at(queue_name text, deliver_ats timestamptz[], ev_types text[],
    ev_datas text[], ev_extra1s text[] default null, ev_extra2s text[] default null,
    ev_extra3s text[] default null, ev_extra4s text[] default null)
returns bigint as $$
declare
    n integer;
    q record;
    at timestamptz;
    fn text := 'insert_events_at';
begin
    if queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;
    perform pgq._so_array_len(fn, deliver_ats), pgq._so_array_len(fn, ev_types);
    n := pgq._so_array_len(fn, ev_datas);
    perform pgq._so_array_len(fn, ev_extra1s), pgq._so_array_len(fn, ev_extra2s),
            pgq._so_array_len(fn, ev_extra3s), pgq._so_array_len(fn, ev_extra4s);
    if deliver_ats is null then
        raise exception 'deliver_ats must not be NULL' using errcode = '22004';
    end if;
    if n is null then
        raise exception 'ev_data must not be NULL' using errcode = '22004';
    end if;
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, deliver_ats), 2, true);
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, ev_types), 3, true);
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, ev_extra1s), 5, false);
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, ev_extra2s), 6, false);
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, ev_extra3s), 7, false);
    perform pgq._so_check_array(fn, n, pgq._so_array_len(fn, ev_extra4s), 8, false);
    if n = 0 then
        return 0;
    end if;
    foreach at in array deliver_ats loop
        perform pgq._so_check_deliver_at(at);
    end loop;
    q := pgq._so_queue_for_insert(queue_name);
    if q.disable_insert or q.per_tx_limit is not null then
        perform pgq._so_insert_refusal(queue_name, q.queue_id, q.disable_insert, q.per_tx_limit,
                                       n, q.event_seq, 0);
    end if;
    execute 'insert into ' || pgq._so_delayed_table()
        || ' (de_deliver_at, de_queue, ev_id, ev_time, ev_txid, ev_type, ev_data,'
        || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        -- unnest, not $5[i]: subscripting a text array walks it from the start.
        || ' select case when cardinality($1) = 1 then $1[1] else t.at end, $2, nextval($3), now(),'
        || '        txid_current(), case when cardinality($4) = 1 then $4[1] else t.ty end,'
        || '        t.d, t.e1, t.e2, t.e3, t.e4'
        || '   from unnest($1, $4, $5, $6, $7, $8, $9) t(at, ty, d, e1, e2, e3, e4)'
        using deliver_ats, q.queue_id, q.event_seq, ev_types, ev_datas,
              ev_extra1s, ev_extra2s, ev_extra3s, ev_extra4s;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq._so_move_due_delayed(i_now)
--   SQL-only helper: moves the delayed events due at i_now into their
--   queues' current tables (their ev_id kept, ev_time = deliver_at, this
--   transaction's txid), advances pgq.delayed_mark past them, rotates the
--   delayed tables when due, and returns the queues that got events. One
--   mover at a time: a concurrent caller returns none (this one moves its
--   rows too). delayed_move.hpp has the reasoning.
create function pgq._so_move_due_delayed(i_now timestamptz) returns integer[] as $$
declare
    mk record;
    r record;
    dst record;
    cur_queue integer := 0;
    queues integer[] := '{}';
    old integer;
begin
    -- Cheap look first: nothing pending and due means no lock, no txid.
    if not exists (select 1 from pgq.delayed_event d, pgq.delayed_mark m
                    where d.de_deliver_at <= i_now
                      and not (d.de_deliver_at <= m.dm_time
                               and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot))) then
        return queues;
    end if;
    select dm_cur_table, dm_rotated_at + dm_rotation_period <= i_now as rotation_due into mk
      from pgq.delayed_mark for update skip locked;
    if not found then
        return queues;
    end if;
    for r in
        with m as materialized (
            select greatest(dm_time, i_now) t_new, txid_current_snapshot() s_new,
                   dm_time t_old, dm_snapshot s_old
              from pgq.delayed_mark limit 1),
        due as materialized (
            select d.* from m, pgq.delayed_event d
             where d.de_deliver_at > m.t_old and d.de_deliver_at <= m.t_new
               and txid_visible_in_snapshot(d.ev_txid, m.s_new)
            union all
            select d.* from m, pgq.delayed_event d
             where d.de_deliver_at <= m.t_old and not txid_visible_in_snapshot(d.ev_txid, m.s_old)
               and txid_visible_in_snapshot(d.ev_txid, m.s_new)),
        mark as (update pgq.delayed_mark set dm_time = m.t_new, dm_snapshot = m.s_new from m
                  where exists (select 1 from due))
        select qq.queue_name, due.de_queue, due.ev_id, due.de_deliver_at, due.ev_owner,
               due.ev_retry, due.ev_type, due.ev_data, due.ev_extra1, due.ev_extra2,
               due.ev_extra3, due.ev_extra4
          from due left join pgq.queue qq on qq.queue_id = due.de_queue
         order by due.de_queue, due.ev_id
    loop
        if r.queue_name is null then
            continue;  -- the queue was dropped
        end if;
        if r.de_queue <> cur_queue then
            dst := pgq._so_queue_for_insert(r.queue_name);
            cur_queue := r.de_queue;
            queues := queues || cur_queue;
        end if;
        execute 'insert into ' || dst.event_table
            || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
            || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
            || ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
            using r.ev_id, r.de_deliver_at, r.ev_owner, r.ev_retry, r.ev_type, r.ev_data,
                  r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4;
    end loop;
    if mk.rotation_due then
        old := 1 - mk.dm_cur_table;
        begin
            execute format('lock table pgq.delayed_event_%s in access exclusive mode nowait', old);
            execute format('insert into pgq.delayed_event_%s select d.* from only pgq.delayed_event_%s d,'
                           ' pgq.delayed_mark m where not (d.de_deliver_at <= m.dm_time'
                           ' and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot))',
                           mk.dm_cur_table, old);
            execute format('truncate pgq.delayed_event_%s', old);
            update pgq.delayed_mark set dm_cur_table = old, dm_rotated_at = i_now;
        exception when lock_not_available then
            null;  -- a writer still inserts there: rotate at a later move
        end;
    end if;
    return queues;
end;
$$ language plpgsql;

-- Function: pgq._so_wakeup_work(i_now)
--   SQL-only helper: whether the waiting ticker has anything to do at
--   i_now: a committed change signal, or a delayed event due and not
--   delivered yet (the cheap look of pgq._so_move_due_delayed). One
--   statement, inlined into its caller's: idle, it is the whole cost of a
--   poll besides the sleep. (Here, not in sql-only/35_wakeup.sql: an SQL
--   function is checked when created, and the delayed tables come first.)
create function pgq._so_wakeup_work(i_now timestamptz) returns boolean as $$
    select exists (select 1 from pgq._so_signal)
        or exists (select 1 from pgq.delayed_event d, pgq.delayed_mark m
                    where d.de_deliver_at <= i_now
                      and not (d.de_deliver_at <= m.dm_time
                               and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot)));
$$ language sql stable;
