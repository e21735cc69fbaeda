-- SPDX-License-Identifier: PostgreSQL
-- Cooperative consumers (schema pgq_coop, PgQ's pgq_coop API). The first
-- part is PgQ's own pgq_coop regression test (pgq_coop_test.sql); its
-- results are PgQ's. Then bad input, bounded batches, retries and dead
-- letters of subconsumers, and privileges.
\set SHOW_CONTEXT never
create extension pgqpp;
\set VERBOSITY terse
select pgq.create_queue('testqueue');
update pgq.queue set queue_ticker_max_count = 1 where queue_name = 'testqueue';

-- register
select pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1');
select pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1');
select pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1');
select pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons2');

-- process events
select pgq_coop.next_batch('testqueue', 'maincons', 'subcons1');
select pgq.insert_event('testqueue', 'ev0', 'data');
select pgq.insert_event('testqueue', 'ev1', 'data');
select pgq.insert_event('testqueue', 'ev2', 'data');
select pgq.ticker();

select pgq_coop.next_batch('testqueue', 'maincons', 'subcons1');
select pgq_coop.next_batch('testqueue', 'maincons', 'subcons1');

select pgq_coop.next_batch('testqueue', 'maincons', 'subcons2');

select pgq.insert_event('testqueue', 'ev3', 'data');
select pgq.insert_event('testqueue', 'ev4', 'data');
select pgq.insert_event('testqueue', 'ev5', 'data');
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 'subcons2');

select pgq_coop.finish_batch(2);

-- test takeover
select pgq_coop.next_batch('testqueue', 'maincons', 'subcons2', '1 hour');
update pgq.subscription set sub_active = '2005-01-01' where sub_batch is not null;
select pgq_coop.next_batch('testqueue', 'maincons', 'subcons2', '1 hour');

select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons1', 0);
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 0);
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 1);
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 0);

-- test auto-creation
select pgq_coop.next_batch('testqueue', 'cmain', 'sc1');
select pgq_coop.next_batch('testqueue', 'cmain', 'sc2');
select consumer_name, last_tick from pgq.get_consumer_info();

-- test unregistering with pure pgq api
select pgq.unregister_consumer('testqueue', 'cmain.sc2');
select pgq.unregister_consumer('testqueue', 'cmain');
select consumer_name, last_tick from pgq.get_consumer_info();
-- (end of PgQ's test)

\set VERBOSITY default
-- The batches held the events: batch 1 (taken over from subcons1) ev0..ev2,
-- batch 2 ev3..ev5; each subconsumer row shares the main consumer's sub_id.
select pgq.insert_event('testqueue', 'ev6', 'data');
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 's1') as b \gset
select ev_type from pgq.get_batch_events(:b) order by ev_id;
select queue_name, consumer_name, prev_tick_id, tick_id from pgq.get_batch_info(:b);
select count(distinct s.sub_id) as sub_ids from pgq.subscription s
  join pgq.consumer c on c.co_id = s.sub_consumer where c.co_name like 'maincons%';
-- Another subconsumer gets nothing while s1 holds the only batch; s1 gets
-- its batch again.
select pgq_coop.next_batch('testqueue', 'maincons', 's2');
select pgq_coop.next_batch('testqueue', 'maincons', 's1') = :b as same_batch;
select consumer_name, last_tick, current_batch, next_tick
  from pgq.get_consumer_info('testqueue') order by 1;
select pgq_coop.finish_batch(:b);
select pgq_coop.finish_batch(:b);   -- 0, with a warning
select pgq_coop.finish_batch(null); -- 0, with a warning
select consumer_name, last_tick, current_batch, next_tick
  from pgq.get_consumer_info('testqueue') order by 1;

-- next_batch_custom: i_min_count makes the batch span two ticks, i_min_lag
-- waits for old enough ticks.
select pgq.insert_event('testqueue', 'ev7', 'data');
select pgq.ticker();
select pgq_coop.next_batch_custom('testqueue', 'maincons', 's1', null, 2, null);
select pgq.insert_event('testqueue', 'ev8', 'data');
select pgq.ticker();
select pgq_coop.next_batch_custom('testqueue', 'maincons', 's1', '1 hour', null, null);
select pgq_coop.next_batch_custom('testqueue', 'maincons', 's1', null, 2, null, '1 hour') as b \gset
select ev_type from pgq.get_batch_events(:b) order by ev_id;
select pgq_coop.finish_batch(:b);

-- Bad input.
select try($$select pgq_coop.register_subconsumer('nosuch', 'c', 's')$$);
select try($$select pgq_coop.register_subconsumer('testqueue', 'c', null)$$);
select try($$select pgq_coop.register_subconsumer('testqueue', 'c', '')$$);
select try($$select pgq_coop.register_subconsumer('testqueue', null, 's')$$);
select try($$select pgq_coop.register_subconsumer(null, 'c', 's')$$);
select try($$select pgq_coop.next_batch('nosuch', 'maincons', 's1')$$);
select try($$select pgq_coop.next_batch('testqueue', 'maincons', null)$$);
select try($$select pgq_coop.next_batch('testqueue', null, 's1')$$);
select try($$select pgq_coop.next_batch_custom('testqueue', 'maincons', 's1', null, -1, null)$$);
select pgq_coop.unregister_subconsumer('nosuch', 'maincons', 's1', 0);
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'nosuch', 0);
select pgq_coop.unregister_subconsumer(null, null, null, null);
-- A main consumer with a batch of its own (pgq.next_batch) blocks its
-- subconsumers until it finishes it.
select pgq.insert_event('testqueue', 'ev9', 'data');
select pgq.ticker();
select pgq.next_batch('testqueue', 'maincons') as mb \gset
select try($$select pgq_coop.next_batch('testqueue', 'maincons', 's1')$$);
select pgq.finish_batch(:mb);
-- A batch held at unregistering: refused unless i_batch_handling is 1.
select pgq.insert_event('testqueue', 'ev10', 'data');
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 's2') as b \gset
select try($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 's2', 0)$$);
select try($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 's2', 2)$$);
select try($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 's2', null)$$);
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 's2', 1);
select consumer_name, current_batch from pgq.get_consumer_info('testqueue') order by 1;
-- The dropped batch is not delivered again: the main consumer is past it.
select pgq_coop.next_batch('testqueue', 'maincons', 's1');
-- pgq_coop.finish_batch of an ordinary consumer's batch closes it the way
-- pgq.finish_batch does (the consumer keeps its position).
select pgq.register_consumer('testqueue', 'plain');
select pgq.insert_event('testqueue', 'ev11', 'data');
select pgq.ticker();
select pgq.next_batch('testqueue', 'plain') as pb \gset
select pgq_coop.finish_batch(:pb);
select last_tick is not null as has_position, current_batch
  from pgq.get_consumer_info('testqueue', 'plain');
select pgq.unregister_consumer('testqueue', 'plain');
select pgq_coop.next_batch('testqueue', 'maincons', 's1') as b \gset
select pgq_coop.finish_batch(:b);

-- Retries of a subconsumer belong to the consumer: the event comes back in
-- a later batch, to whichever subconsumer takes it. Dead letters too.
select pgq.set_queue_config('testqueue', 'max_retries', '1');
select pgq.insert_event('testqueue', 'r1', 'data');
select pgq.insert_event('testqueue', 'd1', 'data');
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 's1') as b \gset
select ev_id as r1 from pgq.get_batch_events(:b) where ev_type = 'r1' \gset
select ev_id as d1 from pgq.get_batch_events(:b) where ev_type = 'd1' \gset
select pgq.event_retry(:b, :r1, 0);
select pgq.event_dead(:b, :d1, 'broken');
select pgq_coop.finish_batch(:b);
select ev_type, ev_owner = (select sub_id from pgq.subscription s join pgq.consumer c
                              on c.co_id = s.sub_consumer where c.co_name = 'maincons') as main_owner
  from pgq.dead_letters('testqueue', 'maincons');
select pgq.maint_retry_events();
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 's3') as b \gset
select ev_type, ev_retry from pgq.get_batch_events(:b);
select pgq_coop.finish_batch(:b);

-- Bounded batches: with max_batch_events 2 on the main consumer, five
-- events of one tick interval go out as three batches that subconsumers can
-- hold at the same time, each event once.
select pgq.set_consumer_config('testqueue', 'maincons', 'max_batch_events', '2');
select pgq.insert_events('testqueue', array['w'], array['w1', 'w2', 'w3', 'w4', 'w5']);
select pgq.ticker();
select pgq_coop.next_batch('testqueue', 'maincons', 's1') as w1 \gset
select pgq_coop.next_batch('testqueue', 'maincons', 's3') as w2 \gset
select pgq_coop.next_batch('testqueue', 'maincons', 's4') as w3 \gset
select pgq_coop.next_batch('testqueue', 'maincons', 's5');
select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events(:w1);
select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events(:w2);
-- s4 dies; s5 takes its window over.
update pgq.subscription set sub_active = now() - '2 hours'::interval where sub_batch = :w3;
select pgq_coop.next_batch('testqueue', 'maincons', 's5', '1 hour') = :w3 as took_over;
select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events(:w3);
select pgq_coop.finish_batch(:w3);
select pgq_coop.finish_batch(:w2);
select pgq_coop.finish_batch(:w1);
select pgq_coop.next_batch('testqueue', 'maincons', 's1');
select consumer_name from pgq.get_consumer_info('testqueue') order by 1;

-- Privileges: readers run the API; others may not.
create role coop_reader in role pgq_reader;
create role coop_nobody;
set role coop_reader;
select pgq_coop.register_subconsumer('testqueue', 'maincons', 'r1');
select pgq_coop.next_batch('testqueue', 'maincons', 'r1');
select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'r1', 0);
set role coop_nobody;
select try($$select pgq_coop.next_batch('testqueue', 'maincons', 'r1')$$);
select pgq_coop.version() = (select extversion from pg_extension where extname = 'pgqpp')
  as version_is_pgqpp;
reset role;
-- SECURITY DEFINER as in PgQ: the functions that change pgq's tables.
select p.proname, p.pronargs, p.prosecdef as security_definer
  from pg_proc p where p.pronamespace = 'pgq_coop'::regnamespace order by 1, 2;

drop extension pgqpp cascade;
drop role coop_reader;
drop role coop_nobody;
