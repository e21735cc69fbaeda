// SPDX-License-Identifier: PostgreSQL
// The last words of a `pgqpp produce` run that stopped early: which input
// lines are in the queue and where to resend from. One wording for every
// way to stop (a bad line, a server error, a lost connection, a signal), so
// the promise "lines 1..N-1 inserted; resend from line N" reads the same
// everywhere. Pure functions (no I/O), unit-tested in
// tests/unit/cli_produce_report_test.cpp.
#pragma once

#include <string>
#include <string_view>

namespace pgqpp::cli {

/// "lines 1–N inserted; resend from line N+1" for `done` = N (every line up
/// to N is in the queue, none after it); "nothing inserted; resend from
/// line 1" for 0; with `atomic`, "nothing inserted (--atomic)".
std::string kept_lines_text(long long done, bool atomic);

/// "line N: REASON; " + kept_lines_text(done, atomic), with control
/// characters in REASON escaped so that the message stays one line.
std::string bad_line_text(long long line, std::string_view reason, long long done, bool atomic);

/// For a connection lost while lines done+1..doubt were being committed:
/// their commit may or may not have happened, and resending them may
/// insert them twice.
std::string in_doubt_text(long long done, long long doubt);

}  // namespace pgqpp::cli
