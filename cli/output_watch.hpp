// SPDX-License-Identifier: PostgreSQL
// Noticing that the reader of standard output went away (`pgqpp tail | head`)
// while nothing is being written, so that a tail waiting for events still
// stops and cleans up.
#pragma once

#include <atomic>
#include <thread>

#include <pgqpp/stop_source.hpp>

namespace pgqpp::cli {

/// Watches stdout from a thread: when it is a pipe whose reader closed it,
/// requests StopMode::now on `stop` and sets closed(). A terminal or a file
/// never closes this way. The destructor ends the thread.
class OutputWatch {
 public:
  /// Starts watching (and ignores SIGPIPE, so that a write to the closed
  /// pipe fails with EPIPE instead of killing the process).
  explicit OutputWatch(StopSource stop);
  OutputWatch(const OutputWatch&) = delete;
  OutputWatch& operator=(const OutputWatch&) = delete;
  ~OutputWatch();

  /// True once the reader closed the pipe (seen by the thread or by a write).
  bool closed() const noexcept { return closed_.load(); }
  /// Marks the output closed (a write failed) and requests the stop.
  void mark_closed() noexcept;

 private:
  void watch();

  StopSource stop_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace pgqpp::cli
