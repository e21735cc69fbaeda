-- SPDX-License-Identifier: PostgreSQL
-- From PgQ 3.5 to pgqpp, in place (EXTENSION_NAME=pgq builds only): the
-- part of the update script pgq--3.5--<pgqpp version>.sql (and
-- pgq--3.5.1--...) that stands where the install script has 00_schema.sql.
-- cmake/pgq35_update_sql.cmake appends every other part of extension/sql/
-- after it, with `create or replace function`, so this file holds only what
-- 00_schema.sql does differently from PgQ 3.5's own schema, and it is frozen:
-- PgQ 3.5 does not change. A later pgqpp version that changes 00_schema.sql
-- (a column, an index, a grant on PgQ's tables) adds the same change here;
-- tests/integration/pgq35_update_pgq_named.sh fails until it does (the
-- updated catalog must equal a fresh install's).
--
-- PgQ 3.5's tables, sequences, roles and the schema are pgqpp's column for
-- column: queues, consumers, positions, open batches, ticks, pending
-- retries, event tables and their sequences stay as they are. PgQ's
-- functions are all pgqpp functions of the same signature: the parts after
-- this one replace them in place, so they keep their OIDs (triggers on user
-- tables, pgq_node and londiste refer to them) and all of them move to
-- pgqpp's library ($libdir/pgqpp instead of pgq_lowlevel and pgq_triggers).

set client_min_messages = warning;

-- The parts below add triggers on pgq.queue and foreign keys to pgq.queue
-- and pgq.subscription: take those two tables' locks first, in one order,
-- so the update waits for running batch operations before it holds
-- anything they need. Ticks and producers (insert_event, triggers) take no
-- lock that conflicts and never wait.
lock table pgq.queue, pgq.subscription in share row exclusive mode;

-- pg_dump keeps these sequences in pgqpp (PgQ 3.5's dumps lose them, so
-- that restored ids would be taken again: docs/migration.md).
select pg_catalog.pg_extension_config_dump('pgq.queue_queue_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer_co_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription_sub_id_seq', '');
