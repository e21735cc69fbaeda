-- SPDX-License-Identifier: PostgreSQL
-- Bad input: names, NULLs, unknown objects. Each gets a clear error with a
-- SQLSTATE, or works; none crashes a backend.
\set SHOW_CONTEXT never
create extension pgqpp;
-- Queue names.
select try($$select pgq.create_queue(null)$$);
select try($$select pgq.create_queue('')$$);
select try($$select pgq.create_queue(repeat('x', 1001))$$);
select pgq.create_queue(repeat('x', 1000));
select pgq.create_queue('with.dot');
select pgq.create_queue('with"double''single');
select pgq.create_queue('ünïcödé ✓');
select pgq.create_queue('; drop table pgq.queue; --');
select queue_id, queue_name from pgq.queue where length(queue_name) < 100 order by queue_id;
select pgq.insert_event(queue_name, 't', 'to ' || queue_id) from pgq.queue order by queue_id;
-- Consumer names.
select try($$select pgq.register_consumer('with.dot', null)$$);
select try($$select pgq.register_consumer('with.dot', '')$$);
select try($$select pgq.register_consumer('with.dot', repeat('c', 1001))$$);
select pgq.register_consumer('with.dot', 'c"o''n.s');
select pgq.register_consumer('with.dot', 'ünï ✓');
select consumer_name from pgq.get_consumer_info('with.dot');
-- NULL arguments everywhere.
select try($$select pgq.insert_event(null, null, null)$$);
select try($$select pgq.insert_event_raw(null, null, null, null, null, null, null, null, null, null, null)$$);
select try($$select pgq.insert_events(null, null, null)$$);
select try($$select pgq.ticker(null::text, null::bigint, null::timestamptz, null::bigint)$$);
select try($$select pgq.next_batch_custom(null, null, null, null, null)$$);
select try($$select pgq.event_retry(null, null, null::integer)$$);
select try($$select pgq.batch_retry(null, null)$$);
select try($$select pgq.register_consumer_at(null, null, null)$$);
select try($$select pgq.drop_queue(null, true)$$);
select pgq.drop_queue(null);
select pgq.unregister_consumer(null, null);
select try($$select pgq.current_event_table(null)$$);
select pgq.quote_fqname(null) is null, pgq.seq_getval(null) is null;
-- Unknown ids.
select try($$select pgq.event_retry(-1, -1, 0)$$);
select try($$select * from pgq.get_batch_events(-1)$$);
select try($$select pgq.register_consumer_at('with.dot', 'c', -5)$$);
select pgq.finish_batch(-1);
-- Extra where of get_batch_cursor is SQL: bad SQL is a syntax error.
select pgq.register_consumer('with.dot', 'reader');
select pgq.insert_event('with.dot', 't', 'for the reader');
select pgq.force_tick('with.dot') > 0;
select pgq.ticker('with.dot') > 0;
select pgq.next_batch('with.dot', 'reader') as b \gset
begin;
select try($$select * from pgq.get_batch_cursor($$ || :b || $$, 'c1', 10, 'no such column = 1')$$);
select try($$select * from pgq.get_batch_cursor($$ || :b || $$, 'c2', 10, ')')$$);
select ev_data from pgq.get_batch_cursor(:b, 'cursor "with" quotes', 10);
commit;
-- Negative retry delay is simply due now.
select pgq.event_retry(:b, (select min(ev_id) from pgq.get_batch_events(:b)), -10);

drop extension pgqpp cascade;
