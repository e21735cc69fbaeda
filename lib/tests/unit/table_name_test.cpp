// SPDX-License-Identifier: PostgreSQL
#include "text/table_name.hpp"

#include <gtest/gtest.h>

#include <string>

using pgqpp::text::quoted_table_name;

TEST(TableName, QuotesPlainAndQualifiedNames) {
  EXPECT_EQ(quoted_table_name("progress"), "\"progress\"");
  EXPECT_EQ(quoted_table_name("app.consumer_progress_2"), "\"app\".\"consumer_progress_2\"");
  EXPECT_EQ(quoted_table_name("user"), "\"user\"");  // reserved words are safe quoted
}

TEST(TableName, RejectsAnythingElse) {
  for (const char* bad : {"", ".", "a.", ".a", "a.b.c", "Progress", "a-b", "a b", "1abc",
                          "x\";drop table y;--", "a.\"b\""})
    EXPECT_FALSE(quoted_table_name(bad).has_value()) << bad;
  EXPECT_FALSE(quoted_table_name(std::string(64, 'a')).has_value());
  EXPECT_TRUE(quoted_table_name(std::string(63, 'a')).has_value());
}
