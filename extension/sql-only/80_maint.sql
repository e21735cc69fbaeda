-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 80_maint.sql's C functions: event table rotation
-- (extension/src/functions/rotation.cpp).

create function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer as $$
declare
    q record;
    low record;
    next_table integer;
begin
    if i_queue_name is null then
        return 0;
    end if;
    select queue_id, queue_data_pfx, queue_cur_table, queue_ntables, queue_switch_step1,
           queue_switch_step2, txid_current() as cur_txid,
           txid_snapshot_xmin(txid_current_snapshot()) as oldest_running
      into q
      from pgq.queue
     where queue_name = i_queue_name and queue_rotation_period is not null
       and queue_switch_step2 is not null
       and queue_switch_time + queue_rotation_period < current_timestamp
       for update;
    if not found then
        return 0;
    end if;
    if q.cur_txid < q.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%', i_queue_name,
            q.queue_switch_step1, q.cur_txid using errcode = 'XX001';
    end if;
    -- A writer that started before the previous switch completed may still
    -- add events to the table that switch left.
    if q.oldest_running <= q.queue_switch_step2 then
        return 0;
    end if;
    select s.sub_last_tick, txid_snapshot_xmin(t.tick_snapshot) as xmin into low
      from pgq.subscription s
      left join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick
     where s.sub_queue = q.queue_id
     order by s.sub_last_tick limit 1;
    if found then
        if low.sub_last_tick is not null and low.xmin is null then
            raise exception 'queue % maint failure: tick % not found', i_queue_name,
                low.sub_last_tick using errcode = 'XX001';
        end if;
        if low.xmin is not null and low.xmin <= q.queue_switch_step2 then
            return 0;
        end if;
    end if;
    next_table := case when q.queue_cur_table + 1 = q.queue_ntables then 0 else q.queue_cur_table + 1 end;
    begin
        execute 'lock table ' || pgq.quote_fqname(q.queue_data_pfx || '_' || next_table)
            || ' in access exclusive mode nowait';
    exception when lock_not_available then
        return 0;  -- a reader holds the table: try again next time
    end;
    execute 'truncate ' || pgq.quote_fqname(q.queue_data_pfx || '_' || next_table);
    update pgq.queue set queue_cur_table = next_table, queue_switch_time = current_timestamp,
           queue_switch_step1 = txid_current(), queue_switch_step2 = null
     where queue_id = q.queue_id;
    delete from pgq.tick where tick_queue = q.queue_id
       and txid_snapshot_xmin(tick_snapshot) < q.queue_switch_step2;
    return 0;
end;
$$ language plpgsql;

create function pgq.maint_rotate_tables_step2()
returns integer as $$
begin
    update pgq.queue set queue_switch_step2 = txid_current() where queue_switch_step2 is null;
    return 0;
end;
$$ language plpgsql;
