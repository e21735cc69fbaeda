// SPDX-License-Identifier: PostgreSQL
// Digit groups and rates (see number_format.hpp).
#include "number_format.hpp"

#include <cmath>

namespace pgqpp::cli {

std::string group_digits(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string rate(long long count, double seconds) {
  if (seconds <= 0) return "0";
  return group_digits(std::llround(static_cast<double>(count) / seconds));
}

}  // namespace pgqpp::cli
