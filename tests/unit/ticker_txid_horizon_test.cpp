// SPDX-License-Identifier: PostgreSQL
// The refusal of a database whose transaction ids are behind its ticks.
#include "txid_horizon.hpp"

#include <gtest/gtest.h>

using namespace pgqpp::ticker;

namespace {
constexpr std::int64_t kEpoch = std::int64_t{1} << 32;
}

TEST(TxidHorizon, NoTicksOrTicksBehindAreFine) {
  EXPECT_FALSE(txid_horizon_problem("app", std::nullopt, 1000));
  EXPECT_FALSE(txid_horizon_problem("app", 1000, 1000));
  EXPECT_FALSE(txid_horizon_problem("app", 999, 1000));
  EXPECT_FALSE(txid_horizon_problem("app", 5 * kEpoch + 7, 6 * kEpoch));
}

TEST(TxidHorizon, TicksAheadAreOneLineSayingWhatToDo) {
  auto line = txid_horizon_problem("app", 2 * kEpoch + 900, 1000);
  ASSERT_TRUE(line);
  EXPECT_EQ(line->find('\n'), std::string::npos);
  EXPECT_EQ(line->rfind("database app: ", 0), 0u) << *line;
  EXPECT_NE(line->find("txid 1000 (epoch 0, xid 1000) < 8589935492 (epoch 2, xid 900)"),
            std::string::npos)
      << *line;
  EXPECT_NE(line->find("8589934492 behind"), std::string::npos) << *line;
  EXPECT_NE(line->find("pg_resetwal -e 3 "), std::string::npos) << *line;
}

TEST(TxidHorizon, TheNewEpochPassesEveryTick) {
  EXPECT_EQ(epoch_past(0), 1);
  EXPECT_EQ(epoch_past(kEpoch - 1), 1);
  EXPECT_EQ(epoch_past(kEpoch), 2);
  EXPECT_GT(epoch_past(7 * kEpoch + 5) * kEpoch, 7 * kEpoch + 5);
}
