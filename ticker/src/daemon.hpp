// SPDX-License-Identifier: PostgreSQL
// The ticker daemon: one event loop over every database's connection, the
// discovery of databases, signals (SIGTERM/SIGINT stop, SIGHUP reloads) and
// the pid file.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "config.hpp"
#include "database.hpp"
#include "log.hpp"
#include "metrics.hpp"

namespace pgqpp::ticker {

struct Options {
  std::optional<std::string> config_file;
  std::map<std::string, std::string> overrides;  // flags, applied over the file
  std::string metrics;  // HOST:PORT for the Prometheus endpoint, empty: none
  bool daemonize = false;
  bool quiet = false;
  bool verbose = false;
};

/// Reads the config file (if any) and applies the flag overrides.
Config effective_config(const Options& options);

class Daemon {
 public:
  explicit Daemon(Options options);
  ~Daemon();

  /// Runs until stopped by a signal; returns the process exit code.
  int run();

 private:
  void install_signals();
  void handle_signal(int sig);
  void reload();
  void discover(Clock::time_point now);
  void on_databases(const std::vector<std::string>& names);
  void report_missing(const std::vector<std::string>& found);
  bool pidfile_free();
  bool write_pidfile();
  int poll_once(Clock::time_point now);
  std::string metrics_text() const;

  Options options_;
  Config config_;
  Log log_;
  Session discovery_;
  MetricsServer metrics_;
  long long discovery_errors_ = 0;
  bool discovery_failing_ = false;
  Clock::time_point next_discovery_{};
  std::map<std::string, std::unique_ptr<DatabaseWorker>> databases_;
  std::set<std::string> reported_missing_;  // listed databases said not to exist
  int signal_pipe_[2] = {-1, -1};
  int stop_requests_ = 0;
  Clock::time_point stop_deadline_{};
  bool pidfile_written_ = false;
};

}  // namespace pgqpp::ticker
