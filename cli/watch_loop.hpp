// SPDX-License-Identifier: PostgreSQL
// The refresh loop behind `pgqpp status --watch`: redraw in place on a
// terminal, successive snapshots otherwise, until SIGINT, SIGTERM or the key
// q stops it (exit 0).
#pragma once

#include <functional>
#include <string>

namespace pgqpp::cli {

/// How the loop shows each frame.
enum class WatchMode {
  in_place,   ///< terminal: cursor home, the frame, clear the rest; q quits
  snapshots,  ///< pipe or file: each frame after the last, a blank line between
};

/// Calls `frame` every `interval_seconds` and shows what it returns, until
/// SIGINT or SIGTERM arrives, or (in_place, with standard input a terminal)
/// q is pressed. Restores the terminal (cursor, input mode) before it
/// returns. Returns 0; exceptions from `frame` propagate.
int watch_loop(double interval_seconds, WatchMode mode, const std::function<std::string()>& frame);

}  // namespace pgqpp::cli
