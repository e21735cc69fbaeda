// SPDX-License-Identifier: PostgreSQL
// The consumer settings and their checks (see consumer_settings.hpp).
#include "consumer_settings.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace pgqpp::cli {

namespace {

constexpr ConsumerSetting kSettings[] = {
    {"max_batch_events",
     "at most this many events per batch (bounded batches); none: PgQ's whole tick intervals"},
};

}  // namespace

std::span<const ConsumerSetting> consumer_settings() { return kSettings; }

std::string valid_consumer_settings_text() {
  std::string out;
  for (const auto& s : kSettings) {
    if (!out.empty()) out += ", ";
    out += std::string(s.key) + " (integer > 0, or none)";
  }
  return out;
}

std::optional<std::int32_t> parse_positive_setting(std::string_view what, std::string_view value,
                                                   bool none_allowed) {
  if (none_allowed && value == "none") return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  const bool number = ec == std::errc() && end == value.data() + value.size() && !value.empty();
  if (!number || n <= 0 || n > std::numeric_limits<std::int32_t>::max())
    throw std::invalid_argument(std::string(what) + " needs a positive integer up to 2147483647" +
                                (none_allowed ? " or none" : "") + ", not '" + std::string(value) +
                                "'");
  return static_cast<std::int32_t>(n);
}

ConsumerSettingAssignment parse_consumer_setting_assignment(std::string_view argument) {
  const auto eq = argument.find('=');
  if (eq == std::string_view::npos)
    throw std::invalid_argument("expected key=value, got '" + std::string(argument) +
                                "'; valid keys: " + valid_consumer_settings_text());
  const std::string_view key = argument.substr(0, eq);
  const ConsumerSetting* found = nullptr;
  for (const auto& s : kSettings)
    if (key == s.key) found = &s;
  if (!found)
    throw std::invalid_argument("unknown consumer setting '" + std::string(key) +
                                "'; valid keys: " + valid_consumer_settings_text());
  return {found, parse_positive_setting(found->key, argument.substr(eq + 1))};
}

}  // namespace pgqpp::cli
