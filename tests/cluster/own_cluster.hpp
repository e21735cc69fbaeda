// SPDX-License-Identifier: PostgreSQL
// A throwaway cluster of a case's own, for what the shared test cluster
// cannot have (no preloaded library, max_prepared_transactions): the
// build's extension staged with tests/lib/cluster.sh's pg_stage, started
// with pg_start on a free port, stopped by the destructor.
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
  ~OwnCluster();
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  bool started() const { return started_ && !port.empty(); }
  /// A connection string for database `dbname` as postgres over TCP.
  std::string conninfo(const std::string& dbname = "postgres") const;

  std::string port;  ///< its TCP port on 127.0.0.1

 private:
  std::string dir_;
  bool started_ = false;
};

}  // namespace pgqpp_cluster
