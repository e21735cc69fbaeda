// SPDX-License-Identifier: PostgreSQL
// One recurring job's run of failures (a statement, a connection): when to
// try again and when to say so. A failing job is tried again after its
// period, but never sooner than a backoff of 1 s doubling to 30 s, so that a
// mistake (a role without rights, a database in a bad state) costs a few
// statements, connections and transaction ids a minute instead of thousands.
// The same error is logged once, then again at most once per `quiet` period
// with the count of failures since: the log stays readable and the failure
// stays visible. Pure C++.
#pragma once

#include <chrono>
#include <string>

namespace pgqpp::ticker {

class FailureRun {
 public:
  using Clock = std::chrono::steady_clock;

  /// The shortest and longest waits after a failure.
  static constexpr std::chrono::seconds kFirstBackoff{1};
  static constexpr std::chrono::seconds kMaxBackoff{30};

  /// Records a failure at `now`; true when it deserves a log line (the
  /// first of a run, a new message, or `quiet` passed since the last line).
  bool failed(Clock::time_point now, const std::string& message, Clock::duration quiet);

  /// Records a success; returns how many failures the run that ended had
  /// (0: it was not failing), for a one-line recovery note.
  long long succeeded();

  bool failing() const { return failures_ > 0; }
  /// Failures in the current run.
  long long failures() const { return failures_; }

  /// How long to wait before the next try: `period`, or the backoff when
  /// failing and the backoff is longer.
  Clock::duration next_try(Clock::duration period) const;

 private:
  long long failures_ = 0;
  std::string logged_message_;
  Clock::time_point logged_at_{};
};

/// "MESSAGE" for the first failure of a run, "MESSAGE (N failures in a row)"
/// after that: one format for every repeated error line.
std::string with_count(const std::string& message, long long failures);

}  // namespace pgqpp::ticker
