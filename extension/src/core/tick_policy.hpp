// SPDX-License-Identifier: PostgreSQL
// When the ticker adds a tick to a queue: PgQ 3.5's rule, as pure C++.
// Durations are in microseconds.
#pragma once

#include <cstdint>
#include <optional>

namespace pgqpp::ext::core {

struct TickSettings {
  std::int64_t max_count = 500;            // queue_ticker_max_count
  std::int64_t max_lag_us = 3000000;       // queue_ticker_max_lag
  std::int64_t idle_period_us = 60000000;  // queue_ticker_idle_period
};

struct LastTick {
  std::int64_t new_events = 0;  // event sequence now minus at the last tick
  std::int64_t age_us = 0;      // now minus the last tick's time
  /// Time between the last tick and the one before it, if there is one.
  std::optional<std::int64_t> previous_gap_us;
};

/// True when a tick is due. With no last tick, a tick is always due. With new
/// events: when max_count events arrived or max_lag passed. With none: the
/// idle ticks space out, doubling their gap up to idle_period, but never
/// closer than max_lag / 2.
bool tick_due(const TickSettings& settings, const std::optional<LastTick>& last);

}  // namespace pgqpp::ext::core
