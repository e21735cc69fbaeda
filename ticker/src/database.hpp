// SPDX-License-Identifier: PostgreSQL
// The daemon's work for one database: a connection (Session) and the timers
// that drive ticks, retry moves and maintenance there. One slow database
// never delays another: each has its own connection, all driven by one
// event loop.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "failure_run.hpp"
#include "log.hpp"
#include "metrics.hpp"
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

/// A periodic job on the database's connection (ticker, retry moves,
/// maintenance, the metrics figures): when it runs next, and its failures.
struct Periodic {
  explicit Periodic(const char* name) : what(name) {}
  const char* what;  // names the job in log lines
  Clock::time_point next{};
  FailureRun failures;
};

/// One queue's figures from pgq.get_queue_info(), for the metrics endpoint.
struct QueueFigures {
  std::string name;
  double last_tick_age = 0;  // seconds
  std::optional<double> ev_per_sec;
  long long ev_new = 0;  // events since the last tick
  long long last_tick_id = 0;
  long long last_event_id = 0;               // the event sequence's value (force_tick skips ids)
  std::optional<long long> delayed_pending;  // unknown before pgqpp 1.3 (get_delayed_info)
  std::optional<double> delayed_next_due;    // seconds until the earliest is due; none waiting
};

/// One consumer's figures from pgq.get_consumer_info().
struct ConsumerFigures {
  std::string queue, consumer;
  double lag = 0;        // seconds behind
  double last_seen = 0;  // seconds since its last batch call
  long long pending = 0;
  std::optional<long long> dead_letters;  // unknown without pgq.dead_letter (PgQ 3.5, pgqpp < 1.2)
};

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

  /// Whether the database has PgQ as far as the daemon knows (it stays true
  /// while the connection is down): only these are served and measured.
  bool serving() const { return serving_; }

  /// Adds this database's samples to `out` (none unless serving()).
  void add_metrics(MetricLines& out) const;

  /// Called when a connection fails or is lost (at most once per backoff),
  /// so that the daemon looks at once whether the database was dropped (a
  /// dropping DROP DATABASE ... WITH (FORCE) cuts the connection before the
  /// database is gone: the next failed attempt looks again).
  std::function<void()> on_lost;

  /// Closes the connection (at shutdown, or when the database goes away).
  void stop() {
    session_.close();
    waiter_.close();
  }
  bool busy() const { return session_.connected() && !session_.idle(); }

 private:
  void connect(Clock::time_point now);
  void on_connected();
  void on_pgq_check(const Result& r);
  /// Ticks from a cluster further on: logs `problem`, serves nothing, looks again later.
  void refuse(const std::string& problem);
  /// The checks passed: ticks, retries, maintenance and the wake-up path start.
  void start_serving(const std::string& what);
  void connection_failed(Clock::time_point now);
  /// Runs pgq.ticker(); again at once while a call ticks many queues
  /// (`in_a_row`: the calls so far).
  void run_tick(int in_a_row = 1);
  void schedule_maintenance();
  void run_maintenance(const Result& r);
  void maint_op_done(const std::string& sql);
  void run_retry();
  void start_waiter(Clock::time_point now);
  void wait_once();
  void waiter_failed(const std::string& message, bool quiet);
  void waiter_unavailable(const std::string& why);
  void refresh_figures();
  void refresh_delayed();
  void refresh_consumers();
  void refresh_consumer_settings();
  void read_consumer_settings();
  void add_consumer_setting_metrics(const ConsumerFigures& c, const std::string& labels,
                                    MetricLines& out) const;
  void log_stats(Clock::time_point now);
  /// The job's statement succeeded: next run after `period`; a recovery is logged.
  void succeeded(Periodic& job, double period);
  /// The job's statement failed: logged (repeats sparingly), next run after
  /// `period` or the backoff.
  Session::ErrorHandler failed(Periodic& job, double period, const std::string& sql);

  // The wake-up path: not tried yet, working, or unavailable on this server.
  enum class Wakeup { unknown, active, unavailable };

  std::string name_;
  Config config_;
  Log& log_;
  Session session_;
  Session waiter_;
  Wakeup wakeup_ = Wakeup::unknown;
  DatabaseStats stats_;

  bool has_pgq_ = false;   // pgq schema found on this connection
  bool serving_ = false;   // pgq schema found at the last look
  bool sql_only_ = false;  // the SQL-only edition (docs/managed.md): its wake-up path polls
  // pgqpp's per-call cap of pgq.ticker() on this server (2 x
  // max_locks_per_transaction, at least 16): run_tick calls again only
  // after a call that ticked that many.
  long long tick_call_cap_ = 16;
  bool waiter_quiet_ = false;  // the last wait returned no tick (a quiet second)
  bool reported_no_pgq_ = false;
  bool reported_txid_behind_ = false;  // refused for ticks ahead of the txids
  FailureRun connection_failures_;
  Clock::time_point next_connect_{};
  FailureRun waiter_failures_;
  Clock::time_point next_waiter_{};
  Periodic tick_{"pgq.ticker()"};
  Periodic retry_{"pgq.maint_retry_events()"};
  Periodic maint_{"pgq.maint_operations()"};
  Periodic figures_{"the metrics refresh"};
  std::map<std::string, FailureRun> statement_failures_;  // by statement: maintenance operations
  Clock::time_point next_stats_{};
  bool figures_enabled_ = false;
  bool dead_letters_known_ = false;  // the last figures came from a schema with dead letters
  std::optional<std::chrono::system_clock::time_point> figures_at_;  // last good refresh
  std::vector<QueueFigures> queues_;
  std::vector<ConsumerFigures> consumers_;
  // max_batch_events by (queue, consumer): only the consumers that have one
  std::map<std::pair<std::string, std::string>, long long> max_batch_events_;
};

}  // namespace pgqpp::ticker
