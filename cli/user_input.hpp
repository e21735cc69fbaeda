// SPDX-License-Identifier: PostgreSQL
// Server errors that mean "your argument was wrong" (SQLSTATE class 22, data
// exception: a bad name, a bad interval) become usage errors (exit 2) for
// the statements that pass the user's arguments straight to PgQ.
#pragma once

#include <string>
#include <utility>

#include <pgqpp/error.hpp>

#include "common.hpp"

namespace pgqpp::cli {

/// Runs `statement()`; a data exception (SQLSTATE 22xxx) it throws becomes a
/// UsageError with the server's message and hint, followed by `advice` (if any).
template <typename F>
decltype(auto) with_user_input(F&& statement, const std::string& advice = "") {
  try {
    return std::forward<F>(statement)();
  } catch (const sql_error& e) {
    if (e.sqlstate().rfind("22", 0) != 0) throw;
    std::string text = e.what();
    if (!e.hint().empty()) text += " (" + e.hint() + ")";
    throw UsageError(text + (advice.empty() ? "" : "; " + advice));
  }
}

}  // namespace pgqpp::cli
