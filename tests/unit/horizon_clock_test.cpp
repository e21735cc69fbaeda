// SPDX-License-Identifier: PostgreSQL
// Dating VACUUM's horizon from (next xid, time) samples.
#include "core/horizon_clock.hpp"

#include <gtest/gtest.h>

using pgqpp::ext::core::HorizonClock;

namespace {
constexpr std::int64_t kSecond = 1'000'000;
}

TEST(HorizonClock, NothingIsKnownBeforeTheFirstSample) {
  HorizonClock c(10, kSecond);
  EXPECT_FALSE(c.held_for(100, 0));
}

TEST(HorizonClock, AHorizonIsAtLeastAsOldAsTheFirstSamplePastIt) {
  HorizonClock c(10, kSecond);
  c.sample(100, 0);
  c.sample(150, 1 * kSecond);
  c.sample(400, 2 * kSecond);
  // xid 120 was assigned after 0 s (100 was next then) and before 1 s (150
  // was next then): a horizon at 120 is at least 4 s old at 5 s.
  EXPECT_EQ(c.held_for(120, 5 * kSecond), 4 * kSecond);
  EXPECT_EQ(c.held_for(150, 5 * kSecond), 3 * kSecond);
  // Older than every sample: at least as old as the oldest.
  EXPECT_EQ(c.held_for(90, 5 * kSecond), 5 * kSecond);
  // Newer than the newest sample: nothing known.
  EXPECT_FALSE(c.held_for(500, 5 * kSecond));
}

TEST(HorizonClock, SamplesAreSpacedAndTheRingForgetsTheOldest) {
  HorizonClock c(2, kSecond);
  c.sample(100, 0);
  c.sample(110, kSecond / 2);  // too soon: ignored
  EXPECT_FALSE(c.held_for(105, kSecond));
  c.sample(200, kSecond);
  c.sample(300, 2 * kSecond);  // the ring holds 200 and 300 now
  EXPECT_EQ(c.held_for(150, 3 * kSecond), 2 * kSecond);
  EXPECT_EQ(c.held_for(250, 3 * kSecond), 1 * kSecond);
}

TEST(HorizonClock, BackwardsXidsOrTimeAreIgnored) {
  HorizonClock c(10, kSecond);
  c.sample(100, 5 * kSecond);
  c.sample(90, 7 * kSecond);
  c.sample(200, 4 * kSecond);
  EXPECT_EQ(c.held_for(50, 10 * kSecond), 5 * kSecond);
  EXPECT_FALSE(c.held_for(150, 10 * kSecond));
}
