// SPDX-License-Identifier: PostgreSQL
#include "text/binary_copy.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "text/binary_value.hpp"

using pgqpp::text::CopyMessage;
using pgqpp::text::parse_binary_copy;
using Fields = std::array<std::optional<std::string_view>, 3>;

namespace {

const std::string header = std::string("PGCOPY\n\377\r\n\0", 11) + std::string(8, '\0');

std::string be(std::int64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string field(std::string_view value) {
  return be(static_cast<std::int64_t>(value.size()), 4) + std::string(value);
}
std::string null_field() { return be(-1, 4); }
std::string tuple(const std::string& fields, int count = 3) { return be(count, 2) + fields; }

}  // namespace

TEST(BinaryCopy, HeaderComesWithTheFirstTuple) {
  bool header_seen = false;
  Fields f;
  std::string first = header + tuple(field(be(42, 8)) + null_field() + field("x\ty\\z"));
  ASSERT_EQ(parse_binary_copy(first, header_seen, f), CopyMessage::row);
  EXPECT_TRUE(header_seen);
  EXPECT_EQ(pgqpp::text::be_int64(*f[0]), 42);
  EXPECT_FALSE(f[1].has_value());
  EXPECT_EQ(f[2], "x\ty\\z");  // no escaping in binary form

  std::string second = tuple(field("") + field("b") + field("c"));
  ASSERT_EQ(parse_binary_copy(second, header_seen, f), CopyMessage::row);
  EXPECT_EQ(f[0], "");  // empty, not NULL
  EXPECT_EQ(parse_binary_copy(be(-1, 2), header_seen, f), CopyMessage::end);
}

TEST(BinaryCopy, NoRowsIsHeaderAndTrailer) {
  bool header_seen = false;
  Fields f;
  EXPECT_EQ(parse_binary_copy(header + be(-1, 2), header_seen, f), CopyMessage::end);
}

TEST(BinaryCopy, HeaderExtensionIsSkipped) {
  bool header_seen = false;
  Fields f;
  std::string h = std::string("PGCOPY\n\377\r\n\0", 11) + be(0, 4) + be(3, 4) + "ext";
  // The fields are views into the message, so the message must outlive them.
  std::string message = h + tuple(field("a") + field("b") + field("c"));
  EXPECT_EQ(parse_binary_copy(message, header_seen, f), CopyMessage::row);
  EXPECT_EQ(f[2], "c");
}

TEST(BinaryCopy, RejectsWhatIsNotOurFormat) {
  Fields f;
  bool seen = false;
  EXPECT_EQ(parse_binary_copy("1\t2\t3\n", seen, f), CopyMessage::invalid);  // text COPY
  seen = false;
  std::string oids = std::string("PGCOPY\n\377\r\n\0", 11) + be(1 << 16, 4) + be(0, 4);
  EXPECT_EQ(parse_binary_copy(oids + be(-1, 2), seen, f), CopyMessage::invalid);
  seen = true;
  EXPECT_EQ(parse_binary_copy(tuple(field("a") + field("b"), 2), seen, f), CopyMessage::invalid);
  EXPECT_EQ(parse_binary_copy(tuple(field("a") + field("b") + be(10, 4) + "short"), seen, f),
            CopyMessage::invalid);
  EXPECT_EQ(parse_binary_copy(tuple(field("a") + field("b") + field("c")) + "x", seen, f),
            CopyMessage::invalid);
  EXPECT_EQ(parse_binary_copy("", seen, f), CopyMessage::invalid);
}

TEST(BinaryValue, IntegersAreBigEndianOfExactSize) {
  using namespace pgqpp::text;
  EXPECT_EQ(be_int32(be(-2, 4)), -2);
  EXPECT_EQ(be_int64(be(0x0102030405060708, 8)), 0x0102030405060708);
  EXPECT_EQ(be_int16(be(-1, 2)), -1);
  EXPECT_FALSE(be_int64(be(1, 4)).has_value());
  EXPECT_FALSE(be_int32("").has_value());
}

TEST(BinaryValue, TimestamptzCountsMicrosecondsFrom2000) {
  using namespace std::chrono;
  using pgqpp::text::timestamptz;
  EXPECT_EQ(timestamptz(be(0, 8)), sys_days(year(2000) / January / 1));
  EXPECT_EQ(timestamptz(be(86400LL * 1000000 + 5, 8)),
            sys_days(year(2000) / January / 2) + microseconds(5));
  EXPECT_EQ(timestamptz(be(-1000000, 8)), sys_days(year(2000) / January / 1) - seconds(1));
  EXPECT_EQ(timestamptz(be(INT64_MAX, 8)), system_clock::time_point::max());
  EXPECT_FALSE(timestamptz(be(0, 4)).has_value());
}
