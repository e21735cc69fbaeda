// SPDX-License-Identifier: PostgreSQL
// The queue settings an operator can change with `pgqpp config` and
// `pgqpp create-queue --set`: the keys pgq.set_queue_config accepts, what
// kind of value each takes, and the local checks done before anything is
// sent to the server (so that a typo is a usage error, exit 2).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pgqpp::cli {

/// The kind of value a setting takes, as pgq.set_queue_config checks it.
/// optional_count: an integer >= 0, or "none" for no limit.
enum class SettingKind { count, interval, boolean, optional_count };

/// One settable queue setting.
struct QueueSetting {
  const char* key;   ///< the name without the queue_ prefix, e.g. "ticker_max_lag"
  SettingKind kind;  ///< what value it takes
  const char* help;  ///< one line for the docs and error messages
};

/// Every settable setting, in the order `pgqpp config QUEUE` shows them.
std::span<const QueueSetting> queue_settings();

/// The setting named `key`, given with or without its "queue_" prefix (as
/// pgq.set_queue_config accepts both), or nullptr for an unknown key.
const QueueSetting* find_queue_setting(std::string_view key);

/// "ticker_max_count (integer >= 0), ticker_max_lag (interval), ...": the
/// list every unknown-key or bad-value message ends with.
std::string valid_settings_text();

/// A `key=value` argument, split and checked. The key is the setting's
/// canonical name (without prefix).
struct SettingAssignment {
  const QueueSetting* setting;
  std::string value;
};

/// Splits and checks "key=value": throws std::invalid_argument with a
/// one-line message naming the problem and listing the valid keys when
/// there is no '=', the key is unknown, or the value is plainly wrong for
/// its kind (not a non-negative integer, not a boolean, empty). Intervals
/// are checked by the server, which knows every spelling PostgreSQL allows.
SettingAssignment parse_setting_assignment(std::string_view argument);

}  // namespace pgqpp::cli
