// SPDX-License-Identifier: PostgreSQL
// The console's sampler: a thread with its own database connection that
// reads one status snapshot every second (status_query.hpp), keeps the
// latest as `status --json` shows it, and a bounded ring of samples (lag,
// pending events and throughput per queue and consumer) for the charts.
// A slow or unreachable database makes a sample with an error, never a
// hang: connect and statements are limited to a few seconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "common.hpp"

namespace pgqpp::cli::web {

/// What the sampler was given.
struct SamplerSettings {
  ConnectOptions conn;
  double lag_threshold = 60;
  std::size_t history = 600;  ///< samples kept (one a second: 10 minutes)
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds db_timeout{3000};  ///< connect and statement limit
};

/// One round, as /api/stream sends it: {"seq", "sample", "status", "error"}.
struct Round {
  std::uint64_t seq = 0;  ///< 1, 2, ...: 0 is "none yet"
  nlohmann::json status;  ///< status --json's document; null when the round failed
  nlohmann::json sample;  ///< the ring's entry of this round
  std::string error;      ///< why the round failed ("" when it did not)
};

class Sampler {
 public:
  /// Starts the thread; the first round runs at once.
  explicit Sampler(SamplerSettings settings);
  /// Stops the thread (stop()) and waits for it.
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  /// Ends the rounds and wakes every wait_after(); the round under way
  /// finishes first (at most db_timeout).
  void stop();

  /// The newest round (seq 0 before the first ended).
  Round latest() const;
  /// {"interval_seconds", "history_seconds", "samples": [...]}, oldest first.
  nlohmann::json series() const;
  /// Waits up to `limit` for a round newer than `seq`; nullopt on timeout
  /// or once stopped.
  std::optional<Round> wait_after(std::uint64_t seq, std::chrono::milliseconds limit) const;
  /// True once stop() was called.
  bool stopped() const;
  /// The name of the database sampled, as its last good round read it
  /// ("" before one).
  std::string database() const;

 private:
  void run();
  Round one_round(std::optional<Connection>& db, std::uint64_t seq);

  SamplerSettings settings_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  Round latest_;
  std::string database_;
  std::deque<nlohmann::json> ring_;
  std::thread thread_;
};

/// The ring's entry for one status document (`status_json`), taken at
/// `unix_ms`: {"time", "queues": [{name, events_per_second, pending_events}],
/// "consumers": [{queue, name, lag, pending_events, lagging}]}.
nlohmann::json sample_of(const nlohmann::json& status, std::int64_t unix_ms);

}  // namespace pgqpp::cli::web
