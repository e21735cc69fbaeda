// SPDX-License-Identifier: PostgreSQL
// The wording of produce's early stops (cli/format/produce_report.hpp).
#include <gtest/gtest.h>

#include "produce_report.hpp"

using namespace pgqpp::cli;

TEST(CliProduceReport, KeptLines) {
  EXPECT_EQ(kept_lines_text(1199, false), "lines 1–1199 inserted; resend from line 1200");
  EXPECT_EQ(kept_lines_text(1, false), "line 1 inserted; resend from line 2");
  EXPECT_EQ(kept_lines_text(0, false), "nothing inserted; resend from line 1");
  EXPECT_EQ(kept_lines_text(1199, true), "nothing inserted (--atomic)");
}

TEST(CliProduceReport, BadLineStaysOneLine) {
  EXPECT_EQ(bad_line_text(1200, "bad\nthing\x01", 1199, false),
            "line 1200: bad\\nthing\\x01; lines 1–1199 inserted; resend from line 1200");
  EXPECT_EQ(bad_line_text(1, "why", 0, false), "line 1: why; nothing inserted; resend from line 1");
  EXPECT_EQ(bad_line_text(7, "why", 6, true), "line 7: why; nothing inserted (--atomic)");
}

TEST(CliProduceReport, InDoubt) {
  EXPECT_EQ(
      in_doubt_text(1000, 1500),
      "lines 1–1000 inserted; lines 1001–1500 may or may not be (the connection was lost "
      "while committing them); resend from line 1001 (lines 1001–1500 may then arrive twice)");
  EXPECT_EQ(in_doubt_text(0, 1),
            "line 1 may or may not be (the connection was lost while committing them); resend "
            "from line 1 (line 1 may then arrive twice)");
  EXPECT_EQ(in_doubt_text(5, 5), "lines 1–5 inserted; resend from line 6");
}
