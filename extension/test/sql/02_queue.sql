-- SPDX-License-Identifier: PostgreSQL
-- Queues: create, drop (with and without consumers, forced), configuration.
\set SHOW_CONTEXT never
create extension pgqpp;

select pgq.create_queue('q_one');
select pgq.create_queue('q_one');  -- exists already: 0
select pgq.create_queue('q.two"quoted''');  -- any text is a name
select queue_id, queue_name, queue_ntables, queue_cur_table, queue_data_pfx,
       queue_event_seq, queue_tick_seq, queue_ticker_max_count, queue_ticker_max_lag,
       queue_ticker_idle_period, queue_rotation_period, queue_external_ticker,
       queue_ticker_paused, queue_disable_insert, queue_per_tx_limit
  from pgq.queue order by queue_id;
-- Event tables: a parent and three children with the txid index.
select c.relname, i.relname as index, c.reloptions
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_index x on x.indrelid = c.oid left join pg_class i on i.oid = x.indexrelid
 where n.nspname = 'pgq' and c.relname like 'event\_1%' and c.relkind = 'r'
 order by 1;
select pg_get_expr(adbin, adrelid) from pg_attrdef
 where adrelid = 'pgq.event_1_0'::regclass;
-- A first tick exists from the start.
select tick_queue, tick_id, tick_event_seq from pgq.tick order by 1, 2;

-- Configuration.
select pgq.set_queue_config('q_one', 'ticker_max_count', '10');
select pgq.set_queue_config('q_one', 'queue_ticker_max_lag', '2 seconds');
select pgq.set_queue_config('q_one', 'ticker_idle_period', '30 seconds');
select pgq.set_queue_config('q_one', 'rotation_period', '1 hour');
select pgq.set_queue_config('q_one', 'ticker_paused', 'true');
select pgq.set_queue_config('q_one', 'ticker_paused', 'false');
select pgq.set_queue_config('q_one', 'external_ticker', 'off');
select pgq.set_queue_config('q_one', 'rotation_period', '0');  -- zero is allowed, as in PgQ
select pgq.set_queue_config('q_one', 'rotation_period', '1 hour');
select queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       queue_rotation_period, queue_ticker_paused, queue_external_ticker
  from pgq.queue where queue_name = 'q_one';
select try($$select pgq.set_queue_config('q_one', 'no_such_key', '1')$$);
select try($$select pgq.set_queue_config('q_one', 'data_pfx', 'x')$$);
select try($$select pgq.set_queue_config('no_such_queue', 'ticker_max_count', '1')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_max_count', 'abc')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_max_count', '-1')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_max_count', '99999999999')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_max_lag', '-1 second')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_max_lag', 'soon')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_paused', 'maybe')$$);
select try($$select pgq.set_queue_config('q_one', 'ticker_paused', null)$$);
select try($$select pgq.set_queue_config(null, 'ticker_paused', 'true')$$);
select queue_ticker_max_count from pgq.queue where queue_name = 'q_one';  -- unchanged: 10

-- Drop: refused with consumers, forced drop unregisters them.
select pgq.register_consumer('q_one', 'c1');
select try($$select pgq.drop_queue('q_one')$$);
select try($$select pgq.drop_queue('q_one', false)$$);
select pgq.drop_queue('q_one', true);
select count(*) as consumers_left from pgq.consumer;
select count(*) as ticks_left from pgq.tick where tick_queue = 1;
select count(*) as tables_left from pg_class where relname like 'event\_1%';
select try($$select pgq.drop_queue('q_one')$$);
select pgq.drop_queue('q.two"quoted''');
select count(*) as queues_left from pgq.queue;
-- Names are not reused: the next queue gets a new id.
select pgq.create_queue('q_three');
select queue_id, queue_data_pfx from pgq.queue;
select pgq.drop_queue('q_three');

drop extension pgqpp;
