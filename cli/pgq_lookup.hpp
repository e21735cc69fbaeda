// SPDX-License-Identifier: PostgreSQL
// Checks the subcommands make before they act, so that an unknown
// queue or consumer, or a database without PgQ, is one clear line naming it
// (exit 1) rather than whatever the server's function says.
#pragma once

#include <string>
#include <vector>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli {

/// Throws Failure unless the database has PgQ's schema (pgqpp or PgQ 3.5).
void require_pgq(Connection& db);

/// Throws Failure (the one line of txid_horizon.hpp, saying what to do)
/// when pgq.tick holds snapshots ahead of the database's transaction ids,
/// as after restoring a dump into a cluster whose ids are lower.
void require_txids_past_ticks(Connection& db);

/// Throws Failure "queue Q does not exist ..." unless the queue exists.
void require_queue(Connection& db, const std::string& queue);

/// Throws Failure unless `consumer` is registered on `queue` (which is
/// checked first, so the message names the missing one).
void require_consumer(Connection& db, const std::string& queue, const std::string& consumer);

/// The consumers registered on `queue`, by name.
std::vector<std::string> consumers_of(Connection& db, const std::string& queue);

}  // namespace pgqpp::cli
