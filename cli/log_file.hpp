// SPDX-License-Identifier: PostgreSQL
// Reading the log files of child processes (initdb, pg_ctl, the server, the
// ticker), to word a failure in one line.
#pragma once

#include <string>

namespace pgqpp::cli {

/// The last non-empty line of `file`, or "no output" (also when unreadable).
std::string last_line(const std::string& file);

/// True when a line of `file` contains `text`.
bool file_contains(const std::string& file, const std::string& text);

}  // namespace pgqpp::cli
