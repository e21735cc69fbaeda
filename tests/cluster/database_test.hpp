// SPDX-License-Identifier: PostgreSQL
// The fixture of the GoogleTest cases that run against the shared test
// cluster of ctest (the fixture `cluster`, tests/harness/fixture.sh): each
// case gets a database of its own with the extension installed, dropped
// after it, and fails when a backend crashed while it ran, as
// tests/harness/run.sh does for the scripts. The cluster is named by the
// file fixture.sh writes (PGQPP_CLUSTER_ENV, set by ctest); its variables
// (PGHOST, PGPORT, PGQPP_TEST_DATA, ...) become this process's environment.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pgqpp/pgqpp.hpp"

namespace pgqpp_cluster {

/// The value of an environment variable of the cluster; fails the test
/// (throws) when it is not set.
std::string cluster_env(const char* name);

/// Runs a shell command line; returns its exit status (-1 when it did not run).
int run_command(const std::string& command);
/// A connection string for database `name` of the cluster, with the
/// statement timeout every statement of these tests runs under.
std::string conninfo(const std::string& name);
/// Runs one statement on `c` and returns the first value of its first row:
/// "" when there is none or it is NULL (for the tests that hold connections
/// of their own, outside DatabaseTest).
std::string first_value(pgqpp::Connection& c, const std::string& sql);
/// Polls `done` every 20 ms for up to `limit`; false on timeout.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(30));

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Creates another database (dropped after the test); returns its name.
  std::string create_database(const std::string& suffix);
  /// Drops database `name` after the test (one something else created).
  void drop_afterwards(const std::string& name) { databases_.push_back(name); }

  /// Runs one statement on `c` (default: the test's database) and returns
  /// the first value of its first row: "" when there is none or it is NULL.
  std::string q(const std::string& sql, pgqpp::Connection* c = nullptr);
  /// Every row of one statement as psql -At prints it: columns joined by
  /// '|', rows by '\n', NULL as "".
  std::string rows(const std::string& sql, pgqpp::Connection* c = nullptr);
  /// Adds a tick to `queue` now (force_tick, then ticker).
  void tick(const std::string& queue, pgqpp::Connection* c = nullptr);

  std::string dbname;                     ///< the test's database
  std::unique_ptr<pgqpp::Connection> db;  ///< connected to it

 private:
  std::vector<std::string> databases_;
  long log_start_ = 0;
};

}  // namespace pgqpp_cluster
