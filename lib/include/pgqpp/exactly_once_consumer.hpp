// SPDX-License-Identifier: PostgreSQL
// A consumer that applies each batch to a target database exactly once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pgqpp/batch.hpp"
#include "pgqpp/event.hpp"
#include "pgqpp/exactly_once_options.hpp"
#include "pgqpp/keyed_options.hpp"
#include "pgqpp/shared_transaction.hpp"
#include "pgqpp/stop_mode.hpp"
#include "pgqpp/tag.hpp"
#include "pgqpp/transaction.hpp"

namespace pgqpp {

namespace detail {
class ExactlyOnceRunner;
}

/// Applies each batch inside one transaction on a target database (the
/// queue's own or another) and, in that same transaction, records the batch
/// as applied in the progress table. Only then is the batch finished in the
/// queue. A batch delivered again after a crash is recognised there and only
/// finished, so every event lands in the target exactly once.
///
/// Retries are recorded with the progress, so a retried event comes back
/// even if the consumer dies between the target's commit and the queue's
/// finish. A handler's exception rolls the target back and ends run(); the
/// batch is applied again on the next run.
class ExactlyOnceConsumer {
 public:
  /// Handler of one event, writing through `target`.
  using EventHandler = std::function<Tag(const Event&, Transaction& target)>;
  /// Handler of a whole batch, writing through `target`.
  using BatchHandler = std::function<void(Batch&, Transaction& target)>;

  /// Reads the queue at `source_conninfo` and writes to `target_conninfo`.
  ExactlyOnceConsumer(std::string source_conninfo, std::string target_conninfo,
                      ExactlyOnceOptions options);
  /// Consumers move; the moved-from one is empty.
  ExactlyOnceConsumer(ExactlyOnceConsumer&&) noexcept;
  /// Takes over `other` (this one's connections close).
  ExactlyOnceConsumer& operator=(ExactlyOnceConsumer&& other) noexcept;
  /// Closes both connections.
  ~ExactlyOnceConsumer();

  /// Runs the loop with a per-event handler (returning a Tag, or nothing for
  /// done) until a stop is requested; see Consumer::run.
  template <class Handler>
  void run(Handler&& handler) {
    if constexpr (std::is_void_v<std::invoke_result_t<Handler&, const Event&, Transaction&>>) {
      run_events([h = std::forward<Handler>(handler)](const Event& ev, Transaction& tx) mutable {
        h(ev, tx);
        return Tag::done();
      });
    } else {
      run_events(EventHandler(std::forward<Handler>(handler)));
    }
  }
  /// Runs the loop with a per-batch handler.
  void run_batches(BatchHandler handler);

  /// Handler of one event under keyed parallelism, writing through the
  /// transaction the workers share.
  using KeyedHandler = std::function<Tag(const Event&, SharedTransaction& target)>;
  /// Runs the loop with keyed parallelism (see KeyedConsumer and
  /// KeyedOptions): each batch's events are handled by keyed.workers
  /// threads, in order per key, all writing into the one target
  /// transaction, which is committed once, with the batch's progress
  /// record, after the last event was handled. A handler's exception (or a
  /// stop "now") rolls the whole batch back. Throws usage_error for
  /// unusable KeyedOptions.
  void run_keyed(KeyedOptions keyed, KeyedHandler handler);
  /// Asks run() to stop; safe from any thread or a signal handler. "now"
  /// rolls the target transaction back.
  void stop(StopMode mode = StopMode::after_batch) noexcept;

 private:
  void run_events(EventHandler handler);

  std::unique_ptr<detail::ExactlyOnceRunner> runner_;
};

}  // namespace pgqpp
