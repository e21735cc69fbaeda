// SPDX-License-Identifier: PostgreSQL
// Reading events from JSON lines for `pgqpp produce` (see event_input.hpp).
#include "event_input.hpp"

#include <nlohmann/json.hpp>

namespace pgqpp::cli {

namespace {

using json = nlohmann::json;

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at line 1, column 7: "; the input is one line, so keep the column
// and the reason only. Its "; last read: '...'" quotes the input raw, an
// invalid UTF-8 byte included: the column says where, without it.
std::string short_parse_message(const json::parse_error& e) {
  std::string text = e.what();
  auto colon = text.find("column ");
  if (colon != std::string::npos) text = text.substr(colon);
  auto quote = text.find("; last read: ");
  if (quote != std::string::npos) text.erase(quote);
  return "invalid JSON at " + text;
}

// The parser's other errors (out_of_range.406 "number overflow parsing
// '1e400'") carry the same kind of prefix, without a position.
std::string short_message(const json::exception& e) {
  std::string text = e.what();
  auto bracket = text.find("] ");
  if (text.starts_with("[json.exception.") && bracket != std::string::npos)
    text = text.substr(bracket + 2);
  return "invalid JSON: " + text;
}

// libpq sends text parameters as C strings: a NUL would silently end the
// value (or, inside an array literal, break the whole statement).
void reject_nul(std::string_view text, const char* field) {
  if (text.find('\0') != std::string_view::npos)
    throw BadInput(std::string(field) +
                   " contains a NUL character (\\u0000), which PostgreSQL text cannot store");
}

void reject_nul(const NewEvent& event) {
  reject_nul(event.type, "\"type\"");
  reject_nul(event.data, "\"data\"");
  const std::optional<std::string>* extras[] = {&event.extra1, &event.extra2, &event.extra3,
                                                &event.extra4};
  const char* names[] = {"\"extra1\"", "\"extra2\"", "\"extra3\"", "\"extra4\""};
  for (int i = 0; i < 4; ++i)
    if (*extras[i]) reject_nul(**extras[i], names[i]);
}

// A JSON value as text: strings as they are, other values as their JSON.
std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

NewEvent plain_event(std::string_view line, const std::string& type) {
  if (auto at = line.find('\0'); at != std::string_view::npos)
    throw BadInput("a NUL byte at byte " + std::to_string(at + 1) +
                   ", which PostgreSQL text cannot store");
  return NewEvent{.type = type, .data = std::string(line)};
}

std::optional<NewEvent> parse_json_event(std::string_view line, const std::string& default_type) {
  if (is_blank(line)) return std::nullopt;
  json value;
  try {
    value = json::parse(line);
  } catch (const json::parse_error& e) {
    throw BadInput(short_parse_message(e));
  } catch (const json::exception& e) {
    throw BadInput(short_message(e));
  }
  if (!value.is_object())
    throw BadInput("expected a JSON object, got " + std::string(value.type_name()));
  NewEvent event{.type = default_type};
  bool has_data = false;
  for (const auto& [key, v] : value.items()) {
    if (key == "type") {
      if (!v.is_string()) throw BadInput("\"type\" must be a string");
      event.type = v.get<std::string>();
    } else if (key == "data") {
      if (v.is_null()) throw BadInput("\"data\" is null (an event needs data; use \"\" for none)");
      event.data = as_text(v);
      has_data = true;
    } else if (key.size() == 6 && key.starts_with("extra") && key[5] >= '1' && key[5] <= '4') {
      std::optional<std::string>* extras[] = {&event.extra1, &event.extra2, &event.extra3,
                                              &event.extra4};
      if (!v.is_null()) *extras[key[5] - '1'] = as_text(v);
    } else if (key == "id" || key == "time" || key == "txid" || key == "retry") {
      // Written by `pgqpp tail --json`; the queue assigns its own.
    } else {
      throw BadInput("unknown key \"" + key + "\" (expected type, data, extra1..extra4)");
    }
  }
  if (!has_data) throw BadInput("no \"data\" key");
  reject_nul(event);
  return event;
}

}  // namespace pgqpp::cli
