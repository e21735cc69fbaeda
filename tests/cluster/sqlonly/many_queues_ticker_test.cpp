// SPDX-License-Identifier: PostgreSQL
// The SQL-only edition's PL/pgSQL pgq.ticker() over 1,500 due queues with a
// lock table of a few hundred entries, capped as the extension's (the
// checks: ../many_queues_ticker.hpp).
#include "../many_queues_ticker.hpp"
#include "edition.hpp"

namespace pgqpp_cluster {
namespace {

TEST(SqlOnlyManyQueuesTicker, CappedPerCallBoundedLocksEveryQueueTicked) {
  OwnCluster cluster(cluster_env("PGQPP_TEST_WORK") + "/sqlonly_many_queues_ticker",
                     many_queues_options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  install_sqlonly_edition(cluster.conninfo());
  ASSERT_NE(std::string(db.exec("select pgq.sqlonly_version()").get(0, 0).value_or("")), "");
  check_many_queues_ticker(db, 4, "sqlonly");
}

}  // namespace
}  // namespace pgqpp_cluster
