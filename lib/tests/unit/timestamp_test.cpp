#include "text/timestamp.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using pgqpp::text::parse_iso_timestamp;

namespace {
system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return sys_days(year(y) / mo / d) + hours(h) + minutes(mi) + seconds(s) + microseconds(us);
}
}  // namespace

TEST(Timestamp, ReadsUtcWithFraction) {
  EXPECT_EQ(parse_iso_timestamp("2026-11-25 09:51:35.42383+00"), utc(2026, 11, 25, 9, 51, 35, 423830));
  EXPECT_EQ(parse_iso_timestamp("2000-01-01 00:00:00+00"), utc(2000, 1, 1, 0, 0, 0));
}

TEST(Timestamp, AppliesOffsets) {
  EXPECT_EQ(parse_iso_timestamp("2024-03-01 02:30:00+05:30"), utc(2024, 2, 29, 21, 0, 0));
  EXPECT_EQ(parse_iso_timestamp("2024-01-01 00:00:00-08"), utc(2024, 1, 1, 8, 0, 0));
  EXPECT_EQ(parse_iso_timestamp("1900-01-01 00:00:00+00:19:32"), utc(1899, 12, 31, 23, 40, 28));
}

TEST(Timestamp, RejectsOtherForms) {
  for (const char* bad : {"", "infinity", "2024-01-01", "2024-01-01 00:00:00",
                          "2024-13-01 00:00:00+00", "2024-02-30 00:00:00+00",
                          "01/02/2024 00:00:00+00", "2024-01-01 00:00:00.+00",
                          "2024-01-01 00:00:00+00 BC", "2024-01-01T00:00:00+00"})
    EXPECT_FALSE(parse_iso_timestamp(bad).has_value()) << bad;
}
