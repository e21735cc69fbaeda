// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker` under a role without pgq_admin: every statement it runs
// fails with "permission denied". Over 10 s it must stay quiet and slow
// (issue 18: it wrote 64,169 log lines in 3 s and opened 318 sessions in
// 2 s; pgqd logs 3 lines in 5 s): a handful of log lines, each error once,
// and a handful of new sessions. Once the role gets pgq_admin, the ticker
// recovers by itself and says so (was tests/integration/ticker_no_rights.sh).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

class TickerNoRights : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    admin.exec("drop role if exists " + role);
    admin.exec("create role " + role + " login");
    db->exec("select pgq.create_queue('q')");
  }
  void TearDown() override {
    DatabaseTest::TearDown();
    admin.exec("drop role if exists " + role);
  }
  // Sessions ever opened to the test database (counted by the server; a
  // session's count reaches pg_stat_database within a second, or when it ends).
  long sessions() {
    return std::stol(
        q("select sessions from pg_stat_database where datname = '" + dbname + "'", &admin));
  }

  const std::string role = "tk_noadmin_" + std::to_string(getpid());
  pgqpp::Connection admin{conninfo("postgres")};
};

TEST_F(TickerNoRights, QuietAndSlowUntilGrantedThenRecovers) {
  const std::string work = cluster_env("PGQPP_TEST_WORK"), log = work + "/ticker_no_rights.log";
  std::remove(log.c_str());
  const long sessions_before = sessions();
  // Default periods (ticker_period 1 s, retry 30 s, maintenance 120 s, stats 30 s).
  Process ticker(
      {cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp", "ticker", "-q", "--syslog", "0", "--logfile",
       log, "--initial-database", "postgres", "--database", dbname, "--base-connstr",
       "host=" + cluster_env("PGHOST") + " port=" + cluster_env("PGPORT") + " user=" + role},
      work + "/ticker_no_rights.out");
  ASSERT_TRUE(eventually(
      [&] { return count_lines(log, "permission denied for function ticker") > 0; }, 10s))
      << "no permission error in the log:\n"
      << read_file(log);
  std::this_thread::sleep_for(10s);
  ASSERT_EQ(ticker.wait(0ms), -1) << "the ticker exited";

  const int lines = count_lines(log, "");
  EXPECT_LE(lines, 10) << lines << " log lines in 10 s, expected at most 10:\n" << read_file(log);
  for (const char* f : {"ticker", "maint_retry_events", "maint_operations"})
    EXPECT_EQ(count_lines(log, std::string("permission denied for function ") + f), 1)
        << "the error for " << f << " logged other than once";
  // While it keeps failing it keeps its connection and does not reconnect in
  // a loop: the backoff (1 s doubling to 30 s) bounds the new sessions.
  EXPECT_GE(
      std::stoi(q("select count(*) from pg_stat_activity where usename = '" + role + "'", &admin)),
      1)
      << "the ticker holds no connection";
  const long opened = sessions() - sessions_before;
  EXPECT_LE(opened, 8) << opened << " sessions opened in 10 s, expected at most 8";

  // --- given the rights, it recovers within the backoff (at most 30 s) ---
  admin.exec("grant pgq_admin to " + role);
  EXPECT_TRUE(eventually([&] { return count_lines(log, "works again after") > 0; }, 45s))
      << "no recovery line:\n"
      << read_file(log);
  db->exec("select pgq.insert_event('q', 't', 'x')");
  EXPECT_TRUE(eventually([&] { return q("select count(*) > 1 from pgq.tick") == "t"; }, 10s))
      << "no tick after the grant";

  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit code after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
