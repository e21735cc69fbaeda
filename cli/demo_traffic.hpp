// SPDX-License-Identifier: PostgreSQL
// The traffic of `pgqpp demo`: one producer thread inserting events at a
// steady rate through libpgqpp's bulk insert, and consumer threads (libpgqpp
// Consumers, woken by the ticker's NOTIFY) recording what they saw and how
// long after its insert each event arrived.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pgqpp/stop_source.hpp>

namespace pgqpp::cli {

/// What one consumer saw, copied out under its lock.
struct ConsumerReport {
  std::string name;
  long long events = 0;            ///< events handed to it
  long long distinct = 0;          ///< distinct ev_ids among them (filled by finish())
  long long batches = 0;           ///< batches it finished
  std::vector<double> latency_ms;  ///< insert-to-read latency per event
};

/// Producer and consumers on `queue`, each thread with its own connection.
class DemoTraffic {
 public:
  /// Starts the consumers (already registered on the queue) and the
  /// producer at `rate` events per second.
  DemoTraffic(std::string conninfo, std::string queue, std::vector<std::string> consumers,
              int rate);
  DemoTraffic(const DemoTraffic&) = delete;
  DemoTraffic& operator=(const DemoTraffic&) = delete;
  /// Stops and joins every thread.
  ~DemoTraffic();

  /// Events inserted (committed) so far.
  long long produced() const noexcept { return produced_.load(); }
  /// The consumers' counts so far; `take_latency` moves the latency samples
  /// gathered since the last call out (for a per-interval figure).
  std::vector<ConsumerReport> snapshot(bool take_latency);
  /// Stops the producer and waits for it.
  void stop_producer();
  /// How long the producer ran, from its first insert to its stop (seconds).
  double producer_seconds() const noexcept { return producer_seconds_; }
  /// Stops the consumers and waits for them; returns their full reports,
  /// with duplicates counted. Call after stop_producer().
  std::vector<ConsumerReport> finish();
  /// The first error a thread met, or empty.
  std::string error();

 private:
  struct ConsumerState;
  void produce(int rate);
  void consume(ConsumerState& state);
  void record_error(const std::string& what);

  std::string conninfo_;
  std::string queue_;
  std::atomic<long long> produced_{0};
  std::atomic<bool> producer_stop_{false};
  double producer_seconds_ = 0;  // written by the producer thread before it ends
  StopSource consumers_stop_;
  std::vector<std::unique_ptr<ConsumerState>> consumers_;
  std::thread producer_;
  std::mutex error_mutex_;
  std::string error_;
};

}  // namespace pgqpp::cli
