// SPDX-License-Identifier: PostgreSQL
// The daemon's work for one database: a connection (Session) and the timers
// that drive ticks, retry moves and maintenance there. One slow database
// never delays another: each has its own connection, all driven by one
// event loop.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "log.hpp"
#include "session.hpp"

namespace pgqpp::ticker {

/// Counters since the start, for the statistics line.
struct DatabaseStats {
  long long ticks = 0;          // ticks made by pgq.ticker()
  long long woken_ticks = 0;    // ticks made at once by the wake-up path
  long long retries_moved = 0;  // events moved back by maint_retry_events
  long long maint_ops = 0;      // maintenance operations run
  long long errors = 0;         // failed statements and connections
};

/// One queue's figures from pgq.get_queue_info(), for the metrics endpoint.
struct QueueFigures {
  std::string name;
  double last_tick_age = 0;  // seconds
  std::optional<double> ev_per_sec;
  long long ev_new = 0;  // events since the last tick
  long long last_tick_id = 0;
  long long events_total = 0;  // the event sequence's value
};

/// One consumer's figures from pgq.get_consumer_info().
struct ConsumerFigures {
  std::string queue, consumer;
  double lag = 0;        // seconds behind
  double last_seen = 0;  // seconds since its last batch call
  long long pending = 0;
};

/// Metric name -> sample lines, gathered from every database.
using MetricLines = std::map<std::string, std::vector<std::string>>;

class DatabaseWorker {
 public:
  DatabaseWorker(std::string name, const Config& config, Log& log);

  const std::string& name() const { return name_; }
  Session& session() { return session_; }
  /// The second connection, waiting in pgq.wakeup_ticker() (when available).
  Session& waiter() { return waiter_; }
  /// Whether the wake-up path works here (false: periodic ticking only).
  bool woken() const { return wakeup_ == Wakeup::active; }
  const DatabaseStats& stats() const { return stats_; }

  /// Picks up a reloaded config (periods apply from the next run on).
  void reconfigure(const Config& config) { config_ = config; }

  /// Runs whatever is due at `now`: (re)connecting, tick, retry, maintenance.
  void on_time(Clock::time_point now);

  /// A socket became ready: the main connection's, or the waiter's.
  void on_io(Clock::time_point now);
  void on_waiter_io(Clock::time_point now);

  /// When on_time next has something to do.
  Clock::time_point next_deadline() const;

  /// Keeps queue and consumer figures fresh for the metrics endpoint.
  void enable_figures() { figures_enabled_ = true; }

  /// Adds this database's samples to `out`.
  void add_metrics(MetricLines& out) const;

  /// Closes the connection (at shutdown, or when the database goes away).
  void stop() {
    session_.close();
    waiter_.close();
  }
  bool busy() const { return session_.connected() && !session_.idle(); }

 private:
  void connect(Clock::time_point now);
  void on_connected();
  void connection_failed(Clock::time_point now);
  void schedule_maintenance();
  void run_retry();
  void start_waiter();
  void wait_once();
  void waiter_unavailable(const std::string& why);
  void refresh_figures();

  // The wake-up path: not tried yet, working, or unavailable on this server.
  enum class Wakeup { unknown, active, unavailable };

  std::string name_;
  Config config_;
  Log& log_;
  Session session_;
  Session waiter_;
  Wakeup wakeup_ = Wakeup::unknown;
  DatabaseStats stats_;

  bool has_pgq_ = false;  // pgq schema found on this connection
  bool failing_ = false;  // the last connection attempt failed (logged once)
  int failures_ = 0;
  double backoff_ = 1;  // seconds until the next attempt after a failure
  bool reported_no_pgq_ = false;
  Clock::time_point next_connect_{};
  Clock::time_point next_tick_{};
  Clock::time_point next_retry_{};
  Clock::time_point next_maint_{};
  Clock::time_point next_stats_{};
  bool figures_enabled_ = false;
  Clock::time_point next_figures_{};
  std::vector<QueueFigures> queues_;
  std::vector<ConsumerFigures> consumers_;
};

}  // namespace pgqpp::ticker
