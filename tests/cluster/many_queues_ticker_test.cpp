// SPDX-License-Identifier: PostgreSQL
// pgqpp's pgq.ticker() over 1,500 due queues with a lock table of a few
// hundred entries: capped per call, about two locks per tick, every queue
// ticked in the end (the checks: many_queues_ticker.hpp).
#include "many_queues_ticker.hpp"

namespace pgqpp_cluster {
namespace {

TEST(ManyQueuesTicker, CappedPerCallBoundedLocksEveryQueueTicked) {
  OwnCluster cluster(cluster_env("PGQPP_TEST_WORK") + "/many_queues_ticker", many_queues_options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create extension pgqpp");
  check_many_queues_ticker(db, 2, "extension");
}

}  // namespace
}  // namespace pgqpp_cluster
