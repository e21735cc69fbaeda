// SPDX-License-Identifier: PostgreSQL
// Trigger expressions become queries with the row's columns as parameters.
#include <gtest/gtest.h>

#include "core/expr_template.hpp"

using namespace pgqpp::ext::core;

namespace {

const std::vector<std::string> kColumns = {"id", "Up", "lo", "", "two words", "e3"};

std::string sql(std::string_view expr) { return expression_template(expr, kColumns).sql; }

}  // namespace

TEST(ExprTemplate, ColumnsBecomeParameters) {
  ExprTemplate t = expression_template("lo || 'lo' || lo || id", kColumns);
  EXPECT_EQ(t.sql, "select $1 || 'lo' || $1 || $2");
  EXPECT_EQ(t.params, (std::vector<int>{2, 0}));
  EXPECT_EQ(sql("LO"), "select $1");          // folded like the parser folds it
  EXPECT_EQ(sql("Up > 1"), "select $1 > 1");  // PgQ's exact-spelling match
  EXPECT_EQ(sql("\"Up\" + \"two words\""), "select $1 + $2");
  EXPECT_EQ(sql("\"up\""), "select \"up\"");  // quoted: exact only
  EXPECT_EQ(sql("lo;"), "select $1;");
  EXPECT_TRUE(expression_template("1 + 2", kColumns).params.empty());
}

TEST(ExprTemplate, ConstantsAndCommentsAreKept) {
  EXPECT_EQ(sql("'lo' || $$lo$$ || $t$lo$t$"), "select 'lo' || $$lo$$ || $t$lo$t$");
  EXPECT_EQ(sql("'it''s lo'"), "select 'it''s lo'");
  EXPECT_EQ(sql("E'\\' lo' || lo"), "select E'\\' lo' || $1");
  EXPECT_EQ(sql("lo -- lo\n|| lo"), "select $1 -- lo\n|| $1");
  EXPECT_EQ(sql("lo /* lo /* lo */ lo */"), "select $1 /* lo /* lo */ lo */");
  EXPECT_EQ(sql("-1.5e3 + 1e-3 + e3"), "select -1.5e3 + 1e-3 + $1");
  EXPECT_EQ(sql("$1"), "select $1");
}

TEST(ExprTemplate, NamesThatAreNotColumnReferences) {
  EXPECT_EQ(sql("tq.lo"), "select tq.lo");
  EXPECT_EQ(sql("lo.x"), "select lo.x");
  EXPECT_EQ(sql("id::text"), "select $1::text");
  EXPECT_EQ(sql("x::lo"), "select x::lo");
  EXPECT_EQ(sql("lo (1)"), "select lo (1)");
  EXPECT_EQ(sql("upper(lo)"), "select upper($1)");
}

TEST(ExprTemplate, UnterminatedTokensAreSyntaxErrors) {
  for (const char* bad : {"'abc", "\"abc", "$$abc", "$t$abc$$", "/* abc", "E'abc\\'"})
    EXPECT_THROW(sql(bad), ExprSyntaxError) << bad;
}
