// SPDX-License-Identifier: PostgreSQL
// A progress line on standard error for long-running input: "N events,
// R events/s", rewritten in place at most four times a second, shown only
// when standard error is a terminal and only after the first second (short
// runs print nothing).
#pragma once

#include <chrono>

namespace pgqpp::cli {

/// Shows the progress of a count on stderr (see above).
class ProgressMeter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts the clock. Shows nothing unless stderr is a terminal.
  ProgressMeter();
  /// Reports that `count` items are done so far; cheap when nothing is shown.
  void update(long long count);
  /// Clears the line (if one was drawn), so that the next output starts clean.
  void clear();
  /// Seconds since the start.
  double elapsed() const;

 private:
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_;
  Clock::time_point next_draw_;
};

}  // namespace pgqpp::cli
