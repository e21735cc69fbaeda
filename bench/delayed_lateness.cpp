// SPDX-License-Identifier: PostgreSQL
// Delayed-event lateness for `make bench` and DelayedEvents.* (tests/cluster):
// a producer stores RATE delayed events per second (10 per statement, every
// 10 ms, through pgq.insert_events_at), each due a random 0..MAX_DELAY_MS
// after it is sent; libpgqpp's Consumer (woken by the ticker) reads them and
// takes each event's lateness: the moment it is in hand minus its deliver_at
// (one host: the producer's, the server's and the consumer's clocks are the
// same clock). Prints one line:
//   events=N produced=N early=N duplicates=N p50_ms=X p99_ms=X max_ms=X
// and exits 1 when an event was lost, came twice or came before its time.
//
//   delayed_lateness CONNINFO QUEUE CONSUMER RATE SECONDS MAX_DELAY_MS
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pgqpp/pgqpp.hpp>

#include "latency_pq.hpp"

namespace {

using Clock = std::chrono::system_clock;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Seen {
  std::mutex mutex;
  std::vector<std::int64_t> deliver_us;  // by event number, from the producer
  std::vector<int> count;                // times each event came
  std::vector<double> lateness_ms;
  long early = 0;
  long duplicates = 0;
  std::atomic<long> seen{0};
};

// One statement of n events numbered from `first`, each due a random delay
// after now; records their deliver_at.
void produce_some(latency::Pq& db, const std::string& queue, long first, int n, int max_delay_ms,
                  std::mt19937& rng, Seen& seen) {
  std::uniform_int_distribution<std::int64_t> delay(0, std::int64_t{max_delay_ms} * 1000);
  std::string ats = "{", datas = "{";
  std::int64_t now = now_us();
  for (int i = 0; i < n; ++i) {
    std::int64_t at = now + delay(rng);
    {
      std::lock_guard<std::mutex> lock(seen.mutex);
      seen.deliver_us[static_cast<std::size_t>(first + i)] = at;
    }
    ats += (i ? "," : "") + std::to_string(at);
    datas += (i ? "," : "") + std::to_string(first + i);
  }
  db.value(
      "select pgq.insert_events_at($1, array(select 'epoch'::timestamptz + u * interval "
      "'1 microsecond' from unnest($2::int8[]) u), array['d'], $3::text[])",
      {queue, ats + "}", datas + "}"});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: delayed_lateness CONNINFO QUEUE CONSUMER RATE SECONDS MAX_DELAY_MS\n");
    return 2;
  }
  const std::string conninfo = argv[1], queue = argv[2], consumer_name = argv[3];
  const long rate = std::atol(argv[4]), seconds = std::atol(argv[5]);
  const int max_delay_ms = std::atoi(argv[6]);
  const long total = rate * seconds;
  Seen seen;
  seen.deliver_us.assign(static_cast<std::size_t>(total), 0);
  seen.count.assign(static_cast<std::size_t>(total), 0);
  try {
    latency::Pq setup(conninfo);
    setup.value(
        "select pgq.unregister_consumer($1, $2) from pgq.get_consumer_info() "
        "where queue_name = $1 and consumer_name = $2",
        {queue, consumer_name});
    setup.value("select pgq.register_consumer($1, $2)", {queue, consumer_name});

    pgqpp::ConsumerOptions o;
    o.queue = queue;
    o.consumer = consumer_name;
    o.register_consumer = false;
    pgqpp::Consumer consumer(conninfo, o);
    consumer.register_consumer();  // connects and listens
    std::atomic<bool> produced{false};
    std::thread producer([&] {
      latency::Pq db(conninfo);
      std::mt19937 rng(42);
      const int per_statement = 10;
      auto next = std::chrono::steady_clock::now();
      const auto step = std::chrono::microseconds(1000000L * per_statement / rate);
      for (long first = 0; first < total; first += per_statement) {
        std::this_thread::sleep_until(next);
        next += step;
        produce_some(db, queue, first,
                     static_cast<int>(std::min<long>(per_statement, total - first)), max_delay_ms,
                     rng, seen);
      }
      produced = true;
    });
    std::thread watcher([&] {
      auto give_up = std::chrono::steady_clock::time_point::max();
      while (seen.seen < total) {
        if (produced && give_up == std::chrono::steady_clock::time_point::max())
          give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_delay_ms) +
                    std::chrono::seconds(5);
        if (std::chrono::steady_clock::now() > give_up) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      // A moment more, so that a duplicate would show.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      consumer.stop(pgqpp::StopMode::after_batch);
    });
    consumer.run([&](const pgqpp::Event& ev) {
      std::int64_t arrived = now_us();
      long n = ev.data ? std::atol(std::string(*ev.data).c_str()) : -1;
      std::lock_guard<std::mutex> lock(seen.mutex);
      if (n < 0 || n >= total) return;
      auto i = static_cast<std::size_t>(n);
      if (++seen.count[i] > 1) {
        ++seen.duplicates;
        return;
      }
      double late = static_cast<double>(arrived - seen.deliver_us[i]) / 1000.0;
      if (late < 0) ++seen.early;
      seen.lateness_ms.push_back(late);
      ++seen.seen;
    });
    producer.join();
    watcher.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "delayed_lateness: %s\n", e.what());
    return 1;
  }
  std::vector<double>& l = seen.lateness_ms;
  std::sort(l.begin(), l.end());
  auto pct = [&](double p) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * l.size()))];
  };
  std::printf(
      "events=%zu produced=%ld early=%ld duplicates=%ld p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      l.size(), total, seen.early, seen.duplicates, pct(0.5), pct(0.99),
      l.empty() ? 0.0 : l.back());
  bool ok = static_cast<long>(l.size()) == total && seen.early == 0 && seen.duplicates == 0;
  if (!ok) std::fprintf(stderr, "delayed_lateness: events lost, duplicated or early\n");
  return ok ? 0 : 1;
}
