// SPDX-License-Identifier: PostgreSQL
// The spacing of woken ticks: see tick_spacing.hpp.
#include "core/tick_spacing.hpp"

#include <algorithm>
#include <cmath>

namespace pgqpp::ext::core {

namespace {
double decay(std::int64_t elapsed_us, std::int64_t window_us = kRateWindowUs) {
  return std::exp(-static_cast<double>(std::max<std::int64_t>(elapsed_us, 0)) /
                  static_cast<double>(window_us));
}
}  // namespace

void RateEstimate::note_tick(std::int64_t now_us, std::int64_t event_seq) {
  if (!started_ || event_seq < last_event_seq_) {
    started_ = true;
    decayed_events_ = 0;
  } else {
    decayed_events_ = decayed_events_ * decay(now_us - last_tick_us_) +
                      static_cast<double>(event_seq - last_event_seq_);
  }
  last_tick_us_ = now_us;
  last_event_seq_ = event_seq;
}

double RateEstimate::events_per_second(std::int64_t now_us) const {
  if (!started_) return 0;
  return decayed_events_ * decay(now_us - last_tick_us_) * 1e6 / kRateWindowUs;
}

void LaggingConsumers::note_tick(std::int64_t now_us, std::int64_t lagging) {
  lagging_ = std::max(at(now_us), static_cast<double>(lagging));
  noted_us_ = now_us;
}

double LaggingConsumers::at(std::int64_t now_us) const {
  return lagging_ * decay(now_us - noted_us_, kLaggingWindowUs);
}

std::int64_t tick_spacing_us(double events_per_second, const SpacingLimits& limits) {
  const double min_us = static_cast<double>(limits.min_interval_us);
  const double per_interval = events_per_second * min_us / 1e6;
  double spacing = min_us;
  if (per_interval > kSparseEvents) spacing = min_us * std::sqrt(per_interval / kSparseEvents);
  if (limits.lagging_consumers > kLaggingConsumersPerMinInterval)
    spacing =
        std::max(spacing, min_us * limits.lagging_consumers / kLaggingConsumersPerMinInterval);
  if (limits.max_count > 0 && events_per_second > 0)
    spacing = std::min(spacing, static_cast<double>(limits.max_count) * 1e6 / events_per_second);
  if (limits.max_lag_us > 0) spacing = std::min(spacing, static_cast<double>(limits.max_lag_us));
  return std::max(limits.min_interval_us, static_cast<std::int64_t>(spacing));
}

}  // namespace pgqpp::ext::core
