#include "text/copy_row.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

using pgqpp::text::split_copy_row;
using Fields = std::array<std::optional<std::string_view>, 3>;

namespace {

// Splits `row` (copied into a writable buffer kept alive in `buf`).
bool split(std::string& buf, Fields& f) { return split_copy_row(buf.data(), buf.size(), f); }

}  // namespace

TEST(CopyRow, PlainFieldsAreViewsIntoTheRow) {
  std::string row = "1\tabc\t\n";
  Fields f;
  ASSERT_TRUE(split(row, f));
  EXPECT_EQ(f[0], "1");
  EXPECT_EQ(f[1], "abc");
  EXPECT_EQ(f[2], "");  // empty, not NULL
  EXPECT_EQ(f[1]->data(), row.data() + 2);
}

TEST(CopyRow, BackslashNAloneIsNull) {
  std::string row = "\\N\tx\\N\t\\\\N";
  Fields f;
  ASSERT_TRUE(split(row, f));
  EXPECT_FALSE(f[0].has_value());
  EXPECT_EQ(f[1], "xN");     // \N inside a value is an escaped N
  EXPECT_EQ(f[2], "\\N");    // an escaped backslash, then N
}

TEST(CopyRow, DecodesEveryEscapeTheServerWrites) {
  std::string row = "a\\tb\\nc\\rd\\\\e\tf\\bg\\fh\\vi\t\\101\\x41\\x4a\\q";
  Fields f;
  ASSERT_TRUE(split(row, f));
  EXPECT_EQ(f[0], "a\tb\nc\rd\\e");
  EXPECT_EQ(f[1], "f\bg\fh\vi");
  EXPECT_EQ(f[2], "AAJq");  // octal, hex (one or two digits), any other char
}

TEST(CopyRow, OctalAndHexStopAtTheirDigitLimit) {
  std::string row = "\\1012\t\\x414\t\\xZ";
  Fields f;
  ASSERT_TRUE(split(row, f));
  EXPECT_EQ(f[0], "A2");
  EXPECT_EQ(f[1], "A4");
  EXPECT_EQ(f[2], "xZ");
}

TEST(CopyRow, RejectsTooFewAndTooManyFields) {
  Fields f;
  std::string few = "1\t2\n";
  EXPECT_FALSE(split(few, f));
  std::string many = "1\t2\t3\t4\n";
  EXPECT_FALSE(split(many, f));
}

TEST(CopyRow, MultiByteTextPassesThrough) {
  std::string row = "ä\t日本\t\\\\ü";
  Fields f;
  ASSERT_TRUE(split(row, f));
  EXPECT_EQ(f[1], "日本");
  EXPECT_EQ(f[2], "\\ü");
}
