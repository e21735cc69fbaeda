// SPDX-License-Identifier: PostgreSQL
// pgqpp produce's JSON lines (cli/event_input.hpp) and the number formats.
#include <gtest/gtest.h>

#include "event_input.hpp"
#include "latency_stats.hpp"
#include "number_format.hpp"

using namespace pgqpp;
using namespace pgqpp::cli;

TEST(CliEventInput, FullObject) {
  auto ev = parse_json_event(
      R"({"type":"t","data":"d ✓","extra1":"e1","extra2":null,"extra3":7,"extra4":{"k":[1,2]}})",
      "def");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, "t");
  EXPECT_EQ(ev->data, "d ✓");
  EXPECT_EQ(ev->extra1, "e1");
  EXPECT_FALSE(ev->extra2);
  EXPECT_EQ(ev->extra3, "7");
  EXPECT_EQ(ev->extra4, R"({"k":[1,2]})");
}

TEST(CliEventInput, DataAsJsonValueAndDefaultType) {
  auto ev = parse_json_event(R"({"data": {"order": 1, "items": ["a"]}})", "def");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, "def");
  EXPECT_EQ(ev->data, R"({"items":["a"],"order":1})");
  EXPECT_EQ(parse_json_event(R"({"data": 12.5})", "x")->data, "12.5");
  EXPECT_EQ(parse_json_event(R"({"data": true})", "x")->data, "true");
}

TEST(CliEventInput, BlankLinesAreSkipped) {
  EXPECT_FALSE(parse_json_event("", "t"));
  EXPECT_FALSE(parse_json_event("  \t\r", "t"));
}

TEST(CliEventInput, TailKeysAreIgnored) {
  auto ev =
      parse_json_event(R"({"id":5,"time":"x","txid":9,"retry":null,"type":"t","data":"d"})", "def");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->data, "d");
}

TEST(CliEventInput, Errors) {
  auto message = [](std::string_view line) {
    try {
      parse_json_event(line, "t");
    } catch (const BadInput& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(R"({"data": "x")").rfind("invalid JSON at column", 0), 0u)
      << message(R"({"data": "x")");
  EXPECT_EQ(message("[1,2]"), "expected a JSON object, got array");
  EXPECT_EQ(message(R"({"type": 1, "data": "x"})"), "\"type\" must be a string");
  EXPECT_EQ(message(R"({"type": "t"})"), "no \"data\" key");
  EXPECT_NE(message(R"({"data": null})").find("\"data\" is null"), std::string::npos);
  EXPECT_EQ(message(R"({"data": "x", "extra5": "y"})"),
            "unknown key \"extra5\" (expected type, data, extra1..extra4)");
  EXPECT_EQ(message("{\"data\": \"bad \xff\"}").rfind("invalid JSON", 0), 0u);
}

TEST(CliNumberFormat, GroupsAndRates) {
  EXPECT_EQ(group_digits(0), "0");
  EXPECT_EQ(group_digits(999), "999");
  EXPECT_EQ(group_digits(1000), "1,000");
  EXPECT_EQ(group_digits(1234567), "1,234,567");
  EXPECT_EQ(group_digits(-1234), "-1,234");
  EXPECT_EQ(rate(3000, 2.0), "1,500");
  EXPECT_EQ(rate(10, 0), "0");
}

TEST(CliLatencyStats, NearestRankPercentiles) {
  std::vector<double> empty;
  EXPECT_EQ(percentile(empty, 50), 0);
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(percentile(v, 50), 50);
  EXPECT_EQ(percentile(v, 99), 99);
  EXPECT_EQ(percentile(v, 100), 100);
  EXPECT_EQ(percentile(v, 0), 1);
  std::vector<double> one{7.5};
  EXPECT_EQ(percentile(one, 99), 7.5);
}

namespace {

// The BadInput message parse (or plain_event) gives, "" when none.
template <typename F>
std::string bad_input(F parse) {
  try {
    parse();
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CliEventInput, PlainLineWithNulIsRejected) {
  EXPECT_EQ(plain_event("abc", "t").data, "abc");
  EXPECT_EQ(bad_input([] { plain_event(std::string_view("ab\0c", 4), "t"); }),
            "a NUL byte at byte 3, which PostgreSQL text cannot store");
}

TEST(CliEventInput, JsonNulCharacterIsRejectedInEveryField) {
  for (const char* line : {R"({"data":"a\u0000b"})", R"({"data":"d","type":"\u0000"})",
                           R"({"data":"d","extra3":"x\u0000"})"})
    EXPECT_NE(bad_input([&] { parse_json_event(line, "t"); }).find("contains a NUL character"),
              std::string::npos)
        << line;
  // As JSON text (not a string) the escape stays six characters: no NUL.
  EXPECT_EQ(parse_json_event(R"({"data":{"k":"\u0000"}})", "t")->data, R"({"k":"\u0000"})");
}

TEST(CliEventInput, NumberOutOfRangeIsBadInput) {
  EXPECT_EQ(bad_input([] { parse_json_event(R"({"data":1e400})", "t"); }),
            "invalid JSON: number overflow parsing '1e400'");
}

TEST(CliEventInput, InvalidUtf8IsBadInputWithoutTheRawByte) {
  EXPECT_EQ(bad_input([] { parse_json_event("{\"data\":\"a\xff\"}", "t"); }),
            "invalid JSON at column 11: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte");
}
