// SPDX-License-Identifier: PostgreSQL
// Values in PostgreSQL's binary wire format (network byte order).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgqpp::text {

namespace detail {
template <class T>
std::optional<T> be(std::string_view bytes) noexcept {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  std::uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return static_cast<T>(v);
}
}  // namespace detail

/// int2, int4, int8: exactly 2, 4 or 8 bytes, else nullopt.
inline std::optional<std::int16_t> be_int16(std::string_view b) noexcept {
  return detail::be<std::int16_t>(b);
}
inline std::optional<std::int32_t> be_int32(std::string_view b) noexcept {
  return detail::be<std::int32_t>(b);
}
inline std::optional<std::int64_t> be_int64(std::string_view b) noexcept {
  return detail::be<std::int64_t>(b);
}

/// timestamptz: microseconds since 2000-01-01 00:00 UTC; 'infinity' and
/// '-infinity' become the largest and smallest time points.
std::optional<std::chrono::system_clock::time_point> timestamptz(std::string_view b) noexcept;

}  // namespace pgqpp::text
