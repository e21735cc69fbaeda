// SPDX-License-Identifier: PostgreSQL
// Without pgqpp in shared_preload_libraries, `pgqpp ticker` says once that
// the wake-up path is unavailable and ticks periodically, as pgqd does; and
// pgq.next_batch_wait falls back to looking every 10 ms (was
// tests/integration/ticker_fallback.sh). The case runs on a cluster of its
// own, started without shared_preload_libraries (own_cluster.hpp).
#include <unistd.h>

#include <csignal>
#include <string>
#include <thread>

#include "database_test.hpp"
#include "own_cluster.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

TEST(TickerFallback, PeriodicTicksAndPollingWithoutPreload) {
  const std::string work = cluster_env("PGQPP_TEST_WORK") + "/ticker_fallback";
  OwnCluster cluster(work);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster without shared_preload_libraries";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  db.exec("select pgq.create_queue('q')");
  db.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '0.1 seconds')");
  db.exec("select pgq.register_consumer('q', 'c')");

  const std::string log = work + "/ticker.log";
  Process ticker({cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp", "ticker", "-q", "--syslog", "0",
                  "--logfile", log, "--database", "postgres", "--ticker-period", "0.1"},
                 work + "/ticker.out", {{"PGPORT", cluster.port}, {"PGDATABASE", "postgres"}});
  const std::string notice = "wake-up path unavailable (pgqpp is not in shared_preload_libraries)";
  ASSERT_TRUE(eventually([&] { return count_lines(log, notice) > 0; }, 10s))
      << "no fallback notice in the log:\n"
      << read_file(log);

  db.exec("select pgq.insert_event('q', 't', 'periodic')");
  std::string b;
  bool arrived = eventually(
      [&] {
        b = first_value(db, "select pgq.next_batch('q', 'c')");
        if (b.empty()) return false;
        if (first_value(db, "select count(*) from pgq.get_batch_events(" + b +
                                ") where ev_data = 'periodic'") == "1")
          return true;
        db.exec("select pgq.finish_batch(" + b + ")");
        return false;
      },
      10s);
  ASSERT_TRUE(arrived) << "the event never arrived through periodic ticks";

  // pgq.next_batch_wait without the shared memory: it looks for a tick every
  // 10 ms, and returns the batches the periodic ticks make.
  db.exec("select pgq.finish_batch(" + b + ")");
  db.exec("select pgq.insert_event('q', 't', 'waited')");
  std::string got;
  for (int i = 0; i < 5 && got != "1"; ++i) {
    b = first_value(db, "select pgq.next_batch_wait('q', 'c', 5000)");
    ASSERT_NE(b, "") << "next_batch_wait returned NULL without shared_preload_libraries";
    got = first_value(
        db, "select count(*) from pgq.get_batch_events(" + b + ") where ev_data = 'waited'");
    db.exec("select pgq.finish_batch(" + b + ")");
  }
  EXPECT_EQ(got, "1") << "next_batch_wait never returned the batch with the event";

  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count_lines(log, "wake-up path unavailable"), 1)
      << "the fallback was logged more than once:\n"
      << read_file(log);
  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit code after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
