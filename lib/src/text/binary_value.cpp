// SPDX-License-Identifier: PostgreSQL
#include "text/binary_value.hpp"

#include <limits>

namespace pgqpp::text {

std::optional<std::chrono::system_clock::time_point> timestamptz(std::string_view b) noexcept {
  using namespace std::chrono;
  auto us = be_int64(b);
  if (!us) return std::nullopt;
  if (*us == std::numeric_limits<std::int64_t>::max()) return system_clock::time_point::max();
  if (*us == std::numeric_limits<std::int64_t>::min()) return system_clock::time_point::min();
  constexpr sys_days pg_epoch = sys_days(year(2000) / January / 1);
  return time_point_cast<system_clock::duration>(pg_epoch + microseconds(*us));
}

}  // namespace pgqpp::text
