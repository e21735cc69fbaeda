// SPDX-License-Identifier: PostgreSQL
// Column lists in trigger arguments: see name_list.hpp.
#include "core/name_list.hpp"

namespace pgqpp::ext::core {

namespace {

bool separator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::vector<std::string> split_names(std::string_view list) {
  std::vector<std::string> names;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && separator(list[i])) ++i;
    std::size_t start = i;
    while (i < list.size() && !separator(list[i])) ++i;
    if (i > start) names.emplace_back(list.substr(start, i - start));
  }
  return names;
}

std::vector<std::string> split_on_commas(std::string_view list) {
  std::vector<std::string> items;
  if (list.empty()) return items;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = list.find(',', start);
    items.emplace_back(list.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace pgqpp::ext::core
