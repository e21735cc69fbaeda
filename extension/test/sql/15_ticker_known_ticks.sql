-- SPDX-License-Identifier: PostgreSQL
-- pgq.ticker(), called again and again in one session, reads pgq.tick only
-- for the queues that may be due by the newest ticks it knows
-- (extension/src/functions/tick_state_cache.hpp). What the known ticks must
-- never hide: a tick that was rolled back (transaction or savepoint), new
-- events, a tick another path made, a changed setting.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('kt');
select pgq.create_queue('kt_idle');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
-- create_queue made each queue's first tick; the first call ticks both (no
-- gap yet to respect), then none is due.
select pgq.ticker() as first;
select pgq.ticker() as none_due;
select pgq.ticker() as none_due;
select pgq.ticker() as none_due;
-- New events (the first use of the sequence is not counted, as in PgQ).
select pgq.insert_event('kt', 't', '1') > 0 as inserted;
select pgq.insert_event('kt', 't', '2') > 0 as inserted;
select pgq.ticker() as ticks_kt;
select pgq.ticker() as none_due;

-- A tick read back inside a transaction that rolls back is forgotten.
select pgq.insert_event('kt', 't', '3') > 0 as inserted;
begin;
select pgq.ticker() as ticks_kt;
select pgq.ticker() as reads_its_tick;
rollback;
select pgq.ticker() as ticks_kt_again;
select pgq.ticker() as none_due;

-- The same with a savepoint.
select pgq.insert_event('kt', 't', '4') > 0 as inserted;
begin;
savepoint s;
select pgq.ticker() as ticks_kt;
select pgq.ticker() as reads_its_tick;
rollback to savepoint s;
select pgq.ticker() as ticks_kt_again;
commit;
select pgq.ticker() as none_due;

-- A tick the one-queue form made: the known tick says kt is due, pgq.tick
-- says it is not.
select pgq.insert_event('kt', 't', '5') > 0 as inserted;
select pgq.ticker('kt') is not null as ticked_by_name;
select pgq.ticker() as none_due;

-- A changed setting counts at once: kt_idle's idle ticks every call.
select pgq.set_queue_config('kt_idle', 'ticker_idle_period', '0');
select pgq.set_queue_config('kt_idle', 'ticker_max_lag', '0');
select pgq.ticker() as ticks_kt_idle;
select pgq.ticker() as ticks_kt_idle;

-- Every tick in order: each queue's ticks, none twice.
select q.queue_name, count(*) as ticks, count(distinct t.tick_event_seq) as event_seqs
  from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue group by 1 order by 1;
drop extension pgqpp cascade;
