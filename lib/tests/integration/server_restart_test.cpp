// SPDX-License-Identifier: PostgreSQL
// The server restarts under a running consumer (in the middle of a batch):
// the consumer reconnects, completes the batch without repeating an event,
// and goes on with events produced after the restart.
//
// Needs PGQPP_SOURCE_DIR and PGQPP_TEST_DATA (tests/run-all.sh sets them):
// the restart is tests/lib/cluster.sh's pg_restart.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

int restart_server() {
  const char* src = std::getenv("PGQPP_SOURCE_DIR");
  const char* data = std::getenv("PGQPP_TEST_DATA");
  if (!src || !data) return -1;
  std::string cmd = std::string("bash -c '. \"") + src +
                    "/tests/lib/cluster.sh\" && pg_restart \"" + data + "\"'";
  return std::system(cmd.c_str());
}

class ServerRestartTest : public QueueTest {};

TEST_F(ServerRestartTest, ConsumerRidesThroughARestart) {
  ASSERT_TRUE(std::getenv("PGQPP_SOURCE_DIR") && std::getenv("PGQPP_TEST_DATA"))
      << "PGQPP_SOURCE_DIR and PGQPP_TEST_DATA must name the source tree and the cluster";
  produce(200);
  tick();

  auto o = options();
  o.stop_when_idle = false;
  o.poll_interval = 200ms;
  o.reconnect_delay = 200ms;
  std::atomic<int> lost{0};
  o.on_connection_lost = [&](const pgqpp::error&) { ++lost; };
  pgqpp::Consumer c(db_conninfo(), o);
  std::mutex m;
  std::multiset<std::string> seen;
  std::atomic<bool> restarting{false};
  std::thread restarter;
  std::thread consumer([&] {
    c.run([&](const pgqpp::Event& ev) {
      {
        std::lock_guard<std::mutex> g(m);
        seen.emplace(*ev.data);
      }
      if (*ev.data == "e50" && !restarting.exchange(true))
        restarter = std::thread([] { EXPECT_EQ(restart_server(), 0); });
      std::this_thread::sleep_for(5ms);
    });
  });
  auto count = [&] {
    std::lock_guard<std::mutex> g(m);
    return seen.size();
  };
  EXPECT_TRUE(eventually([&] { return count() >= 200; }, 60s));
  if (restarter.joinable()) restarter.join();

  // After the restart: new events reach the same, still running consumer.
  pgqpp::Connection fresh(db_conninfo());
  std::vector<pgqpp::NewEvent> more;
  for (int i = 0; i < 20; ++i) more.push_back({"t", "after" + std::to_string(i)});
  pgqpp::Producer(fresh, queue).insert_many(more);
  fresh.exec("select pgq.force_tick($1)", {queue});
  fresh.exec("select pgq.ticker($1)", {queue});
  EXPECT_TRUE(eventually([&] { return count() >= 220; }, 60s));
  c.stop(pgqpp::StopMode::after_batch);
  consumer.join();

  EXPECT_GE(lost.load(), 1);
  std::lock_guard<std::mutex> g(m);
  EXPECT_EQ(seen.size(), 220u);
  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 220u) << "an event was handed out twice";
}

}  // namespace
}  // namespace pgqpp_it
