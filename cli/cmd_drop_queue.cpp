// SPDX-License-Identifier: PostgreSQL
// `pgqpp drop-queue QUEUE [--force]`: drops a queue with its events. While
// consumers are registered it refuses and names them, unless --force, which
// unregisters them first (their unread events are lost).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "escape_text.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

struct DropQueueArgs {
  ConnectOptions conn;
  std::string queue;
  bool force = false;
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int drop_queue(const DropQueueArgs& args) {
  auto db = connect(args.conn);
  require_queue(db, args.queue);
  const auto consumers = consumers_of(db, args.queue);
  if (!consumers.empty() && !args.force)
    throw Failure("queue " + escape_controls(args.queue) + " has " +
                  std::to_string(consumers.size()) + " registered consumer" +
                  (consumers.size() == 1 ? "" : "s") + " (" + joined(consumers) +
                  "); unregister them first, or use --force to drop it anyway");
  db.exec("select pgq.drop_queue($1, $2)", {args.queue, args.force});
  std::cout << "dropped queue " << escape_controls(args.queue);
  if (!consumers.empty())
    std::cout << " and unregistered " << consumers.size() << " consumer"
              << (consumers.size() == 1 ? "" : "s") << " (" << joined(consumers) << ")";
  std::cout << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp drop-queue QUEUE [--force]`: pgq.drop_queue, refusing while
/// consumers are registered unless --force.
std::function<int()> setup_drop_queue(CLI::App& app) {
  auto args = std::make_shared<DropQueueArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_flag("--force", args->force,
               "unregister its consumers first (their unread events are lost)");
  app.footer(
      "Examples:\n"
      "  pgqpp drop-queue orders\n"
      "  pgqpp drop-queue orders --force\n\n"
      "Refuses (exit 1) while consumers are registered, naming them, unless --force.");
  return [args] { return run_guarded("drop-queue", [&] { return drop_queue(*args); }); };
}

}  // namespace pgqpp::cli
