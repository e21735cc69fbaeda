// SPDX-License-Identifier: PostgreSQL
// Short human forms of durations and rates for the status table.
#pragma once

#include <optional>
#include <string>

namespace pgqpp::cli {

/// "0.25s", "12s", "4m05s", "2h03m", "3d04h"; "-" when unknown. Sub-second
/// values keep two decimals so that a fresh tick reads differently from an
/// old one.
std::string duration_text(std::optional<double> seconds);

/// "0", "0.5", "12.3", "1234": events per second with at most one decimal;
/// "-" when unknown.
std::string rate_text(std::optional<double> per_second);

}  // namespace pgqpp::cli
