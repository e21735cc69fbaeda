// SPDX-License-Identifier: PostgreSQL
// An event payload as the web console shows it: cut to a preview length,
// and marked binary (with its bytes escaped) when it is not text. Pure
// function, unit-tested in tests/unit/cli_payload_preview_test.cpp.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace pgqpp::cli {

/// {"text", "bytes", "truncated", "binary"} for `payload` (null: JSON null).
/// The text is the payload's first `limit` bytes, never cut inside a UTF-8
/// character. A payload that is not valid UTF-8 or holds control characters
/// other than tab, newline and carriage return is binary: its text then
/// shows printable ASCII as is and every other byte as \xNN.
nlohmann::json payload_preview(std::optional<std::string_view> payload, std::size_t limit);

}  // namespace pgqpp::cli
