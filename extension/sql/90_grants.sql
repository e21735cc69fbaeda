-- SPDX-License-Identifier: PostgreSQL
-- Privileges, as PgQ 3.5 grants them: readers consume, writers produce,
-- admins run the ticker and maintenance and manage queues.

grant usage on schema pgq to public;

revoke all on all functions in schema pgq from public;

grant execute on function
    pgq.seq_getval(text), pgq.get_queue_info(), pgq.get_queue_info(text),
    pgq.get_consumer_info(), pgq.get_consumer_info(text), pgq.get_consumer_info(text, text), pgq.get_delayed_info(text),
    pgq.quote_fqname(text), pgq.version(), pgq._cell_positions()
  to public;

grant execute on function
    pgq.batch_event_sql(bigint), pgq.batch_event_tables(bigint),
    pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
    pgq.register_consumer(text, text), pgq.register_consumer_at(text, text, bigint),
    pgq.unregister_consumer(text, text),
    pgq.next_batch_info(text, text), pgq.next_batch(text, text),
    pgq.next_batch_custom(text, text, interval, int4, interval),
    pgq.get_batch_events(bigint), pgq.get_batch_info(bigint),
    pgq.get_batch_cursor(bigint, text, int4, text), pgq.get_batch_cursor(bigint, text, int4),
    pgq.event_retry(bigint, bigint, timestamptz), pgq.event_retry(bigint, bigint, integer),
    pgq.batch_retry(bigint, integer), pgq.force_tick(text), pgq.finish_batch(bigint),
    pgq.next_batch_wait(text, text, integer)
  to pgq_reader;

grant execute on function
    pgq.insert_event(text, text, text),
    pgq.insert_event(text, text, text, text, text, text, text),
    pgq.insert_events(text, text[], text[], text[], text[], text[], text[]),
    pgq.insert_event_at(text, timestamptz, text, text),
    pgq.insert_event_at(text, timestamptz, text, text, text, text, text, text),
    pgq.insert_events_at(text, timestamptz[], text[], text[], text[], text[], text[], text[]),
    pgq.current_event_table(text),
    pgq.logutriga(), pgq.sqltriga(), pgq.jsontriga()
  to pgq_writer;

grant execute on function
    pgq.ticker(text, bigint, timestamptz, bigint), pgq.ticker(text), pgq.ticker(),
    pgq.wakeup_ticker(integer, integer),
    pgq.maint_retry_events(), pgq.maint_rotate_tables_step1(text), pgq.maint_rotate_tables_step2(),
    pgq.maint_tables_to_vacuum(), pgq.maint_operations(), pgq.upgrade_schema(),
    pgq.grant_perms(text), pgq._grant_perms_from(text, text, text, text), pgq.tune_storage(text),
    pgq.seq_setval(text, int8), pgq.create_queue(text), pgq.drop_queue(text, bool),
    pgq.drop_queue(text), pgq.set_queue_config(text, text, text),
    pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text, text, text, text),
    pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer, text, text, text, text, text, text)
  to pgq_admin;

revoke all on table pgq.event_template, pgq.consumer, pgq.queue, pgq.tick,
    pgq.subscription, pgq.retry_queue, pgq.delayed_event, pgq.delayed_event_0,
    pgq.delayed_event_1, pgq.delayed_mark, pgq.delayed_pending from public;
grant select on table pgq.event_template to pgq_reader;
grant select, insert, truncate on table pgq.event_template to pgq_admin;
grant select on table pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to pgq_reader;
grant select, insert, update, delete on table pgq.consumer, pgq.queue, pgq.tick, pgq.subscription
  to pgq_admin;
grant select on table pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to public;
grant select, insert, update, delete on table pgq.retry_queue to pgq_admin;
grant select, insert, update, delete on table pgq.delayed_event, pgq.delayed_event_0,
    pgq.delayed_event_1, pgq.delayed_mark to pgq_admin;
grant select on table pgq.delayed_pending to pgq_admin;
