// SPDX-License-Identifier: PostgreSQL
// What `pgqpp status` shows: one snapshot of every queue and consumer, as
// read from pgq.get_queue_info() and pgq.get_consumer_info(), and the rule
// that decides which of them are problems.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "status_coop.hpp"

namespace pgqpp::cli {

/// One queue, with durations in seconds. Optional fields are unknown when
/// the server has no data for them (e.g. events/s before the second tick).
struct QueueStatus {
  std::string name;
  std::optional<double> events_per_second;   ///< ev_per_sec: over the last up to 20 ticks
  std::int64_t pending_events = 0;           ///< ev_new: inserted since the newest tick
  std::optional<std::int64_t> last_tick_id;  ///< the newest tick
  std::optional<double> last_tick_age;       ///< ticker_lag: age of the newest tick
  bool ticker_paused = false;
  bool external_ticker = false;
  std::int64_t ticker_max_count = 0;
  double ticker_max_lag = 0;
  double ticker_idle_period = 0;
  int current_table = 0;                    ///< queue_cur_table (0-based)
  int tables = 0;                           ///< queue_ntables
  std::optional<double> last_rotation_age;  ///< since queue_switch_time
  double rotation_period = 0;
  /// Delayed events stored and not delivered yet (unknown: PgQ 3.5, pgqpp
  /// before 1.3), and seconds from now until the earliest is due (negative:
  /// overdue; unknown also when none waits).
  std::optional<std::int64_t> delayed_pending;
  std::optional<double> delayed_next_due;
  bool ticker_late = false;  ///< set by evaluate_status
};

/// One consumer's registration on one queue, durations in seconds.
struct ConsumerStatus {
  std::string queue;
  std::string name;
  std::optional<double> lag;                   ///< age of its position (last finished tick)
  std::optional<double> last_seen;             ///< since its last next_batch / finish_batch
  std::optional<std::int64_t> last_tick_id;    ///< its position
  std::optional<std::int64_t> open_batch_id;   ///< the batch it holds open, if any
  std::optional<std::int64_t> pending_events;  ///< events between its position and the newest tick
  std::optional<std::int64_t> dead_letters;    ///< its dead letters (unknown: PgQ 3.5, pgqpp < 1.2)
  bool lagging = false;                        ///< set by evaluate_status
  /// max_batch_events, the bounded batches' limit (unset: PgQ's batches)
  std::optional<std::int64_t> max_batch_events;
};

/// Everything one `pgqpp status` round shows.
struct StatusSnapshot {
  std::string database;
  std::string server_time;  ///< ISO 8601, UTC, from the server's clock
  double lag_threshold = 60;
  std::vector<QueueStatus> queues;
  std::vector<ConsumerStatus> consumers;        ///< without subconsumers
  std::vector<SubconsumerStatus> subconsumers;  ///< pgq_coop's, see status_coop.hpp
  std::vector<std::string> problems;            ///< one sentence each, set by evaluate_status
};

/// The default of --lag-threshold, in seconds.
inline constexpr double default_lag_threshold = 60;

/// Marks the problems in `snapshot` against its lag_threshold and lists them
/// in snapshot.problems:
/// - a consumer lags when its lag exceeds the threshold while it is behind
///   its queue's newest tick (a consumer that has everything is never
///   lagging, however long ago its queue last ticked);
/// - a queue's ticker is late when, neither paused nor externally ticked,
///   its newest tick is older than ticker_idle_period plus the threshold
///   (a ticker ticks every queue at least once per idle period).
void evaluate_status(StatusSnapshot& snapshot);

}  // namespace pgqpp::cli
