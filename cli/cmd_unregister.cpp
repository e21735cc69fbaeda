// SPDX-License-Identifier: PostgreSQL
// `pgqpp unregister QUEUE CONSUMER`: removes a consumer's registration, with
// its open batch and its pending retry events. A consumer that is not
// registered there is a failure (exit 1) naming it.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "escape_text.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

struct UnregisterArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;
};

int unregister_consumer(const UnregisterArgs& args) {
  auto db = connect(args.conn);
  require_consumer(db, args.queue, args.consumer);
  db.exec("select pgq.unregister_consumer($1, $2)", {args.queue, args.consumer});
  std::cout << "unregistered consumer " << escape_controls(args.consumer) << " from queue "
            << escape_controls(args.queue) << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp unregister QUEUE CONSUMER`: pgq.unregister_consumer, after
/// checking that the consumer is registered there.
std::function<int()> setup_unregister(CLI::App& app) {
  auto args = std::make_shared<UnregisterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  app.footer(
      "Example:\n"
      "  pgqpp unregister orders shipping\n\n"
      "Its open batch, pending retry events and dead letters go too; events stay for the\n"
      "other consumers.");
  return [args] { return run_guarded("unregister", [&] { return unregister_consumer(*args); }); };
}

}  // namespace pgqpp::cli
