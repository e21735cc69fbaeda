// SPDX-License-Identifier: PostgreSQL
// Consumer processes killed at the worst moments.
#include <csignal>
#include <string>

#include "fixture.hpp"
#include "worker_process.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

// An at-least-once consumer killed with SIGKILL inside a batch gets the same
// batch again on restart, and every event arrives.
class CrashTest : public QueueTest {
 protected:
  void SetUp() override {
    QueueTest::SetUp();
    db.exec(
        "create table if not exists seen (run_id text, batch_id bigint, ev_id bigint,"
        " ev_retry int, ev_data text)");
  }
  // A run id unique to this test, and SQL counting that run's rows.
  std::string run(const std::string& name) { return queue + "_" + name; }
  std::string count(const std::string& what, const std::string& where) {
    return scalar("select count(" + what + ") from seen where " + where);
  }
};

TEST_F(CrashTest, KilledInsideABatchGetsTheSameBatchAgain) {
  auto produced = produce(200);
  tick();
  produce(50, "t", "second");
  tick();
  {
    WorkerProcess w({"consume", db_name(), queue, "c", run("first")},
                    {{"WORKER_EVENT_SLEEP_MS", "20"}});
    ASSERT_TRUE(
        eventually([&] { return std::stoi(count("*", "run_id = '" + run("first") + "'")) >= 10; }));
    w.signal(SIGKILL);
    EXPECT_EQ(w.wait(10s), 128 + SIGKILL);
  }
  std::string first = "run_id = '" + run("first") + "'",
              second = "run_id = '" + run("second") + "'";
  std::string killed_batch = scalar("select max(batch_id) from seen where " + first);
  EXPECT_EQ(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"),
            killed_batch);
  EXPECT_LT(std::stoi(count("*", first)), 200);

  WorkerProcess w({"consume", db_name(), queue, "c", run("second")}, {{"WORKER_IDLE_EXIT", "1"}});
  ASSERT_EQ(w.wait(60s), 0);
  // The same batch, whole, then the next one.
  EXPECT_EQ(count("*", second + " and batch_id = " + killed_batch), "200");
  EXPECT_EQ(count("distinct batch_id", second), "2");
  EXPECT_EQ(count("*", second), "250");
  EXPECT_EQ(count("distinct ev_id", "run_id like '" + queue + "\\_%'"), "250");
  EXPECT_EQ(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"), "");
}

TEST_F(CrashTest, SigtermStopsAfterTheBatchWithExitZero) {
  produce(50);
  tick();
  std::string term = "run_id = '" + run("term") + "'";
  WorkerProcess w({"consume", db_name(), queue, "c", run("term")},
                  {{"WORKER_EVENT_SLEEP_MS", "20"}});
  ASSERT_TRUE(eventually([&] { return count("*", term) != "0"; }));
  w.signal(SIGTERM);
  EXPECT_EQ(w.wait(20s), 0);
  EXPECT_EQ(count("*", term), "50");
  EXPECT_EQ(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"), "");
}

}  // namespace
}  // namespace pgqpp_it
