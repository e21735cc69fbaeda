-- SPDX-License-Identifier: PostgreSQL
-- Waiting for a batch inside the server, for consumers behind connection
-- poolers (C++: src/functions/consumer_wait.cpp).

-- Function: pgq.next_batch_wait(i_queue_name, i_consumer_name, i_timeout_ms)
--   pgqpp addition, for consumers that cannot LISTEN (PgBouncer in
--   transaction pooling). Like pgq.next_batch, and returning the same: the
--   consumer's open batch id, or a new batch up to the next tick; but when
--   no batch is ready it waits inside the server until a tick of the queue
--   commits, then opens the batch, or returns NULL once i_timeout_ms (0 to
--   60000) passed without one. With pgqpp in shared_preload_libraries the
--   committing ticker wakes the waiting backends directly (no polling);
--   without it the wait looks for a new tick every 10 ms. Call it in its own
--   READ COMMITTED transaction (autocommit, as a pooler's client does): a
--   REPEATABLE READ or SERIALIZABLE transaction never sees a new tick, so
--   there it fails with SQLSTATE 25000 unless i_timeout_ms is 0. While it
--   waits the transaction holds its snapshot and, through a pooler, a server
--   connection: keep the timeout to seconds. An unknown queue or consumer
--   raises pgq.next_batch's error (SQLSTATE 42704); a NULL or out-of-range
--   timeout raises 22004 or 22023. statement_timeout and pg_cancel_backend
--   end the wait as they end any statement.
create function pgq.next_batch_wait(i_queue_name text, i_consumer_name text, i_timeout_ms integer)
returns int8 as 'MODULE_PATHNAME', 'pgqpp_next_batch_wait' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;
