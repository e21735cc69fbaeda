// SPDX-License-Identifier: PostgreSQL
// One batch of events, read as a stream.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include "pgqpp/event.hpp"

namespace pgqpp {

namespace detail {
class BatchReader;
}

/// A batch handed to a batch handler: the events between two ticks, in
/// ev_id order, streamed from the server as the loop advances (never the
/// whole batch in memory). It can be iterated once:
///
///     for (const pgqpp::Event& ev : batch) { ...; if (bad) batch.retry(ev, 60s); }
///
/// When the handler returns, the consumer tags every event not retried as
/// done and finishes the batch. A lost connection is repaired inside the
/// loop (the stream continues after the last event it gave); a stop "now"
/// ends the loop early and interrupted() turns true.
class Batch {
 public:
  /// Single-pass iterator over the batch's events.
  class iterator {
   public:
    using value_type = Event;                          ///< what it yields
    using difference_type = std::ptrdiff_t;            ///< required of iterators
    using iterator_concept = std::input_iterator_tag;  ///< single pass
    /// The current event.
    const Event& operator*() const noexcept;
    /// The current event's fields.
    const Event* operator->() const noexcept { return &**this; }
    /// Reads the next event (from the server, when the buffer is empty).
    iterator& operator++();
    /// Reads the next event.
    void operator++(int) { ++*this; }
    /// True past the last event.
    bool operator==(std::default_sentinel_t) const noexcept;

   private:
    friend class Batch;
    explicit iterator(detail::BatchReader* reader) noexcept : reader_(reader) {}
    detail::BatchReader* reader_;
  };

  /// Starts reading. Throws usage_error when called a second time.
  iterator begin();
  /// The end of the stream.
  std::default_sentinel_t end() const noexcept { return {}; }

  /// The batch id (pgq.next_batch's answer).
  std::int64_t id() const noexcept;
  /// The tick that ends the batch.
  std::int64_t tick_id() const noexcept;
  /// The tick that starts the batch (the previous batch's end).
  std::int64_t prev_tick_id() const noexcept;
  /// Events read so far.
  std::int64_t events_read() const noexcept;

  /// Tags `event` for delivery again after `delay` instead of done.
  void retry(const Event& event, std::chrono::seconds delay);
  /// Tags `event` dead: it goes to this consumer's dead letters with
  /// `reason` when the batch finishes (pgq.event_dead; pgqpp servers only).
  void dead(const Event& event, std::string reason);
  /// True when a stop "now" ended the iteration before the last event; the
  /// batch is then left open and delivered again later.
  bool interrupted() const noexcept;

  /// A view of a reader (library-internal).
  explicit Batch(detail::BatchReader& reader) noexcept : reader_(&reader) {}

 private:
  detail::BatchReader* reader_;
};

}  // namespace pgqpp
