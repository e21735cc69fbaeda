// SPDX-License-Identifier: PostgreSQL
// The consumer settings an operator can change with `pgqpp consumer-config`
// and `pgqpp register --max-batch-events`: the keys
// pgq.set_consumer_config accepts (pgqpp 1.2 and later), and the local
// checks done before anything is sent to the server (a typo is a usage
// error, exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pgqpp::cli {

/// One settable consumer setting. All of them so far take a positive
/// integer, or "none" to unset.
struct ConsumerSetting {
  const char* key;   ///< e.g. "max_batch_events"
  const char* help;  ///< one line for the table and the docs
};

/// Every settable consumer setting, in the order `pgqpp consumer-config` shows them.
std::span<const ConsumerSetting> consumer_settings();

/// "max_batch_events (integer > 0, or none)": the list every unknown-key or
/// bad-value message ends with.
std::string valid_consumer_settings_text();

/// A positive integer that fits the server's int4, or (when `none_allowed`)
/// nullopt for "none" (unset). Throws std::invalid_argument naming `what`
/// and the value otherwise (0, negative, not a number, too large).
std::optional<std::int32_t> parse_positive_setting(std::string_view what, std::string_view value,
                                                   bool none_allowed = true);

/// A `key=value` argument, split and checked; value nullopt means unset.
struct ConsumerSettingAssignment {
  const ConsumerSetting* setting;
  std::optional<std::int32_t> value;
};

/// Splits and checks "key=value": throws std::invalid_argument with a
/// one-line message naming the problem and listing the valid keys when
/// there is no '=', the key is unknown, or the value is not a positive
/// integer or "none".
ConsumerSettingAssignment parse_consumer_setting_assignment(std::string_view argument);

}  // namespace pgqpp::cli
