// SPDX-License-Identifier: PostgreSQL
// When a producer's events reach consumers: at once, or delayed.
#pragma once

#include <chrono>
#include <cstdint>

namespace pgqpp {

/// When the events a Producer writes are due (pgqpp's delayed events,
/// pgq.insert_event_at): at once (the default), at a fixed time, or a delay
/// after each insert statement (counted by the server's clock,
/// statement_timestamp()). A delayed event reaches every consumer in the
/// first batch after its time, never earlier.
class Delivery {
 public:
  /// At once: pgq.insert_event / pgq.insert_events.
  Delivery() = default;
  /// At `when` (a time already past means at the next tick).
  static Delivery at(std::chrono::system_clock::time_point when) {
    return Delivery(
        Kind::at,
        std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count());
  }
  /// `delay` after each insert statement.
  static Delivery after(std::chrono::microseconds delay) {
    return Delivery(Kind::after, delay.count());
  }

  /// How the time is given.
  enum class Kind { now, at, after };
  Kind kind() const noexcept { return kind_; }
  /// Microseconds since the Unix epoch (at) or of delay (after).
  std::int64_t micros() const noexcept { return micros_; }

 private:
  Delivery(Kind kind, std::int64_t micros) : kind_(kind), micros_(micros) {}
  Kind kind_ = Kind::now;
  std::int64_t micros_ = 0;
};

}  // namespace pgqpp
