// SPDX-License-Identifier: PostgreSQL
// The consumer settings `pgqpp status` shows (max_batch_events), read
// beside the status snapshot.
#pragma once

#include <pgqpp/transaction.hpp>

#include "status_model.hpp"

namespace pgqpp::cli {

/// Fills each consumer's max_batch_events in `s` from pgq.consumer_config,
/// in the snapshot's transaction `tx`. Leaves them unset on servers without
/// consumer settings (PgQ 3.5, pgqpp before 1.2).
void read_consumer_limits(Transaction& tx, StatusSnapshot& s);

}  // namespace pgqpp::cli
