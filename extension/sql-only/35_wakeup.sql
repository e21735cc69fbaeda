-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 35_wakeup.sql's C function. Without the
-- library's commit callback the wait polls the change signals that the
-- producers' transactions commit with their events (pgq._so_signal,
-- sql-only/20_insert.sql): every poll interval it reads that table (and
-- looks for due delayed events) and ticks the signalled queues that are
-- due at once. docs/managed.md has the design and the figures.

-- Function: pgq._so_tick_spacing(i_events_per_second, i_min_interval_ms, i_max_count, i_max_lag)
--   SQL-only helper: the spacing between woken ticks of a queue
--   (extension/src/core/tick_spacing.cpp): i_min_interval_ms while at most
--   5 events come per i_min_interval_ms, else i_min_interval_ms times the
--   square root of a fifth of that, capped by the time ticker_max_count
--   events take and by ticker_max_lag. The caller's rate is the one
--   between the queue's last two ticks (the extension keeps a decaying
--   average over its ticks in the waiting backend).
create function pgq._so_tick_spacing(i_events_per_second numeric, i_min_interval_ms integer,
                                     i_max_count integer, i_max_lag interval)
returns interval as $$
declare
    min_us numeric := i_min_interval_ms * 1000;
    per_interval numeric := i_events_per_second * min_us / 1e6;
    spacing numeric;
begin
    if per_interval <= 5 then
        return min_us * interval '1 microsecond';
    end if;
    spacing := min_us * sqrt(per_interval / 5);
    if i_max_count > 0 then
        spacing := least(spacing, i_max_count * 1e6 / i_events_per_second);
    end if;
    if i_max_lag > interval '0' then
        spacing := least(spacing, extract(epoch from i_max_lag) * 1e6);
    end if;
    return greatest(min_us, spacing) * interval '1 microsecond';
end;
$$ language plpgsql immutable;

create function pgq.wakeup_ticker(in i_timeout_ms integer default 1000,
                                  in i_min_interval_ms integer default 5,
                                  out queue_name text, out tick_id bigint)
returns setof record as $$
declare
    deadline timestamptz;
    poll interval;
    signalled integer[];
    due integer[];
    stale integer[];
    moved integer[];
    r record;
    ticked boolean := false;
    at timestamptz;
begin
    if i_timeout_ms is null or i_timeout_ms < 0 or i_timeout_ms > 60000 then
        raise exception 'i_timeout_ms must be between 0 and 60000' using errcode = '22023';
    end if;
    if i_min_interval_ms is null or i_min_interval_ms < 0 or i_min_interval_ms > 60000 then
        raise exception 'i_min_interval_ms must be between 0 and 60000' using errcode = '22023';
    end if;
    deadline := clock_timestamp() + i_timeout_ms * interval '1 millisecond';
    -- The first look is as of the call's start (its own setup is not
    -- counted as the queues' age), the later ones as of their time.
    at := statement_timestamp();
    poll := greatest(i_min_interval_ms, 10) * interval '1 millisecond';
    loop
        due := '{}';
        moved := '{}';
        if pgq._so_wakeup_work(clock_timestamp()) then
            -- The queues whose producers committed since their last tick.
            select coalesce(array_agg(distinct s.queue_id), '{}') into signalled from pgq._so_signal s;
            if cardinality(signalled) > 0 then
                select coalesce(array_agg(x.id) filter (
                           where q.queue_id is not null and not q.queue_external_ticker
                             and not q.queue_ticker_paused
                             and (t.tick_time is null
                                  or at - t.tick_time
                                     >= pgq._so_tick_spacing(
                                            -- the rate between the last two ticks, as the
                                            -- extension's estimate is updated at ticks
                                            coalesce((select (t.tick_event_seq - p.tick_event_seq)
                                                             / greatest(extract(epoch from t.tick_time - p.tick_time), 0.001)
                                                        from pgq.tick p
                                                       where p.tick_queue = q.queue_id and p.tick_id < t.tick_id
                                                       order by p.tick_queue desc, p.tick_id desc limit 1), 0),
                                            i_min_interval_ms, q.queue_ticker_max_count, q.queue_ticker_max_lag))), '{}'),
                       -- signals this path never ticks: a dropped, paused or
                       -- externally ticked queue's
                       coalesce(array_agg(x.id) filter (
                           where q.queue_id is null or q.queue_external_ticker or q.queue_ticker_paused), '{}')
                  into due, stale
                  from unnest(signalled) x(id)
                  left join pgq.queue q on q.queue_id = x.id
                  left join lateral (select t.tick_id, t.tick_event_seq, t.tick_time from pgq.tick t
                                      where t.tick_queue = x.id
                                      order by t.tick_queue desc, t.tick_id desc limit 1) t on true;
                if cardinality(stale) > 0 then
                    delete from pgq._so_signal s where s.queue_id = any(stale);
                end if;
                -- At most as many ticks a call as pgq.ticker() makes (each
                -- holds locks until commit); the rest keep their signals
                -- for the next call.
                due := due[1:2 * pg_catalog.current_setting('max_locks_per_transaction')::integer];
            end if;
            moved := pgq._so_move_due_delayed(clock_timestamp());
        end if;
        if cardinality(due) > 0 or cardinality(moved) > 0 then
            -- _so_tick_queues deletes the ticked queues' signals first.
            for r in
                select t.queue_id, t.tick_id
                  from pgq._so_tick_queues(due || moved, moved, due || moved, false) t
            loop
                queue_name := (select q.queue_name from pgq.queue q where q.queue_id = r.queue_id);
                tick_id := r.tick_id;
                ticked := true;
                return next;
            end loop;
            if ticked then
                return;
            end if;
        end if;
        exit when clock_timestamp() + poll > deadline;
        perform pg_sleep(extract(epoch from poll));
        at := clock_timestamp();
    end loop;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
