// SPDX-License-Identifier: PostgreSQL
// Waking consumers: every new tick with new events sends one NOTIFY on the
// queue's channel (idle ticks send none),
// so a consumer that LISTENs there learns of a new batch at once instead of
// polling. One notification per tick (never per event): producers never take
// the cluster-wide notify lock.
//
// Channel: pgqpp_tick_<queue_id>   payload: the new tick's id.
// Delivered when the ticking transaction commits, as any NOTIFY.
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// Queues the tick notification for queue `queue_id` (sent at commit).
void notify_tick(int32 queue_id, int64 tick_id);

/// The id of the queue named by a text datum (inside an spi::Session).
int32 queue_id_of(Datum queue_name);

}  // namespace pgqpp::ext
