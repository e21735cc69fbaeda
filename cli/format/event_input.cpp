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
// and the reason only.
std::string short_parse_message(const json::parse_error& e) {
  std::string text = e.what();
  auto colon = text.find("column ");
  if (colon != std::string::npos) text = text.substr(colon);
  return "invalid JSON at " + text;
}

// A JSON value as text: strings as they are, other values as their JSON.
std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

std::optional<NewEvent> parse_json_event(std::string_view line, const std::string& default_type) {
  if (is_blank(line)) return std::nullopt;
  json value;
  try {
    value = json::parse(line);
  } catch (const json::parse_error& e) {
    throw BadInput(short_parse_message(e));
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
  return event;
}

}  // namespace pgqpp::cli
