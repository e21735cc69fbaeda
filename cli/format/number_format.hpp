// SPDX-License-Identifier: PostgreSQL
// Numbers for people: digit groups and rates. Pure, unit-tested.
#pragma once

#include <string>

namespace pgqpp::cli {

/// `n` with a comma between groups of three digits: 1234567 → "1,234,567".
std::string group_digits(long long n);

/// `count / seconds` rounded to a whole number and grouped ("0" when
/// `seconds` is not positive).
std::string rate(long long count, double seconds);

}  // namespace pgqpp::cli
