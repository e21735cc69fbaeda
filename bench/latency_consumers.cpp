// SPDX-License-Identifier: PostgreSQL
#include "latency_consumers.hpp"

#include <poll.h>

#include <chrono>
#include <thread>

#include "latency_pq.hpp"
#include "pgqpp/pgqpp.hpp"

namespace latency {

namespace {

// Reads the consumer's next batch, if one is ready, into the log; returns
// whether there was one.
bool drain(Pq& c, const Source& src, Log& log) {
  std::string batch = c.value("select pgq.next_batch($1, $2)", {src.queue, src.consumer});
  if (batch.empty()) return false;
  c.each_row("select ev_data from pgq.get_batch_events($1)", {batch},
             [&](const char* data) { log.seen(data); });
  c.value("select pgq.finish_batch($1)", {batch});
  return true;
}

// Waits up to `timeout_ms` for the socket, then returns the payloads of the
// notifications that arrived (those already queued in libpq first).
template <class OnNotify>
void wait_notifications(Pq& c, int timeout_ms, OnNotify&& on_notify) {
  if (!c.take_notifications(on_notify)) {
    pollfd p{c.socket(), POLLIN, 0};
    poll(&p, 1, timeout_ms);
    c.consume_input();
    c.take_notifications(on_notify);
  }
}

}  // namespace

void consume_poll(const Source& src, Log& log, const Done& done, const Ready& ready) {
  Pq c(src.conninfo);
  ready();
  while (!done()) {
    if (!drain(c, src, log)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void consume_listen(const Source& src, Log& log, const Done& done, const Ready& ready) {
  Pq c(src.conninfo);
  std::string queue_id =
      c.value("select queue_id from pgq.queue where queue_name = $1", {src.queue});
  c.value("listen pgqpp_tick_" + queue_id, {});
  ready();
  while (!done()) {
    // Read first: a notification may have arrived while the last batch was
    // read; it then waits in libpq's queue, not on the socket.
    while (drain(c, src, log)) {
    }
    wait_notifications(c, 100, [](const char*) {});
  }
}

namespace {
void run_lib(const Source& src, Log& log, const Done& done, const Ready& ready, bool pooler) {
  pgqpp::ConsumerOptions o;
  o.queue = src.queue;
  o.consumer = src.consumer;
  o.behind_pooler = pooler;
  o.register_consumer = false;  // registered before the producer started
  pgqpp::Consumer consumer(src.conninfo, o);
  // Connects and LISTENs (the consumer is registered already: a no-op).
  consumer.register_consumer();
  ready();
  // The loop blocks in its wait; a watcher asks it to stop once the run is over.
  std::thread watcher([&] {
    while (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    consumer.stop(pgqpp::StopMode::after_batch);
  });
  try {
    consumer.run([&](const pgqpp::Event& ev) {
      if (ev.data) log.seen(*ev.data);
    });
  } catch (...) {
    watcher.join();
    throw;
  }
  watcher.join();
}
}  // namespace

void consume_lib(const Source& src, Log& log, const Done& done, const Ready& ready) {
  run_lib(src, log, done, ready, false);
}

void consume_lib_pooler(const Source& src, Log& log, const Done& done, const Ready& ready) {
  run_lib(src, log, done, ready, true);
}

void consume_notify(const Source& src, Log& log, const Done& done, const Ready& ready) {
  Pq c(src.conninfo);
  c.value("listen " + src.queue, {});
  ready();
  while (!done()) wait_notifications(c, 100, [&](const char* payload) { log.seen(payload); });
}

}  // namespace latency
