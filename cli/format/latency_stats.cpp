// SPDX-License-Identifier: PostgreSQL
// Percentiles by nearest rank (see latency_stats.hpp).
#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace pgqpp::cli {

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  double clamped = std::clamp(p, 0.0, 100.0);
  auto rank =
      static_cast<std::size_t>(std::ceil(clamped / 100.0 * static_cast<double>(samples.size())));
  std::size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return samples[index];
}

}  // namespace pgqpp::cli
