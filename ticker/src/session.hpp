// SPDX-License-Identifier: PostgreSQL
// One non-blocking libpq connection driven by the daemon's event loop: it
// connects, runs queued statements one after another (each in its own
// transaction), and hands each result to the job's handler. Any failure
// closes the connection and is reported once through on_failure; the owner
// decides when to reconnect.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace pgqpp::ticker {

using Clock = std::chrono::steady_clock;

/// A libpq connect string: `base` (the config's base_connstr) plus the
/// database and the application name, both quoted as libpq wants.
std::string conninfo_for(const std::string& base, const std::string& dbname,
                         const std::string& application_name);

/// A query result (owns the PGresult).
class Result {
 public:
  explicit Result(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  long long number(int row, int col) const { return std::atoll(PQgetvalue(r_.get(), row, col)); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Session {
 public:
  using Handler = std::function<void(const Result&)>;
  /// A failed statement's SQLSTATE and one-line message.
  using ErrorHandler = std::function<void(const std::string& sqlstate, const std::string& message)>;

  Session() = default;
  ~Session() { close(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts connecting; false (with error()) if libpq refuses at once.
  bool connect(const std::string& conninfo);
  void close();

  bool connected() const { return state_ == State::ready || state_ == State::busy; }
  bool down() const { return state_ == State::down; }
  bool idle() const { return state_ == State::ready && jobs_.empty(); }
  Clock::time_point connected_at() const { return connected_at_; }
  const std::string& error() const { return error_; }

  /// Queues a statement; `handler` runs with its result when it succeeds,
  /// `on_error` (when given, else on_sql_error) when it fails.
  void run(std::string sql, std::vector<std::string> params, Handler handler,
           ErrorHandler on_error = {});
  /// As run(), as the named prepared statement `name`: prepared on first
  /// use on each connection, then only executed (no parsing or planning per
  /// call). For statements the daemon runs many times a second.
  void run_prepared(std::string name, std::string sql, std::vector<std::string> params,
                    Handler handler, ErrorHandler on_error = {});

  /// The socket and the poll events to wait for (0 when nothing to wait for).
  int socket() const;
  short poll_events() const;

  /// Advances after the socket became ready. Returns false when the
  /// connection failed (error() says why); the session is then down.
  bool on_ready();

  /// Called when connecting finishes.
  std::function<void()> on_connected;

  /// Called when a statement without its own error handler fails while the
  /// connection stays usable (the statement's transaction was rolled back;
  /// later jobs still run).
  std::function<void(const std::string& sql, const std::string& sqlstate,
                     const std::string& message)>
      on_sql_error;

 private:
  enum class State { down, connecting, ready, busy };
  struct Job {
    std::string sql;
    std::vector<std::string> params;
    Handler handler;
    ErrorHandler on_error;
    std::string name;        // prepared statement name; empty: unnamed
    bool preparing = false;  // the Prepare message is in flight
  };

  bool fail(const std::string& what);
  bool start_next();
  bool read_results();

  PGconn* conn_ = nullptr;
  State state_ = State::down;
  PostgresPollingStatusType polling_ = PGRES_POLLING_WRITING;
  bool want_write_ = false;
  std::deque<Job> jobs_;
  std::set<std::string> prepared_;  // statements prepared on this connection
  std::string error_;
  std::string job_error_;
  std::string job_sqlstate_;
  Clock::time_point connected_at_{};
};

}  // namespace pgqpp::ticker
