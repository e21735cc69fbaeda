// SPDX-License-Identifier: PostgreSQL
// What the console's queue page shows (GET /api/queue/NAME): the queue and
// its consumers as `status QUEUE --json` has them, each consumer's retry
// events, and the newest events with their payloads previewed
// (payload_preview.hpp). The queue name is only ever a statement parameter.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli::web {

/// {"status": status --json for `queue`, "retries": [{consumer, events,
/// due}] (null when the role may not read pgq.retry_queue), "events": [{id, time, txid, retry,
/// type, data, extra1..4}]} with the newest `limit` events, newest first. Throws Failure when the
/// queue does not exist.
nlohmann::json queue_detail(Connection& db, const std::string& queue, double lag_threshold,
                            int limit);

}  // namespace pgqpp::cli::web
