// SPDX-License-Identifier: PostgreSQL
// `pgqpp unregister QUEUE CONSUMER`: removes a consumer's registration, with
// its open batch and its pending retry events. A consumer that is not
// registered there is a failure (exit 1) naming it.
// With --subconsumer NAME, removes that subconsumer of CONSUMER instead
// (pgq_coop.unregister_subconsumer); --batch-handling says what happens to a
// batch it still holds, as PgQ's i_batch_handling does: `fail` (0, the
// default) refuses and changes nothing, `drop` (1) unregisters it and drops
// the batch (its events are not delivered to the consumer again).
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

struct UnregisterArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;
  std::string subconsumer;
  bool has_subconsumer = false;  // --subconsumer given
  std::string batch_handling = "fail";
};

// pgq_coop.unregister_subconsumer, its batch handling as PgQ numbers it.
int unregister_subconsumer(Connection& db, const UnregisterArgs& args) {
  const std::string queue = escape_controls(args.queue);
  const std::string consumer = escape_controls(args.consumer);
  const std::string sub = escape_controls(args.subconsumer);
  if (db.exec("select to_regnamespace('pgq_coop') is null").value(0, 0) == "t")
    throw Failure("pgq_coop is not installed in this database (run: CREATE EXTENSION pgq_coop)");
  const int handling = args.batch_handling == "drop" ? 1 : 0;
  Rows r = [&] {
    try {
      return with_user_input([&] {
        return db.exec("select pgq_coop.unregister_subconsumer($1, $2, $3, $4)",
                       {args.queue, args.consumer, args.subconsumer, handling});
      });
    } catch (const sql_error& e) {
      if (e.sqlstate() != "55000") throw;
      throw Failure("subconsumer " + sub + " of consumer " + consumer + " on queue " + queue +
                    " holds an open batch; let it finish, or drop the batch with "
                    "--batch-handling drop");
    }
  }();
  if (r.value(0, 0) != "1")
    throw Failure("subconsumer " + sub + " of consumer " + consumer +
                  " is not registered on queue " + queue);
  std::cout << "unregistered subconsumer " << sub << " of consumer " << consumer << " from queue "
            << queue << "\n";
  return exit_ok;
}

int unregister_consumer(const UnregisterArgs& args) {
  if (!args.has_subconsumer && args.batch_handling != "fail")
    throw UsageError("--batch-handling applies to --subconsumer only");
  if (args.has_subconsumer) {
    try {
      check_name("subconsumer", args.subconsumer);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  auto db = connect(args.conn);
  if (args.has_subconsumer) {
    require_queue(db, args.queue);
    return unregister_subconsumer(db, args);
  }
  require_consumer(db, args.queue, args.consumer);
  db.exec("select pgq.unregister_consumer($1, $2)", {args.queue, args.consumer});
  std::cout << "unregistered consumer " << escape_controls(args.consumer) << " from queue "
            << escape_controls(args.queue) << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp unregister QUEUE CONSUMER [--subconsumer NAME [--batch-handling
/// fail|drop]]`: pgq.unregister_consumer after checking that the consumer
/// is registered there, or pgq_coop.unregister_subconsumer.
std::function<int()> setup_unregister(CLI::App& app) {
  auto args = std::make_shared<UnregisterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  auto sub_option = app.add_option("--subconsumer", args->subconsumer,
                                   "unregister subconsumer NAME of CONSUMER (pgq_coop)")
                        ->type_name("NAME");
  app.add_option("--batch-handling", args->batch_handling,
                 "a batch the subconsumer holds: fail (refuse, the default) or drop it")
      ->check(CLI::IsMember({"fail", "drop"}));
  app.footer(
      "Examples:\n"
      "  pgqpp unregister orders shipping\n"
      "  pgqpp unregister orders shipping --subconsumer worker1\n"
      "  pgqpp unregister orders shipping --subconsumer worker1 --batch-handling drop\n\n"
      "Its open batch, pending retry events and dead letters go too; events stay for the\n"
      "other consumers. A subconsumer's retries and dead letters belong to its consumer\n"
      "and stay; an open batch of it is refused (fail) or dropped with it (drop), as\n"
      "pgq_coop.unregister_subconsumer's batch handling 0 and 1.");
  return [args, sub_option] {
    args->has_subconsumer = sub_option->count() > 0;
    return run_guarded("unregister", [&] { return unregister_consumer(*args); });
  };
}

}  // namespace pgqpp::cli
