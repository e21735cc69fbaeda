// SPDX-License-Identifier: PostgreSQL
// Reads one status snapshot from the database.
#pragma once

#include <optional>
#include <string>

#include <pgqpp/connection.hpp>

#include "status_model.hpp"

namespace pgqpp::cli {

/// Every queue (or only `queue`) and its consumers, from
/// pgq.get_queue_info() and pgq.get_consumer_info(), read in one
/// repeatable-read transaction so the two agree; evaluated against
/// `lag_threshold` seconds (see evaluate_status). Works on PgQ 3.5 too.
StatusSnapshot read_status(Connection& db, const std::optional<std::string>& queue,
                           double lag_threshold);

}  // namespace pgqpp::cli
