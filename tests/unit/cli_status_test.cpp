// SPDX-License-Identifier: PostgreSQL
// The pgqpp tool's status model and rendering (cli/format): problem rules,
// table alignment and colour, JSON fields, durations.
#include <gtest/gtest.h>

#include "duration_text.hpp"
#include "status_model.hpp"
#include "status_render.hpp"
#include "text_table.hpp"

namespace pgqpp::cli {
namespace {

StatusSnapshot sample() {
  StatusSnapshot s;
  s.database = "app";
  s.server_time = "2026-11-25T12:00:00.000Z";
  s.lag_threshold = 60;
  QueueStatus q;
  q.name = "orders";
  q.events_per_second = 12.5;
  q.pending_events = 3;
  q.last_tick_id = 100;
  q.last_tick_age = 0.5;
  q.ticker_idle_period = 60;
  q.ticker_max_lag = 3;
  q.ticker_max_count = 500;
  q.current_table = 1;
  q.tables = 3;
  q.last_rotation_age = 3700;
  q.rotation_period = 7200;
  s.queues.push_back(q);
  ConsumerStatus c;
  c.queue = "orders";
  c.name = "shipping";
  c.lag = 1.5;
  c.last_seen = 0.2;
  c.last_tick_id = 99;
  c.pending_events = 10;
  c.dead_letters = 0;
  s.consumers.push_back(c);
  c.name = "billing";
  c.lag = 75;
  c.open_batch_id = 42;
  c.dead_letters = 3;
  c.max_batch_events = 1000;
  s.consumers.push_back(c);
  return s;
}

TEST(CliStatus, ConsumerLagsOnlyWhenBehindAndOverThreshold) {
  auto s = sample();
  evaluate_status(s);
  EXPECT_FALSE(s.consumers[0].lagging);
  EXPECT_TRUE(s.consumers[1].lagging);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(
      s.problems[0],
      "consumer billing on queue orders: lag 1m15s over the threshold of 1m00s, 10 events pending");
  // Caught up with the newest tick: an old position is no problem (idle queue).
  s.consumers[1].last_tick_id = 100;
  evaluate_status(s);
  EXPECT_FALSE(s.consumers[1].lagging);
  EXPECT_TRUE(s.problems.empty());
  // A zero threshold flags any lag while behind.
  s.lag_threshold = 0;
  evaluate_status(s);
  EXPECT_TRUE(s.consumers[0].lagging);
}

TEST(CliStatus, TickerLateAfterIdlePeriodPlusThreshold) {
  auto s = sample();
  s.consumers.clear();
  s.queues[0].last_tick_age = 119;
  evaluate_status(s);
  EXPECT_FALSE(s.queues[0].ticker_late);
  s.queues[0].last_tick_age = 121;
  evaluate_status(s);
  EXPECT_TRUE(s.queues[0].ticker_late);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_NE(s.problems[0].find("queue orders: last tick 2m01s ago"), std::string::npos);
  s.queues[0].ticker_paused = true;  // a paused queue is expected not to tick
  evaluate_status(s);
  EXPECT_FALSE(s.queues[0].ticker_late);
  s.queues[0].ticker_paused = false;
  s.queues[0].external_ticker = true;
  evaluate_status(s);
  EXPECT_FALSE(s.queues[0].ticker_late);
}

TEST(CliStatus, TableIsAlignedAndPlainWithoutColour) {
  auto s = sample();
  s.queues[0].delayed_pending = 2;
  s.queues[0].delayed_next_due = 30.5;
  evaluate_status(s);
  const std::string plain = status_table(s, false);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_NE(plain.find("database app  2026-11-25T12:00:00.000Z  lag threshold 1m00s\n"),
            std::string::npos);
  EXPECT_NE(
      plain.find(
          "QUEUE   EV/S  PENDING     DELAYED  LAST TICK  TICK ID  TABLE  ROTATED  ROTATION  STATE\n"
          "orders  12.5        3  2 next 30s      0.50s      100    1/3    1h01m     2h00m  ok\n"),
      std::string::npos)
      << plain;
  EXPECT_NE(
      plain.find("QUEUE   CONSUMER    LAG  PENDING  LAST SEEN  BATCH  DEAD  MAX BATCH  STATE\n"
                 "orders  shipping  1.50s       10      0.20s      -     0          -  ok\n"
                 "orders  billing   1m15s       10      0.20s     42     3       1000  LAGGING\n"),
      std::string::npos)
      << plain;
  EXPECT_NE(plain.find("problem: consumer billing"), std::string::npos);
  const std::string coloured = status_table(s, true);
  EXPECT_NE(coloured.find("\x1b[31mLAGGING\x1b[0m"), std::string::npos);
}

TEST(CliStatus, EmptyDatabaseSaysWhatToDo) {
  StatusSnapshot s;
  s.database = "app";
  EXPECT_NE(status_table(s, false).find("no queues (create one with: pgqpp create-queue NAME)"),
            std::string::npos);
}

TEST(CliStatus, JsonHasTheDocumentedFields) {
  auto s = sample();
  s.queues[0].events_per_second.reset();
  evaluate_status(s);
  const auto j = status_json(s);
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["database"], "app");
  EXPECT_EQ(j["lag_threshold_seconds"], 60.0);
  EXPECT_TRUE(j["queues"][0]["events_per_second"].is_null());
  EXPECT_EQ(j["queues"][0]["rotation"]["current_table"], 1);
  EXPECT_EQ(j["queues"][0]["rotation"]["period_seconds"], 7200.0);
  EXPECT_EQ(j["queues"][0]["ticker"]["max_count"], 500);
  EXPECT_EQ(j["consumers"][1]["open_batch_id"], 42);
  EXPECT_TRUE(j["consumers"][0]["open_batch_id"].is_null());
  EXPECT_EQ(j["consumers"][1]["dead_letters"], 3);
  EXPECT_EQ(j["consumers"][1]["max_batch_events"], 1000);
  EXPECT_TRUE(j["consumers"][0]["max_batch_events"].is_null());
  EXPECT_TRUE(j["queues"][0]["delayed_pending"].is_null());
  EXPECT_TRUE(j["queues"][0]["delayed_next_due_seconds"].is_null());
  s.queues[0].delayed_pending = 0;
  EXPECT_EQ(status_json(s)["queues"][0]["delayed_pending"], 0);
  EXPECT_EQ(j["consumers"][1]["lagging"], true);
  EXPECT_EQ(j["problems"].size(), 1u);
}

TEST(CliStatus, DurationsAndRates) {
  EXPECT_EQ(duration_text(std::nullopt), "-");
  EXPECT_EQ(duration_text(0.004), "0.00s");
  EXPECT_EQ(duration_text(9.5), "9.50s");
  EXPECT_EQ(duration_text(59.9), "59s");
  EXPECT_EQ(duration_text(245), "4m05s");
  EXPECT_EQ(duration_text(7380), "2h03m");
  EXPECT_EQ(duration_text(3 * 86400 + 4 * 3600 + 5), "3d04h");
  EXPECT_EQ(duration_text(-1), "0.00s");
  EXPECT_EQ(rate_text(std::nullopt), "-");
  EXPECT_EQ(rate_text(0), "0");
  EXPECT_EQ(rate_text(0.25), "0.2");
  EXPECT_EQ(rate_text(1234.6), "1235");
}

TEST(CliTextTable, AlignsByVisibleWidth) {
  TextTable t({{"NAME"}, {"N", true}, {"NOTE"}});
  t.add_row({{"äb"}, {"7"}, {"x", Tone::red}});
  t.add_row({{"longer"}, {"12"}});
  EXPECT_EQ(t.render(false), "NAME     N  NOTE\näb       7  x\nlonger  12\n");
  EXPECT_EQ(t.render(true),
            "\x1b[1mNAME\x1b[0m     \x1b[1mN\x1b[0m  \x1b[1mNOTE\x1b[0m\näb       7  "
            "\x1b[31mx\x1b[0m\nlonger  12\n");
  EXPECT_THROW(t.add_row({{"a"}, {"b"}, {"c"}, {"d"}}), std::invalid_argument);
}

}  // namespace
}  // namespace pgqpp::cli
