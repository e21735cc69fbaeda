-- SPDX-License-Identifier: PostgreSQL
-- pgqpp's wake-up path for tickers (C++: src/functions/ticker_wakeup.cpp).

-- Function: pgq.wakeup_ticker(i_timeout_ms, i_min_interval_ms)
--   pgqpp addition, for ticker daemons. Waits up to i_timeout_ms (0 to
--   60000, default 1000) until transactions that wrote events to this
--   database's queues commit, then ticks every such queue at once (unless
--   paused or externally ticked) and returns (queue_name, tick_id) per new
--   tick; no rows after a quiet timeout. Ticks of one queue keep a spacing:
--   i_min_interval_ms (default 5) while its events are sparse (at most 5 per
--   i_min_interval_ms); when they come faster, i_min_interval_ms times the
--   square root of a fifth of the events per i_min_interval_ms, so that
--   batches hold many events; while more than 5 of the queue's consumers
--   were not past its previous tick at its recent ticks, at least
--   i_min_interval_ms times a fifth of their number (a tick costs each
--   consumer a batch; not in the SQL-only edition); but never longer than
--   the queue's
--   ticker_max_count events take or its ticker_max_lag (docs/ticker.md has
--   the figures). A queue not yet due waits for its turn. Each tick sends
--   its NOTIFY on pgqpp_tick_<queue_id> when the calling transaction
--   commits. Delayed events (pgq.insert_event_at) end the wait when the
--   earliest of them is due: it moves them into their queues and ticks
--   those at once, at most once per i_min_interval_ms (events due within
--   that time share a batch; none is delivered early).
--   Call it in its own transaction, in a loop, from one ticker per
--   database. Needs pgqpp in shared_preload_libraries; without it the call
--   fails with SQLSTATE 55000 and a ticker should tick periodically instead.
create function pgq.wakeup_ticker(in i_timeout_ms integer default 1000,
                                  in i_min_interval_ms integer default 5,
                                  out queue_name text, out tick_id bigint)
returns setof record as 'MODULE_PATHNAME', 'pgqpp_wakeup_ticker' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;
