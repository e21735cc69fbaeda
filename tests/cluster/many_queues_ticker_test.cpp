// SPDX-License-Identifier: PostgreSQL
// pgqpp's pgq.ticker() over 1,500 due queues with a lock table of a few
// hundred entries: capped per call, about two locks per tick, every queue
// ticked in the end (the checks: many_queues_ticker.hpp); and `pgqpp
// ticker` calling it again at once until they are.
#include <csignal>
#include <string>
#include <thread>
#include <vector>

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

// ... and only then: a call that ticked fewer queues than the cap (20 here)
// ticked every due queue, and a second call would find none (in the SQL-only
// edition it would read every queue's event sequence again). 18 due queues
// take one call, 20 take two (the second finds none): the calls are counted
// by pg_stat_user_functions. The old rule (again from 16 ticks up) made two
// calls for 18.
TEST(ManyQueuesTicker, DaemonCallsAgainOnlyAfterACallAtTheCap) {
  const std::string work = cluster_env("PGQPP_TEST_WORK") + "/many_queues_cap";
  std::vector<std::string> options = many_queues_options;
  options.push_back("-c track_functions=all");
  OwnCluster cluster(work, options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  auto calls = [&] {
    return std::stol(first_value(db,
                                 "select coalesce(sum(calls), 0) from pg_stat_user_functions "
                                 "where schemaname = 'pgq' and funcname = 'ticker' "
                                 "and pg_get_function_identity_arguments(funcid) = ''"));
  };
  auto unticked = [&] {
    return first_value(db,
                       "select count(*) from pgq.queue q "
                       "where (select count(*) from pgq.tick where tick_queue = q.queue_id) < 2");
  };
  using namespace std::chrono_literals;
  const std::string log = work + "/ticker.log";
  // Runs the daemon until `due` new queues (each due its second tick, none
  // due again for an hour) are ticked; returns its calls of pgq.ticker().
  auto calls_for = [&](int due, const std::string& prefix) -> long {
    db.exec("select pgq.create_queue('" + prefix + "' || i) from generate_series(1, " +
            std::to_string(due) + ") i");
    db.exec(
        "update pgq.queue set queue_ticker_max_lag = '1 hour', queue_ticker_idle_period = '1 "
        "hour'");
    db.exec("select pg_stat_clear_snapshot()");
    const long before = calls();
    Process ticker({cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp", "ticker", "-q", "--syslog", "0",
                    "--logfile", log, "--database", "postgres", "--ticker-period", "30"},
                   work + "/ticker.out", {{"PGPORT", cluster.port}, {"PGDATABASE", "postgres"}});
    EXPECT_TRUE(eventually([&] { return unticked() == "0"; }, 20s))
        << unticked() << " queues without their tick:\n"
        << read_file(log);
    // The daemon's backend reports its function counts when it goes idle,
    // at most once a second: the first count may miss a call made right
    // after it; the 30-second period leaves the backend idle after them.
    EXPECT_TRUE(eventually([&] { return calls() > before; }, 15s)) << "no call counted";
    std::this_thread::sleep_for(3s);
    const long n = calls() - before;
    ticker.signal(SIGTERM);
    EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit code after SIGTERM";
    return n;
  };
  EXPECT_EQ(calls_for(18, "below"), 1) << "18 due queues, a cap of 20: one call ticks them all";
  EXPECT_EQ(calls_for(20, "at"), 2) << "20 due queues: the call reached the cap, so one more";
}

}  // namespace
}  // namespace pgqpp_cluster
