-- SPDX-License-Identifier: PostgreSQL
-- Batches: every consumer sees every event once; next_batch returns the open
-- batch until it is finished; reading through events, cursors and SQL.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qb');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('qb', 'alice');
select pgq.register_consumer('qb', 'bob');

-- No new tick yet: no batch.
select pgq.next_batch('qb', 'alice');
select * from pgq.next_batch_info('qb', 'alice');

select pgq.insert_event('qb', 'ins', 'one');
select pgq.insert_event('qb', 'ins', 'two', 'x1', 'x2', 'x3', 'x4');
select pgq.insert_event('qb', 'upd', 'three');
select pgq.ticker('qb');

-- alice opens batch 1 and gets it again until she finishes it.
select pgq.next_batch('qb', 'alice');
select pgq.next_batch('qb', 'alice');
select batch_id, cur_tick_id, prev_tick_id, cur_tick_event_seq, prev_tick_event_seq,
       cur_tick_time >= prev_tick_time as ordered
  from pgq.next_batch_info('qb', 'alice');
select ev_id, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.get_batch_events(1);
select queue_name, consumer_name, prev_tick_id, tick_id, seq_start, seq_end,
       batch_end >= batch_start as ordered
  from pgq.get_batch_info(1);
select * from pgq.batch_event_tables(1);
select pgq.batch_event_sql(1) like 'select ev_id, ev_time, ev_txid%order by 1' as sql_ok;

-- bob sees the same events in his own batch.
select pgq.next_batch('qb', 'bob');
select ev_id, ev_data from pgq.get_batch_events(2);

-- Cursors, with and without an extra condition.
begin;
select ev_id, ev_data from pgq.get_batch_cursor(1, 'evs', 2);
move all in evs;
close evs;
select ev_id, ev_data from pgq.get_batch_cursor(1, 'typed cursor', 10, $$ev_type = 'upd'$$);
close "typed cursor";
select ev_id from pgq.get_batch_cursor(1, 'none', 0);
move all in none;
select count(*) from pgq.get_batch_cursor(null, 'c', 1);
select count(*) from pgq.get_batch_cursor(1, 'c', null, null);
commit;

-- Finishing moves the position; finishing again only warns.
select pgq.finish_batch(1);
select pgq.finish_batch(1);
select pgq.next_batch('qb', 'alice');  -- nothing new yet
select consumer_name, last_tick, current_batch, next_tick, pending_events
  from pgq.get_consumer_info('qb') order by 1;

-- Events committed later go to the next batch; a rolled-back insert never arrives.
select pgq.insert_event('qb', 'ins', 'four');
begin;
select pgq.insert_event('qb', 'ins', 'rolled back') > 0;
rollback;
select pgq.ticker('qb');
select pgq.next_batch('qb', 'alice');
select ev_id, ev_data from pgq.get_batch_events(3);
select pgq.finish_batch(3);
-- bob finishes his first batch late and then gets the next one.
select pgq.finish_batch(2);
select pgq.next_batch('qb', 'bob');
select ev_id, ev_data from pgq.get_batch_events(4);
select pgq.finish_batch(4);

-- A batch covers whole tick intervals: two ticks without a reader, one batch each.
select pgq.insert_event('qb', 'ins', 'five');
select pgq.ticker('qb');
select pgq.insert_event('qb', 'ins', 'six');
select pgq.ticker('qb');
select pgq.next_batch('qb', 'alice');
select ev_data from pgq.get_batch_events(5);
select pgq.finish_batch(5);
select pgq.next_batch('qb', 'alice');
select ev_data from pgq.get_batch_events(6);
select pgq.finish_batch(6);

-- next_batch_custom: min_count and min_interval pick a later end tick.
select pgq.insert_events('qb', array['bulk'], array['b1', 'b2']);
select pgq.ticker('qb');
select pgq.insert_events('qb', array['bulk'], array['b3', 'b4', 'b5']);
select pgq.ticker('qb');
select batch_id, cur_tick_id - prev_tick_id as ticks_spanned, cur_tick_event_seq - prev_tick_event_seq as events
  from pgq.next_batch_custom('qb', 'bob', null, 4, null);
select count(*) from pgq.get_batch_events(7);
select pgq.finish_batch(7);
-- Not enough events yet: no batch.
select pgq.insert_event('qb', 'ins', 'seven');
select pgq.ticker('qb');
select batch_id, cur_tick_id from pgq.next_batch_custom('qb', 'bob', null, 100, null);
-- min_lag: the end tick is too young.
select batch_id, cur_tick_id from pgq.next_batch_custom('qb', 'bob', '1 hour', null, null);
-- min_interval satisfied by an old enough tick span? Not yet.
select batch_id from pgq.next_batch_custom('qb', 'bob', null, null, '1 hour');
-- Without limits the batch opens.
select batch_id is not null as opened from pgq.next_batch_custom('qb', 'bob', null, null, null);

-- Opening and reading in one statement sees the new batch.
select pgq.insert_event('qb', 'ins', 'same statement');
select pgq.force_tick('qb') > 0;
select pgq.ticker('qb') > 0;
select ev_data from pgq.get_batch_events(pgq.next_batch('qb', 'alice'));

-- One session reads many batches through one kept plan (events_plan.hpp):
-- past the plan cache's fifth execution it may be the generic plan, and
-- each batch must still get exactly its own events.
select pgq.register_consumer('qb', 'kept_reader');
do $$
declare
  b bigint;
  got text;
begin
  for i in 1..8 loop
    perform pgq.insert_event('qb', 'kept', 'kept ' || i);
    commit;  -- the tick must see the event committed
    perform pgq.force_tick('qb');
    perform pgq.ticker('qb');
    b := pgq.next_batch('qb', 'kept_reader');
    select string_agg(ev_data, ',' order by ev_id) into got from pgq.get_batch_events(b);
    if got is distinct from 'kept ' || i then
      raise exception 'batch % read %, expected kept %', b, got, i;
    end if;
    perform pgq.finish_batch(b);
  end loop;
end $$;

-- Unknown queue, consumer or batch.
select try($$select pgq.next_batch('qb', 'nobody')$$);
select try($$select pgq.next_batch('no_such_queue', 'alice')$$);
select try($$select pgq.next_batch(null, null)$$);
select try($$select * from pgq.get_batch_events(999)$$);
select try($$select * from pgq.get_batch_events(null)$$);
select try($$select * from pgq.get_batch_cursor(999, 'c', 10)$$);
select try($$select pgq.batch_event_sql(999)$$);
select try($$select * from pgq.batch_event_tables(999)$$);
select * from pgq.get_batch_info(999);
select pgq.finish_batch(999);
select pgq.finish_batch(null);

drop extension pgqpp cascade;
