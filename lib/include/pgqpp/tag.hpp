// SPDX-License-Identifier: PostgreSQL
// What a handler decides about one event.
#pragma once

#include <chrono>
#include <string>
#include <utility>

namespace pgqpp {

/// The verdict on one event: done, to be delivered again to this consumer
/// after a delay (pgq.event_retry; the retry count rises by one), or dead:
/// put into this consumer's dead letters (pgq.event_dead), where it waits
/// until someone replays or purges it (`pgqpp dead-letters`).
class Tag {
 public:
  /// The event is handled.
  static Tag done() noexcept { return Tag(Kind::done, std::chrono::seconds(0), {}); }
  /// Deliver the event again, in a later batch, no sooner than `delay` from
  /// now (negative delays count as zero). On a queue with max_retries, an
  /// event already retried that many times goes to the dead letters instead.
  static Tag retry_after(std::chrono::seconds delay) noexcept {
    return Tag(Kind::retry, delay < std::chrono::seconds(0) ? std::chrono::seconds(0) : delay, {});
  }
  /// Give up on the event: it goes to this consumer's dead letters with
  /// `reason` (shown by pgq.dead_letters); other consumers are not affected.
  /// Needs a pgqpp server (pgq.event_dead).
  static Tag dead(std::string reason) {
    return Tag(Kind::dead, std::chrono::seconds(0), std::move(reason));
  }

  /// True for retry_after().
  bool is_retry() const noexcept { return kind_ == Kind::retry; }
  /// True for dead().
  bool is_dead() const noexcept { return kind_ == Kind::dead; }
  /// The retry delay (zero for done() and dead()).
  std::chrono::seconds delay() const noexcept { return delay_; }
  /// Why the event is dead (empty unless dead()).
  const std::string& reason() const noexcept { return reason_; }

 private:
  enum class Kind { done, retry, dead };
  Tag(Kind kind, std::chrono::seconds delay, std::string reason) noexcept
      : kind_(kind), delay_(delay), reason_(std::move(reason)) {}
  Kind kind_;
  std::chrono::seconds delay_;
  std::string reason_;
};

}  // namespace pgqpp
