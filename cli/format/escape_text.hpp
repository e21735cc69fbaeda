// SPDX-License-Identifier: PostgreSQL
// Text from the database or the user shown on one terminal line: event
// payloads in `pgqpp tail`, queue and consumer names in status, messages.
// Pure function (no I/O), unit-tested in tests/unit/cli_escape_text_test.cpp.
#pragma once

#include <string>
#include <string_view>

namespace pgqpp::cli {

/// `text` with control characters escaped (\n, \r, \t, \xNN), so that it
/// stays on one line of the terminal and cannot move the cursor. Other
/// bytes are kept as they are.
std::string escape_controls(std::string_view text);

}  // namespace pgqpp::cli
