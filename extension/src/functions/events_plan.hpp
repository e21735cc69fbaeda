// SPDX-License-Identifier: PostgreSQL
// Reading a batch's events through a prepared plan.
//
// The SELECT of a batch's events (core::batch_events_sql) holds the batch's
// txid bounds as literals, so each get_batch_events parsed and planned it
// afresh: for the one-event batches of a low-latency consumer that was most
// of the call's time (about 0.2 ms of 0.3). The same SELECT with the bounds
// as parameters (core::batch_events_param_sql) has a text that changes only
// when the queue's tables rotate, so this backend keeps its parsed
// statements, a few of them, and runs them with each batch's bounds. Each
// run is planned for its bounds (spi::PlanMode::custom), never the generic
// plan: an event table grows from empty after every rotation, and a generic
// plan chosen while it was small kept its sequential scan, so a consumer's
// batch reads slowed down with the table (4 ms to 27 ms for 50 events in
// 100 s of bench/held_xmin.sh; tests/cluster/batch_read_plan_test.cpp).
#pragma once

#include "functions/open_batch.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// Sends the events of batch `b` (without window or extra condition) to
/// `dest`, in ev_id order: what spi::execute_into(b.events_sql, dest) does,
/// through a kept plan. Call inside an open spi::Session.
void read_batch_events(const OpenBatch& b, DestReceiver* dest);

}  // namespace pgqpp::ext
