// SPDX-License-Identifier: PostgreSQL
// Waits for a batch inside the server: pgq.next_batch_wait(queue, consumer,
// timeout_ms), the consumer's wake-up that works through connection poolers
// (LISTEN does not survive PgBouncer's transaction pooling).
//
// With pgqpp in shared_preload_libraries, shared memory holds one slot per
// backend (by proc number): the database and queue it waits on, or nothing.
// A backend that makes a tick (pgq.ticker in its three forms,
// pgq.wakeup_ticker) remembers the queue; after its commit is visible
// (XACT_EVENT_COMMIT) it sets the latch of every backend waiting on that
// queue in its database. The waiter then looks again with a new snapshot. No
// lock is taken, and a commit without ticks, or with nobody waiting, costs
// one atomic read.
//
// Without shared_preload_libraries the waiter looks every kFallbackPollMs
// (docs: extension/sql/66_wait.sql).
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// Installs the shared memory hooks and the commit callback; only when
/// loaded at server start.
void consumer_wait_init();

/// Remembers that the current transaction made a tick of `queue_id`: its
/// waiting consumers are woken when it commits. A few instructions.
void consumer_wait_note_tick(int32 queue_id);

}  // namespace pgqpp::ext
