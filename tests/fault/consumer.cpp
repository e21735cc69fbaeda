// SPDX-License-Identifier: PostgreSQL
// Role `consume`: an at-least-once consumer (libpgqpp Consumer) that records
// every event it is handed.
//
// --log gets, per event, "E\t<incarnation>\t<batch id>\t<ev_data>" and, per
// batch, "B\t<incarnation>\t<batch id>\t<events>\t<epoch ms>", all written
// before the handler returns, i.e. before the batch is finished. The
// incarnation (--incarnation, counted by the script per process start)
// tells which process saw what, so that the check can tell a batch
// delivered again after a kill from a duplicate within one process.
//
// --batch-delay-ms holds each batch that long after it was logged and before
// it is finished: a slow consumer, and a wide window in which a kill makes
// the batch come again (the duplicates the check must tell apart).
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <pgqpp/pgqpp.hpp>

#include "consumer_config.hpp"
#include "log_file.hpp"
#include "roles.hpp"

namespace pgqpp::fault {

int run_consumer(const Args& args) {
  ConsumerOptions options = consumer_options(args);
  std::string conninfo = args.text("conninfo"), inc = args.text("incarnation");
  LogFile log(args.text("log"));
  std::optional<Consumer> consumer;
  std::int64_t events = 0, batches = 0;
  std::string buffer;
  auto batch_delay = std::chrono::milliseconds(args.integer("batch-delay-ms", 0));
  auto handle = [&](Batch& batch) {
    std::string prefix = "E\t" + inc + "\t" + std::to_string(batch.id()) + "\t";
    std::int64_t n = 0;
    for (const Event& ev : batch) {
      buffer += prefix;
      buffer += ev.data ? *ev.data : std::string_view("(null)");
      buffer += '\n';
      ++n;
      if (buffer.size() > 65536) log.append(buffer), buffer.clear();
    }
    if (batch.interrupted()) {  // stop "now": the batch stays open and comes again
      log.append(buffer);
      buffer.clear();
      return;
    }
    buffer += "B\t" + inc + "\t" + std::to_string(batch.id()) + "\t" + std::to_string(n) + "\t" +
              std::to_string(epoch_ms()) + "\n";
    log.append(buffer);
    buffer.clear();
    std::this_thread::sleep_for(batch_delay);
    events += n;
    ++batches;
  };
  run_with_first_connect_retry(
      [&] {
        consumer.emplace(conninfo, options);
        consumer->run_batches(handle);
      },
      [&] { return consumer && consumer->events_seen() > 0; });
  std::printf("consumer %s incarnation %s: %lld events in %lld batches\n", options.consumer.c_str(),
              inc.c_str(), static_cast<long long>(events), static_cast<long long>(batches));
  return 0;
}

}  // namespace pgqpp::fault
