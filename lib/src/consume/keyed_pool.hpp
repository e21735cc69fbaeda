// SPDX-License-Identifier: PostgreSQL
// The worker threads of keyed parallelism, and the handling of one batch
// with them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "consume/batch_reader.hpp"
#include "pgqpp/keyed_options.hpp"
#include "pgqpp/tag.hpp"
#include "sched/key_scheduler.hpp"
#include "stop_state.hpp"

namespace pgqpp::detail {

/// Throws usage_error unless `keyed` is usable (a key, 1..1024 workers, a
/// positive max_in_flight).
void check_keyed_options(const KeyedOptions& keyed);

/// An Event with its own copies of the text fields (the reader's views die
/// when it advances). Not movable: the views point into it.
struct OwnedEvent {
  explicit OwnedEvent(const Event& from);
  OwnedEvent(const OwnedEvent&) = delete;
  OwnedEvent& operator=(const OwnedEvent&) = delete;
  Event event;

 private:
  std::optional<std::string> type_, data_, extra1_, extra2_, extra3_, extra4_;
};

/// `workers` threads calling `handler` on the events submitted, in order
/// per key (KeyScheduler). Lives for one run(); the destructor drops what
/// is queued and joins the threads.
class KeyedPool {
 public:
  using Handler = std::function<Tag(const Event&)>;
  KeyedPool(const KeyedOptions& keyed, Handler handler, const StopState& stop);
  ~KeyedPool();
  KeyedPool(const KeyedPool&) = delete;
  KeyedPool& operator=(const KeyedPool&) = delete;

  /// Queues a copy of `ev` under its key, first waiting while max_in_flight
  /// events are in flight. False (nothing queued) once a handler failed or
  /// a stop "now" was requested: stop reading.
  bool submit(const Event& ev);
  /// Waits until every submitted event was handled or dropped; rethrows the
  /// first handler exception. False when events were dropped (a stop "now"):
  /// the batch is incomplete.
  bool drain();
  /// After a failure outside the handlers (reading, the key function):
  /// drops the queued events, waits for the running ones and forgets the
  /// batch's verdicts and any handler exception; never throws.
  void abandon() noexcept;
  /// The verdicts other than done since the last call, by event id.
  std::vector<std::pair<std::int64_t, Tag>> take_tags();

 private:
  void work();
  void shut_down() noexcept;
  bool stopping_now() const noexcept { return stop_.mode() == StopMode::now; }
  void drop_queued_locked();

  std::function<std::string(const Event&)> key_;
  std::size_t max_in_flight_;
  Handler handler_;
  const StopState& stop_;

  std::mutex mutex_;
  std::condition_variable changed_;  // an item was queued, finished or dropped
  KeyScheduler scheduler_;
  std::unordered_map<KeyScheduler::Item, std::unique_ptr<OwnedEvent>> items_;
  KeyScheduler::Item next_item_ = 0;
  std::vector<std::pair<std::int64_t, Tag>> tags_;
  std::exception_ptr failure_;
  bool dropped_ = false;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

/// Reads `reader`'s batch into `pool` and waits for it to be handled: the
/// verdicts go into the batch's progress (sent by the finish), a handler's
/// exception propagates, and a stop "now" marks the reader interrupted so
/// that the batch stays open.
void handle_keyed_batch(BatchReader& reader, KeyedPool& pool);

}  // namespace pgqpp::detail
