-- SPDX-License-Identifier: PostgreSQL
-- Retries: event_retry / batch_retry put events aside for one consumer;
-- maint_retry_events brings them back to that consumer only, ev_retry + 1.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qr');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('qr', 'retrier');
select pgq.register_consumer('qr', 'other');
select pgq.insert_events('qr', array['t'], array['e1', 'e2', 'e3', 'e4']);
select pgq.ticker('qr');

select pgq.next_batch('qr', 'retrier');  -- batch 1
select pgq.next_batch('qr', 'other');    -- batch 2
select pgq.event_retry(1, 2, 0);                            -- seconds form, due now
select pgq.event_retry(1, 3, now() + interval '1 hour');    -- timestamp form, not due
select pgq.event_retry(1, 2, 0);                            -- already waiting: 0
select try($$select pgq.event_retry(1, 999, 0)$$);          -- not in the batch
select try($$select pgq.event_retry(999, 1, 0)$$);          -- no such batch
select try($$select pgq.event_retry(1, null, 0)$$);
select ev_id, ev_owner, ev_retry, ev_type, ev_data, ev_txid is null as no_txid,
       ev_retry_after <= now() as due
  from pgq.retry_queue order by ev_id;
select pgq.finish_batch(1);
select pgq.finish_batch(2);

-- Only due events move; they come back in the next batch of their owner only.
select pgq.maint_retry_events();
select pgq.maint_retry_events();  -- nothing more is due
select count(*) as waiting from pgq.retry_queue;
-- Moved events keep their ids, but each takes one from the event sequence all
-- the same (as PgQ's move through insert_event_raw does), so the ticker sees
-- that events arrived.
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 3
select ev_id, ev_retry, ev_type, ev_data from pgq.get_batch_events(3);
select pgq.next_batch('qr', 'other');    -- batch 4
select ev_id, ev_retry, ev_data from pgq.get_batch_events(4);

-- Retrying a retried event counts again.
select pgq.event_retry(3, 2, 0);
select pgq.finish_batch(3);
select pgq.finish_batch(4);
select pgq.maint_retry_events();
select pgq.force_tick('qr') > 0;
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 5
select ev_id, ev_retry, ev_data from pgq.get_batch_events(5);
select pgq.finish_batch(5);

-- batch_retry: the whole batch, skipping events already waiting.
select pgq.insert_events('qr', array['t'], array['f1', 'f2', 'f3']);
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 6
select pgq.event_retry(6, (select min(ev_id) from pgq.get_batch_events(6)), 0);
select pgq.batch_retry(6, 0);  -- two more
select try($$select pgq.batch_retry(999, 0)$$);
select pgq.finish_batch(6);
select pgq.maint_retry_events();
select pgq.force_tick('qr') > 0;
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 7
select ev_id, ev_retry, ev_data from pgq.get_batch_events(7);
select pgq.finish_batch(7);

-- event_retry_raw: an arbitrary event into a consumer's retry queue.
select pgq.event_retry_raw('qr', 'retrier', now(), null, now(), 5, 'raw', 'rawdata', 'x1', null, null, null) as raw_id \gset
select pgq.event_retry_raw('qr', 'retrier', now(), 500, now(), null, 'raw', 'explicit', null, null, null, null);
select try($$select pgq.event_retry_raw('qr', 'nobody', now(), null, now(), 0, 't', 'd', null, null, null, null)$$);
select pgq.maint_retry_events();
select pgq.force_tick('qr') > 0;
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 8
select ev_id = :raw_id or ev_id = 500 as expected_id, ev_retry, ev_data, ev_extra1 from pgq.get_batch_events(8) order by ev_data;
select pgq.finish_batch(8);

-- Many due events are moved 1000 per call.
select pgq.insert_events('qr', array['m'], array_agg('m' || i)) from generate_series(1, 1500) i;
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 9
select pgq.batch_retry(9, 0);
select pgq.finish_batch(9);
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select pgq.force_tick('qr') > 0;
select pgq.ticker('qr') > 0;
select pgq.next_batch('qr', 'retrier');  -- batch 10
select count(*), min(ev_retry), max(ev_retry) from pgq.get_batch_events(10);
select pgq.finish_batch(10);

-- Unregistering drops the consumer's waiting retries.
select pgq.event_retry_raw('qr', 'retrier', now() + interval '1 day', null, now(), 0, 't', 'later', null, null, null, null) > 0;
select pgq.unregister_consumer('qr', 'retrier');
select count(*) from pgq.retry_queue;

drop extension pgqpp cascade;
