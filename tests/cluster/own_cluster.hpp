// SPDX-License-Identifier: PostgreSQL
// A throwaway cluster of a case's own, for what the shared test cluster
// cannot have (no preloaded library, max_prepared_transactions, crashes,
// a standby): the build's extension staged with tests/lib/cluster.sh's
// pg_stage, started with pg_start on a free port, stopped by the destructor.
#pragma once

#include <string>
#include <vector>

namespace pgqpp_cluster {

class OwnCluster {
 public:
  /// Starts the cluster under `dir` (emptied first) with the server
  /// options `options`, one pg_start argument each (e.g.
  /// "-c max_prepared_transactions=4"; without one, pgqpp is not preloaded).
  explicit OwnCluster(const std::string& dir, const std::vector<std::string>& options = {});
  /// Starts a streaming standby of `primary` under `dir` (emptied first): a
  /// base backup of it (pg_basebackup -R, cluster.sh's pg_base_backup),
  /// started with the primary's server options, as a hot standby needs
  /// settings like max_prepared_transactions not below the primary's. The
  /// primary needs wal_level replica or logical.
  OwnCluster(const std::string& dir, const OwnCluster& primary);
  ~OwnCluster();
  /// True when the server's bin directory (cluster.sh's PG_BINDIR) has
  /// program `name`: the PostgreSQL 17 of scripts/pg-major.sh has the
  /// server and a few client programs only (no pg_basebackup).
  static bool has_program(const std::string& name);
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  bool started() const { return started_ && !port.empty(); }
  /// A connection string for database `dbname` as postgres over TCP.
  std::string conninfo(const std::string& dbname = "postgres") const;
  /// Stops the server as a crash would (immediate shutdown: every backend
  /// gone at once, no checkpoint) and starts it again with its options, so
  /// that it runs crash recovery (cluster.sh's pg_crash_restart). Every
  /// connection to it is broken. False when it did not come back.
  bool crash_restart();
  /// The server log's path.
  std::string log() const { return dir_ + "/cluster/server.log"; }

  std::string port;  ///< its TCP port on 127.0.0.1

 private:
  // Stages the server under dir_ and runs `start` (shell commands with
  // cluster.sh's functions and $port, a free port) to start it.
  void start(const std::string& start);

  std::string dir_;
  std::vector<std::string> options_;
  bool started_ = false;
};

}  // namespace pgqpp_cluster
