// SPDX-License-Identifier: PostgreSQL
// `pgqpp register QUEUE CONSUMER`: registers a consumer on a queue at its
// newest tick, so it sees every event committed from now on. Registering
// again is not an error (exit 0, "already registered"; the position stays).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
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
};

int register_consumer(const RegisterArgs& args) {
  try {
    check_name("queue", args.queue);
    check_name("consumer", args.consumer);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const std::string queue = escape_controls(args.queue);
  const std::string consumer = escape_controls(args.consumer);
  auto db = connect(args.conn);
  require_queue(db, args.queue);
  auto r = with_user_input([&] {
    return db.exec("select pgq.register_consumer($1, $2)", {args.queue, args.consumer});
  });
  if (r.value(0, 0) == "1")
    std::cout << "registered consumer " << consumer << " on queue " << queue << "\n";
  else
    std::cout << "consumer " << consumer << " is already registered on queue " << queue << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp register QUEUE CONSUMER`: pgq.register_consumer.
std::function<int()> setup_register(CLI::App& app) {
  auto args = std::make_shared<RegisterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  app.footer(
      "Example:\n"
      "  pgqpp register orders shipping\n\n"
      "The consumer starts at the queue's newest tick: it sees events committed from now on.");
  return [args] { return run_guarded("register", [&] { return register_consumer(*args); }); };
}

}  // namespace pgqpp::cli
