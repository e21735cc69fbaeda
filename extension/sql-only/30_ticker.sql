-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 30_ticker.sql's C functions: ticks. The rule
-- for when a tick is due, the tick lock and the NOTIFY are the
-- extension's (extension/src/core/tick_policy.cpp, functions/ticker.cpp).

-- Function: pgq._so_tick_due(max_count, max_lag, idle_period, new_events, age, previous_gap)
--   SQL-only helper: whether a queue is due a tick. With new events: when
--   there are max_count of them or the last tick is max_lag old. Without:
--   a queue without ticks yet or with one tick ticks; otherwise not before
--   half of max_lag, and not before twice the previous gap unless the idle
--   period has passed. new_events NULL means the queue has no tick.
create function pgq._so_tick_due(i_max_count integer, i_max_lag interval, i_idle_period interval,
    i_new_events bigint, i_age interval, i_previous_gap interval)
returns boolean as $$
    select case
        when i_new_events is null then true
        when i_new_events > 0 then i_new_events >= i_max_count or i_age >= i_max_lag
        when i_previous_gap is null then true
        when i_age < i_max_lag / 2 then false
        when i_age < i_previous_gap * 2 and i_age < i_idle_period then false
        else true end;
$$ language sql immutable;

-- Function: pgq._so_queue_state(i_queue_id)
--   SQL-only helper: per queue (all when i_queue_id is NULL) what the tick
--   rule needs, and whether a tick is due. Warns about a state PgQ warns
--   about; fails on a tick from the future (a restored dump). The queues'
--   last ticks are read first, then this transaction takes its id, then
--   the event sequences are read: a tick that another backend (the waiting
--   ticker) commits meanwhile can then only look older than the sequences
--   and this transaction, never newer (read the other way round, it made
--   the warnings about a state that was fine). The event sequences are
--   read without keeping a lock each until commit (10,000 queues would
--   exhaust the shared lock table, as in the extension,
--   extension/src/pg/sequence_peek.hpp): as PgQ's seq_getval reads them
--   (SELECT last_value: 1 before the first nextval, as
--   coalesce(pg_sequence_last_value(), 1), whose lock belongs to the top
--   transaction), max_locks_per_transaction of them at a time (at least
--   16) in a subtransaction that is then rolled back, releasing its locks.
--   The rule runs as one query, not a PL/pgSQL loop over the queues.
create function pgq._so_queue_state(i_queue_id integer,
    out queue_id integer, out event_seq bigint, out new_events bigint, out due boolean)
returns setof record as $$
declare
    r record;
    cur_txid bigint;
    ids integer[];
    seqs regclass[];
    tick_seqs bigint[];
    ages interval[];
    gaps interval[];
    xmins bigint[];
    xmaxs bigint[];
    max_counts integer[];
    max_lags interval[];
    idle_periods interval[];
    vals bigint[] := '{}';
    part bigint[];
    chunk integer := greatest(16, pg_catalog.current_setting('max_locks_per_transaction')::integer);
    i integer := 1;
begin
    select coalesce(array_agg(q.queue_id order by q.queue_id), '{}'),
           coalesce(array_agg(q.queue_event_seq::regclass order by q.queue_id), '{}'),
           coalesce(array_agg(t.tick_event_seq order by q.queue_id), '{}'),
           coalesce(array_agg(now() - t.tick_time order by q.queue_id), '{}'),
           coalesce(array_agg(t.gap order by q.queue_id), '{}'),
           coalesce(array_agg(txid_snapshot_xmin(t.tick_snapshot) order by q.queue_id), '{}'),
           coalesce(array_agg(txid_snapshot_xmax(t.tick_snapshot) order by q.queue_id), '{}'),
           coalesce(array_agg(q.queue_ticker_max_count order by q.queue_id), '{}'),
           coalesce(array_agg(q.queue_ticker_max_lag order by q.queue_id), '{}'),
           coalesce(array_agg(q.queue_ticker_idle_period order by q.queue_id), '{}')
      into ids, seqs, tick_seqs, ages, gaps, xmins, xmaxs, max_counts, max_lags, idle_periods
      from pgq.queue q
      left join lateral (select l.tick_event_seq, l.tick_time, l.tick_snapshot,
                                (select l.tick_time - p.tick_time from pgq.tick p
                                  where p.tick_queue = l.tick_queue and p.tick_id < l.tick_id
                                  order by p.tick_queue desc, p.tick_id desc limit 1) as gap
                           from (select * from pgq.tick
                                  where tick_queue = q.queue_id
                                  order by tick_queue desc, tick_id desc limit 1) l) t on true
     where (i_queue_id is null and not q.queue_external_ticker and not q.queue_ticker_paused)
        or q.queue_id = i_queue_id;
    cur_txid := txid_current();
    while i <= cardinality(seqs) loop
        begin
            execute (select 'select array[' || string_agg(format('(select last_value from %s)', x.s), ', '
                                                           order by x.n) || ']::bigint[]'
                       from unnest(seqs[i:i + chunk - 1]) with ordinality as x(s, n))
               into part;
            raise sqlstate 'PQSEQ';  -- roll the subtransaction back: its locks go
        exception when sqlstate 'PQSEQ' then
            vals := vals || part;
        end;
        i := i + chunk;
    end loop;
    -- PgQ's checks, in queue order; only queues in such a state come here.
    for r in
        select v.seq, v.tick_seq, v.xmin, v.xmax
          from unnest(ids, vals, tick_seqs, xmins, xmaxs) as v(queue_id, seq, tick_seq, xmin, xmax)
         where v.tick_seq is not null
           and (v.xmin > cur_txid or v.seq < v.tick_seq or v.xmax > cur_txid)
         order by v.queue_id
    loop
        if r.xmin > cur_txid then
            raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
                r.xmin, r.xmax, cur_txid using errcode = 'XX001';
        end if;
        if r.seq < r.tick_seq then
            raise warning 'Negative new_events?  old=% cur=%', r.tick_seq, r.seq;
        end if;
        if r.xmax > cur_txid then
            raise warning 'Dubious PgQ state: old xmax=%, cur txid=%', r.xmax, cur_txid;
        end if;
    end loop;
    return query
        select v.queue_id, v.seq, v.seq - v.tick_seq,
               pgq._so_tick_due(v.max_count, v.max_lag, v.idle_period, v.seq - v.tick_seq, v.age, v.gap)
          from unnest(ids, vals, tick_seqs, ages, gaps, max_counts, max_lags, idle_periods)
               as v(queue_id, seq, tick_seq, age, gap, max_count, max_lag, idle_period)
         order by v.queue_id;
end;
$$ language plpgsql;

-- Function: pgq._so_own_snapshot()
--   SQL-only helper: txid_current_snapshot() with this transaction's own
--   txid visible, the snapshot of a tick that delivers delayed events this
--   transaction moved (extension/src/functions/delayed_move.hpp).
create function pgq._so_own_snapshot() returns txid_snapshot as $$
    select (txid_snapshot_xmin(s) || ':' || greatest(txid_snapshot_xmax(s), txid_current() + 1)
            || ':' || array_to_string(array(select x from txid_snapshot_xip(s) x
                                              where x <> txid_current()
                                            union all
                                            select generate_series(txid_snapshot_xmax(s),
                                                                   txid_current() - 1)
                                            order by 1), ','))::txid_snapshot
      from (select txid_current_snapshot() s) own;
$$ language sql volatile;

-- Function: pgq._so_lock_ticks(i_queue_id, i_wait)
--   SQL-only helper: the extension's per-queue tick lock (the same
--   advisory lock key), waiting for it or trying once.
create function pgq._so_lock_ticks(i_queue_id integer, i_wait boolean) returns boolean as $$
begin
    if i_wait then
        perform pg_advisory_xact_lock(1885827440, i_queue_id);
        return true;
    end if;
    return pg_try_advisory_xact_lock(1885827440, i_queue_id);
end;
$$ language plpgsql;

-- Function: pgq._so_tick_queues(i_queue_ids, i_delayed_ids, i_with_events, i_wait)
--   SQL-only helper: ticks the queues (locked first, skipped when locked
--   elsewhere unless i_wait) in one INSERT, after deleting their change
--   signals (pgq._so_signal); queues in i_delayed_ids get the
--   snapshot that counts this transaction; queues in i_with_events get the
--   NOTIFY pgqpp_tick_<queue_id>. Returns the new ticks.
create function pgq._so_tick_queues(i_queue_ids integer[], i_delayed_ids integer[],
    i_with_events integer[], i_wait boolean, out queue_id integer, out tick_id bigint)
returns setof record as $$
declare
    locked integer[] := '{}';
    id integer;
begin
    for id in select distinct x from unnest(i_queue_ids) x order by 1 loop
        if pgq._so_lock_ticks(id, i_wait) then
            locked := locked || id;
        end if;
    end loop;
    if cardinality(locked) = 0 then
        return;
    end if;
    -- The change signals these ticks cover (docs/managed.md): deleted in a
    -- statement before the tick's, so every signal deleted belongs to
    -- events the tick's snapshot sees.
    delete from pgq._so_signal s where s.queue_id = any(locked);
    for queue_id, tick_id in
        insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq, tick_snapshot)
        select q.queue_id, nextval(q.queue_tick_seq::regclass), clock_timestamp(),
               coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1),
               case when q.queue_id = any(i_delayed_ids) then pgq._so_own_snapshot()
                    else txid_current_snapshot() end
          from pgq.queue q
         where q.queue_id = any(locked) and not q.queue_external_ticker and not q.queue_ticker_paused
        returning tick_queue, pgq.tick.tick_id
    loop
        if queue_id = any(i_with_events) then
            perform pg_notify('pgqpp_tick_' || queue_id, tick_id::text);
        end if;
        return next;
    end loop;
end;
$$ language plpgsql;

create function pgq.ticker(i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint as $$
declare
    q record;
begin
    if i_queue_name is null or i_tick_id is null or i_orig_timestamp is null or i_event_seq is null then
        raise exception 'ticker argument must not be NULL' using errcode = '22004';
    end if;
    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
    select queue_id, i_tick_id, i_orig_timestamp, i_event_seq from pgq.queue
     where queue_name = i_queue_name and queue_external_ticker and not queue_ticker_paused;
    if not found then
        raise exception 'queue not found or ticker disabled: %', i_queue_name using errcode = '55000';
    end if;
    select queue_id, queue_tick_seq, queue_event_seq into q from pgq.queue where queue_name = i_queue_name;
    perform pgq.seq_setval(q.queue_tick_seq, i_tick_id), pgq.seq_setval(q.queue_event_seq, i_event_seq);
    perform pg_notify('pgqpp_tick_' || q.queue_id, i_tick_id::text);
    return i_tick_id;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.ticker(i_queue_name text)
returns bigint as $$
declare
    q record;
    st record;
    moved integer[];
    delayed boolean;
    tick bigint;
begin
    if i_queue_name is null then
        raise exception 'no such queue' using errcode = '42704';
    end if;
    select queue_id, queue_external_ticker, queue_ticker_paused into q
      from pgq.queue where queue_name = i_queue_name;
    if not found then
        raise exception 'no such queue' using errcode = '42704';
    end if;
    if q.queue_external_ticker then
        raise exception 'This queue has external tick source.' using errcode = '55000';
    end if;
    if q.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue' using errcode = '55000';
    end if;
    perform pgq._so_lock_ticks(q.queue_id, true);
    moved := pgq._so_move_due_delayed(clock_timestamp());
    delayed := q.queue_id = any(moved);
    select * into st from pgq._so_queue_state(q.queue_id);
    if not found then
        raise exception 'no such queue' using errcode = '42704';
    end if;
    if not delayed and not st.due then
        return null;
    end if;
    delete from pgq._so_signal s where s.queue_id = q.queue_id;
    insert into pgq.tick (tick_queue, tick_id, tick_event_seq, tick_snapshot)
    select q.queue_id, nextval(queue_tick_seq::regclass), st.event_seq,
           case when delayed then pgq._so_own_snapshot() else txid_current_snapshot() end
      from pgq.queue where queue_id = q.queue_id
    returning tick_id into tick;
    if delayed or st.new_events > 0 then
        perform pg_notify('pgqpp_tick_' || q.queue_id, tick::text);
    end if;
    return tick;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- As the extension's: at most 2 x max_locks_per_transaction ticks a call
-- (each holds three locks until commit), those with new events (delayed
-- ones moved now first) before the others, then the longest without a tick.
create function pgq.ticker()
returns bigint as $$
declare
    due integer[];
    with_events integer[];
    moved integer[];
    cap integer := greatest(16, 2 * pg_catalog.current_setting('max_locks_per_transaction')::integer);
    n bigint;
begin
    select coalesce(array_agg(x.queue_id order by x.rank), '{}'),
           coalesce(array_agg(x.queue_id) filter (where x.has_events), '{}')
      into due, with_events
      from (select s.queue_id, coalesce(s.new_events > 0, false) as has_events,
                   row_number() over (order by coalesce(s.new_events > 0, false) desc,
                                               t.tick_time nulls first, s.queue_id) as rank
              from pgq._so_queue_state(null) s
              left join lateral (select p.tick_time from pgq.tick p
                                  where p.tick_queue = s.queue_id
                                  order by p.tick_queue desc, p.tick_id desc limit 1) t on true
             where s.due
             order by rank
             limit cap) x;
    moved := pgq._so_move_due_delayed(clock_timestamp());
    due := (moved || array(select d from unnest(due) d where d <> all (moved)))[1:cap];
    with_events := with_events || moved;
    if cardinality(due) = 0 then
        return 0;
    end if;
    select count(*) into n from pgq._so_tick_queues(due, moved, with_events, false);
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
