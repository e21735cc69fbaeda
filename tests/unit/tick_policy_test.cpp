// SPDX-License-Identifier: PostgreSQL
// PgQ's tick rule.
#include <gtest/gtest.h>

#include "core/tick_policy.hpp"

using namespace pgqpp::ext::core;

TEST(TickPolicy, FirstTickAlwaysDue) { EXPECT_TRUE(tick_due({}, std::nullopt)); }

TEST(TickPolicy, EventsTickOnCountOrLag) {
  TickSettings s{500, 3000000, 60000000};
  EXPECT_FALSE(tick_due(s, LastTick{10, 1000000, 5000000}));
  EXPECT_TRUE(tick_due(s, LastTick{500, 1000, 5000000}));
  EXPECT_TRUE(tick_due(s, LastTick{1, 3000000, 5000000}));
}

TEST(TickPolicy, IdleTicksSpaceOut) {
  TickSettings s{500, 3000000, 60000000};
  EXPECT_FALSE(tick_due(s, LastTick{0, 1000000, 0}));            // < max_lag/2
  EXPECT_FALSE(tick_due(s, LastTick{0, 5000000, 4000000}));      // < 2x previous gap
  EXPECT_TRUE(tick_due(s, LastTick{0, 9000000, 4000000}));       // >= 2x previous gap
  EXPECT_TRUE(tick_due(s, LastTick{0, 61000000, 40000000}));     // idle period reached
  EXPECT_TRUE(tick_due(s, LastTick{0, 2000000, std::nullopt}));  // only one tick so far
}
