// SPDX-License-Identifier: PostgreSQL
// How a consumer reads its queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pgqpp/error.hpp"
#include "pgqpp/stop_source.hpp"

namespace pgqpp {

/// The settings of a Consumer (and of an ExactlyOnceConsumer). Only `queue`
/// and `consumer` are required; the batch limits are those of
/// pgq.next_batch_custom() and are left out when zero.
struct ConsumerOptions {
  std::string queue;     ///< the queue to read
  std::string consumer;  ///< this consumer's name in the queue
  /// Non-empty: this process is subconsumer `subconsumer` of `consumer`, one
  /// of several processes sharing its batches (cooperative consumers, PgQ's
  /// pgq_coop: each batch goes to one of them, together they see every event
  /// once). The consumer then asks pgq_coop.next_batch_custom and
  /// pgq_coop.finish_batch, and registers with pgq_coop.register_subconsumer.
  /// The server needs schema pgq_coop (pgqpp 1.3, or extension pgq_coop).
  /// Cannot be combined with behind_pooler, nor used by an
  /// ExactlyOnceConsumer (usage errors).
  std::string subconsumer;
  /// With a subconsumer: take over the open batch of another subconsumer of
  /// the same consumer that has not been seen (no batch taken or finished)
  /// for this long, i.e. died holding it; 0 (the default) never does. Choose
  /// it longer than any batch takes to handle.
  std::chrono::milliseconds dead_interval{0};

  /// A batch's end tick must be at least this old (PgQ's min_lag).
  std::chrono::milliseconds min_lag{0};
  /// A batch spans ticks until it holds at least this many events (min_count).
  std::int32_t min_count = 0;
  /// A batch spans ticks until it covers at least this long (min_interval).
  std::chrono::milliseconds min_interval{0};

  /// Bounded batches (pgqpp 1.2 and later): at most this many events per
  /// batch. A tick interval holding more is handed out in several batches,
  /// in ev_id order, each event once (pgq.set_consumer_config's
  /// max_batch_events, which the consumer sets when it starts, after
  /// registering). 0 clears the setting: PgQ's batches, whole tick
  /// intervals. Unset (the default) leaves whatever the consumer has on the
  /// server alone (`pgqpp consumer-config` shows and changes it). A
  /// negative value is a usage error, and so is a positive one against a
  /// server without bounded batches (PgQ 3.5, pgqpp before 1.2).
  std::optional<std::int32_t> max_batch_events;

  /// 0 (the default) streams each batch with COPY; more reads it through a
  /// cursor, this many events per FETCH.
  std::int32_t fetch_size = 0;
  /// How long to wait for the ticker's wake-up before asking for a batch
  /// again. pgqpp notifies consumers at every tick; PgQ 3.5 does not, so
  /// against it this is the polling period. Behind a pooler, the timeout
  /// of each pgq.next_batch_wait call (at most 60 s).
  std::chrono::milliseconds poll_interval{1000};
  /// The consumer reaches the server through a connection pooler in
  /// transaction pooling (PgBouncer's pool_mode = transaction), where LISTEN
  /// does not work. It then waits for ticks inside the server instead, with
  /// pgq.next_batch_wait (pgqpp 1.2; up to poll_interval per call, and a
  /// stop cancels the wait), and keeps no session state between
  /// transactions. Against a server without next_batch_wait it polls every
  /// poll_interval. Cannot be combined with min_lag, min_count or
  /// min_interval (a usage error).
  bool behind_pooler = false;
  /// Pause between attempts to reconnect after the connection was lost.
  std::chrono::milliseconds reconnect_delay{1000};
  /// Register the consumer on the queue when it starts (a no-op when it
  /// already is registered).
  bool register_consumer = true;
  /// Return from run() as soon as no batch is ready, instead of waiting
  /// (for consumers started by cron, and for tests).
  bool stop_when_idle = false;

  /// Stop requests for this consumer; pass a copy of a shared StopSource to
  /// stop several consumers at once.
  StopSource stop;
  /// Called with the error each time the connection is lost, before the
  /// consumer reconnects (for logging). An exception thrown from it ends
  /// run() with that exception.
  std::function<void(const error&)> on_connection_lost;
};

}  // namespace pgqpp
