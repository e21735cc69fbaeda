// SPDX-License-Identifier: PostgreSQL
// pgqpp's pgq.ticker() over 1,500 due queues with a lock table of a few
// hundred entries: capped per call, about two locks per tick, every queue
// ticked in the end (the checks: many_queues_ticker.hpp); and `pgqpp
// ticker` calling it again at once until they are.
#include <csignal>
#include <string>

#include "many_queues_ticker.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

TEST(ManyQueuesTicker, CappedPerCallBoundedLocksEveryQueueTicked) {
  OwnCluster cluster(cluster_env("PGQPP_TEST_WORK") + "/many_queues_ticker", many_queues_options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  check_many_queues_ticker(db, 2, "extension");
}

// `pgqpp ticker` calls pgq.ticker() again at once while a call ticks many
// queues, so that 1,500 due queues, 20 a call, are all ticked well within
// one ticker_period (30 s here; the cluster has no preloaded library, so
// the daemon ticks every ticker_period), not 20 a period.
TEST(ManyQueuesTicker, DaemonTicksEveryDueQueueWithinOnePeriod) {
  const std::string work = cluster_env("PGQPP_TEST_WORK") + "/many_queues_daemon";
  OwnCluster cluster(work, many_queues_options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  constexpr int queues = 1500;
  for (int i = 1; i <= queues; i += 10)
    db.exec("select pgq.create_queue('q' || i) from generate_series(" + std::to_string(i) + ", " +
            std::to_string(i + 9) + ") i");
  // Each queue has the tick create_queue made and is due a second one;
  // after it, none is due for half an hour.
  db.exec(
      "update pgq.queue set queue_ticker_max_lag = '1 hour', queue_ticker_idle_period = '1 hour'");
  auto unticked = [&] {
    pgqpp::Rows r = db.exec(
        "select count(*) from pgq.queue q "
        "where (select count(*) from pgq.tick where tick_queue = q.queue_id) < 2");
    return std::string(r.get(0, 0).value_or(""));
  };
  ASSERT_EQ(unticked(), std::to_string(queues));

  const std::string log = work + "/ticker.log";
  Process ticker({cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp", "ticker", "-q", "--syslog", "0",
                  "--logfile", log, "--database", "postgres", "--ticker-period", "30"},
                 work + "/ticker.out", {{"PGPORT", cluster.port}, {"PGDATABASE", "postgres"}});
  using namespace std::chrono_literals;
  EXPECT_TRUE(eventually([&] { return unticked() == "0"; }, 20s))
      << unticked() << " of " << queues << " due queues still without their tick after 20 s:\n"
      << read_file(log);
  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit code after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
