// SPDX-License-Identifier: PostgreSQL
// The record of one latency probe run: when each event's producing
// transaction had committed (as the producer saw it) and when a consumer had
// the event in hand, both on this process's steady clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

namespace latency {

/// Microseconds on the steady clock: producer and consumer are threads of
/// one process, so their readings compare directly.
inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Event i's payload is its number i; the producer writes committed[i], the
/// consumer seen[i] (each slot by one thread only; read after both are done).
class Log {
 public:
  /// Room for `capacity` events (the producer stops there).
  explicit Log(std::size_t capacity) : committed_(capacity, -1), seen_(capacity, -1) {}

  std::size_t capacity() const { return committed_.size(); }

  /// Producer: event `i` is committed now.
  void committed(std::size_t i) {
    committed_[i] = now_us();
    produced_.store(i + 1, std::memory_order_release);
  }

  /// Consumer: the event whose payload is `data` is in hand now. Payloads
  /// that are not an event number of this run (left by an earlier run) are
  /// ignored; repeats (a batch delivered again) are only counted.
  void seen(std::string_view data);

  /// Events the producer committed so far.
  std::size_t produced() const { return produced_.load(std::memory_order_acquire); }
  /// Distinct events a consumer has seen so far.
  std::size_t consumed() const { return consumed_.load(std::memory_order_acquire); }

  /// Events of this run seen again after their first delivery.
  std::size_t repeats() const { return repeats_.load(std::memory_order_relaxed); }

  /// Latencies (seen - committed) in milliseconds of the events seen, sorted.
  std::vector<double> sorted_latencies_ms() const;

  /// Writes one line per event seen, `i committed_us seen_us`, both on the
  /// wall clock (microseconds since the epoch), so that they line up with
  /// the server's timestamps (bench/latency_trace.sh). False if it cannot.
  bool write_trace(const char* path) const;

 private:
  std::vector<std::int64_t> committed_, seen_;
  std::atomic<std::size_t> produced_{0}, consumed_{0}, repeats_{0};
};

}  // namespace latency
