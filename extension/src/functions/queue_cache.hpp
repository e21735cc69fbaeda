// SPDX-License-Identifier: PostgreSQL
// Backend-local cache of what inserting into a queue needs (its current event
// table, its event id sequence, its insert settings), so that insert_event
// runs no query on the hot path.
//
// Any committed change to pgq.queue (rotation, config, create, drop) fires the
// statement trigger pgq._queue_changed, which sends a relcache invalidation
// for pgq.queue; every backend's callback then empties its cache. A writer
// locks the cached table and re-checks the cache generation afterwards, so an
// insert never lands in a table that a committed rotation has moved away from.
#pragma once

#include <cstdint>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

struct QueueInfo {
  int32 queue_id = 0;
  Oid event_table = InvalidOid;  // the current table, pgq.event_<id>_<cur>
  Oid event_seq = InvalidOid;    // pgq.event_<id>_id_seq
  bool disable_insert = false;
  int32 per_tx_limit = -1;  // -1: no limit
};

/// Registers the invalidation callback; called once from _PG_init.
void queue_cache_init();

/// The queue's insert metadata with its current table locked for insert
/// (RowExclusiveLock), and, unless `wake_ticker` is false, the queue noted
/// for the commit wake-up (ticker_wakeup.hpp): delayed inserts and the
/// ticker's own delayed moves do not wake it for the queue. Throws Error "No
/// such queue" (PgQ's text) when it does not exist.
QueueInfo queue_for_insert(const char* queue_name, bool wake_ticker = true);

}  // namespace pgqpp::ext
