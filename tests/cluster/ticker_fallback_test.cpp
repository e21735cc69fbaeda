// SPDX-License-Identifier: PostgreSQL
// Without pgqpp in shared_preload_libraries, `pgqpp ticker` says once that
// the wake-up path is unavailable and ticks periodically, as pgqd does; and
// pgq.next_batch_wait falls back to looking every 10 ms (was
// tests/integration/ticker_fallback.sh). The case runs on a cluster of its
// own, started without shared_preload_libraries (tests/lib/cluster.sh).
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

// A throwaway cluster under `dir` with the build's extension and no
// preloaded library; stopped by the destructor.
class PlainCluster {
 public:
  explicit PlainCluster(const std::string& dir) : dir_(dir) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/cluster");
    std::filesystem::permissions(
        dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                  std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                  std::filesystem::perms::others_exec);
    started_ =
        shell("pg_stage '" + dir_ + "/stage' \"$PGQPP_BUILD_DIR\" && port=$(free_port) && " +
              "pg_start '" + dir_ + "/cluster/data' $port && echo $port >'" + dir_ + "/port'") == 0;
    port = read_file(dir_ + "/port");
    if (!port.empty() && port.back() == '\n') port.pop_back();
  }
  ~PlainCluster() { shell("pg_stop '" + dir_ + "/cluster/data'"); }
  bool started() const { return started_ && !port.empty(); }
  std::string conninfo() const {
    return "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres";
  }
  std::string port;

 private:
  static int shell(const std::string& script) {
    return run_command("bash -c '. \"$PGQPP_SOURCE_DIR/tests/lib/cluster.sh\" && " + quote(script) +
                       "'");
  }
  // `script` inside the single quotes of bash -c '...'.
  static std::string quote(const std::string& script) {
    std::string out;
    for (char c : script) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out;
  }
  std::string dir_;
  bool started_ = false;
};

std::string value(pgqpp::Connection& c, const std::string& sql) {
  pgqpp::Rows r = c.exec(sql);
  return r.size() ? std::string(r.get(0, 0).value_or("")) : "";
}

TEST(TickerFallback, PeriodicTicksAndPollingWithoutPreload) {
  const std::string work = cluster_env("PGQPP_TEST_WORK") + "/ticker_fallback";
  PlainCluster cluster(work);
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
        b = value(db, "select pgq.next_batch('q', 'c')");
        if (b.empty()) return false;
        if (value(db, "select count(*) from pgq.get_batch_events(" + b +
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
    b = value(db, "select pgq.next_batch_wait('q', 'c', 5000)");
    ASSERT_NE(b, "") << "next_batch_wait returned NULL without shared_preload_libraries";
    got =
        value(db, "select count(*) from pgq.get_batch_events(" + b + ") where ev_data = 'waited'");
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
