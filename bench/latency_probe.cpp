// SPDX-License-Identifier: PostgreSQL
// End-to-end latency probe for `make bench` (bench/ticker.sh): a producer
// commits one event per transaction at a fixed rate; a consumer reads them;
// each event's latency is the time from its commit, as the producer saw it
// return, to the moment the consumer has it in hand (both on this process's
// steady clock). Prints one line:
//   events=N produced=N repeats=N p50_ms=X p99_ms=X max_ms=X
//
//   latency_probe CONNINFO QUEUE CONSUMER MODE RATE SECONDS
//   MODE: lib     libpgqpp's Consumer (waits for the ticker's wake-up)
//         pooler  libpgqpp's Consumer with behind_pooler: waits in the
//                 server (pgq.next_batch_wait), for CONNINFO through PgBouncer
//         listen  plain SQL woken by the tick's NOTIFY (100 ms poll fallback)
//         poll    plain SQL calling next_batch every millisecond
//         notify  no queue, the raw baseline: the producer inserts into the
//                 plain table latency_probe_raw, whose trigger sends
//                 pg_notify(QUEUE, payload); the consumer LISTENs (QUEUE is
//                 the channel, CONSUMER unused)
// The consumer is registered afresh before the producer starts (an earlier
// registration is dropped), and unregistered at the end. The run ends when
// every produced event was seen, or 5 s after the producer stopped; a
// shortfall is an error (exit status 1, counts on standard error): a consumer
// that loses events has no latency worth reporting. With LATENCY_TRACE=FILE
// set, each event's commit and hand-over times go to FILE as well (wall
// clock, microseconds), for bench/latency_trace.sh's per-stage breakdown.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

#include "latency_consumers.hpp"
#include "latency_log.hpp"
#include "latency_pq.hpp"

namespace {

using namespace latency;

// The raw baseline's table and trigger (kept afterwards: harmless).
void setup_raw(const Source& src) {
  Pq c(src.conninfo);
  c.value("create table if not exists latency_probe_raw (id bigserial primary key, ev_data text)",
          {});
  c.value(
      "create or replace function latency_probe_notify() returns trigger language plpgsql as"
      " $$ begin perform pg_notify(tg_argv[0], new.ev_data); return null; end $$",
      {});
  c.value("drop trigger if exists notify on latency_probe_raw", {});
  c.value(
      "create trigger notify after insert on latency_probe_raw for each row"
      " execute function latency_probe_notify('" +
          src.queue + "')",
      {});
}

// Commits one event per transaction, `rate` per second for `seconds` (or
// until the log is full).
void produce(const Source& src, bool raw, int rate, int seconds, Log& log) {
  Pq c(src.conninfo);
  auto interval = std::chrono::microseconds(1000000 / rate);
  auto next = std::chrono::steady_clock::now();
  auto end = next + std::chrono::seconds(seconds);
  for (std::size_t i = 0; i < log.capacity() && std::chrono::steady_clock::now() < end; ++i) {
    if (raw)
      c.value("insert into latency_probe_raw (ev_data) values ($1)", {std::to_string(i)});
    else
      c.value("select pgq.insert_event($1, 'probe', $2)", {src.queue, std::to_string(i)});
    log.committed(i);
    next += interval;
    std::this_thread::sleep_until(next);
  }
}

// Drops an earlier registration of the consumer (with its stale events), and
// registers it.
void register_fresh(const Source& src) {
  Pq c(src.conninfo);
  c.value(
      "select pgq.unregister_consumer(queue_name, consumer_name) from pgq.get_consumer_info($1)"
      " where consumer_name = $2",
      {src.queue, src.consumer});
  c.value("select pgq.register_consumer($1, $2)", {src.queue, src.consumer});
}

void report(const Log& log) {
  auto lat = log.sorted_latencies_ms();
  if (log.consumed() != log.produced())
    std::fprintf(stderr, "latency_probe: produced %zu, consumed %zu\n", log.produced(),
                 log.consumed());
  if (lat.empty()) {
    std::printf("events=0 produced=%zu\n", log.produced());
    return;
  }
  auto pct = [&](double p) {
    return lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))];
  };
  std::printf("events=%zu produced=%zu repeats=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
              lat.size(), log.produced(), log.repeats(), pct(0.50), pct(0.99), lat.back());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: latency_probe CONNINFO QUEUE CONSUMER lib|pooler|listen|poll|notify RATE "
                 "SECONDS\n");
    return 2;
  }
  Source src{argv[1], argv[2], argv[3]};
  std::string mode = argv[4];
  int rate = std::atoi(argv[5]), seconds = std::atoi(argv[6]);
  if (rate <= 0 || seconds <= 0) {
    std::fprintf(stderr, "latency_probe: RATE and SECONDS must be positive\n");
    return 2;
  }
  void (*consume)(const Source&, Log&, const Done&, const Ready&) = nullptr;
  if (mode == "lib")
    consume = consume_lib;
  else if (mode == "pooler")
    consume = consume_lib_pooler;
  else if (mode == "listen")
    consume = consume_listen;
  else if (mode == "poll")
    consume = consume_poll;
  else if (mode == "notify")
    consume = consume_notify;
  else {
    std::fprintf(stderr, "latency_probe: unknown mode %s (lib, pooler, listen, poll or notify)\n",
                 mode.c_str());
    return 2;
  }
  bool raw = mode == "notify";
  if (raw)
    setup_raw(src);
  else
    register_fresh(src);

  Log log(static_cast<std::size_t>(rate) * seconds + rate);
  std::atomic<bool> producer_done{false};
  std::chrono::steady_clock::time_point deadline{};
  Done done = [&] {
    if (!producer_done.load()) return false;
    if (log.consumed() >= log.produced()) return true;
    return std::chrono::steady_clock::now() >= deadline;
  };
  std::thread producer;
  Ready start_producer = [&] {
    producer = std::thread([&] {
      produce(src, raw, rate, seconds, log);
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      producer_done = true;
    });
  };
  int status = 0;
  try {
    consume(src, log, done, start_producer);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latency_probe: %s\n", e.what());
    status = 1;
  }
  if (producer.joinable()) producer.join();
  if (!raw)
    Pq(src.conninfo).value("select pgq.unregister_consumer($1, $2)", {src.queue, src.consumer});
  report(log);
  // LATENCY_TRACE=FILE: every event's times too, for bench/latency_trace.sh.
  if (const char* trace = std::getenv("LATENCY_TRACE"); trace != nullptr && *trace != '\0')
    if (!log.write_trace(trace)) {
      std::fprintf(stderr, "latency_probe: cannot write %s\n", trace);
      status = 1;
    }
  return status != 0 || log.consumed() != log.produced() ? 1 : 0;
}
