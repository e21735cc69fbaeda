-- SPDX-License-Identifier: PostgreSQL
-- 1.0 -> 1.1: every SECURITY DEFINER function written in SQL or PL/pgSQL, and
-- every one in C++ off the insert path, runs with a fixed search_path, so
-- that objects a caller can create (in public, or temporary ones) never stand
-- in for what the function uses while it runs as its owner. The three insert
-- functions (C++, the hot path) resolve everything by OID and run their one
-- lookup query under the same fixed path internally (docs/internals.md).

alter function pgq.grant_perms(text) set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.ticker(text, bigint, timestamptz, bigint) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.ticker(text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.ticker() set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.force_tick(text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.wakeup_ticker(integer, integer) set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.create_queue(text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.drop_queue(text, boolean) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.set_queue_config(text, text, text) set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.register_consumer_at(text, text, bigint) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.register_consumer(text, text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.unregister_consumer(text, text) set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.next_batch_custom(text, text, interval, integer, interval) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.next_batch_info(text, text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.next_batch(text, text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.finish_batch(bigint) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.get_batch_info(bigint) set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.event_retry(bigint, bigint, timestamptz) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.event_retry(bigint, bigint, integer) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.batch_retry(bigint, integer) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer,
                                   text, text, text, text, text, text)
    set search_path = pg_catalog, pgq, pg_temp;

alter function pgq.get_consumer_info(text, text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.get_consumer_info(text) set search_path = pg_catalog, pgq, pg_temp;
alter function pgq.get_consumer_info() set search_path = pg_catalog, pgq, pg_temp;
