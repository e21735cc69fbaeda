// SPDX-License-Identifier: PostgreSQL
// Formatting of events for `pgqpp tail` (see event_format.hpp).
#include "event_format.hpp"

#include "escape_text.hpp"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace pgqpp::cli {

std::string format_utc(std::chrono::system_clock::time_point time, int digits) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(time.time_since_epoch()).count();
  auto seconds = micros / 1000000;
  auto fraction = micros % 1000000;
  if (fraction < 0) {  // before 1970: floor, not truncate
    fraction += 1000000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  if (digits == 3)
    std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(fraction / 1000));
  else
    std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(fraction));
  return std::string(date) + frac;
}

namespace {

constexpr const char* dim = "\033[2m";
constexpr const char* bold = "\033[1m";
constexpr const char* reset = "\033[0m";

void append_styled(std::string& out, std::string_view text, const char* style, bool colour) {
  if (colour) out += style;
  out += text;
  if (colour) out += reset;
}

}  // namespace

std::string format_event_line(const Event& event, bool colour) {
  std::string out;
  append_styled(out, std::to_string(event.id), dim, colour);
  out += ' ';
  append_styled(out, format_utc(event.time, 3), dim, colour);
  out += ' ';
  append_styled(out, event.type ? escape_controls(*event.type) : "(null)", bold, colour);
  out += ' ';
  out += event.data ? escape_controls(*event.data) : "(null)";
  const std::optional<std::string_view>* extras[] = {&event.extra1, &event.extra2, &event.extra3,
                                                     &event.extra4};
  for (int i = 0; i < 4; ++i) {
    if (!*extras[i]) continue;
    out += ' ';
    append_styled(out, "extra" + std::to_string(i + 1) + "=", dim, colour);
    out += escape_controls(**extras[i]);
  }
  if (event.retry) {
    out += ' ';
    append_styled(out, "retry=" + std::to_string(*event.retry), dim, colour);
  }
  return out;
}

namespace {

nlohmann::ordered_json text_or_null(const std::optional<std::string_view>& v) {
  if (!v) return nullptr;
  return std::string(*v);
}

}  // namespace

std::string format_event_json(const Event& event) {
  nlohmann::ordered_json j;
  j["id"] = event.id;
  j["time"] = format_utc(event.time, 6);
  j["txid"] = event.txid;
  j["retry"] = event.retry ? nlohmann::ordered_json(*event.retry) : nlohmann::ordered_json(nullptr);
  j["type"] = text_or_null(event.type);
  j["data"] = text_or_null(event.data);
  j["extra1"] = text_or_null(event.extra1);
  j["extra2"] = text_or_null(event.extra2);
  j["extra3"] = text_or_null(event.extra3);
  j["extra4"] = text_or_null(event.extra4);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace pgqpp::cli
