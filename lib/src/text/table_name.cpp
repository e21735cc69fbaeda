// SPDX-License-Identifier: PostgreSQL
#include "text/table_name.hpp"

namespace pgqpp::text {

namespace {

// PostgreSQL's NAMEDATALEN is 64: identifiers have at most 63 bytes.
constexpr std::size_t max_identifier = 63;

bool valid_part(std::string_view part) {
  if (part.empty() || part.size() > max_identifier) return false;
  if (part[0] >= '0' && part[0] <= '9') return false;
  for (char c : part)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

std::optional<std::string> quoted_table_name(std::string_view name) {
  auto dot = name.find('.');
  std::string_view schema =
      dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
  std::string_view table = dot == std::string_view::npos ? name : name.substr(dot + 1);
  if (!valid_part(table) || (dot != std::string_view::npos && !valid_part(schema)))
    return std::nullopt;
  std::string out;
  if (!schema.empty()) out.append("\"").append(schema).append("\".");
  out.append("\"").append(table).append("\"");
  return out;
}

}  // namespace pgqpp::text
