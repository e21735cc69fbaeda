// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker [CONFIG.ini]`: the ticker and maintenance daemon, a drop-in
// for pgqd: it reads pgqd's config file, and also runs without one from flags
// and the standard libpq environment variables (PGHOST, PGPORT, PGUSER, ...).
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "daemon.hpp"

namespace pgqpp::cli {

std::function<int()> setup_ticker(CLI::App& app) {
  auto options = std::make_shared<ticker::Options>();
  auto config_file = std::make_shared<std::string>();
  auto print_ini = std::make_shared<bool>(false);
  auto databases = std::make_shared<std::vector<std::string>>();
  app.footer(
      "Example:\n  pgqpp ticker /etc/pgqd.ini\n  PGHOST=/run/postgresql pgqpp ticker --database "
      "app "
      "--ticker-period 0.5\n\nSignals: SIGHUP reloads the config, SIGTERM/SIGINT stop (exit 0).");
  app.add_option("config", *config_file, "pgqd-style config file ([pgqd] section)");
  app.add_flag("-d,--daemon", options->daemonize, "detach into the background (needs a pidfile)");
  app.add_flag("-q,--quiet", options->quiet, "do not log to standard error");
  app.add_flag("-v,--verbose", options->verbose, "log debug lines too");
  app.add_flag("--ini", *print_ini, "print a sample config file with every key and exit");
  app.add_option("--database", *databases, "serve only this database (repeatable; default: all)");
  app.add_option("--metrics", options->metrics,
                 "serve Prometheus metrics on HOST:PORT (e.g. 127.0.0.1:9187; loopback unless told "
                 "otherwise)");
  for (const auto& key : ticker::config_keys()) {
    std::string name = key.name;
    if (name == "database_list") continue;
    std::string flag = "--" + name;
    for (auto& ch : flag)
      if (ch == '_') ch = '-';
    app.add_option_function<std::string>(
        flag, [options, name](const std::string& v) { options->overrides[name] = v; }, key.help);
  }
  return [=]() -> int {
    if (*print_ini) {
      std::cout << ticker::sample_config();
      return 0;
    }
    if (!config_file->empty()) options->config_file = *config_file;
    if (!databases->empty()) {
      std::string list;
      for (const auto& d : *databases) list += (list.empty() ? "" : ",") + d;
      options->overrides["database_list"] = list;
    }
    try {
      ticker::Daemon daemon(*options);
      return daemon.run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pgqpp ticker: %s\n", e.what());
      return 1;
    }
  };
}

}  // namespace pgqpp::cli
