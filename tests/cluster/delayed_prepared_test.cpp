// SPDX-License-Identifier: PostgreSQL
// A delayed event stored by a prepared transaction (PREPARE TRANSACTION,
// then COMMIT PREPARED from another session) wakes the waiting `pgqpp
// ticker` when it is due before the ticker's planned wake: here another
// delayed event due in 60 s is the ticker's next due time and pgq.ticker()
// runs only every 30 s, so without the COMMIT PREPARED wake-up (the
// ProcessUtility hook's callback in ticker_wakeup.cpp) the event would
// arrive after tens of seconds; it must arrive within a few. A cluster of
// its own, with max_prepared_transactions = 4 and pgqpp preloaded (was
// tests/integration/delayed_prepared.sh).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "database_test.hpp"
#include "own_cluster.hpp"
#include "process.hpp"
#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

TEST(DelayedPrepared, CommitPreparedWakesTheTicker) {
  const std::string work = cluster_env("PGQPP_TEST_WORK") + "/delayed_prepared";
  OwnCluster cluster(work, {"-c shared_preload_libraries=pgqpp", "-c max_prepared_transactions=4"});
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_prepared_transactions";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  db.exec("select pgq.create_queue('q')");
  db.exec("select pgq.set_queue_config('q', 'ticker_idle_period', '1 hour')");
  db.exec("select pgq.register_consumer('q', 'c')");
  db.exec("select pgq.insert_event_at('q', now() + interval '60 seconds', 'far', 'far')");

  const std::string log = work + "/ticker.log", ini = work + "/ticker.ini";
  std::ofstream(ini) << "[pgqd]\nbase_connstr = host=127.0.0.1 port=" << cluster.port
                     << " user=postgres\ninitial_database = postgres\n"
                     << "database_list = postgres\nlogfile = " << log << "\nsyslog = 0\n"
                     << "ticker_period = 30\nretry_period = 0.3\nmaint_period = 0.5\n"
                     << "check_period = 0.5\nstats_period = 1\n";
  Process ticker({cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp", "ticker", "-q", ini},
                 work + "/ticker.out");
  ASSERT_TRUE(eventually(
      [&] {
        return first_value(db,
                           "select count(*) = 1 from pg_stat_activity where query like "
                           "'%wakeup_ticker(%' and pid <> pg_backend_pid()") == "t";
      },
      10s))
      << "the ticker's waiting connection never came:\n"
      << read_file(log);
  std::this_thread::sleep_for(
      1s);  // it has looked at pgq.delayed_event and sleeps until the far event

  {
    pgqpp::Connection prep(cluster.conninfo());
    prep.exec("begin");
    prep.exec("select pgq.insert_event_at('q', now() + interval '1 second', 't', 'prepared')");
    prep.exec("prepare transaction 'delayed1'");
  }
  std::this_thread::sleep_for(500ms);
  const auto start = std::chrono::steady_clock::now();
  db.exec("commit prepared 'delayed1'");
  ASSERT_TRUE(eventually([&] { return batch_has(db, "prepared"); }, 8s))
      << "the prepared transaction's delayed event did not arrive within 8 s:\n"
      << read_file(log);
  std::printf(
      "delayed event of a prepared transaction: delivered %ld ms after COMMIT PREPARED "
      "(due 500 ms after it)\n",
      static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count()));
  EXPECT_EQ(first_value(db, "select pending from pgq.get_delayed_info('q')"), "1")
      << "the far event should still wait";
  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit code after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
