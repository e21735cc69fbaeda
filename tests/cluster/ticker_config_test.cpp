// SPDX-License-Identifier: PostgreSQL
// Config mistakes and pgqd's control flags (issue 18): a misspelt section is
// an error, not a run on defaults; a database in database_list that does not
// exist or has no PgQ is said at the default log level; `-d` fails when
// another instance holds the pidfile; -r, -s, -k signal the running daemon
// named by the config's pidfile (reload, stop with SIGINT, stop with SIGTERM),
// -V prints the version, as pgqd's flags do (was
// tests/integration/ticker_config.sh).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

using TickerConfig = TickerTest;

TEST_F(TickerConfig, MisspeltSectionIsAnError) {
  std::ofstream(work + "/section.ini") << "[pgqdd]\nbase_connstr = host=/nowhere\n";
  EXPECT_EQ(run_ticker("'" + work + "/section.ini'"), 2) << "[pgqdd]: exit code";
  EXPECT_EQ(count_lines(err, ""), 1) << "expected one line on stderr:\n" << read_file(err);
  EXPECT_EQ(count_lines(err, "unknown section '[pgqdd]'"), 1)
      << "unclear error: " << read_file(err);
}

TEST_F(TickerConfig, UnservableListedDatabasesAreLogged) {
  const std::string plain = create_database("plain"), missing = dbname + "_missing";
  Process ticker({pgqpp(), "ticker", "-q", "--syslog", "0", "--logfile", log, "--initial-database",
                  "postgres", "--database", missing, "--database", plain},
                 work + "/ticker.out");
  EXPECT_TRUE(wait_log("db=" + missing + ": .*does not exist", 15)) << read_file(log);
  EXPECT_TRUE(wait_log("db=" + plain + ": no pgq schema", 15)) << read_file(log);
  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the exit code after SIGTERM";
}

TEST_F(TickerConfig, PidfileAndPgqdControlFlags) {
  const std::string ini = write_ini("d.ini", "postgres", "pidfile = " + pidfile + "\n");
  const std::string config = "'" + ini + "'";
  auto daemon_pid = [&] {
    std::string pid;
    eventually([&] { return !(pid = read_file(pidfile)).empty(); }, 10s);
    return pid.empty() ? -1 : std::stoi(pid);
  };
  ASSERT_EQ(run_ticker("-d " + config), 0) << "the first -d failed: " << read_file(err);
  const pid_t first = daemon_pid();
  ASSERT_GT(first, 0) << "no pidfile";

  // --- -d with the pidfile of a running instance fails ---
  EXPECT_NE(run_ticker("-d " + config), 0) << "a second -d on the same pidfile exited 0";
  const std::string running = "already running with pid " + std::to_string(first);
  EXPECT_GE(count_lines(err, running) + count_lines(log, running), 1)
      << "no 'already running' line:\n"
      << read_file(err) << read_file(log);
  EXPECT_EQ(kill(first, 0), 0) << "the first instance died";
  EXPECT_EQ(std::stoi(read_file(pidfile)), first) << "the pidfile changed";

  // --- pgqd's control flags ---
  EXPECT_EQ(run_ticker("-V"), 0) << "-V: " << read_file(err);
  EXPECT_TRUE(std::regex_search(read_file(out), std::regex("^pgqpp ticker [0-9]")))
      << "-V printed: " << read_file(out);
  EXPECT_EQ(run_ticker("-r " + config), 0) << "-r: " << read_file(err);
  EXPECT_TRUE(wait_log("config reloaded", 10)) << "no reload after -r:\n" << read_file(log);
  EXPECT_EQ(run_ticker("-s " + config), 0) << "-s: " << read_file(err);
  EXPECT_TRUE(eventually([&] { return kill(first, 0) != 0; }, 10s)) << "no stop after -s";
  EXPECT_TRUE(log_has("got Interrupt, stopping")) << "-s did not send SIGINT:\n" << read_file(log);
  EXPECT_FALSE(std::filesystem::exists(pidfile)) << "the pidfile was left behind after -s";
  EXPECT_EQ(run_ticker("-s " + config), 1) << "-s with no daemon running: " << read_file(err);
  EXPECT_EQ(count_lines(err, "not running"), 1)
      << "-s with no daemon: unclear error: " << read_file(err);

  ASSERT_EQ(run_ticker("-d " + config), 0) << "-d after -s failed: " << read_file(err);
  const pid_t second = daemon_pid();
  ASSERT_GT(second, 0) << "no pidfile";
  EXPECT_EQ(run_ticker("-k " + config), 0) << "-k: " << read_file(err);
  EXPECT_TRUE(eventually([&] { return kill(second, 0) != 0; }, 10s)) << "no stop after -k";
  EXPECT_TRUE(log_has("got Terminated, stopping")) << "-k did not send SIGTERM:\n"
                                                   << read_file(log);
}

}  // namespace
}  // namespace pgqpp_cluster
