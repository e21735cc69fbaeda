// SPDX-License-Identifier: PostgreSQL
// Bounded batches (pgq.set_consumer_config(q, c, 'max_batch_events', N)):
// a tick interval with more than N events for the consumer is handed out as
// several batches over the same two ticks, each the next N events in ev_id
// order (an ev_id window, kept in pgq.consumer_config). The interval's event
// set is fixed by the ticks' snapshots, so windows over it give every event
// exactly once. Call inside an open spi::Session.
#pragma once

#include <optional>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// A subscription's row of pgq.consumer_config, as next_batch reads it.
struct BoundedState {
  bool has_row = false;             // the consumer has a pgq.consumer_config row
  std::optional<int32> max_events;  // the setting; unset: PgQ's batches
  std::optional<int64> last_tick;   // the interval being handed out...
  std::optional<int64> next_tick;   // ...(last_tick, next_tick]
  std::optional<int64> after_id;    // events up to this id were delivered
  std::optional<int64> upto_id;     // the open window's end (NULL between batches)
  std::optional<int64> max_id;      // the interval's highest ev_id

  /// The consumer is inside an interval, between two of its batches.
  bool in_progress(int64 sub_last_tick) const {
    return last_tick && *last_tick == sub_last_tick && next_tick && after_id && !upto_id;
  }
};

/// Whether pgq.consumer_config exists: a new library runs with an older
/// version's schema until ALTER EXTENSION ... UPDATE, without bounded batches.
bool has_consumer_config();

/// After next_batch opened `batch_id` over (last_tick, next_tick]: chooses
/// the batch's window (the whole interval when it is small enough) and
/// records it. `state` is the subscription's state before the batch opened.
void plan_bounded_batch(int64 batch_id, int32 queue_id, int32 consumer_id,
                        const BoundedState& state, int64 last_tick, int64 next_tick);

/// finish_batch's first step: when `batch_id` is a bounded batch whose
/// interval still has events after its window, moves past the window and
/// closes the batch without moving the consumer's position; returns true.
bool finish_partial_batch(int64 batch_id);

}  // namespace pgqpp::ext
