// SPDX-License-Identifier: PostgreSQL
// Consumer: batches, streaming, tags, limits, wake-ups and stops.
#include <atomic>
#include <csignal>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

class ConsumerTest : public QueueTest {
 protected:
  // The batch consumer "c" has open now (empty when none).
  std::string open_batch() {
    return scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')");
  }
};

TEST_F(ConsumerTest, EventHandlerGetsEveryBatchInOrder) {
  auto a = produce(30);
  tick();
  auto b = produce(20, "t", "f");
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  std::vector<std::string> seen;
  std::int64_t last_id = 0;
  c.run([&](const pgqpp::Event& ev) {
    EXPECT_GT(ev.id, last_id);
    last_id = ev.id;
    EXPECT_FALSE(ev.retry.has_value());
    seen.emplace_back(*ev.data);
    return pgqpp::Tag::done();
  });
  a.insert(a.end(), b.begin(), b.end());
  EXPECT_EQ(seen, a);
  EXPECT_EQ(c.events_seen(), 50);
  EXPECT_EQ(c.batches_finished(), 2);
  EXPECT_EQ(open_batch(), "");
}

TEST_F(ConsumerTest, EventTimeIsReadable) {
  produce(1);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  c.run([&](const pgqpp::Event& ev) {
    auto age = std::chrono::system_clock::now() - ev.time;
    EXPECT_LT(age, 60s);
    EXPECT_GT(age, -60s);
  });
  EXPECT_EQ(c.events_seen(), 1);
}

TEST_F(ConsumerTest, BatchHandlerStreamsOnce) {
  produce(100);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  int batches = 0;
  c.run_batches([&](pgqpp::Batch& batch) {
    ++batches;
    EXPECT_GT(batch.id(), 0);
    EXPECT_GT(batch.tick_id(), batch.prev_tick_id());
    int n = 0;
    for (const pgqpp::Event& ev : batch) {
      EXPECT_EQ(*ev.data, "e" + std::to_string(n));
      ++n;
    }
    EXPECT_EQ(n, 100);
    EXPECT_EQ(batch.events_read(), 100);
    EXPECT_FALSE(batch.interrupted());
    EXPECT_THROW(batch.begin(), pgqpp::usage_error);
  });
  EXPECT_EQ(batches, 1);
}

TEST_F(ConsumerTest, BatchHandlerReturningEarlyFinishesTheBatch) {
  produce(500);
  tick();
  produce(3, "t", "next");
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  std::vector<std::string> firsts;
  c.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) {
      firsts.emplace_back(*ev.data);
      break;
    }
  });
  EXPECT_EQ(firsts, (std::vector<std::string>{"e0", "next0"}));
  EXPECT_EQ(open_batch(), "");
}

TEST_F(ConsumerTest, CursorReadsTheSameEvents) {
  auto produced = produce(103);
  tick();
  auto o = options();
  o.fetch_size = 10;
  pgqpp::Consumer c(db_conninfo(), o);
  std::vector<std::string> seen;
  c.run([&](const pgqpp::Event& ev) { seen.emplace_back(*ev.data); });
  EXPECT_EQ(seen, produced);
  EXPECT_EQ(open_batch(), "");
}

TEST_F(ConsumerTest, RetryTagBringsEventsBackToThisConsumerOnly) {
  db.exec("select pgq.register_consumer($1, 'other')", {queue});
  produce(10);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  c.run([&](const pgqpp::Event& ev) {
    int i = std::stoi(std::string(ev.data->substr(1)));
    return i % 3 == 0 ? pgqpp::Tag::retry_after(0s) : pgqpp::Tag::done();
  });
  EXPECT_EQ(c.events_seen(), 10);
  retry_maintenance();
  std::vector<std::pair<std::string, int>> again;
  c.run([&](const pgqpp::Event& ev) { again.emplace_back(*ev.data, ev.retry.value_or(0)); });
  EXPECT_EQ(again,
            (std::vector<std::pair<std::string, int>>{{"e0", 1}, {"e3", 1}, {"e6", 1}, {"e9", 1}}));
  // The other consumer sees each event once, never the retried copies.
  pgqpp::Consumer other(db_conninfo(), options("other"));
  other.run([](const pgqpp::Event& ev) { EXPECT_FALSE(ev.retry.has_value()); });
  EXPECT_EQ(other.events_seen(), 10);
}

TEST_F(ConsumerTest, BatchRetryWithDelayWaitsForIt) {
  produce(2);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  c.run_batches([](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) batch.retry(ev, 3600s);
  });
  EXPECT_EQ(scalar("select count(*) from pgq.retry_queue where ev_retry_after > now() + '3500 s'"),
            "2");
  retry_maintenance();
  c.run([](const pgqpp::Event&) { ADD_FAILURE() << "a retry came back before its time"; });
}

TEST_F(ConsumerTest, MinCountSpansTicks) {
  // Plain ticks (force_tick would move the event sequence PgQ counts by).
  db.exec("select pgq.set_queue_config($1, 'ticker_max_count', '1')", {queue});
  for (int i = 0; i < 3; ++i) {
    produce(4);
    ASSERT_NE(scalar("select pgq.ticker('" + queue + "')"), "");
  }
  auto o = options();
  o.min_count = 10;
  pgqpp::Consumer c(db_conninfo(), o);
  c.run([](const pgqpp::Event&) {});
  EXPECT_EQ(c.events_seen(), 12);
  EXPECT_EQ(c.batches_finished(), 1);
}

TEST_F(ConsumerTest, MinIntervalWaitsForALongEnoughSpan) {
  produce(5);
  tick();
  auto o = options();
  o.min_interval = 1h;
  pgqpp::Consumer c(db_conninfo(), o);
  c.run([](const pgqpp::Event&) {});
  EXPECT_EQ(c.events_seen(), 0);
  o.min_interval = 1ms;
  pgqpp::Consumer shorter(db_conninfo(), o);
  shorter.run([](const pgqpp::Event&) {});
  EXPECT_EQ(shorter.events_seen(), 5);
}

TEST_F(ConsumerTest, MinLagHoldsBackFreshTicks) {
  produce(5);
  tick();
  auto o = options();
  o.min_lag = 1h;
  pgqpp::Consumer c(db_conninfo(), o);
  c.run([](const pgqpp::Event&) {});
  EXPECT_EQ(c.events_seen(), 0);
  o.min_lag = 0ms;
  pgqpp::Consumer now(db_conninfo(), o);
  now.run([](const pgqpp::Event&) {});
  EXPECT_EQ(now.events_seen(), 5);
}

// pgqpp wakes the consumer with the tick's notification, long before its
// poll interval; against PgQ 3.5 (no notifications) polling must do it.
TEST_F(ConsumerTest, WaitingConsumerWakesForANewTick) {
  auto o = options();
  o.stop_when_idle = false;
  o.poll_interval = testing_pgqpp() ? 60s : 200ms;
  pgqpp::Consumer c(db_conninfo(), o);
  std::atomic<int> seen{0};
  std::thread t([&] { c.run([&](const pgqpp::Event&) { ++seen; }); });
  std::this_thread::sleep_for(500ms);  // the consumer is waiting by now
  auto started = std::chrono::steady_clock::now();
  produce(3);
  tick();
  bool arrived = eventually([&] { return seen == 3; }, 10s);
  auto took = std::chrono::steady_clock::now() - started;
  c.stop(pgqpp::StopMode::after_batch);
  t.join();
  ASSERT_TRUE(arrived);
  EXPECT_LT(took, 5s);
}

// Behind a pooler the consumer waits in the server (pgq.next_batch_wait),
// woken by the tick long before its poll interval, and a stop cancels that
// wait at once; against PgQ 3.5 (no next_batch_wait) it polls.
TEST_F(ConsumerTest, BehindPoolerWaitsInTheServerAndStopsAtOnce) {
  auto o = options();
  o.stop_when_idle = false;
  o.behind_pooler = true;
  o.poll_interval = testing_pgqpp() ? 60s : 200ms;
  pgqpp::Consumer c(db_conninfo(), o);
  std::atomic<int> seen{0};
  std::thread t([&] { c.run([&](const pgqpp::Event&) { ++seen; }); });
  std::this_thread::sleep_for(500ms);  // the consumer is waiting by now
  auto started = std::chrono::steady_clock::now();
  produce(3);
  tick();
  bool arrived = eventually([&] { return seen == 3; }, 10s);
  auto took = std::chrono::steady_clock::now() - started;
  std::this_thread::sleep_for(300ms);  // waiting again
  auto stopping = std::chrono::steady_clock::now();
  c.stop(pgqpp::StopMode::after_batch);
  t.join();
  ASSERT_TRUE(arrived);
  EXPECT_LT(took, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s);
  EXPECT_EQ(open_batch(), "");
}

// The batch a wait in the server opened carries its two ticks, as one from
// next_batch does (the exactly-once runner stores the tick id).
TEST_F(ConsumerTest, BehindPoolerBatchKnowsItsTicks) {
  if (!testing_pgqpp()) GTEST_SKIP() << "PgQ 3.5 has no next_batch_wait";
  auto o = options();
  o.stop_when_idle = false;
  o.behind_pooler = true;
  o.poll_interval = 60s;
  pgqpp::Consumer c(db_conninfo(), o);
  std::atomic<int> batches{0};
  std::string ticks, expected;
  std::thread t([&] {
    c.run_batches([&](pgqpp::Batch& batch) {
      for (const pgqpp::Event& ev : batch) (void)ev;
      ticks = std::to_string(batch.prev_tick_id()) + " " + std::to_string(batch.tick_id());
      expected = scalar("select prev_tick_id || ' ' || tick_id from pgq.get_batch_info(" +
                        std::to_string(batch.id()) + ")");
      ++batches;
    });
  });
  std::this_thread::sleep_for(500ms);  // the consumer is waiting in the server by now
  produce(2);
  tick();
  bool arrived = eventually([&] { return batches == 1; }, 10s);
  c.stop(pgqpp::StopMode::after_batch);
  t.join();
  ASSERT_TRUE(arrived);
  EXPECT_EQ(ticks, expected);
}

TEST_F(ConsumerTest, BehindPoolerRefusesBatchLimits) {
  auto o = options();
  o.behind_pooler = true;
  o.min_count = 10;
  EXPECT_THROW({ pgqpp::Consumer c(db_conninfo(), o); }, pgqpp::usage_error);
  o.min_count = 0;
  o.poll_interval = 61s;
  EXPECT_THROW({ pgqpp::Consumer c(db_conninfo(), o); }, pgqpp::usage_error);
}

TEST_F(ConsumerTest, StopAfterBatchFromAnotherThreadFinishesIt) {
  produce(40);
  tick();
  produce(5);
  tick();
  auto o = options();
  o.stop_when_idle = false;
  pgqpp::Consumer c(db_conninfo(), o);
  std::thread stopper;
  c.run([&](const pgqpp::Event&) {
    if (c.events_seen() == 1) stopper = std::thread([&] { c.stop(pgqpp::StopMode::after_batch); });
    std::this_thread::sleep_for(5ms);
  });
  stopper.join();
  EXPECT_EQ(c.events_seen(), 40);  // the first batch whole, not the second
  EXPECT_EQ(c.batches_finished(), 1);
  EXPECT_EQ(open_batch(), "");
}

TEST_F(ConsumerTest, StopNowLeavesTheBatchOpenForLater) {
  produce(40);
  tick();
  auto o = options();
  pgqpp::Consumer c(db_conninfo(), o);
  std::int64_t batch_id = 0;
  c.run_batches([&](pgqpp::Batch& batch) {
    batch_id = batch.id();
    for (const pgqpp::Event& ev : batch) {
      if (*ev.data == "e9") c.stop(pgqpp::StopMode::now);
    }
    EXPECT_TRUE(batch.interrupted());
    EXPECT_EQ(batch.events_read(), 10);
  });
  EXPECT_EQ(c.batches_finished(), 0);
  EXPECT_EQ(open_batch(), std::to_string(batch_id));
  // Delivered again, whole, to a new consumer object.
  pgqpp::Consumer again(db_conninfo(), options());
  again.run_batches([&](pgqpp::Batch& batch) {
    EXPECT_EQ(batch.id(), batch_id);
    int n = 0;
    for (const pgqpp::Event& ev : batch) EXPECT_EQ(*ev.data, "e" + std::to_string(n++));
    EXPECT_EQ(n, 40);
  });
  EXPECT_EQ(open_batch(), "");
}

TEST_F(ConsumerTest, StopOnSignalsFirstAfterBatchThenNow) {
  produce(20);
  tick();
  auto o = options();
  o.stop_when_idle = false;
  o.stop.stop_on_signals({SIGUSR1});
  pgqpp::Consumer c(db_conninfo(), o);
  c.run([&](const pgqpp::Event& ev) {
    if (*ev.data == "e2") std::raise(SIGUSR1);
  });
  EXPECT_EQ(c.events_seen(), 20);  // after_batch: the batch went on to its end
  EXPECT_EQ(c.batches_finished(), 1);

  produce(20);
  tick();
  o.stop.reset();
  pgqpp::Consumer d(db_conninfo(), o);
  d.run([&](const pgqpp::Event& ev) {
    if (*ev.data == "e2" || *ev.data == "e3") std::raise(SIGUSR1);
  });
  EXPECT_EQ(d.events_seen(), 4);  // the second signal: now
  EXPECT_EQ(d.batches_finished(), 0);
  signal(SIGUSR1, SIG_DFL);
}

TEST_F(ConsumerTest, HandlerExceptionLeavesTheBatchOpen) {
  produce(10);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  EXPECT_THROW(c.run([](const pgqpp::Event& ev) {
    if (*ev.data == "e5") throw std::runtime_error("handler failed");
  }),
               std::runtime_error);
  EXPECT_NE(open_batch(), "");
  std::vector<std::string> seen;
  c.run([&](const pgqpp::Event& ev) { seen.emplace_back(*ev.data); });
  EXPECT_EQ(seen.size(), 10u);  // again from the start, the failed event included
  EXPECT_EQ(seen.front(), "e0");
}

TEST_F(ConsumerTest, UnknownQueueFailsRun) {
  auto o = options();
  o.queue = "no_such_queue";
  pgqpp::Consumer c(db_conninfo(), o);
  EXPECT_THROW(c.run([](const pgqpp::Event&) {}), pgqpp::sql_error);
}

}  // namespace
}  // namespace pgqpp_it
