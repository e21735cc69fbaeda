// SPDX-License-Identifier: PostgreSQL
// PgQ's tick rule: see tick_policy.hpp.
#include "core/tick_policy.hpp"

namespace pgqpp::ext::core {

bool tick_due(const TickSettings& s, const std::optional<LastTick>& last) {
  if (!last) return true;
  if (last->new_events > 0) return last->new_events >= s.max_count || last->age_us >= s.max_lag_us;
  if (!last->previous_gap_us) return true;
  if (last->age_us < s.max_lag_us / 2) return false;
  if (last->age_us < *last->previous_gap_us * 2 && last->age_us < s.idle_period_us) return false;
  return true;
}

}  // namespace pgqpp::ext::core
