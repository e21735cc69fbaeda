// SPDX-License-Identifier: PostgreSQL
// The consumers of bench/held_xmin.sh: N threads, one connection each, each
// consumer `c1`..`cN` of one queue cycling batches as fast as it can, every
// statement in its own transaction (autocommit):
//
//   select pgq.next_batch(queue, consumer)     -- NULL: no tick yet, sleep 1 ms
//   select count(*) from pgq.get_batch_events(batch_id)
//   select pgq.finish_batch(batch_id)
//
// It prints one line per window of W seconds (the last, partial window is
// dropped):
//
//   window=I batches=B events=E next_batch_calls=C next_batch_ms=M empty=N
//
// with M the mean wall-clock time of a next_batch call (client side, round
// trip included) and N the calls that found no batch.
//
//   held_xmin_consumers CONNINFO QUEUE CONSUMERS SECONDS WINDOW_SECONDS
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Window {
  long batches = 0;
  long events = 0;
  long next_calls = 0;
  long empty = 0;
  double next_ms = 0;
};

[[noreturn]] void fail(PGconn* c, const std::string& what) {
  std::fprintf(stderr, "held_xmin_consumers: %s: %s", what.c_str(), c ? PQerrorMessage(c) : "");
  std::exit(1);
}

// The first value of `sql` with one or two text parameters; "" for NULL.
std::string value(PGconn* c, const char* sql, const std::vector<std::string>& params) {
  std::vector<const char*> v;
  for (const auto& p : params) v.push_back(p.c_str());
  PGresult* r =
      PQexecParams(c, sql, static_cast<int>(v.size()), nullptr, v.data(), nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    fail(c, sql);
  }
  std::string out = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return out;
}

void consume(const std::string& conninfo, const std::string& queue, const std::string& consumer,
             Clock::time_point start, double window_s, std::vector<Window>& windows,
             std::mutex& mu) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) fail(c, "connect");
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  std::vector<Window> mine(windows.size());
  for (;;) {
    auto t0 = Clock::now();
    auto w = static_cast<size_t>(std::chrono::duration<double>(t0 - start).count() / window_s);
    if (w >= mine.size()) break;
    std::string batch = value(c, "select pgq.next_batch($1, $2)", {queue, consumer});
    auto t1 = Clock::now();
    Window& m = mine[w];
    m.next_calls++;
    m.next_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (batch.empty()) {
      m.empty++;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    m.events += std::stol(value(c, "select count(*) from pgq.get_batch_events($1)", {batch}));
    value(c, "select pgq.finish_batch($1)", {batch});
    m.batches++;
  }
  PQfinish(c);
  std::lock_guard<std::mutex> lock(mu);
  for (size_t i = 0; i < mine.size(); ++i) {
    windows[i].batches += mine[i].batches;
    windows[i].events += mine[i].events;
    windows[i].next_calls += mine[i].next_calls;
    windows[i].empty += mine[i].empty;
    windows[i].next_ms += mine[i].next_ms;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr,
                 "usage: held_xmin_consumers CONNINFO QUEUE CONSUMERS SECONDS WINDOW_SECONDS\n");
    return 2;
  }
  std::string conninfo = argv[1], queue = argv[2];
  int consumers = std::atoi(argv[3]);
  double seconds = std::atof(argv[4]), window_s = std::atof(argv[5]);
  if (consumers < 1 || window_s <= 0 || seconds < window_s) {
    std::fprintf(stderr,
                 "held_xmin_consumers: need CONSUMERS >= 1 and SECONDS >= WINDOW_SECONDS > 0\n");
    return 2;
  }
  std::vector<Window> windows(static_cast<size_t>(seconds / window_s));
  std::mutex mu;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 1; i <= consumers; ++i)
    threads.emplace_back(consume, conninfo, queue, "c" + std::to_string(i), start, window_s,
                         std::ref(windows), std::ref(mu));
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < windows.size(); ++i) {
    const Window& w = windows[i];
    std::printf(
        "window=%zu batches=%ld events=%ld next_batch_calls=%ld next_batch_ms=%.3f empty=%ld\n", i,
        w.batches, w.events, w.next_calls, w.next_calls ? w.next_ms / w.next_calls : 0.0, w.empty);
  }
  return 0;
}
