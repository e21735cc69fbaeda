// SPDX-License-Identifier: PostgreSQL
#include "text/number.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using pgqpp::text::parse_integer;

TEST(Number, ParsesWholeTextOnly) {
  EXPECT_EQ(parse_integer<std::int64_t>("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_integer<std::int64_t>("-5"), -5);
  EXPECT_FALSE(parse_integer<std::int64_t>("12x").has_value());
  EXPECT_FALSE(parse_integer<std::int64_t>("").has_value());
  EXPECT_FALSE(parse_integer<std::int32_t>("2147483648").has_value());
}
