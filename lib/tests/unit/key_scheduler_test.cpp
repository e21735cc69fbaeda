// SPDX-License-Identifier: PostgreSQL
// The scheduling of keyed parallelism: one item per key out at a time, in
// submission order; different keys out together; dropping what is queued.
#include "sched/key_scheduler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using pgqpp::detail::KeyScheduler;

TEST(KeyScheduler, DifferentKeysRunTogether) {
  KeyScheduler s;
  s.submit("a", 1);
  s.submit("b", 2);
  s.submit("c", 3);
  auto t1 = s.take(), t2 = s.take(), t3 = s.take();
  ASSERT_TRUE(t1 && t2 && t3);
  EXPECT_EQ(t1->item, 1u);
  EXPECT_EQ(t2->item, 2u);
  EXPECT_EQ(t3->item, 3u);
  EXPECT_EQ(s.running(), 3u);
  EXPECT_FALSE(s.take());
}

TEST(KeyScheduler, OneKeyOneAtATimeInOrder) {
  KeyScheduler s;
  s.submit("a", 1);
  s.submit("a", 2);
  s.submit("b", 3);
  s.submit("a", 4);
  auto t = s.take();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->item, 1u);
  auto u = s.take();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->item, 3u) << "a's second item must wait for its first";
  EXPECT_FALSE(s.take());
  s.done("a");
  t = s.take();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->item, 2u);
  s.done("a");
  t = s.take();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->item, 4u);
  EXPECT_EQ(t->key, "a");
  s.done("a");
  s.done("b");
  EXPECT_TRUE(s.idle());
}

TEST(KeyScheduler, ItemSubmittedWhileKeyRunsWaits) {
  KeyScheduler s;
  s.submit("a", 1);
  auto t = s.take();
  ASSERT_TRUE(t);
  s.submit("a", 2);
  EXPECT_FALSE(s.take());
  EXPECT_EQ(s.queued(), 1u);
  s.done("a");
  t = s.take();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->item, 2u);
}

TEST(KeyScheduler, DoneForAKeyNotRunningIsALogicError) {
  KeyScheduler s;
  EXPECT_THROW(s.done("a"), std::logic_error);
  s.submit("a", 1);
  EXPECT_THROW(s.done("a"), std::logic_error) << "queued, not yet taken";
}

TEST(KeyScheduler, DropQueuedKeepsTheRunning) {
  KeyScheduler s;
  s.submit("a", 1);
  s.submit("a", 2);
  s.submit("b", 3);
  auto t = s.take();
  ASSERT_TRUE(t);
  auto dropped = s.drop_queued();
  std::set<KeyScheduler::Item> d(dropped.begin(), dropped.end());
  EXPECT_EQ(d, (std::set<KeyScheduler::Item>{2, 3}));
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.running(), 1u);
  EXPECT_FALSE(s.take());
  s.done("a");
  EXPECT_TRUE(s.idle());
  s.submit("a", 5);  // usable again afterwards
  t = s.take();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->item, 5u);
}

// A random interleaving of submits, takes and dones by up to 4 "workers":
// every item comes out exactly once, per key in submission order, never two
// of one key at once.
TEST(KeyScheduler, RandomScheduleKeepsPerKeyOrder) {
  std::mt19937 rng(42);
  KeyScheduler s;
  std::map<std::string, std::vector<KeyScheduler::Item>> submitted, taken;
  std::vector<KeyScheduler::Task> out;
  KeyScheduler::Item next = 0;
  int submits = 0;
  while (submits < 2000 || !s.idle()) {
    int op = static_cast<int>(rng() % 3);
    if (op == 0 && submits < 2000) {
      std::string key = "k" + std::to_string(rng() % 7);
      submitted[key].push_back(next);
      s.submit(key, next++);
      ++submits;
    } else if (op == 1 && out.size() < 4) {
      if (auto t = s.take()) {
        for (const auto& o : out) ASSERT_NE(o.key, t->key) << "two items of one key out";
        taken[t->key].push_back(t->item);
        out.push_back(*t);
      }
    } else if (!out.empty()) {
      auto i = rng() % out.size();
      s.done(out[i].key);
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  EXPECT_EQ(taken, submitted);
}
