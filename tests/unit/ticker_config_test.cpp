// SPDX-License-Identifier: PostgreSQL
// The ticker's config file: pgqd's format, and mistakes refused.
#include "config.hpp"

#include <gtest/gtest.h>

using namespace pgqpp::ticker;

TEST(TickerConfig, ReadsPgqdAndPgqppSections) {
  Config c = parse_config("[pgqd]\nticker_period = 0.5\n[pgqpp]\nmin_tick_interval = 0.01\n", "t");
  EXPECT_EQ(c.ticker_period, 0.5);
  EXPECT_EQ(c.min_tick_interval, 0.01);
}

TEST(TickerConfig, UnknownSectionIsAnError) {
  try {
    parse_config("[pgqdd]\nbase_connstr = host=elsewhere\n", "f.ini");
    FAIL() << "a misspelt section was accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "f.ini:1: unknown section '[pgqdd]' (use [pgqd] or [pgqpp])");
  }
  EXPECT_THROW(parse_config("[pgqd]\nlogfile = x\n[other]\n", "f.ini"), ConfigError);
}

TEST(TickerConfig, KeyOutsideASectionIsAnError) {
  EXPECT_THROW(parse_config("ticker_period = 1\n[pgqd]\n", "f.ini"), ConfigError);
}

TEST(TickerConfig, UnknownKeyAndBadValueAreErrors) {
  EXPECT_THROW(parse_config("[pgqd]\nticker_perid = 1\n", "f.ini"), ConfigError);
  EXPECT_THROW(parse_config("[pgqd]\nticker_period = soon\n", "f.ini"), ConfigError);
}
