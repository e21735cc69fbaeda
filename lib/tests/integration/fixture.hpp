// SPDX-License-Identifier: PostgreSQL
// Shared setup of libpgqpp's integration tests: a database (and a second one
// as an exactly-once target) on the server named by the PG* environment,
// created at start and dropped at the end, with the extension named by
// PGQPP_LIB_TEST_EXTENSION: pgqpp (default) or pgq (Debian's PgQ 3.5).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "pgqpp/pgqpp.hpp"

namespace pgqpp_it {

/// The extension under test is pgqpp (not PgQ 3.5).
bool testing_pgqpp();
/// Name of the main test database and of the exactly-once target database.
const std::string& db_name();
const std::string& target_db_name();
/// Connection strings for them.
std::string db_conninfo();
std::string target_conninfo();

/// Each test gets its own queue (and consumer "c") in the test database.
class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override;

  /// Runs SQL on the test database (own connection) and returns the first
  /// value of the first row ("" when none or NULL).
  std::string scalar(const std::string& sql);
  /// Inserts `n` events of type `type` with data "<prefix><i>" (bulk path);
  /// returns their data strings.
  std::vector<std::string> produce(int n, const std::string& type = "t",
                                   const std::string& prefix = "e");
  /// Adds a tick to the queue now.
  void tick();
  /// Moves due retries back into the queue, then ticks (how retries return).
  void retry_maintenance();
  /// Options for consumer "c" of this test's queue, returning when idle.
  pgqpp::ConsumerOptions options(const std::string& consumer = "c");
  /// Waits up to `limit` for `done`; false on timeout.
  static bool eventually(const std::function<bool()>& done,
                         std::chrono::milliseconds limit = std::chrono::seconds(20));

  std::string queue;
  pgqpp::Connection db{db_conninfo()};  ///< for the test's own SQL
};

}  // namespace pgqpp_it
