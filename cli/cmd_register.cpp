// SPDX-License-Identifier: PostgreSQL
// `pgqpp register QUEUE CONSUMER`: registers a consumer on a queue at its
// newest tick, so it sees every event committed from now on. Registering
// again is not an error (exit 0, "already registered"; the position stays).
// --max-batch-events N also sets the consumer's bounded batches (pgqpp 1.2
// and later), in the same transaction.
#include <iostream>
#include <memory>

#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "consumer_config.hpp"
#include "consumer_settings.hpp"
#include "escape_text.hpp"
#include "object_name.hpp"
#include "pgq_lookup.hpp"
#include "user_input.hpp"

namespace pgqpp::cli {

namespace {

struct RegisterArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;
  std::string max_batch_events;  // empty: not given
};

int register_consumer(const RegisterArgs& args) {
  try {
    check_name("queue", args.queue);
    check_name("consumer", args.consumer);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const bool bounded = !args.max_batch_events.empty();
  std::optional<std::int32_t> max_batch_events;
  if (bounded) {
    try {
      max_batch_events = parse_positive_setting("--max-batch-events", args.max_batch_events, false);
    } catch (const std::invalid_argument& e) {
      throw UsageError(
          std::string(e.what()) +
          " (to unset it: pgqpp consumer-config QUEUE CONSUMER max_batch_events=none)");
    }
  }
  const std::string queue = escape_controls(args.queue);
  const std::string consumer = escape_controls(args.consumer);
  auto db = connect(args.conn);
  require_queue(db, args.queue);
  if (bounded) require_consumer_config(db);
  Transaction tx(db);
  auto r = with_user_input([&] {
    return tx.exec("select pgq.register_consumer($1, $2)", {args.queue, args.consumer});
  });
  if (bounded)
    set_consumer_setting(tx, args.queue, args.consumer, "max_batch_events", max_batch_events);
  tx.commit();
  if (r.value(0, 0) == "1")
    std::cout << "registered consumer " << consumer << " on queue " << queue << "\n";
  else
    std::cout << "consumer " << consumer << " is already registered on queue " << queue << "\n";
  if (bounded)
    std::cout << "consumer " << consumer << " on queue " << queue << ": at most "
              << *max_batch_events << " events per batch (max_batch_events)\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp register QUEUE CONSUMER`: pgq.register_consumer.
std::function<int()> setup_register(CLI::App& app) {
  auto args = std::make_shared<RegisterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  app.add_option("--max-batch-events", args->max_batch_events,
                 "at most N events per batch (bounded batches; pgqpp 1.2 and later)")
      ->type_name("N");
  app.footer(
      "Examples:\n"
      "  pgqpp register orders shipping\n"
      "  pgqpp register orders shipping --max-batch-events 1000\n\n"
      "The consumer starts at the queue's newest tick: it sees events committed from now on.\n"
      "With --max-batch-events a tick interval holding more than N events comes in several\n"
      "batches (see pgqpp consumer-config).");
  return [args] { return run_guarded("register", [&] { return register_consumer(*args); }); };
}

}  // namespace pgqpp::cli
