// SPDX-License-Identifier: PostgreSQL
// When VACUUM's horizon counts as held: still, behind, for several writes.
#include "core/horizon_stall.hpp"

#include <gtest/gtest.h>

using pgqpp::ext::core::HorizonStall;

TEST(HorizonStall, StallsAfterTheGivenWritesAtOneUnpassedHorizon) {
  HorizonStall h(3);
  EXPECT_FALSE(h.stalled(100, false));
  EXPECT_FALSE(h.stalled(100, false));
  EXPECT_TRUE(h.stalled(100, false));
  EXPECT_TRUE(h.stalled(100, false));
}

TEST(HorizonStall, AMovingHorizonNeverStalls) {
  // A busy server: always behind the last write, but moving.
  HorizonStall h(3);
  for (std::uint64_t x = 100; x < 200; ++x) EXPECT_FALSE(h.stalled(x, false));
}

TEST(HorizonStall, PassingTheRowStartsOver) {
  HorizonStall h(2);
  EXPECT_FALSE(h.stalled(100, false));
  EXPECT_FALSE(h.stalled(100, true));
  EXPECT_FALSE(h.stalled(100, false));
  EXPECT_TRUE(h.stalled(100, false));
}

TEST(HorizonStall, ANewHorizonValueStartsOver) {
  HorizonStall h(2);
  EXPECT_FALSE(h.stalled(100, false));
  EXPECT_TRUE(h.stalled(100, false));
  EXPECT_FALSE(h.stalled(101, false));
  EXPECT_TRUE(h.stalled(101, false));
}
