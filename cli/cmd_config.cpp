// SPDX-License-Identifier: PostgreSQL
// `pgqpp config QUEUE [key=value ...]`: shows every setting of a queue, or
// changes some (in one transaction) and shows the result. Keys are
// pgq.set_queue_config's, with or without the queue_ prefix; an unknown key
// or a bad value is a usage error (exit 2) that lists the valid keys.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>
#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "pgq_lookup.hpp"
#include "queue_settings.hpp"
#include "text_table.hpp"
#include "user_input.hpp"

namespace pgqpp::cli {

namespace {

struct ConfigArgs {
  ConnectOptions conn;
  std::string queue;
  std::vector<std::string> assignments;
  bool json = false;
};

// The settings' values as the server prints them, in queue_settings() order.
// max_retries is "none" when unset, and on servers without it (PgQ 3.5,
// pgqpp before 1.2).
std::vector<std::string> read_settings(Connection& db, const std::string& queue) {
  const bool has_max_retries =
      db.exec("select to_regclass('pgq.queue_config') is not null").value(0, 0) == "t";
  const std::string max_retries =
      has_max_retries ? "coalesce((select c.qc_max_retries::text from pgq.queue_config c"
                        " join pgq.queue q on q.queue_id = c.qc_queue where q.queue_name = $1),"
                        " 'none')"
                      : "'none'";
  auto rows = db.exec(
      "select queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,"
      "       queue_rotation_period, queue_ticker_paused, queue_external_ticker, " +
          max_retries + "  from pgq.get_queue_info($1)",
      {queue});
  std::vector<std::string> values;
  for (int i = 0; i < rows.columns(); ++i) {
    std::string v(rows.get(0, i).value_or(""));
    if (v == "t") v = "true";
    if (v == "f") v = "false";
    values.push_back(v);
  }
  return values;
}

void print_settings(const std::string& queue, const std::vector<std::string>& values, bool json) {
  const auto settings = queue_settings();
  if (json) {
    nlohmann::json out = {{"queue", queue}, {"settings", nlohmann::json::object()}};
    for (std::size_t i = 0; i < settings.size(); ++i) {
      const auto& s = settings[i];
      if (s.kind == SettingKind::count)
        out["settings"][s.key] = std::stoll(values[i]);
      else if (s.kind == SettingKind::optional_count)
        out["settings"][s.key] =
            values[i] == "none" ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(values[i]));
      else if (s.kind == SettingKind::boolean)
        out["settings"][s.key] = values[i] == "true";
      else
        out["settings"][s.key] = values[i];
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  TextTable table({{"SETTING"}, {"VALUE"}, {"MEANING"}});
  for (std::size_t i = 0; i < settings.size(); ++i)
    table.add_row({{settings[i].key}, {values[i]}, {settings[i].help}});
  std::cout << table.render(false);
}

int config(const ConfigArgs& args) {
  std::vector<SettingAssignment> changes;
  for (const auto& a : args.assignments) {
    try {
      changes.push_back(parse_setting_assignment(a));
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  auto db = connect(args.conn);
  require_queue(db, args.queue);
  if (!changes.empty()) {
    Transaction tx(db);
    for (const auto& c : changes)
      with_user_input(
          [&] {
            tx.exec("select pgq.set_queue_config($1, $2, $3)",
                    {args.queue, c.setting->key, c.value});
          },
          "valid keys: " + valid_settings_text());
    tx.commit();
  }
  print_settings(args.queue, read_settings(db, args.queue), args.json);
  return exit_ok;
}

}  // namespace

/// `pgqpp config QUEUE [key=value ...]`: pgq.get_queue_info's settings, or
/// pgq.set_queue_config for each key=value and then the settings.
std::function<int()> setup_config(CLI::App& app) {
  auto args = std::make_shared<ConfigArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("SETTING", args->assignments, "key=value to change (none: show the settings)");
  app.add_flag("--json", args->json, "print the settings as JSON");
  app.footer(
      "Examples:\n"
      "  pgqpp config orders\n"
      "  pgqpp config orders ticker_max_lag=500ms ticker_idle_period=30s\n"
      "  pgqpp config orders queue_ticker_paused=true\n\n"
      "Keys: ticker_max_count (integer >= 0), ticker_max_lag, ticker_idle_period,\n"
      "rotation_period (intervals), ticker_paused, external_ticker (booleans),\n"
      "max_retries (integer >= 0, or none: retry forever; pgqpp 1.2 and later);\n"
      "the queue_ prefix is optional. Changes are made in one transaction.");
  return [args] { return run_guarded("config", [&] { return config(*args); }); };
}

}  // namespace pgqpp::cli
