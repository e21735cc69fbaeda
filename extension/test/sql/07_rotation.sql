-- SPDX-License-Identifier: PostgreSQL
-- Rotation: the oldest table is truncated and reused once no consumer needs
-- it; a lagging consumer holds it back; old ticks are cleaned up.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qt');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour', queue_rotation_period = '0 seconds';
select pgq.register_consumer('qt', 'fast');
select pgq.register_consumer('qt', 'slow');

-- Reads a consumer's next batch, prints it, finishes it.
create function consume(c text) returns setof text language plpgsql as $$
declare
    b bigint;
begin
    b := pgq.next_batch('qt', c);
    if b is null then
        return;
    end if;
    return query select ev_data from pgq.get_batch_events(b);
    perform pgq.finish_batch(b);
end $$;

-- Round 1: events in table 0; both consumers read them.
select pgq.insert_events('qt', array['t'], array['r1a', 'r1b']);
select pgq.ticker('qt');
select consume('fast');
select consume('slow');

-- What maintenance would run now (rotation step 1 is due: period 0).
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step1('qt');
select queue_cur_table, queue_switch_step2 is null as step2_pending from pgq.queue;
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step2();
select queue_cur_table, queue_switch_step2 is null as step2_pending from pgq.queue;

-- Round 2: events in table 1; only fast reads them, slow lags.
select pgq.insert_events('qt', array['t'], array['r2a', 'r2b']);
select pgq.ticker('qt');
select consume('fast');
select pgq.maint_rotate_tables_step1('qt');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue;
select pgq.insert_events('qt', array['t'], array['r3a']);
select pgq.ticker('qt');
select consume('fast');
-- slow still needs table 1: no further rotation, nothing truncated.
select pgq.maint_rotate_tables_step1('qt');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue;
select tableoid::regclass, count(*) from pgq.event_1 group by 1 order by 1;
-- slow catches up and gets every event, once.
select consume('slow');
select consume('slow');
select consume('slow');
-- Now rotation proceeds: the unused table 2 becomes current.
select pgq.maint_rotate_tables_step1('qt');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue;
-- Events keep flowing through the new current table.
select pgq.insert_events('qt', array['t'], array['r4a']);
select pgq.ticker('qt');
select consume('fast');
select consume('slow');
-- Next rotation: table 0 (round 1, read by all) is truncated and reused.
select pgq.maint_rotate_tables_step1('qt');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue;
select tableoid::regclass, count(*) from pgq.event_1 group by 1 order by 1;
select pgq.insert_events('qt', array['t'], array['r5a']);
select pgq.ticker('qt');
select consume('fast');
select consume('slow');
select tableoid::regclass, count(*) from pgq.event_1 group by 1 order by 1;
-- Ticks older than the previous switch were removed along the way.
select min(tick_id) > 1 as old_ticks_removed, count(*) < 6 as few_ticks from pgq.tick;
-- Consumers' positions still have their ticks.
select count(*) = 2 as positions_kept from pgq.subscription s
  join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick;

-- Not due: a long rotation period means no rotation.
update pgq.queue set queue_rotation_period = '1 hour';
select pgq.maint_rotate_tables_step1('qt');
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step1('no_such_queue');
select pgq.maint_rotate_tables_step1(null);
-- Extra maintenance functions registered by add-ons are listed.
update pgq.queue set queue_extra_maint = array['myext.maint_a', 'myext.maint_b'];
select * from pgq.maint_operations();
-- With autovacuum on, no VACUUM is asked for.
select count(*) from pgq.maint_tables_to_vacuum();

drop extension pgqpp cascade;
