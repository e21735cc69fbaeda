// SPDX-License-Identifier: PostgreSQL
// `pgqpp register QUEUE CONSUMER`: registers a consumer on a queue at its
// newest tick, so it sees every event committed from now on. Registering
// again is not an error (exit 0, "already registered"; the position stays).
// With --subconsumer NAME, registers a subconsumer of CONSUMER instead
// (pgq_coop.register_subconsumer; the consumer is registered too if new).
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
  std::string subconsumer;
  bool has_subconsumer = false;  // --subconsumer given (even empty: refused)
  std::string max_batch_events;  // empty: not given
};

// pgq_coop.register_subconsumer: the consumer's cooperative part NAME.
int register_subconsumer(Connection& db, const RegisterArgs& args) {
  const std::string queue = escape_controls(args.queue);
  const std::string consumer = escape_controls(args.consumer);
  const std::string sub = escape_controls(args.subconsumer);
  if (db.exec("select to_regnamespace('pgq_coop') is null").value(0, 0) == "t")
    throw Failure("pgq_coop is not installed in this database (run: CREATE EXTENSION pgq_coop)");
  auto r = with_user_input([&] {
    return db.exec("select pgq_coop.register_subconsumer($1, $2, $3)",
                   {args.queue, args.consumer, args.subconsumer});
  });
  if (r.value(0, 0) == "1")
    std::cout << "registered subconsumer " << sub << " of consumer " << consumer << " on queue "
              << queue << "\n";
  else
    std::cout << "subconsumer " << sub << " of consumer " << consumer
              << " is already registered on queue " << queue << "\n";
  return exit_ok;
}

int register_consumer(const RegisterArgs& args) {
  try {
    check_name("queue", args.queue);
    check_name("consumer", args.consumer);
    if (args.has_subconsumer) check_name("subconsumer", args.subconsumer);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const bool bounded = !args.max_batch_events.empty();
  if (bounded && args.has_subconsumer)
    throw UsageError(
        "--max-batch-events applies to the consumer, not to one subconsumer "
        "(set it with: pgqpp consumer-config QUEUE CONSUMER max_batch_events=N)");
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
  if (args.has_subconsumer) return register_subconsumer(db, args);
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

/// `pgqpp register QUEUE CONSUMER [--max-batch-events N | --subconsumer NAME]`:
/// pgq.register_consumer (and pgq.set_consumer_config), or
/// pgq_coop.register_subconsumer.
std::function<int()> setup_register(CLI::App& app) {
  auto args = std::make_shared<RegisterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  auto sub_option =
      app.add_option(
             "--subconsumer", args->subconsumer,
             "register subconsumer NAME of CONSUMER (pgq_coop: processes sharing its batches)")
          ->type_name("NAME");
  app.add_option("--max-batch-events", args->max_batch_events,
                 "at most N events per batch (bounded batches; pgqpp 1.2 and later)")
      ->type_name("N");
  app.footer(
      "Examples:\n"
      "  pgqpp register orders shipping\n"
      "  pgqpp register orders shipping --max-batch-events 1000\n"
      "  pgqpp register orders shipping --subconsumer worker1\n\n"
      "The consumer starts at the queue's newest tick: it sees events committed from now on.\n"
      "With --max-batch-events a tick interval holding more than N events comes in several\n"
      "batches (see pgqpp consumer-config). Subconsumers of one consumer each take whole\n"
      "batches of it (pgq_coop.next_batch): together they see every event once.");
  return [args, sub_option] {
    args->has_subconsumer = sub_option->count() > 0;
    return run_guarded("register", [&] { return register_consumer(*args); });
  };
}

}  // namespace pgqpp::cli
