// SPDX-License-Identifier: PostgreSQL
// A consumer's side of the queue: its connection (reopened when lost), its
// registration, and the SQL calls of the batch cycle.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "consume/event_stream.hpp"
#include "pg/conn.hpp"
#include "pgqpp/consumer_options.hpp"
#include "stop_state.hpp"

namespace pgqpp::detail {

/// An open batch as next_batch returned it.
struct BatchInfo {
  std::int64_t id = 0;
  std::int64_t tick_id = 0;
  std::int64_t prev_tick_id = 0;
  std::string sql;  ///< pgq.batch_event_sql(id)
};

/// An event to give back to the queue for a later batch, or (dead) to put
/// into the consumer's dead letters with a reason.
struct RetryTag {
  std::int64_t ev_id = 0;
  std::int32_t seconds = 0;
  bool dead = false;
  std::string reason;  ///< why it is dead
};

/// Retry tags as two array literals (ids, seconds), for SQL parameters;
/// dead tags are left out.
struct RetryArrays {
  std::string ids, seconds;
};
RetryArrays retry_arrays(std::span<const RetryTag> retries);

/// Dead tags as two array literals (ids, reasons); retries are left out.
struct DeadArrays {
  std::string ids, reasons;
  std::size_t count = 0;
};
DeadArrays dead_arrays(std::span<const RetryTag> tags);

class BatchSource {
 public:
  BatchSource(std::string conninfo, ConsumerOptions options);

  const ConsumerOptions& options() const noexcept { return options_; }
  /// This process is a subconsumer (pgq_coop) of options().consumer.
  bool coop() const noexcept { return !options_.subconsumer.empty(); }
  StopState& stop() const noexcept { return options_.stop.state(); }

  /// The connection, opened (and the session set up) when there is none or
  /// it broke. Throws when that fails.
  PgConn& conn();
  /// True while a connection is open and not known to be broken.
  bool connected() const noexcept { return conn_ && conn_->ok(); }
  /// Closes the connection (a stream left half read cannot be reused).
  void drop_connection() noexcept { conn_.reset(); }
  /// After `cause` (a lost connection): tells on_connection_lost, then tries
  /// to reconnect every reconnect_delay until it works. False when
  /// `interrupt_fd` turned readable first (a stop).
  bool reconnect(const error& cause, int interrupt_fd);

  /// The consumer's open batch, or a new one; nullopt when none is ready.
  std::optional<BatchInfo> next_batch();
  /// Waits up to poll_interval for a tick notification (or a stop). Behind
  /// a pooler, waits in the server with pgq.next_batch_wait; a batch it
  /// opens is what the next next_batch() returns.
  void wait_for_tick();
  /// A stream over the batch's events after `after_ev_id` (0: all).
  std::unique_ptr<EventStream> open_stream(const BatchInfo& batch, std::int64_t after_ev_id);
  /// Sends the retries and dead letters and finishes the batch, atomically,
  /// in one round trip.
  void finish(std::int64_t batch_id, std::span<const RetryTag> retries);

  bool register_consumer();
  void unregister_consumer();

  void count_event() noexcept { events_seen_.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t events_seen() const noexcept { return events_seen_.load(); }
  std::int64_t batches_finished() const noexcept { return batches_finished_.load(); }

 private:
  void open_connection(int interrupt_fd);
  void setup_session();
  void apply_max_batch_events();
  void wait_in_server();

  std::string conninfo_;
  ConsumerOptions options_;
  std::unique_ptr<PgConn> conn_;
  bool notifications_ = false;       // the server is pgqpp's: ticks wake us
  bool server_waits_ = false;        // behind a pooler: pgq.next_batch_wait exists
  std::optional<BatchInfo> waited_;  // the batch the last server wait opened
  bool registered_ = false;          // register_consumer ran once in this object
  bool configured_ = false;          // max_batch_events was applied
  std::atomic<std::int64_t> events_seen_{0};
  std::atomic<std::int64_t> batches_finished_{0};
};

}  // namespace pgqpp::detail
