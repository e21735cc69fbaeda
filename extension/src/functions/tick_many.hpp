// Ticking many queues in two statements instead of two per queue: first the
// queues' tick locks, then one INSERT into pgq.tick for the locked ones. The
// INSERT's snapshot is taken after the locks, so a queue's ticks keep ever
// newer snapshots in tick id order (see ticker.cpp). Used by
// pgq.wakeup_ticker() for the woken queues and by pgq.ticker() for the
// queues that are due a tick.
#pragma once

#include <functional>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// How the queues' tick locks are taken: `wait` for them (in queue id order,
/// so two such callers never deadlock), or `skip` the queues another ticker
/// is ticking right now.
enum class TickLock { wait, skip };

/// Called once per new tick, while the INSERT's rows are the current SPI
/// result: `row` can be read with spi::value (column 3 is the queue's name).
using TickVisitor = std::function<void(uint64 row, int32 queue_id, int64 tick_id)>;

/// Ticks the unpaused, not externally ticked queues whose ids are in the
/// int4[] `queue_ids` and whose lock is had, calling `visit` per new tick.
/// Sends no NOTIFY: the caller decides which ticks wake consumers. Must run
/// inside an spi::Session. Returns how many queues got a tick.
uint64 tick_queue_ids(Datum queue_ids, TickLock lock, const TickVisitor& visit);

}  // namespace pgqpp::ext
