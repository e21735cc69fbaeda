// SPDX-License-Identifier: PostgreSQL
// The fixture of the cases that drive `pgqpp ticker` against the test
// cluster (was tests/lib/ticker.sh): a work folder of the case's own with
// the ticker's log and pidfile, a pgqd-style config with short periods, the
// daemon's one-shot runs, and the Prometheus endpoint. Most cases use queue
// q with consumer c.
#pragma once

#include <string>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {

class TickerTest : public DatabaseTest {
 protected:
  void SetUp() override;
  /// Kills a daemon left running by its pidfile, then DatabaseTest's.
  void TearDown() override;

  /// The `pgqpp` binary of the build.
  std::string pgqpp() const;
  /// Runs `pgqpp ticker ARGS` (ARGS as the shell reads them; 30 s at most:
  /// a daemon that should have refused to start must not hang the case),
  /// stdout and stderr in the files out and err; returns the exit code.
  int run_ticker(const std::string& args);
  /// Writes a pgqd-style config for the test cluster into the work folder
  /// and returns its path: `databases` in database_list, the log in `log`,
  /// short periods (ticks 0.2 s, retries 0.3 s, maintenance and discovery
  /// 0.5 s, stats 1 s) and `extra` lines.
  std::string write_ini(const std::string& name, const std::string& databases,
                        const std::string& extra = "");
  /// The log holds a line matching `pattern` (an ECMAScript regex).
  bool log_has(const std::string& pattern) const;
  /// Waits up to `seconds` for a log line matching `pattern`.
  bool wait_log(const std::string& pattern, int seconds) const;

  std::string work;      ///< PGQPP_TEST_WORK/<case>, emptied at the start
  std::string log;       ///< the ticker's log file (empty at the start)
  std::string pidfile;   ///< a pidfile path in the work folder (absent at the start)
  std::string out, err;  ///< run_ticker's stdout and stderr files
};

/// Consumes one batch of q for c on `c`: true if it held event `data`.
bool batch_has(pgqpp::Connection& c, const std::string& data);
/// Consumes one batch of q for c on `c`, asking for event `data` to come
/// again at once; false if no batch was ready.
bool retry_from_batch(pgqpp::Connection& c, const std::string& data);

/// A TCP port on 127.0.0.1 free at the moment of the call.
int free_port();
/// What the ticker's metrics endpoint on `port` answers at `path` (curl),
/// "" when it does not answer.
std::string scrape(int port, const std::string& path = "/metrics");
/// The value of sample `name{labels}` (`name` alone when `labels` is "")
/// in a scrape, "" when there is none.
std::string metric(const std::string& scraped, const std::string& name, const std::string& labels);

}  // namespace pgqpp_cluster
