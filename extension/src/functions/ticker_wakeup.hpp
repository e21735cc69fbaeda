// SPDX-License-Identifier: PostgreSQL
// The wake-up path: how a ticker learns within a millisecond, and at almost
// no cost, which queues received committed events.
//
// With pgqpp in shared_preload_libraries, shared memory holds, per database
// with a waiting ticker, a bitmap of queues (bit = queue_id mod kQueueBits)
// and the waiting ticker's process. A producer's backend remembers which
// queues its transaction wrote to; after its commit is visible
// (XACT_EVENT_COMMIT), it sets those bits and, when a bit goes from 0 to 1,
// sets the ticker's latch. No lock is taken and no NOTIFY is sent on the
// producer's path.
//
// pgq.wakeup_ticker(timeout_ms, min_interval) waits for such bits and ticks
// the woken queues at once (see extension/sql/35_wakeup.sql).
//
// Delayed events (delayed_move.hpp): the slot also holds the earliest
// deliver_at the waiting ticker knows of. A producer's commit lowers it to
// the earliest deliver_at its transaction wrote, and sets the ticker's latch
// when it did; the ticker sleeps until that time at most, then moves the
// due events and ticks their queues in the same call.
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// Installs the shared memory hooks; only when loaded at server start.
void ticker_wakeup_init();

/// Remembers that the current transaction wrote events to `queue_id`.
/// Cheap: a few instructions when the wake-up path is not active.
void ticker_wakeup_note(int32 queue_id);

/// Remembers that the current transaction stored a delayed event due at
/// `deliver_at`: its commit wakes a waiting ticker that would sleep longer.
void ticker_wakeup_note_delayed(TimestampTz deliver_at);

}  // namespace pgqpp::ext
