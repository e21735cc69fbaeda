-- SPDX-License-Identifier: PostgreSQL
-- The ticker: when ticks are made, paused and external queues, the
-- externally given ticks of cascaded queues, force_tick.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qk');
select pgq.create_queue('qk_paused');
select pgq.create_queue('qk_ext');
update pgq.queue set queue_ticker_max_count = 3, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';

-- With a single tick there is no idle gap to respect: the next call ticks.
select pgq.ticker('qk');
-- Fewer than ticker_max_count new events and young ticks: no tick. Events are
-- counted by the event sequence, as in PgQ: its first use does not move its
-- value, so the first event of a new queue is not counted.
select pgq.insert_event('qk', 't', '1');
select pgq.ticker('qk');
select pgq.insert_event('qk', 't', '2');
select pgq.ticker('qk');
select pgq.insert_event('qk', 't', '3');
select pgq.ticker('qk');
-- The fourth event reaches max_count.
select pgq.insert_event('qk', 't', '4');
select pgq.ticker('qk');
select tick_id, tick_event_seq from pgq.tick where tick_queue = 1 order by tick_id;
-- Old enough events tick regardless of count.
select pgq.insert_event('qk', 't', '5');
update pgq.tick set tick_time = tick_time - interval '2 hours' where tick_queue = 1;
select pgq.ticker('qk');
-- Idle: no tick while young, a tick once the idle period passed.
select pgq.ticker('qk');
update pgq.tick set tick_time = tick_time - interval '2 hours' where tick_queue = 1;
select pgq.ticker('qk');

-- Paused and external queues are skipped by ticker() and refused by ticker(q).
select pgq.set_queue_config('qk_paused', 'ticker_paused', 'true');
select pgq.set_queue_config('qk_ext', 'external_ticker', 'true');
select pgq.insert_events(q, array['t'], array['a', 'b', 'c']) from unnest(array['qk', 'qk_paused', 'qk_ext']) q;
select pgq.ticker();
select try($$select pgq.ticker('qk_paused')$$);
select try($$select pgq.ticker('qk_ext')$$);
select try($$select pgq.ticker('no_such_queue')$$);
select try($$select pgq.ticker(null::text)$$);

-- External ticks: given id, time and event sequence; sequences follow.
select pgq.ticker('qk_ext', 100, '2020-01-01 00:00:00+00', 5000);
select tick_id, tick_time = '2020-01-01 00:00:00+00' as given_time, tick_event_seq
  from pgq.tick where tick_queue = 3 order by tick_id;
select pgq.seq_getval('pgq.event_3_tick_seq') as tick_seq, pgq.seq_getval('pgq.event_3_id_seq') as event_seq;
select pgq.insert_event('qk_ext', 't', 'after external tick');
select try($$select pgq.ticker('qk', 100, now(), 1)$$);
select try($$select pgq.ticker('no_such_queue', 100, now(), 1)$$);
select try($$select pgq.ticker('qk_ext', null, now(), 1)$$);

-- force_tick: the next ticker run ticks this queue.
select pgq.force_tick('qk') = (select max(tick_id) from pgq.tick where tick_queue = 1) as returns_last_tick;
select pgq.ticker('qk') is not null as ticked;
select pgq.force_tick('no_such_queue');

-- PgQ's state checks, in both forms: a newest tick whose snapshot is from the
-- future (xmin beyond this transaction) stops the ticker with an error, a
-- going-back event sequence is a warning. The transaction ids are masked.
select pgq.create_queue('qk_state');
update pgq.queue set queue_ticker_max_lag = '1 hour', queue_ticker_idle_period = '1 hour'
 where queue_name = 'qk_state';
insert into pgq.tick (tick_queue, tick_id, tick_snapshot, tick_event_seq)
select queue_id, 1000, ((txid_current() + 1000000)::text || ':' || (txid_current() + 1000000)::text || ':')::txid_snapshot, 1
  from pgq.queue where queue_name = 'qk_state';
select regexp_replace(try($$select pgq.ticker('qk_state')$$), '[0-9]+', 'N', 'g') as one_queue;
select regexp_replace(try($$select pgq.ticker()$$), '[0-9]+', 'N', 'g') as all_queues;
update pgq.tick set tick_snapshot = txid_current_snapshot(), tick_event_seq = 1000 where tick_id = 1000
   and tick_queue = (select queue_id from pgq.queue where queue_name = 'qk_state');
select count(*) as called from (select pgq.ticker('qk_state')) t;
select pgq.ticker() >= 0 as called;
delete from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'qk_state');

-- Sequence helpers.
select pgq.seq_setval('pgq.event_1_id_seq', 10) >= 10, pgq.seq_setval('pgq.event_1_id_seq', 1) >= 10;
select pgq.quote_fqname('pgq.event_1'), pgq.quote_fqname('plain'), pgq.quote_fqname('Odd."name');
select try($$select pgq.seq_getval('no.such_seq')$$);

drop extension pgqpp cascade;
