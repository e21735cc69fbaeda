-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 60_batch.sql's C functions: opening, reading and
-- closing batches, with the extension's batch SQL (the same text:
-- extension/src/core/batch_query.cpp) and bounded batches
-- (functions/bounded_batch.cpp).

-- Function: pgq._so_id_array(ids)
--   SQL-only helper: '{1,2}'::bigint[] as batch SQL writes id lists.
create function pgq._so_id_array(ids bigint[]) returns text as $$
    select '''{' || array_to_string(ids, ',') || '}''::bigint[]';
$$ language sql immutable;

-- Function: pgq._so_batch_union(columns, tables, lo, hi, exclude, listed, owner, after_id, upto_id, windowed)
--   SQL-only helper: the union of a batch's parts over its tables, as the
--   extension writes it (batch_union in batch_query.cpp).
create function pgq._so_batch_union(i_columns text, i_tables text[], i_lo bigint, i_hi bigint,
    i_exclude bigint[], i_listed bigint[], i_owner integer, i_after bigint, i_upto bigint,
    i_windowed boolean)
returns text as $$
declare
    owner_cond text := ' and (ev.ev_owner is null or ev.ev_owner = ' || i_owner || ')';
    sql text := '';
    tbl text;
    part text;
    cond text;
    txid text := '(ev.ev_txid + 0)';
    bounds text;
begin
    foreach tbl in array i_tables loop
        part := i_columns || pgq._so_quote_fq(tbl) || ' ev where ';
        if i_windowed then
            bounds := '';
            if i_after is not null then
                bounds := bounds || 'ev.ev_id > ' || i_after || ' and ';
            end if;
            if i_upto is not null then
                bounds := bounds || 'ev.ev_id <= ' || i_upto || ' and ';
            end if;
            cond := '';
            if i_lo < i_hi then
                cond := '(' || txid || ' >= ' || i_lo || ' and ' || txid || ' < ' || i_hi;
                if cardinality(i_exclude) > 0 then
                    cond := cond || ' and ' || txid || ' <> all(' || pgq._so_id_array(i_exclude) || ')';
                end if;
                cond := cond || ')';
            end if;
            if cardinality(i_listed) > 0 then
                if cond <> '' then
                    cond := cond || ' or ';
                end if;
                cond := cond || txid || ' = any(' || pgq._so_id_array(i_listed) || ')';
            end if;
            cond := case when cond = '' then 'false' else '(' || cond || ')' end;
            sql := sql || case when sql = '' then '' else ' union all ' end
                || part || bounds || cond || owner_cond;
            continue;
        end if;
        if i_lo < i_hi then
            cond := part || 'ev.ev_txid >= ' || i_lo || ' and ev.ev_txid < ' || i_hi;
            if cardinality(i_exclude) > 0 then
                cond := cond || ' and ev.ev_txid <> all(' || pgq._so_id_array(i_exclude) || ')';
            end if;
            sql := sql || case when sql = '' then '' else ' union all ' end || cond || owner_cond;
        end if;
        if cardinality(i_listed) > 0 then
            sql := sql || case when sql = '' then '' else ' union all ' end
                || part || 'ev.ev_txid = any(' || pgq._so_id_array(i_listed) || ')' || owner_cond;
        end if;
    end loop;
    if sql = '' then
        sql := i_columns || 'pgq.event_template ev where false';
    end if;
    return sql;
end;
$$ language plpgsql immutable;

-- Function: pgq._so_open_batch(x_batch_id, i_extra_where)
--   SQL-only helper: an open batch as the extension loads it
--   (open_batch.cpp): its subscription, queue, tables, the txid filter
--   between its ticks, its bounded-batch window, and the SELECT of its
--   events (filtered by i_extra_where when given). No row for a batch that
--   is not open.
create function pgq._so_open_batch(x_batch_id bigint, i_extra_where text,
    out sub_id integer, out queue_id integer, out tables text[], out lo bigint, out hi bigint,
    out exclude bigint[], out listed bigint[], out after_id bigint, out upto_id bigint,
    out windowed boolean, out events_sql text)
returns setof record as $$
declare
    b record;
    use_prev boolean := true;
    use_cur boolean := true;
    prev integer;
    sql text;
begin
    select s.sub_id, s.sub_queue, last.tick_snapshot as last_snap, cur.tick_snapshot as cur_snap,
           q.queue_data_pfx, q.queue_ntables, q.queue_cur_table,
           q.queue_switch_step1, q.queue_switch_step2, cc.cc_after_id, cc.cc_upto_id
      into b
      from pgq.subscription s
      join pgq.tick last on last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick
      join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
      join pgq.queue q on q.queue_id = s.sub_queue
      left join pgq.consumer_config cc on cc.cc_queue = s.sub_queue
            and cc.cc_consumer = s.sub_consumer and cc.cc_last_tick = s.sub_last_tick
            and cc.cc_next_tick = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    if not found then
        return;
    end if;
    sub_id := b.sub_id;
    queue_id := b.sub_queue;
    if txid_snapshot_xmax(b.cur_snap) < b.queue_switch_step1 then
        use_cur := false;
    elsif b.queue_switch_step2 is not null and txid_snapshot_xmin(b.last_snap) > b.queue_switch_step2 then
        use_prev := false;
    end if;
    tables := '{}';
    if use_prev then
        prev := b.queue_cur_table - 1;
        if prev < 0 then
            prev := b.queue_ntables - 1;
        end if;
        tables := tables || (b.queue_data_pfx || '_' || prev);
    end if;
    if use_cur then
        tables := tables || (b.queue_data_pfx || '_' || b.queue_cur_table);
    end if;
    lo := txid_snapshot_xmax(b.last_snap);
    hi := greatest(txid_snapshot_xmax(b.cur_snap), lo);
    exclude := array(select x from txid_snapshot_xip(b.cur_snap) x where x >= lo and x < hi order by x);
    listed := array(select x from txid_snapshot_xip(b.last_snap) x
                     where txid_visible_in_snapshot(x, b.cur_snap) order by x);
    after_id := b.cc_after_id;
    upto_id := b.cc_upto_id;
    windowed := after_id is not null or upto_id is not null;
    sql := pgq._so_batch_union('select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,'
                               || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4 from ',
                               tables, lo, hi, exclude, listed, sub_id, after_id, upto_id, windowed);
    if coalesce(i_extra_where, '') <> '' then
        events_sql := 'select * from (' || sql || ') _evs where ' || i_extra_where || ' order by 1';
    else
        events_sql := sql || ' order by 1';
    end if;
    return next;
end;
$$ language plpgsql;

-- Function: pgq._so_window_ids(i_sql)
--   SQL-only helper: the ev_ids i_sql selects, read in index order (sorts,
--   sequential and bitmap scans off, as bounded_batch.cpp plans them: a
--   window's end is found after about max_batch_events index entries).
create function pgq._so_window_ids(i_sql text) returns bigint[] as $$
declare
    ids bigint[];
begin
    execute 'select array(' || i_sql || ')' into ids;
    return ids;
end;
$$ language plpgsql
    set enable_sort = off set enable_seqscan = off set enable_bitmapscan = off set jit = off;

-- Function: pgq._so_plan_bounded(x_batch_id, i_queue_id, i_consumer_id, i_max, i_in_progress, i_after, i_max_id, i_last_tick, i_next_tick)
--   SQL-only helper: bounded batches (bounded_batch.cpp). Chooses the ev_id
--   window of a new batch and stores it in pgq.consumer_config: the whole
--   tick interval when it holds at most max_batch_events events, else the
--   next max_batch_events events after the previous window.
create function pgq._so_plan_bounded(x_batch_id bigint, i_queue_id integer, i_consumer_id integer,
    i_max integer, i_continue boolean, i_after bigint, i_max_id bigint,
    i_last_tick bigint, i_next_tick bigint)
returns void as $$
declare
    b record;
    cnt bigint;
    min_id bigint;
    after bigint := i_after;
    max_id bigint := i_max_id;
    upto bigint;
    ids bigint[] := '{}';
    tbl text;
    sql text;
begin
    select * into b from pgq._so_open_batch(x_batch_id, null);
    if not found then
        raise exception 'bounded batch vanished while opening it' using errcode = 'XX000';
    end if;
    if not i_continue then
        sql := pgq._so_batch_union('select ev_id from ', b.tables, b.lo, b.hi, b.exclude, b.listed,
                                   b.sub_id, null, null, false);
        execute 'select count(*), min(ev_id), max(ev_id) from (' || sql || ') _ids'
            into cnt, min_id, max_id;
        if i_max is null or cnt <= i_max then
            update pgq.consumer_config
               set cc_last_tick = i_last_tick, cc_next_tick = i_next_tick, cc_after_id = null,
                   cc_upto_id = null, cc_max_id = null
             where cc_queue = i_queue_id and cc_consumer = i_consumer_id;
            return;
        end if;
        after := min_id - 1;
    end if;
    upto := max_id;
    if i_max is not null then
        foreach tbl in array b.tables loop
            ids := ids || pgq._so_window_ids(
                pgq._so_batch_union('select ev_id from ', array[tbl], b.lo, b.hi, b.exclude,
                                    b.listed, b.sub_id, after, max_id, true)
                || ' order by ev_id limit ' || (i_max + 1));
        end loop;
        if cardinality(ids) > i_max then
            upto := (select x from unnest(ids) x order by x offset i_max - 1 limit 1);
        end if;
    end if;
    update pgq.consumer_config
       set cc_last_tick = i_last_tick, cc_next_tick = i_next_tick, cc_after_id = after,
           cc_upto_id = upto, cc_max_id = max_id
     where cc_queue = i_queue_id and cc_consumer = i_consumer_id;
end;
$$ language plpgsql;

-- Function: pgq._so_next_batch(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval, i_custom)
--   SQL-only helper: the heart of next_batch* (open_batch in batch.cpp):
--   the consumer's open batch, or a new one ending at the next suitable
--   tick, or no batch (batch_id NULL).
create function pgq._so_next_batch(i_queue_name text, i_consumer_name text,
    i_min_lag interval, i_min_count int4, i_min_interval interval,
    out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as $$
declare
    sb record;
    nt record;
    in_progress boolean;
begin
    if i_queue_name is null or i_consumer_name is null then
        raise exception 'Not subscriber to queue: %/%', coalesce(i_queue_name, 'NULL'),
            coalesce(i_consumer_name, 'NULL') using errcode = '42704';
    end if;
    -- First the row lock, which serialises the consumer's calls; then the
    -- read, in a statement of its own: its snapshot is taken after the lock
    -- (READ COMMITTED), so it sees what a call we waited for committed. One
    -- statement would recheck only the new subscription row against ticks
    -- joined under the old snapshot (as functions/batch.cpp explains).
    perform 1
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name
       for update of s;
    select s.sub_queue, s.sub_consumer, s.sub_batch,
           t1.tick_id as t1_id, t1.tick_time as t1_time, t1.tick_event_seq as t1_seq,
           t2.tick_id as t2_id, t2.tick_time as t2_time, t2.tick_event_seq as t2_seq,
           cc.cc_max_batch_events, cc.cc_last_tick, cc.cc_next_tick, cc.cc_after_id,
           cc.cc_upto_id, cc.cc_max_id, cc.cc_queue
      into sb
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t1 on t1.tick_queue = s.sub_queue and t1.tick_id = s.sub_last_tick
      left join pgq.tick t2 on t2.tick_queue = s.sub_queue and t2.tick_id = s.sub_next_tick
      left join pgq.consumer_config cc on cc.cc_queue = s.sub_queue and cc.cc_consumer = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
    if not found then
        raise exception 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name
            using errcode = '42704', hint = 'Register the consumer with pgq.register_consumer().';
    end if;
    if sb.t1_id is null then
        raise exception 'PgQ corruption: Consumer % on queue % does not see tick <NULL>',
            i_consumer_name, i_queue_name using errcode = 'XX001';
    end if;
    prev_tick_id := sb.t1_id;
    prev_tick_time := sb.t1_time;
    prev_tick_event_seq := sb.t1_seq;
    if sb.sub_batch is not null then
        batch_id := sb.sub_batch;
        cur_tick_id := sb.t2_id;
        cur_tick_time := sb.t2_time;
        cur_tick_event_seq := sb.t2_seq;
        return;
    end if;
    in_progress := sb.cc_queue is not null and sb.cc_last_tick = sb.t1_id and sb.cc_next_tick is not null
                   and sb.cc_after_id is not null and sb.cc_upto_id is null;
    if in_progress then
        select tick_id, tick_time, tick_event_seq into nt from pgq.tick
         where tick_queue = sb.sub_queue and tick_id = sb.cc_next_tick;
        if not found then
            raise exception 'PgQ corruption: Consumer % on queue % does not see tick %',
                i_consumer_name, i_queue_name, sb.cc_next_tick using errcode = 'XX001';
        end if;
    elsif i_min_count is not null or i_min_interval is not null then
        select next_tick_id as tick_id, next_tick_time as tick_time, next_tick_seq as tick_event_seq
          into nt
          from pgq.find_tick_helper(sb.sub_queue, sb.t1_id, sb.t1_time, sb.t1_seq, i_min_count, i_min_interval);
    else
        select tick_id, tick_time, tick_event_seq into nt from pgq.tick
         where tick_queue = sb.sub_queue and tick_id > sb.t1_id
         order by tick_queue asc, tick_id asc limit 1;
    end if;
    if not in_progress then
        if nt.tick_id is null
           or (i_min_lag is not null and nt.tick_time > now() - i_min_lag) then
            prev_tick_id := null;
            prev_tick_time := null;
            prev_tick_event_seq := null;
            return;
        end if;
    end if;
    cur_tick_id := nt.tick_id;
    cur_tick_time := nt.tick_time;
    cur_tick_event_seq := nt.tick_event_seq;
    update pgq.subscription
       set sub_batch = nextval('pgq.batch_id_seq'), sub_next_tick = nt.tick_id, sub_active = now()
     where sub_queue = sb.sub_queue and sub_consumer = sb.sub_consumer
    returning sub_batch into batch_id;
    if sb.cc_max_batch_events is not null or in_progress then
        perform pgq._so_plan_bounded(batch_id, sb.sub_queue, sb.sub_consumer, sb.cc_max_batch_events,
                                     in_progress and sb.cc_next_tick = nt.tick_id,
                                     sb.cc_after_id, sb.cc_max_id, sb.t1_id, nt.tick_id);
    end if;
end;
$$ language plpgsql;

create function pgq.next_batch_custom(
    in i_queue_name text, in i_consumer_name text,
    in i_min_lag interval, in i_min_count int4, in i_min_interval interval,
    out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as $$
    select * from pgq._so_next_batch(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval);
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.next_batch_info(
    in i_queue_name text, in i_consumer_name text,
    out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as $$
    select * from pgq._so_next_batch(i_queue_name, i_consumer_name, null, null, null);
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns int8 as $$
    select batch_id from pgq._so_next_batch(i_queue_name, i_consumer_name, null, null, null);
$$ language sql security definer
    set search_path = pg_catalog, pgq, pg_temp;

create function pgq.batch_event_sql(x_batch_id bigint)
returns text as $$
declare
    sql text;
begin
    select events_sql into sql from pgq._so_open_batch(x_batch_id, null);
    if sql is null and x_batch_id is null then
        raise exception 'batch not found' using errcode = '42704';
    elsif sql is null then
        raise exception 'batch not found' using errcode = '42704',
            detail = format('No consumer has batch %s open.', x_batch_id);
    end if;
    return sql;
end;
$$ language plpgsql;

create function pgq.batch_event_tables(x_batch_id bigint)
returns setof text as $$
declare
    t text[];
begin
    select tables into t from pgq._so_open_batch(x_batch_id, null);
    if t is null then
        raise exception 'Cannot find data for batch %', coalesce(x_batch_id::text, 'NULL')
            using errcode = '42704';
    end if;
    return query select unnest(t);
end;
$$ language plpgsql;

create function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as $$
begin
    return query execute pgq.batch_event_sql(x_batch_id);
end;
$$ language plpgsql;

create function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4, in i_extra_where text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as $$
declare
    sql text;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;
    select events_sql into sql from pgq._so_open_batch(i_batch_id, i_extra_where);
    if sql is null then
        raise exception 'batch not found' using errcode = '42704',
            detail = format('No consumer has batch %s open.', i_batch_id);
    end if;
    execute 'declare ' || quote_ident(i_cursor_name) || ' no scroll cursor for ' || sql;
    if i_quick_limit <= 0 then
        return;
    end if;
    return query execute 'fetch ' || i_quick_limit || ' from ' || quote_ident(i_cursor_name);
end;
$$ language plpgsql;

create function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_retry int4,
    out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text)
returns setof record as $$
    select * from pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, null);
$$ language sql strict;

create function pgq.finish_batch(x_batch_id bigint)
returns integer as $$
begin
    if x_batch_id is null then
        return 0;
    end if;
    update pgq.subscription s
       set sub_active = now(), sub_last_tick = sub_next_tick, sub_next_tick = null, sub_batch = null
     where sub_batch = x_batch_id
       and not exists (select 1 from pgq.consumer_config cc
                        where cc.cc_queue = s.sub_queue and cc.cc_consumer = s.sub_consumer
                          and cc.cc_last_tick = s.sub_last_tick and cc.cc_next_tick = s.sub_next_tick
                          and cc.cc_upto_id < cc.cc_max_id);
    if found then
        return 1;
    end if;
    -- A bounded batch that stops inside its tick interval: the next window
    -- starts after it, the subscription stays at its start tick.
    update pgq.consumer_config cc
       set cc_after_id = cc.cc_upto_id, cc_upto_id = null
      from pgq.subscription s
     where s.sub_batch = x_batch_id and cc.cc_queue = s.sub_queue
       and cc.cc_consumer = s.sub_consumer and cc.cc_last_tick = s.sub_last_tick
       and cc.cc_next_tick = s.sub_next_tick and cc.cc_upto_id < cc.cc_max_id;
    if found then
        update pgq.subscription
           set sub_active = now(), sub_batch = null, sub_next_tick = null
         where sub_batch = x_batch_id;
        return 1;
    end if;
    raise warning 'finish_batch: batch % not found', x_batch_id;
    return 0;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
