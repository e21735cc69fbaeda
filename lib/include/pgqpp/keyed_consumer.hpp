// SPDX-License-Identifier: PostgreSQL
// A consumer whose handler runs on several threads, in order per key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pgqpp/consumer_options.hpp"
#include "pgqpp/event.hpp"
#include "pgqpp/keyed_options.hpp"
#include "pgqpp/stop_mode.hpp"
#include "pgqpp/tag.hpp"

namespace pgqpp {

namespace detail {
class BatchSource;
}

/// A Consumer (same options, stop modes, reconnects, cooperative
/// subconsumers) that hands a batch's events to KeyedOptions::workers
/// threads: events of one key are handled one after the other in batch
/// order, events of different keys in parallel. The batch is finished (its
/// retries and dead letters sent with it) only when every event of it was
/// handled; a handler's exception stops the other workers after their
/// current event, leaves the batch unfinished (it comes again, whole) and
/// ends run() with it; a stop "now" waits for the handlers running, drops
/// the queued events and leaves the batch open. A retried event does not
/// hold back the later events of its key. The handler is called from the
/// worker threads, so what it shares must be thread-safe.
class KeyedConsumer {
 public:
  /// Handler of one event: returns Tag::done(), Tag::retry_after() or
  /// Tag::dead(), or nothing (done).
  using EventHandler = std::function<Tag(const Event&)>;

  /// A keyed consumer on the database at `conninfo`. Throws usage_error when
  /// `keyed` has no key function or a worker count outside 1..1024.
  KeyedConsumer(std::string conninfo, ConsumerOptions options, KeyedOptions keyed);
  /// Consumers move; the moved-from one is empty.
  KeyedConsumer(KeyedConsumer&&) noexcept;
  /// Takes over `other` (this one's connection closes).
  KeyedConsumer& operator=(KeyedConsumer&& other) noexcept;
  /// Closes the connection; an unfinished batch stays open for the next run.
  ~KeyedConsumer();

  /// Runs the loop (starting the worker threads, joining them on return)
  /// until a stop is requested, or, with stop_when_idle, until no batch is
  /// ready; see Consumer::run.
  template <class Handler>
  void run(Handler&& handler) {
    if constexpr (std::is_void_v<std::invoke_result_t<Handler&, const Event&>>) {
      run_events([h = std::forward<Handler>(handler)](const Event& ev) mutable {
        h(ev);
        return Tag::done();
      });
    } else {
      run_events(EventHandler(std::forward<Handler>(handler)));
    }
  }

  /// Asks run() to stop; safe from any thread or a signal handler.
  void stop(StopMode mode = StopMode::after_batch) noexcept;
  /// Registers the consumer (or subconsumer) on its queue; false when it
  /// already was.
  bool register_consumer();
  /// Unregisters it, dropping its open batch and pending retries.
  void unregister_consumer();

  /// Events read from batches since construction.
  std::int64_t events_seen() const noexcept;
  /// Batches finished since construction.
  std::int64_t batches_finished() const noexcept;

 private:
  void run_events(EventHandler handler);

  std::unique_ptr<detail::BatchSource> source_;
  KeyedOptions keyed_;
};

}  // namespace pgqpp
