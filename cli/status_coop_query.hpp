// SPDX-License-Identifier: PostgreSQL
// Reads the subconsumers (pgq_coop) of a status snapshot.
#pragma once

#include <pgqpp/param.hpp>
#include <pgqpp/transaction.hpp>

#include "status_model.hpp"

namespace pgqpp::cli {

/// Fills s.subconsumers from pgq.subscription (every queue, or the one
/// named by `queue`) and takes those registrations out of s.consumers:
/// a subconsumer is a registration 'C.S' sharing the sub_id of consumer C
/// on the same queue, as pgq_coop makes them (PgQ 3.5's pgq_coop too).
void read_subconsumers(Transaction& tx, const Param& queue, StatusSnapshot& s);

}  // namespace pgqpp::cli
