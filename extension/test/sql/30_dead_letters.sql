-- SPDX-License-Identifier: PostgreSQL
-- Dead letters (pgqpp addition): the queue setting max_retries, event_dead,
-- dead_letters, dead_letter_replay and dead_letter_purge; one consumer's dead
-- letters never touch another consumer of the same queue.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qd');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('qd', 'a');
select pgq.register_consumer('qd', 'b');

-- max_retries: a non-negative integer, or none; anything else is refused.
select try($$select pgq.set_queue_config('qd', 'max_retries', '-1')$$);
select try($$select pgq.set_queue_config('qd', 'max_retries', 'many')$$);
select try($$select pgq.set_queue_config('qd', 'max_retries', '1.5')$$);
select try($$select pgq.set_queue_config('qd', 'max_retries', '99999999999')$$);
select try($$select pgq.set_queue_config('qd', 'max_retries', null)$$);
select try($$select pgq.set_queue_config('nosuch', 'max_retries', '1')$$);
select try($$select pgq.set_queue_config('qd', 'max_retry', '1')$$);
select count(*) as settings from pgq.queue_config;
select pgq.set_queue_config('qd', 'max_retries', '3');
select qc_max_retries from pgq.queue_config;
select pgq.set_queue_config('qd', 'queue_max_retries', 'none');  -- unset
select count(*) as settings from pgq.queue_config;
select pgq.set_queue_config('qd', 'max_retries', '1');
select qc_max_retries from pgq.queue_config;

select pgq.insert_events('qd', array['t'], array['e1', 'e2', 'e3']);
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'a') as a1 \gset
select pgq.next_batch('qd', 'b') as b1 \gset

-- event_dead: straight into this consumer's dead letters.
select pgq.event_dead(:a1, 1, 'bad payload');
select pgq.event_dead(:a1, 1, 'again');  -- already dead: 0
select pgq.event_dead(:b1, 1, null);     -- b's own dead letter, no reason
select try($$select pgq.event_dead(999, 1, 'x')$$);           -- batch not open
select try(format($$select pgq.event_dead(%s, 999, 'x')$$, :a1));  -- not in the batch
select try($$select pgq.event_dead(null, 1, 'x')$$);
-- A retry within max_retries (ev_retry 0 < 1) waits in the retry queue.
select pgq.event_retry(:a1, 2, 0);
-- event_dead takes an event out of the retry queue.
select pgq.event_retry(:a1, 3, 0);
select pgq.event_dead(:a1, 3, 'gave up');
select ev_id, ev_owner, ev_retry from pgq.retry_queue order by ev_id;
select pgq.finish_batch(:a1);
select pgq.finish_batch(:b1);
select ev_id, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, dead_reason,
       dead_time <= now() as dead_time_ok, ev_txid is not null as has_txid
  from pgq.dead_letters('qd', 'a');
select ev_id, ev_data, dead_reason from pgq.dead_letters('qd', 'b');

-- The retry comes back with ev_retry 1; retrying it again (1 >= max_retries)
-- buries it instead.
select pgq.maint_retry_events();
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'a') as a2 \gset
select ev_id, ev_retry, ev_data from pgq.get_batch_events(:a2);
select pgq.event_retry(:a2, 2, 0);   -- 1: put aside, into the dead letters
select count(*) as waiting from pgq.retry_queue;
select pgq.finish_batch(:a2);
select pgq.next_batch('qd', 'b') as b2 \gset
select count(*) as b_sees from pgq.get_batch_events(:b2);  -- nothing of a's
select pgq.finish_batch(:b2);
select ev_id, ev_retry, dead_reason from pgq.dead_letters('qd', 'a');

-- Unknown queue or consumer.
select try($$select * from pgq.dead_letters('nosuch', 'a')$$);
select try($$select * from pgq.dead_letters('qd', 'nobody')$$);
select try($$select * from pgq.dead_letters(null, 'a')$$);
select try($$select pgq.dead_letter_replay('nosuch', 'a', null)$$);
select try($$select pgq.dead_letter_replay('qd', 'nobody', 1)$$);
select try($$select pgq.dead_letter_purge('nosuch', 'a', null)$$);
select try($$select pgq.dead_letter_purge('qd', 'nobody', 1)$$);

-- Replay: delivered again to a only, in a following batch, exactly once.
select pgq.dead_letter_replay('qd', 'a', 999);  -- not a dead letter: 0
select pgq.dead_letter_replay('qd', 'a', 1);
select ev_id from pgq.dead_letters('qd', 'a');
select ev_id, ev_data from pgq.dead_letters('qd', 'b');  -- b's event 1 stays
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'a') as a3 \gset
select ev_id, ev_retry, ev_type, ev_data from pgq.get_batch_events(:a3);
select pgq.finish_batch(:a3);
select pgq.next_batch('qd', 'b') as b3 \gset
select count(*) as b_sees from pgq.get_batch_events(:b3);
select pgq.finish_batch(:b3);
select pgq.force_tick('qd') > 0;
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'a') as a4 \gset
select count(*) as again from pgq.get_batch_events(:a4);  -- not a second time
select pgq.finish_batch(:a4);

-- batch_retry under max_retries: of the replayed events 2 (ev_retry 1) and
-- 3 (never retried) and a new one, 2 dies and the others wait for their
-- retry; all three count.
select pgq.dead_letter_replay('qd', 'a', null);  -- 2 and 3
select pgq.insert_event('qd', 't', 'e4');
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'a') as a5 \gset
select ev_id, ev_retry, ev_data from pgq.get_batch_events(:a5);
select pgq.batch_retry(:a5, 0);
select pgq.finish_batch(:a5);
select ev_id, ev_retry, dead_reason from pgq.dead_letters('qd', 'a');
select ev_id, ev_retry from pgq.retry_queue order by ev_id;

-- Purge: one, then all of a's; b's stay.
select pgq.dead_letter_purge('qd', 'a', 999);
select pgq.dead_letter_purge('qd', 'a', 2);
select pgq.dead_letter_purge('qd', 'a', null);
select count(*) as a_dead from pgq.dead_letters('qd', 'a');
select count(*) as b_dead from pgq.dead_letters('qd', 'b');

-- max_retries 0: the first retry already buries.
select pgq.set_queue_config('qd', 'max_retries', '0');
select pgq.register_consumer('qd', 'c');
select pgq.insert_event('qd', 't', 'e5') as e5 \gset
select pgq.ticker('qd') > 0;
select pgq.next_batch('qd', 'c') as c1 \gset
select pgq.event_retry(:c1, :e5, 0);
select pgq.finish_batch(:c1);
select ev_id = :e5 as is_e5, ev_retry, dead_reason from pgq.dead_letters('qd', 'c');

-- Unregistering drops the consumer's dead letters (only its own); dropping
-- the queue drops its setting and everything else.
select pgq.unregister_consumer('qd', 'b');
select ev_owner, ev_data from pgq.dead_letter;
select pgq.event_retry_raw('qd', 'a', now(), 77, now(), 0, 't', 'x', null, null, null, null);
select pgq.drop_queue('qd', true);
select (select count(*) from pgq.dead_letter) as dead, (select count(*) from pgq.queue_config) as settings;

-- pg_dump keeps both tables.
select c.relname from pg_catalog.pg_extension e, unnest(e.extconfig) as t(oid)
  join pg_catalog.pg_class c on c.oid = t.oid
 where e.extname = 'pgqpp' and c.relname in ('dead_letter', 'queue_config') order by 1;

drop extension pgqpp cascade;
