// SPDX-License-Identifier: PostgreSQL
// The settable queue settings and the local checks of `key=value` arguments
// (see queue_settings.hpp).
#include "queue_settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace pgqpp::cli {

namespace {

// The six keys of PgQ 3.5's pgq.set_queue_config, the order of
// get_queue_info, then pgqpp's own (1.2 and later).
constexpr std::array<QueueSetting, 7> settings = {{
    {"ticker_max_count", SettingKind::count, "tick after this many events"},
    {"ticker_max_lag", SettingKind::interval, "tick events at most this old"},
    {"ticker_idle_period", SettingKind::interval, "tick an idle queue this often"},
    {"rotation_period", SettingKind::interval, "switch event tables this often"},
    {"ticker_paused", SettingKind::boolean, "the ticker leaves the queue alone"},
    {"external_ticker", SettingKind::boolean, "ticks come from pgq.ticker(queue, id, ...) only"},
    {"max_retries", SettingKind::optional_count,
     "a consumer's retries of one event before it is a dead letter"},
}};

const char* kind_text(SettingKind kind) {
  switch (kind) {
    case SettingKind::count:
      return "integer >= 0";
    case SettingKind::interval:
      return "interval";
    case SettingKind::boolean:
      return "boolean";
    case SettingKind::optional_count:
      return "integer >= 0 or none";
  }
  return "";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// PostgreSQL's boolean input: true/false, yes/no, on/off, 1/0 and their
// unique prefixes (t, f, y, n, "of" is ambiguous with "on" only as "o").
bool is_boolean(std::string_view value) {
  const std::string v = lower(value);
  if (v.empty()) return false;
  for (const char* word : {"true", "false", "yes", "no"})
    if (std::string_view(word).starts_with(v)) return true;
  return v == "on" || v == "off" || v == "of" || v == "1" || v == "0";
}

bool is_count(std::string_view value) {
  if (value.empty() || value.size() > 10) return false;
  if (!std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  return std::stoll(std::string(value)) <= 2147483647LL;
}

}  // namespace

std::span<const QueueSetting> queue_settings() { return settings; }

const QueueSetting* find_queue_setting(std::string_view key) {
  const std::string k = lower(key);
  std::string_view name = k;
  if (name.starts_with("queue_")) name.remove_prefix(6);
  for (const auto& s : settings)
    if (name == s.key) return &s;
  return nullptr;
}

std::string valid_settings_text() {
  std::string out;
  for (const auto& s : settings) {
    if (!out.empty()) out += ", ";
    out += std::string(s.key) + " (" + kind_text(s.kind) + ")";
  }
  return out;
}

SettingAssignment parse_setting_assignment(std::string_view argument) {
  const auto eq = argument.find('=');
  if (eq == std::string_view::npos)
    throw std::invalid_argument("expected key=value, got '" + std::string(argument) +
                                "'; valid keys: " + valid_settings_text());
  const std::string_view key = argument.substr(0, eq);
  std::string_view value = argument.substr(eq + 1);
  const QueueSetting* setting = find_queue_setting(key);
  if (!setting)
    throw std::invalid_argument("unknown setting '" + std::string(key) +
                                "'; valid keys: " + valid_settings_text());
  bool ok = !value.empty();
  if (setting->kind == SettingKind::count) ok = is_count(value);
  if (setting->kind == SettingKind::boolean) ok = is_boolean(value);
  if (setting->kind == SettingKind::optional_count) ok = is_count(value) || lower(value) == "none";
  if (!ok)
    throw std::invalid_argument("bad value '" + std::string(value) + "' for " + setting->key +
                                " (" + kind_text(setting->kind) +
                                " expected); valid keys: " + valid_settings_text());
  return {setting, std::string(value)};
}

}  // namespace pgqpp::cli
