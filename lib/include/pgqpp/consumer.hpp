// SPDX-License-Identifier: PostgreSQL
// The consumer loop: batches in, handler called, batches finished.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pgqpp/batch.hpp"
#include "pgqpp/consumer_options.hpp"
#include "pgqpp/event.hpp"
#include "pgqpp/stop_mode.hpp"
#include "pgqpp/tag.hpp"

namespace pgqpp {

namespace detail {
class BatchSource;
}

/// A PgQ consumer with its own connection. run() loops: wait for a batch
/// (woken by the ticker's notification, or polling), stream its events to
/// the handler, tag them done or for retry, finish the batch. Delivery is at
/// least once: a batch that was not finished (a crash, a stop "now", a
/// handler's exception) is delivered again, whole. A lost connection is
/// reopened, and the open batch continues where it was.
class Consumer {
 public:
  /// A consumer on the database at `conninfo` (see Connection). Connects on
  /// the first run() or register_consumer().
  Consumer(std::string conninfo, ConsumerOptions options);
  /// Consumers move; the moved-from one is empty.
  Consumer(Consumer&&) noexcept;
  /// Takes over `other` (this one's connection closes).
  Consumer& operator=(Consumer&& other) noexcept;
  /// Closes the connection; an unfinished batch stays open for the next run.
  ~Consumer();

  /// Handler of one event: returns Tag::done() or Tag::retry_after(), or
  /// nothing (done).
  using EventHandler = std::function<Tag(const Event&)>;
  /// Handler of a whole batch (see Batch).
  using BatchHandler = std::function<void(Batch&)>;

  /// Runs the loop with a per-event handler until a stop is requested (or,
  /// with stop_when_idle, until no batch is ready). An exception from the
  /// handler leaves the batch unfinished and ends run() with it.
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
  /// Runs the loop with a per-batch handler; otherwise as run().
  void run_batches(BatchHandler handler);

  /// Asks run() to stop; safe from any thread or a signal handler.
  void stop(StopMode mode = StopMode::after_batch) noexcept;
  /// Registers the consumer on its queue (pgq.register_consumer); false when
  /// it already was.
  bool register_consumer();
  /// Unregisters it (pgq.unregister_consumer), dropping its open batch and
  /// pending retries.
  void unregister_consumer();

  /// Events handed to handlers since construction.
  std::int64_t events_seen() const noexcept;
  /// Batches finished since construction.
  std::int64_t batches_finished() const noexcept;

 private:
  void run_events(EventHandler handler);

  std::unique_ptr<detail::BatchSource> source_;
};

}  // namespace pgqpp
