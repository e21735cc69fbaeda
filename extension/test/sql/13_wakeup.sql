-- SPDX-License-Identifier: PostgreSQL
-- The wake-up path (pgqpp in shared_preload_libraries, as in this test
-- cluster): committed events raise their queue's bit, pgq.wakeup_ticker()
-- ticks exactly the woken queues; and the set-based pgq.ticker().
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('wq1');
select pgq.create_queue('wq2');
select pgq.create_queue('wq_paused');
select pgq.set_queue_config('wq_paused', 'ticker_paused', 'true');
-- Bits raised by earlier test files (queue ids are reused) are taken first.
select count(*) >= 0 as drained from pgq.wakeup_ticker(0, 0);

-- Nothing committed since: no tick.
select * from pgq.wakeup_ticker(0, 0);
-- A committed event wakes its queue only.
select pgq.insert_event('wq2', 't', 'x') > 0 as inserted;
select queue_name, tick_id > 0 as ticked from pgq.wakeup_ticker(0, 0);
select * from pgq.wakeup_ticker(0, 0);
-- A rolled-back event wakes nothing.
begin;
select pgq.insert_event('wq1', 't', 'rolled back') > 0 as inserted;
rollback;
select * from pgq.wakeup_ticker(0, 0);
-- A paused queue is woken but not ticked.
select pgq.insert_event('wq_paused', 't', 'x') > 0 as inserted;
select * from pgq.wakeup_ticker(0, 0);

-- min_interval: a queue ticked less than i_min_interval_ms ago waits (its bit
-- stays raised) and is ticked by a later call that allows it.
select pgq.insert_event('wq1', 't', 'a') > 0 as inserted;
select queue_name from pgq.wakeup_ticker(0, 0);
select pgq.insert_event('wq1', 't', 'b') > 0 as inserted;
select queue_name from pgq.wakeup_ticker(0, 60000);
select queue_name from pgq.wakeup_ticker(0, 0);

-- The spacing widens when events come fast. A burst is faked by moving the
-- event sequence on by 10^8, as if that many events had come since the last
-- woken tick: the next event waits (the spacing is now about a second, at
-- least 100 ms in the SQL-only edition, whose rate is over the last tick
-- interval; far more than the next statements take, even on a loaded
-- machine; not so large that ticker_max_count caps it back to 5 ms), and
-- stays woken for a call that allows it.
select pgq.create_queue('wq_fast');
select pgq.set_queue_config('wq_fast', 'ticker_max_count', '1000000000');
select pgq.set_queue_config('wq_fast', 'ticker_max_lag', '1 hour');
select pgq.insert_event('wq_fast', 't', 'start') > 0 as inserted;
select queue_name from pgq.wakeup_ticker(0, 0);
select setval(queue_event_seq, pgq.seq_getval(queue_event_seq) + 100000000) > 0 as burst
  from pgq.queue where queue_name = 'wq_fast';
select pgq.insert_event('wq_fast', 't', 'after the burst') > 0 as inserted;
select pg_sleep(0.01);
select queue_name from pgq.wakeup_ticker(0, 5);
select pgq.insert_event('wq_fast', 't', 'waits') > 0 as inserted;
-- A pause longer than the minimum interval: the widened spacing holds it.
select pg_sleep(0.05);
select queue_name from pgq.wakeup_ticker(0, 5);
select queue_name from pgq.wakeup_ticker(0, 0);
-- ticker_max_count still forces ticks: with 500, the same burst spaces
-- ticks by only i_min_interval_ms (the settings a tick saw apply next).
select pgq.set_queue_config('wq_fast', 'ticker_max_count', '500');
select setval(queue_event_seq, pgq.seq_getval(queue_event_seq) + 1000000000000000) > 0 as burst
  from pgq.queue where queue_name = 'wq_fast';
select pgq.insert_event('wq_fast', 't', 'after the second burst') > 0 as inserted;
select queue_name from pgq.wakeup_ticker(0, 0);
select pgq.insert_event('wq_fast', 't', 'due soon') > 0 as inserted;
select pg_sleep(0.02);
select queue_name from pgq.wakeup_ticker(0, 5);

-- Queue ids share bits modulo 4096: a queue with id 4096 + id(wq1) wakes both;
-- the extra tick of wq1 is an empty tick, nothing more.
select setval('pgq.queue_queue_id_seq', 4096 + (select queue_id from pgq.queue where queue_name = 'wq1') - 1) > 0 as moved;
select pgq.create_queue('wq_far');
select (select queue_id from pgq.queue where queue_name = 'wq_far') - 4096
     = (select queue_id from pgq.queue where queue_name = 'wq1') as same_bit;
select pgq.insert_event('wq_far', 't', 'far') > 0 as inserted;
select queue_name from pgq.wakeup_ticker(0, 0) order by 1;

-- Bad arguments.
select try($$select * from pgq.wakeup_ticker(-1, 0)$$);
select try($$select * from pgq.wakeup_ticker(0, 70000)$$);

-- pgq.ticker() over every queue ticks only the due ones (set-based) and
-- skips paused ones: right after a tick with no events, none is due.
update pgq.queue set queue_ticker_max_count = 2, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.ticker() >= 0 as first_run;
select pgq.ticker() as ticked_when_nothing_is_due;
select pgq.insert_events('wq2', array['t'], array['1', '2', '3', '4']);
select pgq.ticker() as ticked_after_max_count_events;
select tick_queue = (select queue_id from pgq.queue where queue_name = 'wq2') as wq2_ticked
  from pgq.tick order by tick_time desc, tick_id desc limit 1;

drop extension pgqpp cascade;
