// SPDX-License-Identifier: PostgreSQL
// The consumer options both consumer roles take from the command line.
#pragma once
#include <chrono>
#include <string>
#include <thread>

#include <pgqpp/consumer_options.hpp>
#include <pgqpp/error.hpp>

#include "args.hpp"

namespace pgqpp::fault {

/// ConsumerOptions from --queue, --name, --fetch-size, --min-count,
/// --min-interval-ms, --poll-ms and --reconnect-ms; SIGTERM and SIGINT stop
/// after the current batch.
inline ConsumerOptions consumer_options(const Args& args) {
  ConsumerOptions o;
  o.queue = args.text("queue");
  o.consumer = args.text("name");
  o.fetch_size = static_cast<std::int32_t>(args.integer("fetch-size", 0));
  o.min_count = static_cast<std::int32_t>(args.integer("min-count", 0));
  o.min_interval = std::chrono::milliseconds(args.integer("min-interval-ms", 0));
  o.poll_interval = std::chrono::milliseconds(args.integer("poll-ms", 1000));
  o.reconnect_delay = std::chrono::milliseconds(args.integer("reconnect-ms", 200));
  o.stop.stop_on_signals();
  return o;
}

/// Runs `start` (which makes a consumer and runs it) again while it fails
/// with connection_lost before handing out any event: the library retries
/// lost connections inside run(), but not the very first one, and a
/// consumer restarted while the server is down must wait for it.
/// `handed_any` says whether the failed attempt had handed out events (then
/// the error is thrown: a new consumer would get the batch again whole, a
/// duplicate the check would rightly blame on this process). Gives up after
/// 60 s of failing.
template <class Start, class HandedAny>
void run_with_first_connect_retry(Start start, HandedAny handed_any) {
  using Clock = std::chrono::steady_clock;
  auto outage_start = Clock::now();
  for (;;) {
    auto attempt = Clock::now();
    try {
      start();
      return;
    } catch (const connection_lost&) {
      if (handed_any()) throw;
      if (Clock::now() - attempt > std::chrono::seconds(1))
        outage_start = Clock::now();  // it ran: a new outage
      if (Clock::now() - outage_start > std::chrono::seconds(60)) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace pgqpp::fault
