// SPDX-License-Identifier: PostgreSQL
// How `pgqpp web` previews an event payload (cli/format/payload_preview):
// cut at a character boundary, binary marked and escaped, null kept.
#include <gtest/gtest.h>

#include "payload_preview.hpp"

namespace pgqpp::cli {
namespace {

TEST(CliPayloadPreview, TextIsKeptWhole) {
  auto p = payload_preview("<b>héllo</b>\n\tok", 100);
  EXPECT_EQ(p["text"], "<b>héllo</b>\n\tok");
  EXPECT_EQ(p["bytes"], 17);
  EXPECT_EQ(p["truncated"], false);
  EXPECT_EQ(p["binary"], false);
}

TEST(CliPayloadPreview, CutNeverSplitsACharacter) {
  auto p = payload_preview("aé", 2);  // é is two bytes: the cut backs off before it
  EXPECT_EQ(p["text"], "a");
  EXPECT_EQ(p["truncated"], true);
  EXPECT_EQ(p["bytes"], 3);
  EXPECT_EQ(payload_preview("abcdef", 3)["text"], "abc");
}

TEST(CliPayloadPreview, BinaryIsMarkedAndEscaped) {
  auto ctl = payload_preview(std::string_view("a\x01"
                                              "b\\",
                                              4),
                             100);
  EXPECT_EQ(ctl["binary"], true);
  EXPECT_EQ(ctl["text"], "a\\x01b\\x5c");
  auto bad = payload_preview("\xff\xfe", 100);  // not UTF-8
  EXPECT_EQ(bad["binary"], true);
  EXPECT_EQ(bad["text"], "\\xff\\xfe");
  EXPECT_EQ(payload_preview("\xc3", 100)["binary"], true);  // a cut-off sequence
}

TEST(CliPayloadPreview, NullStaysNull) { EXPECT_TRUE(payload_preview(std::nullopt, 10).is_null()); }

}  // namespace
}  // namespace pgqpp::cli
