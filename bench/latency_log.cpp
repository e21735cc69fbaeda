// SPDX-License-Identifier: PostgreSQL
#include "latency_log.hpp"

#include <algorithm>
#include <charconv>

namespace latency {

void Log::seen(std::string_view data) {
  std::size_t i = 0;
  auto [end, ec] = std::from_chars(data.data(), data.data() + data.size(), i);
  if (ec != std::errc() || end != data.data() + data.size() || i >= seen_.size()) return;
  if (seen_[i] >= 0) {
    repeats_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  seen_[i] = now_us();
  consumed_.fetch_add(1, std::memory_order_release);
}

std::vector<double> Log::sorted_latencies_ms() const {
  std::vector<double> out;
  for (std::size_t i = 0; i < seen_.size(); ++i)
    if (seen_[i] >= 0 && committed_[i] >= 0) out.push_back((seen_[i] - committed_[i]) / 1000.0);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace latency
