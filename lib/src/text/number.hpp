// SPDX-License-Identifier: PostgreSQL
// Decimal integers from the server's text output.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace pgqpp::text {

/// The whole of `text` as a decimal integer of type T, or nullopt.
template <class T>
std::optional<T> parse_integer(std::string_view text) noexcept {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace pgqpp::text
