// SPDX-License-Identifier: PostgreSQL
// Latency samples and their percentiles, for `pgqpp demo`. Pure, unit-tested.
#pragma once

#include <vector>

namespace pgqpp::cli {

/// The `p`-th percentile (0..100) of `samples` by the nearest-rank method:
/// the smallest sample with at least p % of the samples at or below it.
/// Reorders `samples`; 0 when it is empty.
double percentile(std::vector<double>& samples, double p);

}  // namespace pgqpp::cli
