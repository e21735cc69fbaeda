// SPDX-License-Identifier: PostgreSQL
// pgqpp tail's event formats (cli/event_format.hpp).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "event_format.hpp"

using namespace pgqpp;
using namespace pgqpp::cli;

namespace {

Event sample() {
  Event ev;
  ev.id = 42;
  ev.txid = 777;
  // 2026-11-25T11:50:01.123456Z
  ev.time = std::chrono::system_clock::time_point(std::chrono::microseconds(1795607401123456LL));
  ev.type = "order.created";
  ev.data = "{\"order\": 1}";
  return ev;
}

}  // namespace

TEST(CliEventFormat, UtcTimeWithMillisecondsOrMicroseconds) {
  auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1795607401123456LL));
  EXPECT_EQ(format_utc(t, 3), "2026-11-25T11:50:01.123Z");
  EXPECT_EQ(format_utc(t, 6), "2026-11-25T11:50:01.123456Z");
  auto before_epoch = std::chrono::system_clock::time_point(std::chrono::microseconds(-1));
  EXPECT_EQ(format_utc(before_epoch, 6), "1969-12-31T23:59:59.999999Z");
}

TEST(CliEventFormat, LineWithoutExtras) {
  EXPECT_EQ(format_event_line(sample(), false),
            "42 2026-11-25T11:50:01.123Z order.created {\"order\": 1}");
}

TEST(CliEventFormat, LineWithExtrasRetryAndNulls) {
  Event ev = sample();
  ev.type.reset();
  ev.data = "two\nlines";
  ev.extra1 = "public.orders";
  ev.extra3 = "";
  ev.retry = 2;
  EXPECT_EQ(format_event_line(ev, false),
            "42 2026-11-25T11:50:01.123Z (null) two\\nlines extra1=public.orders extra3= retry=2");
}

TEST(CliEventFormat, ColourOnlyWhenAsked) {
  std::string plain = format_event_line(sample(), false);
  std::string coloured = format_event_line(sample(), true);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(coloured.find("\033[1morder.created\033[0m"), std::string::npos);
}

TEST(CliEventFormat, JsonHasEveryFieldAndNulls) {
  Event ev = sample();
  ev.extra2 = "ünï ✓";
  auto j = nlohmann::json::parse(format_event_json(ev));
  EXPECT_EQ(j["id"], 42);
  EXPECT_EQ(j["txid"], 777);
  EXPECT_EQ(j["time"], "2026-11-25T11:50:01.123456Z");
  EXPECT_TRUE(j["retry"].is_null());
  EXPECT_EQ(j["type"], "order.created");
  EXPECT_EQ(j["data"], "{\"order\": 1}");
  EXPECT_TRUE(j["extra1"].is_null());
  EXPECT_EQ(j["extra2"], "ünï ✓");
  EXPECT_EQ(format_event_json(ev).find('\n'), std::string::npos);
}

TEST(CliEventFormat, JsonReplacesInvalidUtf8) {
  Event ev = sample();
  ev.data = "bad \xff byte";
  auto j = nlohmann::json::parse(format_event_json(ev));
  EXPECT_EQ(j["data"], "bad \xEF\xBF\xBD byte");
}
