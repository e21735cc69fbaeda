// SPDX-License-Identifier: PostgreSQL
// `pgqpp retry QUEUE [CONSUMER]`: moves retry events whose time has come back
// into their queues now (pgq.maint_retry_events, which the ticker otherwise
// runs every retry_period), and says how many of QUEUE's (CONSUMER's) moved.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "retry_move.hpp"

namespace pgqpp::cli {

namespace {

struct RetryArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;  // empty: every consumer
};

int retry(const RetryArgs& args) {
  auto db = connect(args.conn);
  const RetryMove m = move_due_retries(db, args.queue, args.consumer);
  std::cout << "moved " << m.of_queue << " due retry event" << (m.of_queue == 1 ? "" : "s")
            << " of queue " << args.queue;
  if (!args.consumer.empty()) std::cout << " (consumer " << args.consumer << ")";
  std::cout << " back into the queue";
  if (m.all > m.of_queue) std::cout << " (" << m.all << " in all queues)";
  std::cout << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp retry QUEUE [CONSUMER]`: pgq.maint_retry_events until it has moved
/// every due event, reporting the count for QUEUE (and CONSUMER).
std::function<int()> setup_retry(CLI::App& app) {
  auto args = std::make_shared<RetryArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "only count this consumer's events");
  app.footer(
      "Examples:\n"
      "  pgqpp retry orders\n"
      "  pgqpp retry orders shipping\n\n"
      "Moves the retry events that are due now (the ticker does this every retry_period);\n"
      "events of other queues that are due move too, as the ticker would move them.");
  return [args] { return run_guarded("retry", [&] { return retry(*args); }); };
}

}  // namespace pgqpp::cli
