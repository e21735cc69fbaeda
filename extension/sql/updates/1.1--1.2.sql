-- SPDX-License-Identifier: PostgreSQL
-- 1.1 -> 1.2, waits that survive connection poolers (issue 21, item 5):
-- pgq.next_batch_wait, pgq.next_batch that waits inside the server for the
-- queue's next tick (extension/sql/66_wait.sql).

create function pgq.next_batch_wait(i_queue_name text, i_consumer_name text, i_timeout_ms integer)
returns int8 as 'MODULE_PATHNAME', 'pgqpp_next_batch_wait' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;
revoke all on function pgq.next_batch_wait(text, text, integer) from public;
grant execute on function pgq.next_batch_wait(text, text, integer) to pgq_reader;
