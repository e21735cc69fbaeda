// SPDX-License-Identifier: PostgreSQL
#include "latency_log.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

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

bool Log::write_trace(const char* path) const {
  // The steady clock's offset from the wall clock, read once: the run is
  // short, so their drift does not matter.
  std::int64_t offset = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() -
                        now_us();
  std::FILE* f = std::fopen(path, "w");
  if (f == nullptr) return false;
  for (std::size_t i = 0; i < seen_.size(); ++i)
    if (seen_[i] >= 0 && committed_[i] >= 0)
      std::fprintf(f, "%zu %lld %lld\n", i, static_cast<long long>(committed_[i] + offset),
                   static_cast<long long>(seen_[i] + offset));
  return std::fclose(f) == 0;
}

}  // namespace latency
