// SPDX-License-Identifier: PostgreSQL
// Queue and consumer names as the tool accepts them, checked before they
// reach the server: PgQ 3.5 itself accepts an empty name (a queue named ''
// that no command can address sensibly), pgqpp's pgq._check_name does not.
// Pure functions (no I/O), unit-tested in tests/unit/cli_object_name_test.cpp.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgqpp::cli {

/// The longest name in bytes: pgq._check_name's limit
/// (extension/sql/40_queue.sql), so the tool and pgqpp agree.
inline constexpr std::size_t max_name_bytes = 1000;

/// Throws std::invalid_argument with pgq._check_name's wording ("queue name
/// must not be empty", "queue name is too long ...") unless `name` is a
/// valid name for a `kind` ("queue" or "consumer"): not empty, at most
/// max_name_bytes. Any other text is a valid name, as in PgQ.
void check_name(std::string_view kind, std::string_view name);

}  // namespace pgqpp::cli
