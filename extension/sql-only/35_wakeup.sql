-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 35_wakeup.sql's C function. Without the
-- library's commit callback the wait polls: every poll interval it looks
-- for queues whose event sequence moved past their last tick (and for due
-- delayed events) and ticks those at once. docs/managed.md has the
-- differences (a poll per 10 ms at least; an event whose transaction was
-- still running at the tick waits for the next ordinary tick).

create function pgq.wakeup_ticker(in i_timeout_ms integer default 1000,
                                  in i_min_interval_ms integer default 5,
                                  out queue_name text, out tick_id bigint)
returns setof record as $$
declare
    deadline timestamptz;
    poll interval;
    due integer[];
    moved integer[];
    r record;
    ticked boolean := false;
begin
    if i_timeout_ms is null or i_timeout_ms < 0 or i_timeout_ms > 60000 then
        raise exception 'i_timeout_ms must be between 0 and 60000' using errcode = '22023';
    end if;
    if i_min_interval_ms is null or i_min_interval_ms < 0 or i_min_interval_ms > 60000 then
        raise exception 'i_min_interval_ms must be between 0 and 60000' using errcode = '22023';
    end if;
    deadline := clock_timestamp() + i_timeout_ms * interval '1 millisecond';
    poll := greatest(i_min_interval_ms, 10) * interval '1 millisecond';
    loop
        select coalesce(array_agg(q.queue_id), '{}') into due
          from pgq.queue q
          join lateral (select t.tick_event_seq, t.tick_time from pgq.tick t
                         where t.tick_queue = q.queue_id
                         order by t.tick_queue desc, t.tick_id desc limit 1) t on true
         where not q.queue_external_ticker and not q.queue_ticker_paused
           and coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1) > t.tick_event_seq
           and t.tick_time <= clock_timestamp() - i_min_interval_ms * interval '1 millisecond';
        moved := pgq._so_move_due_delayed(clock_timestamp());
        if cardinality(due) > 0 or cardinality(moved) > 0 then
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
    end loop;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
