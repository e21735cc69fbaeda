// SPDX-License-Identifier: PostgreSQL
// Short human forms of durations and rates (see duration_text.hpp).
#include "duration_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgqpp::cli {

std::string duration_text(std::optional<double> seconds) {
  if (!seconds) return "-";
  char buf[48];
  double s = std::max(0.0, *seconds);
  if (s < 10) {
    std::snprintf(buf, sizeof buf, "%.2fs", s);
    return buf;
  }
  auto whole = static_cast<long long>(std::floor(s));
  if (whole < 60) {
    std::snprintf(buf, sizeof buf, "%llds", whole);
  } else if (whole < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", whole / 60, whole % 60);
  } else if (whole < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", whole / 3600, whole % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", whole / 86400, whole % 86400 / 3600);
  }
  return buf;
}

std::string rate_text(std::optional<double> per_second) {
  if (!per_second) return "-";
  char buf[48];
  double r = std::max(0.0, *per_second);
  if (r >= 100 || r == std::floor(r))
    std::snprintf(buf, sizeof buf, "%.0f", r);
  else
    std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

}  // namespace pgqpp::cli
