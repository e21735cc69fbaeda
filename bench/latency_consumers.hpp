// SPDX-License-Identifier: PostgreSQL
// The consumers the latency probe can time. Each connects (and LISTENs),
// calls `ready()` (which starts the producer: no event may be sent before
// the consumer can hear of it), then reads until `done()` says the run is
// over, calling log.seen() with every event's payload as soon as the event
// is in hand.
#pragma once

#include <functional>
#include <string>

#include "latency_log.hpp"

namespace latency {

/// Where a consumer reads: a connect string, and the queue and consumer
/// (registered before the producer starts) or, for the raw consumer, the
/// NOTIFY channel.
struct Source {
  std::string conninfo;
  std::string queue;
  std::string consumer;
};

using Done = std::function<bool()>;
using Ready = std::function<void()>;

/// Plain SQL: next_batch / get_batch_events / finish_batch every millisecond.
void consume_poll(const Source& src, Log& log, const Done& done, const Ready& ready);

/// Plain SQL woken by the tick's NOTIFY (LISTEN pgqpp_tick_<queue id>), with
/// a 100 ms poll as the fallback: the hand-written libpq consumer.
void consume_listen(const Source& src, Log& log, const Done& done, const Ready& ready);

/// libpgqpp's Consumer with its defaults: it waits for the ticker's wake-up
/// (pgqpp) or polls every poll_interval (1 s; PgQ 3.5 sends no wake-up).
void consume_lib(const Source& src, Log& log, const Done& done, const Ready& ready);

/// libpgqpp's Consumer told it is behind a connection pooler
/// (ConsumerOptions::behind_pooler): it waits inside the server with
/// pgq.next_batch_wait instead of LISTEN.
void consume_lib_pooler(const Source& src, Log& log, const Done& done, const Ready& ready);

/// No queue: LISTEN on `src.queue` as a channel, the payload of each
/// notification (sent by a trigger's pg_notify on a plain table) in hand.
void consume_notify(const Source& src, Log& log, const Done& done, const Ready& ready);

}  // namespace latency
