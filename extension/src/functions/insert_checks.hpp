// The queue settings every producer obeys (insert_event, the bulk insert,
// the change-capture triggers): queue_disable_insert and
// queue_per_tx_limit, with PgQ's error texts.
#pragma once

#include "functions/queue_cache.hpp"

namespace pgqpp::ext {

/// Throws Error unless `count` more events may go into the queue in the
/// current transaction; counts them when they may.
void check_insert_allowed(const QueueInfo& q, const char* queue_name, int64 count);

}  // namespace pgqpp::ext
