// SPDX-License-Identifier: PostgreSQL
// When VACUUM's horizon counts as held: still, behind, for several writes.
#include "core/horizon_stall.hpp"

#include <gtest/gtest.h>

using pgqpp::ext::core::HorizonStall;

TEST(HorizonStall, StallsAfterTheGivenWritesAtOneUnpassedHorizon) {
  HorizonStall h;
  const int n = 3;
  EXPECT_FALSE(h.stalled(100, false, n));
  EXPECT_FALSE(h.stalled(100, false, n));
  EXPECT_TRUE(h.stalled(100, false, n));
  EXPECT_TRUE(h.stalled(100, false, n));
}

TEST(HorizonStall, AMovingHorizonNeverStalls) {
  // A busy server: always behind the last write, but moving.
  HorizonStall h;
  const int n = 3;
  for (std::uint64_t x = 100; x < 200; ++x) EXPECT_FALSE(h.stalled(x, false, n));
}

TEST(HorizonStall, PassingTheRowStartsOver) {
  HorizonStall h;
  const int n = 2;
  EXPECT_FALSE(h.stalled(100, false, n));
  EXPECT_FALSE(h.stalled(100, true, n));
  EXPECT_FALSE(h.stalled(100, false, n));
  EXPECT_TRUE(h.stalled(100, false, n));
}

TEST(HorizonStall, OneWriteIsEnoughWhenAskedSo) {
  HorizonStall h;
  EXPECT_TRUE(h.stalled(100, false, 1));
  EXPECT_TRUE(h.stalled(100, false, 0));
  EXPECT_FALSE(h.stalled(100, true, 0));
}

TEST(HorizonStall, ANewHorizonValueStartsOver) {
  HorizonStall h;
  const int n = 2;
  EXPECT_FALSE(h.stalled(100, false, n));
  EXPECT_TRUE(h.stalled(100, false, n));
  EXPECT_FALSE(h.stalled(101, false, n));
  EXPECT_TRUE(h.stalled(101, false, n));
}
