// SPDX-License-Identifier: PostgreSQL
// Moving a queue's due retry events back into it now (pgq.maint_retry_events,
// which the ticker otherwise runs every retry_period): `pgqpp retry` and the
// console's retry action (`pgqpp web --allow-actions`) share it.
#pragma once

#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli {

/// How many due retry events a move took back.
struct RetryMove {
  long long of_queue = 0;  ///< of the queue (and consumer) asked for
  long long all = 0;       ///< in all queues (maint_retry_events moves every due event)
};

/// Runs pgq.maint_retry_events until it has moved every event due at the
/// start of its transaction, and counts those of `queue` (of `consumer`
/// only, unless it is ""). Throws Failure when the queue or consumer does
/// not exist.
RetryMove move_due_retries(Connection& db, const std::string& queue, const std::string& consumer);

}  // namespace pgqpp::cli
