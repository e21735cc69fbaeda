// SPDX-License-Identifier: PostgreSQL
// Turning libpq's failures into pgqpp::error and its kinds.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "pgqpp/error.hpp"

namespace pgqpp::detail {

/// The error a failed result stands for: connection_lost when the
/// connection broke, sql_error otherwise, with the server's fields.
[[noreturn]] void throw_result_error(PGconn* conn, const PGresult* result, std::string_view query);

/// connection_lost with libpq's message for `conn` (or `fallback` when it
/// has none).
[[noreturn]] void throw_connection_lost(PGconn* conn, std::string_view query,
                                        std::string_view fallback = "connection lost");

/// usage_error with `message`; nothing was sent, so everything stays usable.
[[noreturn]] void throw_usage(std::string message);

/// timeout_error for `query`; `connection_usable` when the cancel landed.
[[noreturn]] void throw_timeout(PGconn* conn, std::string_view query, std::string message,
                                bool connection_usable);

}  // namespace pgqpp::detail
