-- SPDX-License-Identifier: PostgreSQL
-- Consumers: register, register_consumer_at, unregister.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qa');
select pgq.create_queue('qb');
-- Every new event makes a tick; no idle ticks during the test.
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';

select pgq.register_consumer('qa', 'c1');
select pgq.register_consumer('qa', 'c1');  -- already: 0
select pgq.register_consumer('qb', 'c1');  -- same consumer, other queue
select pgq.register_consumer('qa', 'c2');
select try($$select pgq.register_consumer('no_such_queue', 'c1')$$);
select co_id, co_name from pgq.consumer order by co_id;
select sub_id, sub_queue, sub_consumer, sub_last_tick, sub_batch, sub_next_tick
  from pgq.subscription order by sub_id;

-- Positions: a new consumer starts at the newest tick.
select pgq.insert_event('qa', 't', '1');
select pgq.ticker('qa');
select pgq.register_consumer('qa', 'c3');
select consumer_name, last_tick from pgq.get_consumer_info('qa') order by 1;

-- register_consumer_at: a new consumer at a given tick, or an existing one moved.
select pgq.register_consumer_at('qa', 'c4', 1);
select pgq.register_consumer_at('qa', 'c3', 1);  -- repositioned: 0
select try($$select pgq.register_consumer_at('qa', 'c5', 999)$$);
select try($$select pgq.register_consumer_at('no_such_queue', 'c5', 1)$$);
select consumer_name, last_tick from pgq.get_consumer_info('qa') order by 1;
-- Repositioning drops the open batch.
select pgq.next_batch('qa', 'c4') is not null as opened;
select current_batch is not null as has_batch from pgq.get_consumer_info('qa', 'c4');
select pgq.register_consumer_at('qa', 'c4', 1);
select current_batch is null as batch_dropped, last_tick from pgq.get_consumer_info('qa', 'c4');

-- Unregister: also during an open batch, which then disappears.
select pgq.next_batch('qa', 'c2') as c2_batch \gset
select pgq.event_retry(:c2_batch, 1, 60);
select count(*) as c2_retries from pgq.retry_queue;
select pgq.unregister_consumer('qa', 'c2');
select count(*) as c2_retries_after from pgq.retry_queue;
select try($$select * from pgq.get_batch_events($$ || :c2_batch || $$)$$);
select pgq.finish_batch(:c2_batch);
select pgq.unregister_consumer('qa', 'c2');  -- gone already: 0
select pgq.unregister_consumer('no_such_queue', 'c1');
select pgq.unregister_consumer('qa', 'no_such_consumer');
-- The name stays while the consumer is registered elsewhere.
select pgq.unregister_consumer('qa', 'c1');
select co_name from pgq.consumer order by co_id;
select pgq.unregister_consumer('qb', 'c1');
select co_name from pgq.consumer order by co_id;

-- A consumer that re-registers starts afresh at the newest tick.
select pgq.insert_event('qa', 't', '2');
select pgq.ticker('qa');
select pgq.register_consumer('qa', 'c1');
select consumer_name, last_tick, current_batch from pgq.get_consumer_info('qa', 'c1');

drop extension pgqpp cascade;
