// SPDX-License-Identifier: PostgreSQL
// How far apart the woken ticks of one queue are (the wake-up path of
// pgq.wakeup_ticker), as pure C++. Durations are in microseconds.
//
// A tick costs the ticker the same whether it closes a batch of one event or
// of a thousand. While events are sparse (at most kSparseEvents per
// min_interval: 1,000 events/s at 5 ms), every commit gets a tick of its own
// within min_interval: that is what makes delivery take milliseconds. When
// events come faster, ticks that close a handful of events stop being
// useful and only cost CPU that producers need, so the spacing widens with
// the square root of the rate (a middle way between a constant spacing,
// which keeps latency, and a spacing that grows with the rate, which keeps
// the tick rate flat). As in PgQ, ticker_max_count and ticker_max_lag still
// force a tick: a batch never waits for more than max_count events or
// max_lag.
//
// With the defaults (min_interval 5 ms, max_count 500, max_lag 3 s):
//   100 and 1,000 ev/s -> 5 ms; 10,000 ev/s -> 16 ms; 20,000 ev/s -> 22 ms;
//   40,000 ev/s -> 12.5 ms (500 events); 100,000 ev/s -> 5 ms.
//
// The rate counts events, not commits: a producer committing 50 events at
// a time 100 times a second looks as fast as 5,000 single-event commits.
//
// Each tick also costs every consumer of the queue a batch (open, read,
// finish: about half a millisecond of server CPU, measured 2026-12-07).
// While the consumers keep up, each has finished its batch before the next
// tick and that costs nothing but CPU the server has. When they do not
// (100 consumers of a queue ticked 100 times a second need 10,000 batches a
// second, more than two cores serve), ticking more often only queues up
// batches. So each tick counts the queue's lagging consumers (those not yet
// past the tick before it: reading it, or woken and waiting for a CPU),
// and the spacing grows with them: up to kLaggingConsumersPerMinInterval a
// queue is ticked every min_interval, beyond that every min_interval *
// lagging / kLaggingConsumersPerMinInterval. The count is the highest seen
// lately (decaying with a time constant of a second), so that one tick
// that finds everyone caught up does not undo it.
#pragma once

#include <cstdint>

namespace pgqpp::ext::core {

/// Events per min_interval up to which every commit is ticked within
/// min_interval. A tick costs the ticker about what inserting ten
/// single-event transactions costs the producers; five keeps millisecond
/// delivery up to 1,000 events/s at the default min_interval while a queue
/// filled as fast as 4 pgbench clients on 2 cores can (about 35,000 events/s)
/// is ticked by ticker_max_count, 70 to 80 times a second.
constexpr double kSparseEvents = 5;

/// The time constant of the rate estimate: events older than this count
/// for less than 1/e. Short enough that a queue whose burst ended returns to
/// min_interval within about a second, long enough that 100 Poisson events
/// per second never look like a burst.
constexpr std::int64_t kRateWindowUs = 250000;

/// Lagging consumers of a queue up to which its woken ticks are min_interval
/// apart (beyond, the spacing grows with them).
constexpr double kLaggingConsumersPerMinInterval = 5;

/// The time constant over which a lagging consumer count is remembered.
constexpr std::int64_t kLaggingWindowUs = 1000000;

/// A queue's recent event rate, from the event sequence values its woken
/// ticks saw: an exponentially decaying count of events.
class RateEstimate {
 public:
  /// Records a tick at `now_us` that saw the event sequence at `event_seq`.
  /// The first tick only sets the starting point; a sequence that went back
  /// (a queue re-created with the same id) starts over.
  void note_tick(std::int64_t now_us, std::int64_t event_seq);

  /// Events per second at `now_us`, decayed since the last tick.
  double events_per_second(std::int64_t now_us) const;

 private:
  bool started_ = false;
  std::int64_t last_tick_us_ = 0;
  std::int64_t last_event_seq_ = 0;
  double decayed_events_ = 0;  // events, each weighted by exp(-age / window)
};

/// How many of a queue's consumers lagged (were not past the previous tick)
/// at its woken ticks lately: the highest count seen, decaying by
/// exp(-age / kLaggingWindowUs).
class LaggingConsumers {
 public:
  /// Records that `lagging` consumers lagged at a tick at `now_us`.
  void note_tick(std::int64_t now_us, std::int64_t lagging);
  /// The remembered count at `now_us`.
  double at(std::int64_t now_us) const;

 private:
  std::int64_t noted_us_ = 0;
  double lagging_ = 0;
};

/// The queue settings the spacing obeys.
struct SpacingLimits {
  std::int64_t min_interval_us = 5000;  // pgq.wakeup_ticker's i_min_interval_ms
  std::int64_t max_count = 500;         // queue_ticker_max_count
  std::int64_t max_lag_us = 3000000;    // queue_ticker_max_lag
  double lagging_consumers = 0;         // LaggingConsumers::at, now
};

/// The shortest time between two woken ticks of a queue receiving
/// `events_per_second`: min_interval while events are sparse, then
/// min_interval * sqrt(events per min_interval / kSparseEvents); at least
/// min_interval * lagging_consumers / kLaggingConsumersPerMinInterval; but
/// never longer than max_count events take or than max_lag, and never
/// shorter than min_interval.
std::int64_t tick_spacing_us(double events_per_second, const SpacingLimits& limits);

}  // namespace pgqpp::ext::core
