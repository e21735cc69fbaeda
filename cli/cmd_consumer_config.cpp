// SPDX-License-Identifier: PostgreSQL
// `pgqpp consumer-config QUEUE CONSUMER [key=value ...]`: shows a consumer's
// settings (pgq.get_consumer_config, pgqpp 1.2 and later), or changes some
// (pgq.set_consumer_config, in one transaction) and shows the result. The
// one key so far is max_batch_events (bounded batches); "none" unsets it.
// An unknown key or a bad value is a usage error (exit 2) that lists the
// valid keys; a server without consumer settings is exit 1.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>
#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "consumer_config.hpp"
#include "consumer_settings.hpp"
#include "pgq_lookup.hpp"
#include "text_table.hpp"

namespace pgqpp::cli {

namespace {

struct ConsumerConfigArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;
  std::vector<std::string> assignments;
  bool json = false;
};

void print_settings(const ConsumerConfigArgs& args,
                    const std::vector<std::optional<std::int32_t>>& values) {
  const auto settings = consumer_settings();
  if (args.json) {
    nlohmann::json out = {
        {"queue", args.queue}, {"consumer", args.consumer}, {"settings", nlohmann::json::object()}};
    for (std::size_t i = 0; i < settings.size(); ++i)
      out["settings"][settings[i].key] =
          values[i] ? nlohmann::json(*values[i]) : nlohmann::json(nullptr);
    std::cout << out.dump(2) << "\n";
    return;
  }
  TextTable table({{"SETTING"}, {"VALUE"}, {"MEANING"}});
  for (std::size_t i = 0; i < settings.size(); ++i)
    table.add_row(
        {{settings[i].key}, {values[i] ? std::to_string(*values[i]) : "none"}, {settings[i].help}});
  std::cout << table.render(false);
}

int consumer_config(const ConsumerConfigArgs& args) {
  std::vector<ConsumerSettingAssignment> changes;
  for (const auto& a : args.assignments) {
    try {
      changes.push_back(parse_consumer_setting_assignment(a));
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  auto db = connect(args.conn);
  require_consumer(db, args.queue, args.consumer);
  require_consumer_config(db);
  if (!changes.empty()) {
    Transaction tx(db);
    for (const auto& c : changes)
      set_consumer_setting(tx, args.queue, args.consumer, c.setting->key, c.value);
    tx.commit();
  }
  print_settings(args, read_consumer_settings(db, args.queue, args.consumer));
  return exit_ok;
}

}  // namespace

/// `pgqpp consumer-config QUEUE CONSUMER [key=value ...]`: pgq.get_consumer_config,
/// or pgq.set_consumer_config for each key=value and then the settings.
std::function<int()> setup_consumer_config(CLI::App& app) {
  auto args = std::make_shared<ConsumerConfigArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  app.add_option("SETTING", args->assignments, "key=value to change (none: show the settings)");
  app.add_flag("--json", args->json, "print the settings as JSON");
  app.footer(
      "Examples:\n"
      "  pgqpp consumer-config orders shipping\n"
      "  pgqpp consumer-config orders shipping max_batch_events=1000\n"
      "  pgqpp consumer-config orders shipping max_batch_events=none\n\n"
      "Keys: max_batch_events (integer > 0: at most that many events per batch, a tick\n"
      "interval with more comes in several batches; none: PgQ's batches). Needs pgqpp 1.2\n"
      "or later. Changes are made in one transaction.");
  return [args] { return run_guarded("consumer-config", [&] { return consumer_config(*args); }); };
}

}  // namespace pgqpp::cli
