// End-to-end latency probe for `make bench`: a producer inserts events at a
// fixed rate, each carrying its wall-clock time just before commit; a
// consumer reads them and records (time seen - time sent). Prints p50, p99
// and max in milliseconds.
//
//   latency_probe CONNINFO QUEUE CONSUMER MODE RATE SECONDS
//   MODE: listen (wait for the tick's NOTIFY, poll every 100 ms as a fallback)
//         poll   (call next_batch every millisecond)
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

long long now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

PGconn* connect_or_die(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
    std::exit(1);
  }
  return c;
}

// Runs a statement; returns the first value of the first row ("" if none).
std::string exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::fprintf(stderr, "latency_probe: %s: %s", sql.c_str(), PQerrorMessage(c));
    std::exit(1);
  }
  std::string out = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return out;
}

void produce(const std::string& conninfo, const std::string& queue, int rate, int seconds,
             std::atomic<long>& produced, std::atomic<bool>& done) {
  PGconn* c = connect_or_die(conninfo);
  auto interval = std::chrono::microseconds(1000000 / rate);
  auto next = std::chrono::steady_clock::now();
  auto end = next + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    exec(c, "select pgq.insert_event('" + queue + "', 'probe', '" + std::to_string(now_us()) + "')");
    ++produced;
    next += interval;
    std::this_thread::sleep_until(next);
  }
  PQfinish(c);
  done = true;
}

// Reads every open batch; appends latencies; returns whether there was one.
bool drain(PGconn* c, const std::string& queue, const std::string& consumer,
           std::vector<double>& latencies) {
  std::string batch = exec(c, "select pgq.next_batch('" + queue + "', '" + consumer + "')");
  if (batch.empty()) return false;
  PGresult* r = PQexec(c, ("select ev_data from pgq.get_batch_events(" + batch + ")").c_str());
  long long seen = now_us();
  for (int i = 0; i < PQntuples(r); ++i)
    latencies.push_back((seen - std::atoll(PQgetvalue(r, i, 0))) / 1000.0);
  PQclear(r);
  exec(c, "select pgq.finish_batch(" + batch + ")");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: latency_probe CONNINFO QUEUE CONSUMER listen|poll RATE SECONDS\n");
    return 2;
  }
  std::string conninfo = argv[1], queue = argv[2], consumer = argv[3], mode = argv[4];
  int rate = std::atoi(argv[5]), seconds = std::atoi(argv[6]);
  PGconn* c = connect_or_die(conninfo);
  exec(c, "select pgq.register_consumer('" + queue + "', '" + consumer + "')");
  std::vector<double> stale;  // whatever an earlier run left
  while (drain(c, queue, consumer, stale)) {
  }
  std::string queue_id = exec(c, "select queue_id from pgq.queue where queue_name = '" + queue + "'");
  if (mode == "listen") exec(c, "listen pgqpp_tick_" + queue_id);

  std::vector<double> latencies;
  std::atomic<long> produced{0};
  std::atomic<bool> done{false};
  std::thread producer(produce, conninfo, queue, rate, seconds, std::ref(produced), std::ref(done));
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  while (!done || (static_cast<long>(latencies.size()) < produced &&
                   std::chrono::steady_clock::now() < drain_deadline)) {
    if (done && drain_deadline == std::chrono::steady_clock::time_point::max())
      drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    if (mode == "listen") {
      // A notification may have arrived while the last batch was read: it
      // then waits in libpq's queue, not on the socket.
      bool pending = false;
      while (PGnotify* n = PQnotifies(c)) {
        pending = true;
        PQfreemem(n);
      }
      if (!pending) {
        pollfd p{PQsocket(c), POLLIN, 0};
        poll(&p, 1, 100);
        PQconsumeInput(c);
        while (PGnotify* n = PQnotifies(c)) PQfreemem(n);
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    drain(c, queue, consumer, latencies);
  }
  producer.join();
  exec(c, "select pgq.unregister_consumer('" + queue + "', '" + consumer + "')");
  PQfinish(c);
  if (latencies.empty()) {
    std::printf("events=0\n");
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))]; };
  if (static_cast<long>(latencies.size()) != produced)
    std::fprintf(stderr, "latency_probe: produced %ld, consumed %zu\n", produced.load(), latencies.size());
  std::printf("events=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", latencies.size(), pct(0.50), pct(0.99),
              latencies.back());
  return 0;
}
