// SPDX-License-Identifier: PostgreSQL
// SIGINT and SIGTERM for a subcommand that waits in poll() (`pgqpp produce`):
// the handler only counts the signal and writes a byte into a pipe, whose
// read end the wait watches, so a signal that arrives just before the wait
// still ends it.
#pragma once

namespace pgqpp::cli {

/// Counts SIGINT/SIGTERM while it lives (one instance at a time). The third
/// signal is not counted: it gets the default action, which ends the process
/// at once, for a program stuck where it cannot look at the count.
class StopSignals {
 public:
  /// Installs the handlers. Throws std::system_error when the pipe fails.
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  /// Restores the default actions.
  ~StopSignals();

  /// Readable once a signal arrived; take() empties it.
  int wake_fd() const noexcept;
  /// Empties wake_fd() and returns the number of signals so far.
  int take() noexcept;
  /// The last signal received (SIGINT or SIGTERM), 0 before the first.
  int last() const noexcept;
};

}  // namespace pgqpp::cli
