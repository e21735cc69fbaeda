// SPDX-License-Identifier: PostgreSQL
// The trigger payload encoders write what PgQ 3.5's triggers write.
#include <gtest/gtest.h>

#include <string>

#include "core/payload_encoding.hpp"

using namespace pgqpp::ext::core;

namespace {

std::string all_ascii() {
  std::string s;
  for (int c = 1; c < 128; ++c) s += static_cast<char>(c);
  return s;
}

}  // namespace

TEST(PayloadEncoding, UrlEncodingKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(url_encoded(""), "");
  EXPECT_EQ(url_encoded("a b&c=d%e+f"), "a+b%26c%3dd%25e%2bf");
  // PgQ 3.5's logutriga output for bytes 1..127, read off a live server.
  EXPECT_EQ(
      url_encoded(all_ascii()),
      "%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14%15%16%17%18%19%1a%1b"
      "%1c%1d%1e%1f+%21%22%23%24%25%26%27%28%29%2a%2b%2c-.%2f0123456789%3a%3b%3c%3d%3e%3f"
      "%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5b%5c%5d%5e_%60abcdefghijklmnopqrstuvwxyz%7b%7c%7d%7e%7f");
  EXPECT_EQ(url_encoded("\xc3\xbc\xf0\x9f\x98\x80"), "%c3%bc%f0%9f%98%80");
}

TEST(PayloadEncoding, SqlLiteralDoublesQuotesAndMarksBackslashes) {
  EXPECT_EQ(sql_literal(""), "''");
  EXPECT_EQ(sql_literal("it's"), "'it''s'");
  EXPECT_EQ(sql_literal("X'y\\z"), "E'X''y\\\\z'");
  EXPECT_EQ(sql_literal("\\x00ff"), "E'\\\\x00ff'");
  EXPECT_EQ(sql_literal("tab\there\nünï"), "'tab\there\nünï'");
}

TEST(PayloadEncoding, JsonStringEscapesControlsQuotesBackslashes) {
  EXPECT_EQ(json_string(""), "\"\"");
  EXPECT_EQ(json_string("X'y\\z\"q\""), "\"X'y\\\\z\\\"q\\\"\"");
  EXPECT_EQ(json_string("/€\x7f"), "\"/€\x7f\"");
  // PgQ 3.5's jsontriga output for bytes 1..127.
  EXPECT_EQ(json_string(all_ascii()),
            "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e"
            "\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
            "\\u001b\\u001c\\u001d\\u001e\\u001f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNO"
            "PQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\"");
}

TEST(PayloadEncoding, RawEncodersStayWithinTheirBounds) {
  std::string worst(100, '\x01');
  std::string out(json_string_max(worst.size()), '#');
  EXPECT_EQ(json_string(worst.data(), worst.size(), out.data()), json_string_max(worst.size()));
  std::string quotes(100, '\'');
  out.assign(sql_literal_max(quotes.size()), '#');
  EXPECT_LE(sql_literal(quotes.data(), quotes.size(), out.data()), sql_literal_max(quotes.size()));
  std::string mixed = "\\" + quotes;
  out.assign(sql_literal_max(mixed.size()), '#');
  EXPECT_EQ(sql_literal(mixed.data(), mixed.size(), out.data()), sql_literal_max(mixed.size()));
  std::string bytes(100, '\xff');
  out.assign(url_encode_max(bytes.size()), '#');
  EXPECT_EQ(url_encode(bytes.data(), bytes.size(), out.data()), url_encode_max(bytes.size()));
}

TEST(PayloadEncoding, IdentifiersQuotedLikeQuoteIdentifier) {
  EXPECT_EQ(sql_identifier("id", KeywordClass::kNotKeyword, false), "id");
  EXPECT_EQ(sql_identifier("_x1", KeywordClass::kNotKeyword, false), "_x1");
  EXPECT_EQ(sql_identifier("name", KeywordClass::kUnreserved, false), "name");
  EXPECT_EQ(sql_identifier("select", KeywordClass::kReserved, false), "\"select\"");
  EXPECT_EQ(sql_identifier("Up", KeywordClass::kNotKeyword, false), "\"Up\"");
  EXPECT_EQ(sql_identifier("1st", KeywordClass::kNotKeyword, false), "\"1st\"");
  EXPECT_EQ(sql_identifier("two words", KeywordClass::kNotKeyword, false), "\"two words\"");
  EXPECT_EQ(sql_identifier("a\"q", KeywordClass::kNotKeyword, false), "\"a\"\"q\"");
  EXPECT_EQ(sql_identifier("ünï", KeywordClass::kNotKeyword, false), "\"ünï\"");
  EXPECT_EQ(sql_identifier("id", KeywordClass::kNotKeyword, true), "\"id\"");
}
