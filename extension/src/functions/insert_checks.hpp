// SPDX-License-Identifier: PostgreSQL
// The queue settings every producer obeys (insert_event, the bulk insert,
// the change-capture triggers): queue_disable_insert and
// queue_per_tx_limit, with PgQ's error texts.
//
// PgQ takes an event's id from the queue's sequence before it looks at these
// settings, so a refused insert still uses an id and the next event's id is
// one higher. Producers here keep that order: a single insert takes its id,
// then calls check_insert_allowed; the bulk insert, which takes its ids as
// it writes, asks insert_refusal and on a refusal takes the ids that the same
// events inserted one by one with insert_event would have taken.
#pragma once

#include <optional>

#include "functions/queue_cache.hpp"
#include "pg/bridge.hpp"

namespace pgqpp::ext {

/// Why `count` more events may not go into the queue in the current
/// transaction, or nothing when they may (they are then counted). On a
/// refusal, *ids_used is how many ids PgQ would have used inserting the
/// events one by one until the first refused one (that one included), and
/// the refused attempt is counted as PgQ counts it.
std::optional<Error> insert_refusal(const QueueInfo& q, const char* queue_name, int64 count,
                                    int64* ids_used);

/// Throws Error unless one more event may go into the queue in the current
/// transaction; counts it when it may. The caller has taken its id already.
void check_insert_allowed(const QueueInfo& q, const char* queue_name);

}  // namespace pgqpp::ext
