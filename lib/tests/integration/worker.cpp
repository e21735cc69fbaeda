// SPDX-License-Identifier: PostgreSQL
// A consumer process for the integration tests to start, stop and kill.
//
//   worker consume DB QUEUE CONSUMER RUN_ID
//       at-least-once consumer (batch handler); logs every event it is
//       handed as (RUN_ID, batch_id, ev_id, ev_retry, ev_data) into table
//       `seen` of DB through a second, autocommitting connection.
//   worker exactly-once SOURCE_DB TARGET_DB QUEUE CONSUMER
//       exactly-once consumer writing (QUEUE, ev_id, ev_data) into table
//       `applied` of TARGET_DB.
//
// Environment: WORKER_EVENT_SLEEP_MS (pause per event, to be killed inside a
// batch), WORKER_IDLE_EXIT=1 (return when no batch is ready),
// WORKER_CRASH_AT=before_work|after_work|after_commit (exactly-once: _exit(3)
// at the first batch reaching that step), WORKER_FETCH_SIZE (cursor reads).
// SIGTERM/SIGINT stop it gracefully (exit 0). Prints "ready" once connected.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "pgqpp/pgqpp.hpp"

namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : 0;
}

std::string env_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void pause_per_event() {
  if (int ms = env_int("WORKER_EVENT_SLEEP_MS"))
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

pgqpp::ConsumerOptions options(const std::string& queue, const std::string& consumer) {
  pgqpp::ConsumerOptions o;
  o.queue = queue;
  o.consumer = consumer;
  o.fetch_size = env_int("WORKER_FETCH_SIZE");
  o.poll_interval = std::chrono::milliseconds(200);
  o.reconnect_delay = std::chrono::milliseconds(200);
  o.stop_when_idle = env_int("WORKER_IDLE_EXIT") == 1;
  o.stop.stop_on_signals();
  o.on_connection_lost = [](const pgqpp::error& e) {
    std::fprintf(stderr, "worker: connection lost: %s\n", e.what());
  };
  return o;
}

int consume(const std::string& db, const std::string& queue, const std::string& consumer,
            const std::string& run_id) {
  pgqpp::Connection log("dbname=" + db);
  pgqpp::Consumer c("dbname=" + db, options(queue, consumer));
  std::puts("ready");
  std::fflush(stdout);
  c.run_batches([&](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) {
      log.exec(
          "insert into seen (run_id, batch_id, ev_id, ev_retry, ev_data) values ($1, $2, $3, $4, "
          "$5)",
          {run_id, batch.id(), ev.id, ev.retry ? pgqpp::Param(*ev.retry) : pgqpp::Param(nullptr),
           ev.data});
      pause_per_event();
    }
  });
  return 0;
}

int exactly_once(const std::string& source, const std::string& target, const std::string& queue,
                 const std::string& consumer) {
  pgqpp::ExactlyOnceOptions o;
  o.consumer = options(queue, consumer);
  std::string crash_at = env_str("WORKER_CRASH_AT");
  o.on_step = [crash_at](pgqpp::ExactlyOnceStep step, std::int64_t) {
    static const char* names[] = {"before_work", "after_work", "after_commit", "after_finish"};
    if (crash_at == names[static_cast<int>(step)]) _exit(3);
  };
  pgqpp::ExactlyOnceConsumer c("dbname=" + source, "dbname=" + target, o);
  std::puts("ready");
  std::fflush(stdout);
  c.run([&](const pgqpp::Event& ev, pgqpp::Transaction& tx) {
    tx.exec("insert into applied (queue, ev_id, ev_data) values ($1, $2, $3)",
            {queue, ev.id, ev.data});
    pause_per_event();
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "consume" && argc == 6) return consume(argv[2], argv[3], argv[4], argv[5]);
    if (mode == "exactly-once" && argc == 6)
      return exactly_once(argv[2], argv[3], argv[4], argv[5]);
  } catch (const pgqpp::error& e) {
    std::fprintf(stderr, "worker: %s (sqlstate %s)\n", e.what(), e.sqlstate().c_str());
    return 2;
  }
  std::fprintf(
      stderr,
      "usage: worker consume DB QUEUE CONSUMER RUN_ID | exactly-once SRC DST QUEUE CONSUMER\n");
  return 64;
}
