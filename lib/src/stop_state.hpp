// SPDX-License-Identifier: PostgreSQL
// The state behind a StopSource: the requested mode, and two pipes that turn
// readable on a request, so that poll() loops wake up at once.
#pragma once

#include <atomic>

#include "pgqpp/stop_mode.hpp"

namespace pgqpp::detail {

struct StopState {
  StopState();
  ~StopState();
  StopState(const StopState&) = delete;
  StopState& operator=(const StopState&) = delete;

  /// Raises the mode to `m` (never lowers it); async-signal-safe.
  void request(StopMode m) noexcept;
  StopMode mode() const noexcept { return static_cast<StopMode>(mode_.load()); }
  void reset() noexcept;

  /// Readable once any stop was requested: for waits between batches.
  int any_fd() const noexcept { return any_[0]; }
  /// Readable once StopMode::now was requested: for waits inside a batch.
  int now_fd() const noexcept { return now_[0]; }

 private:
  std::atomic<int> mode_{0};
  int any_[2] = {-1, -1};
  int now_[2] = {-1, -1};
};

}  // namespace pgqpp::detail
