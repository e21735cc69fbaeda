// SPDX-License-Identifier: PostgreSQL
// A consumer whose connection is cut inside a batch reconnects and goes on
// with the same batch after the last event it handed out: nothing lost,
// nothing repeated.
#include <set>
#include <string>
#include <thread>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

class ReconnectTest : public QueueTest, public ::testing::WithParamInterface<int> {};

TEST_P(ReconnectTest, CutInsideABatchContinuesIt) {
  // Big enough that the server is still sending when the cut comes.
  constexpr int n = 20000;
  std::vector<pgqpp::NewEvent> events;
  for (int i = 0; i < n; ++i) events.push_back({"t", std::to_string(i) + std::string(1000, 'x')});
  pgqpp::Producer(db, queue).insert_many(events);
  tick();

  auto o = options();
  o.fetch_size = GetParam();
  int lost = 0;
  o.on_connection_lost = [&](const pgqpp::error& e) {
    ++lost;
    EXPECT_FALSE(e.connection_usable());
  };
  std::string app = "pgqpp_it_" + queue;
  pgqpp::Consumer c(db_conninfo() + " application_name=" + app, o);
  std::set<std::int64_t> ids;
  std::int64_t handed = 0;
  c.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) {
      ++handed;
      ids.insert(ev.id);
      if (handed == 10)
        db.exec(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
            {app});
    }
  });
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(handed, n);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(c.batches_finished(), 1);
}

INSTANTIATE_TEST_SUITE_P(CopyAndCursor, ReconnectTest, ::testing::Values(0, 500),
                         [](const auto& info) { return info.param ? "cursor" : "copy"; });

class FinishReconnectTest : public QueueTest {};

TEST_F(FinishReconnectTest, CutBeforeTheFinishIsRepaired) {
  produce(5);
  tick();
  auto o = options();
  int lost = 0;
  o.on_connection_lost = [&](const pgqpp::error&) { ++lost; };
  std::string app = "pgqpp_it_between";
  pgqpp::Consumer c(db_conninfo() + " application_name=" + app, o);
  // Cut after the last event is handed out: the finish meets the dead connection.
  c.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) (void)ev;
    db.exec("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
            {app});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(c.events_seen(), 5);  // not handed out again: only the finish was repeated
  EXPECT_EQ(c.batches_finished(), 1);
  EXPECT_EQ(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"), "");
}

}  // namespace
}  // namespace pgqpp_it
