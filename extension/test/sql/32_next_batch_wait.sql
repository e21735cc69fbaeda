-- SPDX-License-Identifier: PostgreSQL
-- pgq.next_batch_wait: next_batch that waits inside the server for the next
-- tick (this cluster preloads pgqpp, so ticks wake the waiter; the isolation
-- spec next_batch_wait shows another session's tick waking it). Bad input,
-- a batch ready at once, NULL after the timeout, interrupts.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('wq');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('wq', 'c');
create temp table started (t timestamptz);
insert into started values (clock_timestamp());

-- Bad input: the timeout's range, NULLs, unknown queue or consumer (the
-- errors of pgq.next_batch), and a snapshot that would never see a tick.
select try($$select pgq.next_batch_wait('wq', 'c', -1)$$);
select try($$select pgq.next_batch_wait('wq', 'c', 60001)$$);
select try($$select pgq.next_batch_wait('wq', 'c', 2147483647)$$);
select try($$select pgq.next_batch_wait('wq', 'c', null)$$);
select try($$select pgq.next_batch_wait('nosuch', 'c', 10)$$);
select try($$select pgq.next_batch_wait('wq', 'nosuch', 10)$$);
select try($$select pgq.next_batch_wait(null, 'c', 10)$$);
select try($$select pgq.next_batch_wait('wq', null, 0)$$);
begin transaction isolation level repeatable read;
select try($$select pgq.next_batch_wait('wq', 'c', 10)$$);
-- With timeout 0 it is next_batch, in any isolation level.
select pgq.next_batch_wait('wq', 'c', 0) is null as no_batch_yet;
commit;
-- Nothing was opened by the failed calls.
select sub_batch from pgq.subscription;

-- No tick: NULL once the timeout passed, not before.
update started set t = clock_timestamp();
select pgq.next_batch_wait('wq', 'c', 200) is null as timed_out;
select clock_timestamp() - t >= interval '195 ms' as waited_the_timeout from started;

-- A tick that is already there: the batch at once, the same one as next_batch
-- gives, and again until it is finished.
select pgq.insert_event('wq', 't', 'one') > 0 as inserted;
select pgq.ticker('wq') > 0 as ticked;
update started set t = clock_timestamp();
select pgq.next_batch_wait('wq', 'c', 60000) as batch_id;
select clock_timestamp() - t < interval '5 s' as at_once from started;
select pgq.next_batch('wq', 'c') as same_batch;
select pgq.next_batch_wait('wq', 'c', 60000) as still_open;
select ev_data from pgq.get_batch_events(pgq.next_batch_wait('wq', 'c', 0));
select pgq.finish_batch(pgq.next_batch('wq', 'c'));
select pgq.next_batch_wait('wq', 'c', 0) is null as finished;

-- Interrupts end the wait as they end any statement; the next wait works.
-- (PL/pgSQL's "when others" does not catch a cancel: the error shows.)
set statement_timeout = '100ms';
select pgq.next_batch_wait('wq', 'c', 5000);
reset statement_timeout;
select pgq.next_batch_wait('wq', 'c', 10) is null as waits_again;

-- The consumer's rights: pgq_reader may call it, others may not.
create role regress_wait_reader;
grant pgq_reader to regress_wait_reader;
create role regress_wait_nobody;
set role regress_wait_reader;
select pgq.next_batch_wait('wq', 'c', 0) is null as reader_may;
set role regress_wait_nobody;
select try($$select pgq.next_batch_wait('wq', 'c', 0)$$);
reset role;
drop role regress_wait_reader;
drop role regress_wait_nobody;

drop extension pgqpp cascade;
