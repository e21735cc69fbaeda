// SPDX-License-Identifier: PostgreSQL
#include "text/array_literal.hpp"

#include <gtest/gtest.h>

using pgqpp::text::ArrayLiteral;

TEST(ArrayLiteral, EmptyArray) {
  ArrayLiteral a;
  EXPECT_EQ(a.finish(), "{}");
}

TEST(ArrayLiteral, QuotesEveryElementAndWritesNull) {
  ArrayLiteral a;
  a.add("x");
  a.add(std::nullopt);
  a.add("NULL");  // the word, not the value
  a.add("");
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a.finish(), R"({"x",NULL,"NULL",""})");
}

TEST(ArrayLiteral, EscapesQuotesAndBackslashesOnly) {
  ArrayLiteral a;
  a.add(R"(say "hi" \ {a,b} )");
  EXPECT_EQ(a.finish(), R"({"say \"hi\" \\ {a,b} "})");
}

TEST(ArrayLiteral, IsEmptyAgainAfterFinish) {
  ArrayLiteral a;
  a.add("1");
  a.finish();
  a.add("2");
  EXPECT_EQ(a.finish(), R"({"2"})");
}
