// SPDX-License-Identifier: PostgreSQL
// Snapshot parsing and visibility.
#include <gtest/gtest.h>

#include "core/snapshot.hpp"

using namespace pgqpp::ext::core;

TEST(Snapshot, ParsesTextForm) {
  auto s = parse_snapshot("10:20:12,15");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->xmin, 10u);
  EXPECT_EQ(s->xmax, 20u);
  EXPECT_EQ(s->xip, (std::vector<Txid>{12, 15}));
  auto empty = parse_snapshot("5:5:");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->xip.empty());
}

TEST(Snapshot, RejectsMalformed) {
  for (const char* bad : {"", "1", "1:2", "a:2:", "3:2:", "1:5:2,", "1:5:x", "1:5:2;3"})
    EXPECT_FALSE(parse_snapshot(bad)) << bad;
}

TEST(Snapshot, Visibility) {
  auto s = *parse_snapshot("10:20:12,15");
  EXPECT_TRUE(s.sees(9));
  EXPECT_TRUE(s.sees(10));
  EXPECT_FALSE(s.sees(12));
  EXPECT_TRUE(s.sees(13));
  EXPECT_FALSE(s.sees(15));
  EXPECT_FALSE(s.sees(20));  // at xmax: not yet
  EXPECT_FALSE(s.sees(25));  // above xmax: may be running though absent from xip
}
