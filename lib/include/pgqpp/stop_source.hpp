// SPDX-License-Identifier: PostgreSQL
// Asking a running consumer to stop, from another thread or a signal.
#pragma once

#include <initializer_list>
#include <memory>

#include "pgqpp/stop_mode.hpp"

namespace pgqpp {

namespace detail {
struct StopState;
}

/// A shared stop request. Copies share one state, so a consumer's options
/// can hold one copy while another thread (or a signal handler) holds
/// another. A stronger request wins over a weaker one (now over after_batch).
class StopSource {
 public:
  /// A fresh source with no stop requested.
  StopSource();

  /// Requests a stop. Safe from any thread and from a signal handler.
  void request(StopMode mode) const noexcept;
  /// The strongest stop requested so far (StopMode::none if none).
  StopMode requested() const noexcept;
  /// Forgets the request, so that a consumer can run again.
  void reset() const noexcept;

  /// Installs handlers for `signals` (SIGINT and SIGTERM by default): the
  /// first signal asks for StopMode::after_batch, the next one for
  /// StopMode::now. One StopSource at a time owns the signals; a later call
  /// (from any source) takes them over.
  void stop_on_signals(std::initializer_list<int> signals = {}) const;

  /// The shared state (library-internal).
  detail::StopState& state() const noexcept { return *state_; }

 private:
  std::shared_ptr<detail::StopState> state_;
};

}  // namespace pgqpp
