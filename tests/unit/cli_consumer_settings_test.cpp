// SPDX-License-Identifier: PostgreSQL
// The pgqpp tool's local checks of consumer settings
// (cli/format/consumer_settings): max_batch_events takes a positive int4 or
// "none"; anything else is refused before the server is asked.
#include <gtest/gtest.h>

#include <stdexcept>

#include "consumer_settings.hpp"

namespace pgqpp::cli {
namespace {

TEST(CliConsumerSettings, PositiveIntegersOrNone) {
  EXPECT_EQ(parse_positive_setting("--max-batch-events", "1"), 1);
  EXPECT_EQ(parse_positive_setting("--max-batch-events", "2147483647"), 2147483647);
  EXPECT_EQ(parse_positive_setting("--max-batch-events", "none"), std::nullopt);
  EXPECT_THROW(parse_positive_setting("--max-batch-events", "none", false), std::invalid_argument);
  for (const char* bad : {"0", "-5", "", "abc", "10x", " 10", "2147483648", "1e3", "None"})
    EXPECT_THROW(parse_positive_setting("--max-batch-events", bad), std::invalid_argument) << bad;
  try {
    parse_positive_setting("--max-batch-events", "0");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "--max-batch-events needs a positive integer up to 2147483647 or none, not '0'");
  }
}

TEST(CliConsumerSettings, Assignments) {
  auto a = parse_consumer_setting_assignment("max_batch_events=1000");
  EXPECT_STREQ(a.setting->key, "max_batch_events");
  EXPECT_EQ(a.value, 1000);
  EXPECT_EQ(parse_consumer_setting_assignment("max_batch_events=none").value, std::nullopt);
  EXPECT_THROW(parse_consumer_setting_assignment("max_batch_events"), std::invalid_argument);
  EXPECT_THROW(parse_consumer_setting_assignment("max_batch_events=0"), std::invalid_argument);
  try {
    parse_consumer_setting_assignment("max_batch=5");
    ADD_FAILURE() << "an unknown key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "unknown consumer setting 'max_batch'; valid keys: max_batch_events (integer > "
                 "0, or none)");
  }
  EXPECT_EQ(consumer_settings().size(), 1u);
}

}  // namespace
}  // namespace pgqpp::cli
