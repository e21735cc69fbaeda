// SPDX-License-Identifier: PostgreSQL
// The rule for events a consumer received more than once.
#pragma once
#include <cstdint>
#include <set>
#include <vector>

#include "records.hpp"

namespace pgqpp::fault {

/// What find_duplicates() found in one consumer's deliveries.
struct Duplicates {
  std::int64_t extra = 0;  ///< deliveries beyond each key's first
  KeySet other_batch;      ///< keys delivered in two different batches
  KeySet same_process;     ///< keys delivered twice to one process
  KeySet not_killed;       ///< keys delivered again after a process that was not killed
};

/// Applies the at-least-once rule to `deliveries` (sorted as Delivery
/// sorts): a key may come more than once only inside one batch, each time
/// to a later process, and only after every earlier process that had it was
/// killed (`killed` holds the killed processes' numbers).
Duplicates find_duplicates(const std::vector<Delivery>& deliveries, const std::set<int>& killed);

}  // namespace pgqpp::fault
