// SPDX-License-Identifier: PostgreSQL
// The pgqpp tool's local checks of queue settings (cli/format/queue_settings).
#include <gtest/gtest.h>

#include <stdexcept>

#include "queue_settings.hpp"

namespace pgqpp::cli {
namespace {

TEST(CliQueueSettings, KeysWithAndWithoutPrefix) {
  ASSERT_NE(find_queue_setting("ticker_max_lag"), nullptr);
  EXPECT_EQ(find_queue_setting("queue_ticker_max_lag"), find_queue_setting("ticker_max_lag"));
  EXPECT_EQ(find_queue_setting("QUEUE_Ticker_Paused"), find_queue_setting("ticker_paused"));
  EXPECT_EQ(find_queue_setting("ticker_max_lags"), nullptr);
  EXPECT_EQ(find_queue_setting("queue_ntables"), nullptr);  // not settable in PgQ 3.5
  EXPECT_EQ(queue_settings().size(), 7u);
  EXPECT_EQ(find_queue_setting("queue_max_retries"), find_queue_setting("max_retries"));
}

TEST(CliQueueSettings, ParsesAssignments) {
  auto a = parse_setting_assignment("queue_ticker_max_count=500");
  EXPECT_STREQ(a.setting->key, "ticker_max_count");
  EXPECT_EQ(a.value, "500");
  EXPECT_EQ(parse_setting_assignment("ticker_max_lag=0.5 s").value, "0.5 s");
  EXPECT_EQ(parse_setting_assignment("max_retries=3").value, "3");
  EXPECT_EQ(parse_setting_assignment("max_retries=None").value, "None");
  EXPECT_THROW(parse_setting_assignment("max_retries=-1"), std::invalid_argument);
  EXPECT_THROW(parse_setting_assignment("max_retries="), std::invalid_argument);
  EXPECT_EQ(parse_setting_assignment("ticker_paused=on").value, "on");
  EXPECT_EQ(parse_setting_assignment("external_ticker=F").value, "F");
  EXPECT_EQ(parse_setting_assignment("rotation_period=a=b").value,
            "a=b");  // the server judges intervals
}

// Every rejection names the problem and lists the valid keys.
void expect_rejected(const char* argument, const char* naming) {
  try {
    parse_setting_assignment(argument);
    ADD_FAILURE() << argument << " was accepted";
  } catch (const std::invalid_argument& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find(naming), std::string::npos) << text;
    EXPECT_NE(text.find("valid keys: ticker_max_count (integer >= 0), ticker_max_lag (interval)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  }
}

TEST(CliQueueSettings, RejectsBadInput) {
  expect_rejected("ticker_max_lag", "expected key=value");
  expect_rejected("ticker_max_lags=1", "unknown setting 'ticker_max_lags'");
  expect_rejected("ticker_max_count=-1", "bad value '-1' for ticker_max_count");
  expect_rejected("ticker_max_count=1.5", "bad value '1.5'");
  expect_rejected("ticker_max_count=99999999999", "bad value");
  expect_rejected("ticker_paused=maybe", "bad value 'maybe' for ticker_paused (boolean expected)");
  expect_rejected("ticker_idle_period=", "bad value ''");
}

}  // namespace
}  // namespace pgqpp::cli
