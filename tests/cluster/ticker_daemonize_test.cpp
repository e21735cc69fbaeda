// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker --daemon`: refuses to start without a pidfile; with one, it
// detaches (the starting command exits 0), writes the pidfile, refuses a
// second instance on the same pidfile, and removes the pidfile on SIGTERM
// (was tests/integration/ticker_daemonize.sh).
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <sstream>
#include <string>

#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

// Process `pid`'s parent, from /proc (-1 when it is gone).
pid_t parent_of(pid_t pid) {
  std::istringstream stat(read_file("/proc/" + std::to_string(pid) + "/stat"));
  std::string ignored;
  pid_t ppid = -1;
  stat >> ignored >> ignored >> ignored >> ppid;  // pid (comm) state ppid
  return ppid;
}

using TickerDaemonize = TickerTest;

TEST_F(TickerDaemonize, DetachesKeepsPidfileRefusesSecondStops) {
  EXPECT_EQ(run_ticker("--daemon --syslog 0 --database postgres"), 2)
      << "--daemon without a pidfile";
  EXPECT_EQ(count_lines(err, "needs a pidfile"), 1) << "unclear error: " << read_file(err);

  ASSERT_EQ(run_ticker("--daemon --syslog 0 --database postgres --pidfile '" + pidfile +
                       "' --logfile '" + log + "'"),
            0)
      << "the starting command failed: " << read_file(err);
  ASSERT_TRUE(eventually([&] { return !read_file(pidfile).empty(); }, 10s)) << "no pidfile";
  const pid_t pid = std::stoi(read_file(pidfile));
  ASSERT_EQ(kill(pid, 0), 0) << "process " << pid << " from the pidfile is not running";
  EXPECT_TRUE(parent_of(pid) == 1 || getsid(pid) == pid) << "process " << pid << " did not detach";

  EXPECT_NE(run_ticker("--syslog 0 --database postgres --pidfile '" + pidfile + "' -q"), 0)
      << "a second instance on the same pidfile started";

  kill(pid, SIGTERM);
  EXPECT_TRUE(eventually([&] { return kill(pid, 0) != 0; }, 5s))
      << "the daemon did not stop on SIGTERM";
  EXPECT_FALSE(std::filesystem::exists(pidfile)) << "the pidfile was left behind";
  EXPECT_GE(count_lines(log, "stopped"), 1) << "no 'stopped' line in the log:\n" << read_file(log);
}

}  // namespace
}  // namespace pgqpp_cluster
