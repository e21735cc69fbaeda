// SPDX-License-Identifier: PostgreSQL
// End-to-end latency probe for `make bench` (bench/ticker.sh): a producer
// commits one event per transaction at a fixed rate; a consumer reads them;
// each event's latency is the time from its commit, as the producer saw it
// return, to the moment the consumer has it in hand (both on this process's
// steady clock). Prints one line:
//   events=N produced=N repeats=N p50_ms=X p99_ms=X max_ms=X
//
//   latency_probe CONNINFO QUEUE CONSUMER MODE RATE SECONDS [CONSUMERS]
//   MODE: lib     libpgqpp's Consumer (waits for the ticker's wake-up)
//         pooler  libpgqpp's Consumer with behind_pooler: waits in the
//                 server (pgq.next_batch_wait), for CONNINFO through PgBouncer
//         listen  plain SQL woken by the tick's NOTIFY (100 ms poll fallback)
//         poll    plain SQL calling next_batch every millisecond
//         notify  no queue, the raw baseline: the producer inserts into the
//                 plain table latency_probe_raw, whose trigger sends
//                 pg_notify(QUEUE, payload); the consumer LISTENs (QUEUE is
//                 the channel, CONSUMER unused)
// CONSUMERS (default 1; not with notify) independent consumers of the queue,
// named CONSUMER_1 .. CONSUMER_N, each on its own connection and thread, all
// read every event; the percentiles are over every (event, consumer) pair.
// Each consumer is registered afresh before the producer starts (an earlier
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
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
// until the logs are full). Every consumer's log notes each commit.
void produce(const Source& src, bool raw, int rate, int seconds, std::deque<Log>& logs) {
  Pq c(src.conninfo);
  auto interval = std::chrono::microseconds(1000000 / rate);
  auto next = std::chrono::steady_clock::now();
  auto end = next + std::chrono::seconds(seconds);
  for (std::size_t i = 0; i < logs[0].capacity() && std::chrono::steady_clock::now() < end; ++i) {
    if (raw)
      c.value("insert into latency_probe_raw (ev_data) values ($1)", {std::to_string(i)});
    else
      c.value("select pgq.insert_event($1, 'probe', $2)", {src.queue, std::to_string(i)});
    for (auto& log : logs) log.committed(i);
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

// Prints the run's line: counts summed over the consumers, percentiles over
// every (event, consumer) pair.
void report(const std::deque<Log>& logs) {
  std::vector<double> lat;
  std::size_t produced = logs[0].produced(), consumed = 0, repeats = 0;
  for (const auto& log : logs) {
    auto own = log.sorted_latencies_ms();
    lat.insert(lat.end(), own.begin(), own.end());
    consumed += log.consumed();
    repeats += log.repeats();
  }
  std::sort(lat.begin(), lat.end());
  if (consumed != produced * logs.size())
    std::fprintf(stderr, "latency_probe: produced %zu, consumed %zu (over %zu consumers)\n",
                 produced, consumed, logs.size());
  if (lat.empty()) {
    std::printf("events=0 produced=%zu\n", produced);
    return;
  }
  auto pct = [&](double p) {
    return lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))];
  };
  std::printf("events=%zu produced=%zu repeats=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
              lat.size(), produced, repeats, pct(0.50), pct(0.99), lat.back());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8) {
    std::fprintf(stderr,
                 "usage: latency_probe CONNINFO QUEUE CONSUMER lib|pooler|listen|poll|notify RATE "
                 "SECONDS [CONSUMERS]\n");
    return 2;
  }
  Source src{argv[1], argv[2], argv[3]};
  std::string mode = argv[4];
  int rate = std::atoi(argv[5]), seconds = std::atoi(argv[6]);
  int consumers = argc == 8 ? std::atoi(argv[7]) : 1;
  if (rate <= 0 || seconds <= 0 || consumers <= 0) {
    std::fprintf(stderr, "latency_probe: RATE, SECONDS and CONSUMERS must be positive\n");
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
  if (raw && consumers != 1) {
    std::fprintf(stderr, "latency_probe: notify has one listener\n");
    return 2;
  }
  // One source (consumer name) per consumer thread.
  std::vector<Source> sources;
  for (int i = 1; i <= consumers; ++i)
    sources.push_back({src.conninfo, src.queue,
                       consumers == 1 ? src.consumer : src.consumer + "_" + std::to_string(i)});
  if (raw)
    setup_raw(src);
  else
    for (const auto& s : sources) register_fresh(s);

  std::deque<Log> logs;  // Log holds atomics: not movable
  for (std::size_t i = 0; i < sources.size(); ++i)
    logs.emplace_back(static_cast<std::size_t>(rate) * seconds + rate);
  std::atomic<bool> producer_done{false};
  std::atomic<std::int64_t> deadline_ns{0};
  std::atomic<int> waiting{consumers};
  std::thread producer;
  std::mutex start_mutex;
  // The producer starts once every consumer can hear of its events.
  Ready ready = [&] {
    std::lock_guard<std::mutex> lock(start_mutex);
    if (--waiting > 0) return;
    producer = std::thread([&] {
      produce(src, raw, rate, seconds, logs);
      deadline_ns =
          (std::chrono::steady_clock::now() + std::chrono::seconds(5)).time_since_epoch().count();
      producer_done = true;
    });
  };
  std::atomic<int> status{0};
  auto run = [&](std::size_t i) {
    Done done = [&, i] {
      if (!producer_done.load()) return false;
      if (logs[i].consumed() >= logs[i].produced()) return true;
      return std::chrono::steady_clock::now().time_since_epoch().count() >= deadline_ns.load();
    };
    bool was_ready = false;
    Ready ready_once = [&] {
      was_ready = true;
      ready();
    };
    try {
      consume(sources[i], logs[i], done, ready_once);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "latency_probe: %s: %s\n", sources[i].consumer.c_str(), e.what());
      status = 1;
      if (!was_ready) ready();  // the others must not wait for it forever
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < sources.size(); ++i) threads.emplace_back(run, i);
  run(0);
  for (auto& t : threads) t.join();
  if (producer.joinable()) producer.join();
  if (!raw)
    for (const auto& s : sources)
      Pq(s.conninfo).value("select pgq.unregister_consumer($1, $2)", {s.queue, s.consumer});
  report(logs);
  // LATENCY_TRACE=FILE: every event's times too (the first consumer's), for
  // bench/latency_trace.sh.
  if (const char* trace = std::getenv("LATENCY_TRACE"); trace != nullptr && *trace != '\0')
    if (!logs[0].write_trace(trace)) {
      std::fprintf(stderr, "latency_probe: cannot write %s\n", trace);
      status = 1;
    }
  std::size_t consumed = 0;
  for (const auto& log : logs) consumed += log.consumed();
  return status != 0 || consumed != logs[0].produced() * logs.size() ? 1 : 0;
}
