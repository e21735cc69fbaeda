// SPDX-License-Identifier: PostgreSQL
// The SQL-only edition's PL/pgSQL pgq.ticker() over 1,500 due queues with a
// lock table of a few hundred entries, capped as the extension's (the
// checks: ../many_queues_ticker.hpp).
#include "../many_queues_ticker.hpp"
#include "../process.hpp"

namespace pgqpp_cluster {
namespace {

TEST(SqlOnlyManyQueuesTicker, CappedPerCallBoundedLocksEveryQueueTicked) {
  OwnCluster cluster(cluster_env("PGQPP_TEST_WORK") + "/sqlonly_many_queues_ticker",
                     many_queues_options);
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster with max_locks_per_transaction = 10";
  pgqpp::Connection db(cluster.conninfo());
  db.exec("create role pgq_reader");
  db.exec("create role pgq_writer");
  db.exec("create role pgq_admin in role pgq_reader, pgq_writer");
  std::string file = command_output("ls '" + cluster_env("PGQPP_BUILD_DIR") +
                                    "'/pgqpp-sqlonly--*.sql | sort -V | tail -1");
  file = file.substr(0, file.find_last_not_of('\n') + 1);
  ASSERT_FALSE(file.empty()) << "no pgqpp-sqlonly--*.sql in the build";
  ASSERT_EQ(run_command("psql -X -q -v ON_ERROR_STOP=1 -d '" + cluster.conninfo() + "' -f '" +
                        file + "' >/dev/null"),
            0)
      << "installing " << file << " failed";
  ASSERT_NE(std::string(db.exec("select pgq.sqlonly_version()").get(0, 0).value_or("")), "");
  check_many_queues_ticker(db, 4, "sqlonly");
}

}  // namespace
}  // namespace pgqpp_cluster
