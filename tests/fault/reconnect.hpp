// SPDX-License-Identifier: PostgreSQL
// Opening a connection while the server may be down or recovering.
#pragma once
#include <chrono>
#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::fault {

/// Connects to `conninfo`, trying again every 200 ms while the server cannot
/// be reached (restarting, in crash recovery) until `deadline`; then the
/// last error is thrown.
Connection connect_with_retry(const std::string& conninfo,
                              std::chrono::steady_clock::time_point deadline);

}  // namespace pgqpp::fault
