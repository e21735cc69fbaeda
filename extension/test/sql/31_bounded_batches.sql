-- SPDX-License-Identifier: PostgreSQL
-- Bounded batches: pgq.set_consumer_config(q, c, 'max_batch_events', N)
-- makes every batch of that consumer hold at most N events, in ev_id order,
-- each event exactly once; other consumers keep PgQ's batches.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('bq');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('bq', 'small');
select pgq.register_consumer('bq', 'whole');
create role bq_reader in role pgq_reader;

-- The settings: one row per known key, NULL when unset.
select * from pgq.get_consumer_config('bq', 'small');
select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '3');
select * from pgq.get_consumer_config('bq', 'small');
select * from pgq.get_consumer_config('bq', 'whole');
-- Setting it gave the event tables an index on ev_id.
select count(*) from pg_indexes where schemaname = 'pgq' and indexdef like '%(ev_id)%';

-- Bad input.
select try($$select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '0')$$);
select try($$select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '-2')$$);
select try($$select pgq.set_consumer_config('bq', 'small', 'max_batch_events', 'ten')$$);
select try($$select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '99999999999')$$);
select try($$select pgq.set_consumer_config('bq', 'small', 'batch_size', '3')$$);
select try($$select pgq.set_consumer_config('bq', 'nobody', 'max_batch_events', '3')$$);
select try($$select pgq.set_consumer_config('nq', 'small', 'max_batch_events', '3')$$);
select try($$select pgq.set_consumer_config('bq', 'small', null, '3')$$);
select try($$select pgq.set_consumer_config(null, 'small', 'max_batch_events', '3')$$);
select try($$select * from pgq.get_consumer_config('bq', 'nobody')$$);
select * from pgq.get_consumer_config('bq', 'small');
-- Readers may read the settings, not change them.
set role bq_reader;
select * from pgq.get_consumer_config('bq', 'small');
select try($$select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '5')$$);
reset role;

-- Ten events in one tick interval (the isolation spec bounded_batches has
-- interleaved producers).
create table got (who text, batch_id bigint, ev_id bigint, ev_data text);
create function take(c text) returns text language plpgsql as $$
declare
    b bigint;
    evs text;
begin
    b := pgq.next_batch('bq', c);
    if b is null then return 'no batch'; end if;
    insert into got select c, b, e.ev_id, e.ev_data from pgq.get_batch_events(b) e;
    select string_agg(e.ev_data, ',' order by e.ev_id) into evs from pgq.get_batch_events(b) e;
    perform pgq.finish_batch(b);
    return coalesce(evs, '(empty)');
end $$;
select pgq.insert_events('bq', array['e'], array(select 'e' || g from generate_series(1, 10) g));
select pgq.ticker('bq');
-- small: 3 + 3 + 3 + 1, the same two ticks, then a new interval.
select take('small');
select sub_last_tick from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
 where c.co_name = 'small';
select take('small');
select take('small');
select take('small');
select take('small');
-- whole: PgQ's one batch.
select take('whole');
select who, count(*), count(distinct ev_id), min(ev_data), max(ev_data) from got group by 1 order by 1;

-- The open window comes back until finished (a crashed consumer gets it
-- again), and next_batch_info shows the interval's ticks.
select pgq.insert_events('bq', array['f'], array(select 'f' || g from generate_series(1, 7) g));
select pgq.ticker('bq');
select pgq.next_batch('bq', 'small') = pgq.next_batch('bq', 'small') as same_batch;
select cur_tick_id - prev_tick_id as ticks from pgq.next_batch_info('bq', 'small');
select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events(pgq.next_batch('bq', 'small'));
-- Reading through a cursor, with or without a filter, gives the same window.
create function fetch_rest() returns setof text language plpgsql as $$
declare
    c refcursor := 'cur';
    r record;
begin
    loop
        fetch c into r;
        exit when not found;
        return next r.ev_data;
    end loop;
end $$;
begin;
select ev_data from pgq.get_batch_cursor(pgq.next_batch('bq', 'small'), 'cur', 2);
select fetch_rest();
commit;
select ev_data from pgq.get_batch_cursor(pgq.next_batch('bq', 'small'), 'cur2', 10, $$ev_data <> 'f2'$$);
select count(*) from pgq.get_batch_events(pgq.next_batch('bq', 'small'));
-- Retrying an event of the window: it comes back later, once; events
-- outside the window cannot be retried through this batch.
select pgq.event_retry(pgq.next_batch('bq', 'small'), (select min(ev_id) from pgq.get_batch_events(pgq.next_batch('bq', 'small'))), 0);
select try($$select pgq.event_retry(pgq.next_batch('bq', 'small'), (select max(ev_id) from got), 0)$$);
select pgq.finish_batch(pgq.next_batch('bq', 'small'));
select take('small');
-- Unsetting it in the middle of an interval: the rest of the interval comes
-- in one batch, then PgQ's batches again.
select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '');
select * from pgq.get_consumer_config('bq', 'small');
select take('small');
select pgq.maint_retry_events();
select pgq.ticker('bq');
select take('small');
select take('small');

-- N = 1, with a NULL to unset, and retried events in a later interval.
select pgq.set_consumer_config('bq', 'small', 'max_batch_events', '1');
select pgq.insert_events('bq', array['g'], array['g1', 'g2', 'g3']);
select pgq.ticker('bq');
select take('small');
select take('small');
select take('small');
select take('small');
-- next_batch_custom's and next_batch_info's row, formed after their SPI
-- session ends (a session's first bounded batch used to come back from
-- memory SPI had freed: "type with OID ... does not exist"; the test
-- cluster's server runs with MALLOC_PERTURB_, which makes that certain).
select pgq.insert_events('bq', array['h'], array['h1', 'h2']);
select pgq.ticker('bq');
\c
select batch_id > 0 as has_batch, cur_tick_id - prev_tick_id as ticks,
       cur_tick_time > prev_tick_time as later, cur_tick_event_seq > prev_tick_event_seq as more
  from pgq.next_batch_custom('bq', 'small', null, null, null);
\c
select batch_id > 0 as has_batch, cur_tick_id - prev_tick_id as ticks
  from pgq.next_batch_info('bq', 'small');
set client_min_messages = warning;  -- as pg_regress's session had it
select take('small');
select take('small');
select pgq.set_consumer_config('bq', 'small', 'max_batch_events', null);
select * from pgq.get_consumer_config('bq', 'small');

-- Every event exactly once for both consumers.
select take('whole');
select take('whole');
select who, count(*) as events, count(distinct ev_data) as distinct_events from got group by 1 order by 1;

-- The setting goes with the subscription.
select pgq.unregister_consumer('bq', 'small');
select count(*) from pgq.consumer_config;

drop extension pgqpp cascade;
drop table got;
drop function take(text);
drop function fetch_rest();
drop role bq_reader;
