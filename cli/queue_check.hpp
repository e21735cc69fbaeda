// Checks a subcommand makes before it starts: the queue exists, the consumer
// is registered. Each failure is a Failure with a message naming the fix.
#pragma once

#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli {

/// Throws Failure unless `queue` exists in the database of `db` (also when
/// the database has no PgQ at all).
void require_queue(Connection& db, const std::string& queue);

/// Throws Failure unless `consumer` is registered on `queue`.
void require_consumer(Connection& db, const std::string& queue, const std::string& consumer);

}  // namespace pgqpp::cli
