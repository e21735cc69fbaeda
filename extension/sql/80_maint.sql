-- SPDX-License-Identifier: PostgreSQL
-- Maintenance: table rotation (C++: src/functions/rotation.cpp) and the list
-- of operations a ticker daemon runs.

-- Function: pgq.maint_rotate_tables_step1(i_queue_name)
--   If the queue's rotation_period has passed since its last switch, and
--   every consumer is past that switch, empties (TRUNCATE) the oldest event
--   table, makes it the current one, and deletes ticks no batch can start
--   from any more. Returns 0.
create function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer as 'MODULE_PATHNAME', 'pgqpp_maint_rotate_tables_step1' language c;

-- Function: pgq.maint_rotate_tables_step2()
--   Completes the switches made by step 1 (run in a later transaction):
--   records the first transaction id that surely writes to the new table.
--   Returns 0.
create function pgq.maint_rotate_tables_step2()
returns integer as 'MODULE_PATHNAME', 'pgqpp_maint_rotate_tables_step2' language c;

-- Function: pgq.maint_tables_to_vacuum()
--   The metadata tables of pgq and known add-ons that a ticker should VACUUM;
--   empty when autovacuum is on (it takes care of them).
create function pgq.maint_tables_to_vacuum() returns setof text as $$
    select n.nspname || '.' || c.relname
      from (values (1, 'pgq', 'subscription'), (2, 'pgq', 'consumer'), (3, 'pgq', 'queue'),
                   (4, 'pgq', 'tick'), (5, 'pgq', 'retry_queue'),
                   (6, 'pgq_ext', 'completed_tick'), (7, 'pgq_ext', 'completed_batch'),
                   (8, 'pgq_ext', 'completed_event'), (9, 'pgq_ext', 'partial_batch'),
                   (10, 'pgq_node', 'local_state'), (11, 'londiste', 'seq_info'),
                   (12, 'txid', 'epoch'), (13, 'londiste', 'completed')) t(ord, scm, tbl)
      join pg_catalog.pg_namespace n on n.nspname = t.scm
      join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = t.tbl
     where current_setting('autovacuum') <> 'on'
     order by t.ord;
$$ language sql;

-- Function: pgq.maint_operations()
--   What a ticker daemon runs each maintenance period, as (function,
--   argument) pairs in order: rotation step 1 per due queue, then step 2,
--   each queue's queue_extra_maint functions, VACUUM of
--   maint_tables_to_vacuum(), and the pgq_node / londiste operations when
--   those add-ons are installed.
create function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record as $$
declare
    due integer := 0;
    q record;
    op text;
begin
    func_name := 'pgq.maint_rotate_tables_step1';
    for func_arg in
        select queue_name from pgq.queue
         where queue_rotation_period is not null and queue_switch_step2 is not null
           and queue_switch_time + queue_rotation_period < current_timestamp
         order by 1
    loop
        due := due + 1;
        return next;
    end loop;
    if due = 0 then
        select count(*) into due from pgq.queue
         where queue_rotation_period is not null and queue_switch_step2 is null;
    end if;
    if due > 0 then
        func_name := 'pgq.maint_rotate_tables_step2';
        func_arg := null;
        return next;
    end if;
    for q in select queue_name, queue_extra_maint from pgq.queue
              where queue_extra_maint is not null order by 1
    loop
        func_arg := q.queue_name;
        foreach op in array q.queue_extra_maint loop
            func_name := op;
            return next;
        end loop;
    end loop;
    func_name := 'vacuum';
    for func_arg in select * from pgq.maint_tables_to_vacuum() loop
        return next;
    end loop;
    if exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'pgq_node' and p.proname = 'maint_watermark') then
        func_name := 'pgq_node.maint_watermark';
        for func_arg in execute
            'select queue_name from pgq_node.node_info where node_type = ''root'''
        loop
            return next;
        end loop;
    end if;
    if exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'londiste' and p.proname = 'root_check_seqs') then
        func_name := 'londiste.root_check_seqs';
        for func_arg in execute
            'select distinct s.queue_name from londiste.seq_info s, pgq_node.node_info n'
            ' where s.local and n.node_type = ''root'' and n.queue_name = s.queue_name'
        loop
            return next;
        end loop;
    end if;
    if exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'londiste' and p.proname = 'periodic_maintenance') then
        func_name := 'londiste.periodic_maintenance';
        func_arg := null;
        return next;
    end if;
end;
$$ language plpgsql;
