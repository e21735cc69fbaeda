// SPDX-License-Identifier: PostgreSQL
// `pgqpp create-queue QUEUE [--set key=value ...]`: creates a queue and
// applies its settings in one transaction, so a bad setting leaves no
// half-configured queue behind. An existing queue is not an error (exit 0,
// "already exists"); its --set settings are still applied.
#include <iostream>
#include <memory>

#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "escape_text.hpp"
#include "object_name.hpp"
#include "pgq_lookup.hpp"
#include "queue_settings.hpp"
#include "user_input.hpp"

namespace pgqpp::cli {

namespace {

struct CreateQueueArgs {
  ConnectOptions conn;
  std::string queue;
  std::vector<std::string> settings;
};

int create_queue(const CreateQueueArgs& args) {
  try {
    check_name("queue", args.queue);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::vector<SettingAssignment> assignments;
  for (const auto& s : args.settings) {
    try {
      assignments.push_back(parse_setting_assignment(s));
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  auto db = connect(args.conn);
  require_pgq(db);
  Transaction tx(db);
  auto created =
      with_user_input([&] { return tx.exec("select pgq.create_queue($1)", {args.queue}); });
  for (const auto& a : assignments)
    with_user_input(
        [&] {
          tx.exec("select pgq.set_queue_config($1, $2, $3)", {args.queue, a.setting->key, a.value});
        },
        "valid keys: " + valid_settings_text());
  tx.commit();
  std::cout << (created.value(0, 0) == "1" ? "created queue " : "queue ")
            << escape_controls(args.queue) << (created.value(0, 0) == "1" ? "" : " already exists");
  for (std::size_t i = 0; i < assignments.size(); ++i)
    std::cout << (i ? ", " : "; set ") << assignments[i].setting->key << "="
              << assignments[i].value;
  std::cout << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp create-queue QUEUE [--set key=value ...]`: pgq.create_queue plus
/// pgq.set_queue_config for each --set, in one transaction.
std::function<int()> setup_create_queue(CLI::App& app) {
  auto args = std::make_shared<CreateQueueArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("--set", args->settings,
                 "a setting, key=value (repeatable; keys as in pgqpp config)");
  app.footer(
      "Examples:\n"
      "  pgqpp create-queue orders\n"
      "  pgqpp create-queue orders --set ticker_max_lag=0.5s --set rotation_period=1h\n\n"
      "An existing queue is not an error: it is reported, and --set still applies.");
  return [args] { return run_guarded("create-queue", [&] { return create_queue(*args); }); };
}

}  // namespace pgqpp::cli
