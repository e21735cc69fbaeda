// SPDX-License-Identifier: PostgreSQL
// Cooperative consumers (ConsumerOptions::subconsumer, PgQ's pgq_coop):
// subconsumers of one consumer running at once share its batches, each
// event once among them; a subconsumer that dies holding a batch loses it,
// after dead_interval, to the next one that asks; the usage errors.
#include <algorithm>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

class CoopTest : public QueueTest {
 protected:
  void SetUp() override {
    if (!testing_pgqpp()) GTEST_SKIP() << "PgQ 3.5 (Debian) has no pgq_coop";
    QueueTest::SetUp();
  }
  pgqpp::ConsumerOptions sub(const std::string& name, std::chrono::milliseconds dead = 0ms) {
    auto o = options();
    o.subconsumer = name;
    o.dead_interval = dead;
    return o;
  }
};

TEST_F(CoopTest, SubconsumersShareBatchesEachEventOnce) {
  std::vector<std::string> all;
  for (int t = 0; t < 8; ++t) {
    for (const auto& d : produce(5, "t", "t" + std::to_string(t) + "e")) all.push_back(d);
    tick();
  }
  std::mutex m;
  std::vector<std::string> seen;
  std::set<std::int64_t> batches_a, batches_b;
  auto run = [&](const std::string& name, std::set<std::int64_t>& batches) {
    pgqpp::Consumer c(db_conninfo(), sub(name));
    c.run_batches([&](pgqpp::Batch& batch) {
      std::lock_guard lock(m);
      batches.insert(batch.id());
      for (const pgqpp::Event& ev : batch) seen.emplace_back(*ev.data);
      std::this_thread::sleep_for(20ms);  // the other takes the next batch meanwhile
    });
  };
  std::thread a(run, "a", std::ref(batches_a));
  std::thread b(run, "b", std::ref(batches_b));
  a.join();
  b.join();
  std::sort(seen.begin(), seen.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(seen, all);
  for (auto id : batches_a) EXPECT_EQ(batches_b.count(id), 0u) << "batch " << id << " went to both";
  EXPECT_EQ(batches_a.size() + batches_b.size(), 8u);
  // The subconsumers are registered as pgq_coop registers them, and the
  // consumer has every event.
  EXPECT_EQ(scalar("select string_agg(consumer_name, ',' order by consumer_name)"
                   " from pgq.get_consumer_info('" +
                   queue + "')"),
            "c,c.a,c.b");
  EXPECT_EQ(scalar("select pending_events from pgq.get_consumer_info('" + queue + "', 'c')"), "0");
}

TEST_F(CoopTest, DeadSubconsumersBatchIsTakenOver) {
  produce(3);
  tick();
  produce(2, "t", "late");
  tick();
  // Subconsumer a dies in its handler, holding the first batch.
  pgqpp::Consumer a(db_conninfo(), sub("a"));
  EXPECT_THROW(a.run([](const pgqpp::Event&) -> pgqpp::Tag { throw std::runtime_error("died"); }),
               std::runtime_error);
  // b, before the dead interval: the next batch only; after it: a's batch.
  std::vector<std::string> got;
  pgqpp::Consumer b(db_conninfo(), sub("b", 2s));
  b.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) got.emplace_back(*ev.data);
  });
  EXPECT_EQ(got, (std::vector<std::string>{"late0", "late1"}));
  std::this_thread::sleep_for(2500ms);
  got.clear();
  b.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) got.emplace_back(*ev.data);
  });
  EXPECT_EQ(got, (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_EQ(scalar("select count(*) from pgq.get_consumer_info('" + queue + "', 'c.a')"), "0");
}

TEST_F(CoopTest, UnregisterDropsTheOpenBatch) {
  pgqpp::Consumer a(db_conninfo(), sub("a"));
  a.register_consumer();
  EXPECT_EQ(scalar("select count(*) from pgq.get_consumer_info('" + queue + "', 'c.a')"), "1");
  produce(2);
  tick();
  EXPECT_THROW(a.run([](const pgqpp::Event&) -> pgqpp::Tag { throw std::runtime_error("stop"); }),
               std::runtime_error);
  a.unregister_consumer();
  EXPECT_EQ(scalar("select count(*) from pgq.get_consumer_info('" + queue + "', 'c.a')"), "0");
  pgqpp::Consumer b(db_conninfo(), sub("b"));
  b.run([](const pgqpp::Event&) { ADD_FAILURE() << "a dropped batch came back"; });
}

TEST_F(CoopTest, UsageErrors) {
  auto o = sub("a");
  o.behind_pooler = true;
  EXPECT_THROW(pgqpp::Consumer(db_conninfo(), o), pgqpp::usage_error);
  auto d = options();
  d.dead_interval = 1s;
  EXPECT_THROW(pgqpp::Consumer(db_conninfo(), d), pgqpp::usage_error);
  pgqpp::ExactlyOnceOptions x;
  x.consumer = sub("a");
  x.progress_table = "coop_progress";
  EXPECT_THROW(pgqpp::ExactlyOnceConsumer(db_conninfo(), target_conninfo(), x), pgqpp::usage_error);
}

}  // namespace
}  // namespace pgqpp_it
