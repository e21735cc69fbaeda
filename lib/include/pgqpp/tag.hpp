// SPDX-License-Identifier: PostgreSQL
// What a handler decides about one event.
#pragma once

#include <chrono>

namespace pgqpp {

/// The verdict on one event: done, or to be delivered again to this
/// consumer after a delay (pgq.event_retry; the retry count rises by one).
class Tag {
 public:
  /// The event is handled.
  static Tag done() noexcept { return Tag(false, std::chrono::seconds(0)); }
  /// Deliver the event again, in a later batch, no sooner than `delay` from
  /// now (negative delays count as zero).
  static Tag retry_after(std::chrono::seconds delay) noexcept {
    return Tag(true, delay < std::chrono::seconds(0) ? std::chrono::seconds(0) : delay);
  }

  /// True for retry_after().
  bool is_retry() const noexcept { return retry_; }
  /// The retry delay (zero for done()).
  std::chrono::seconds delay() const noexcept { return delay_; }

 private:
  Tag(bool retry, std::chrono::seconds delay) noexcept : retry_(retry), delay_(delay) {}
  bool retry_;
  std::chrono::seconds delay_;
};

}  // namespace pgqpp
