-- SPDX-License-Identifier: PostgreSQL
-- Status: get_queue_info, get_consumer_info, get_batch_info figures.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qs');
select pgq.create_queue('qs2');
update pgq.queue set queue_ticker_max_count = 1, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('qs', 'reader');
select pgq.register_consumer('qs', 'idle');
select pgq.insert_events('qs', array['t'], array_agg('e' || i)) from generate_series(1, 10) i;
select pgq.ticker('qs');
select pgq.insert_events('qs', array['t'], array_agg('e' || i)) from generate_series(1, 30) i;
select pgq.ticker('qs');
select pgq.insert_events('qs', array['t'], array['not yet ticked', 'x']);
-- Ticks 10 seconds apart, so that ev_per_sec is exact.
update pgq.tick set tick_time = '2026-01-01 00:00:00+00'::timestamptz + (tick_id - 1) * interval '10 seconds';

select queue_name, queue_ntables, queue_cur_table, queue_rotation_period, queue_external_ticker,
       queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       ticker_lag > interval '0' as has_lag, ev_per_sec, ev_new, last_tick_id
  from pgq.get_queue_info();
select queue_name, ev_per_sec, ev_new, last_tick_id from pgq.get_queue_info('qs');
select count(*) from pgq.get_queue_info('no_such_queue');

select pgq.next_batch('qs', 'reader');
select queue_name, consumer_name, lag > interval '0' as has_lag, last_seen >= interval '0' as seen,
       last_tick, current_batch, next_tick, pending_events
  from pgq.get_consumer_info();
select consumer_name, pending_events from pgq.get_consumer_info('qs');
select consumer_name, last_tick, current_batch from pgq.get_consumer_info('qs', 'reader');
select count(*) from pgq.get_consumer_info('qs', 'nobody');
select count(*) from pgq.get_consumer_info('no_such_queue');
select queue_name, consumer_name, batch_start, batch_end, prev_tick_id, tick_id,
       lag > interval '0' as has_lag, seq_start, seq_end
  from pgq.get_batch_info(1);
select pgq.finish_batch(1);
select consumer_name, last_tick, current_batch, pending_events from pgq.get_consumer_info('qs');
select pgq.version();

drop extension pgqpp cascade;
