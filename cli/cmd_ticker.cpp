// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker [CONFIG.ini]`: the ticker and maintenance daemon, a drop-in
// for pgqd: it reads pgqd's config file, and also runs without one from flags
// and the standard libpq environment variables (PGHOST, PGPORT, PGUSER, ...).
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "control.hpp"
#include "daemon.hpp"

namespace pgqpp::cli {

std::function<int()> setup_ticker(CLI::App& app) {
  auto options = std::make_shared<ticker::Options>();
  auto config_file = std::make_shared<std::string>();
  auto print_ini = std::make_shared<bool>(false);
  auto print_keys = std::make_shared<bool>(false);
  auto databases = std::make_shared<std::vector<std::string>>();
  auto signal_to_send = std::make_shared<int>(0);  // -s, -k, -r: signal the running daemon
  auto print_version = std::make_shared<bool>(false);
  app.footer(
      "Example:\n  pgqpp ticker /etc/pgqd.ini\n  PGHOST=/run/postgresql pgqpp ticker --database "
      "app "
      "--ticker-period 0.5\n  pgqpp ticker -r /etc/pgqd.ini        # reload the daemon running "
      "with this "
      "config\n\nSignals: SIGHUP reloads the config, SIGTERM/SIGINT stop (exit 0).");
  app.add_option("config", *config_file, "pgqd-style config file ([pgqd] section)");
  app.add_flag("-d,--daemon", options->daemonize, "detach into the background (needs a pidfile)");
  app.add_flag("-q,--quiet", options->quiet, "do not log to standard error");
  app.add_flag("-v,--verbose", options->verbose, "log debug lines too");
  app.add_flag("--ini", *print_ini, "print a sample config file with every key and exit");
  app.add_flag("--keys", *print_keys,
               "print every config key (name, type, default, reload or restart, help; "
               "tab-separated) and exit");
  app.add_flag("-V", *print_version, "print the version and exit");
  // pgqd's control flags: they act on the daemon whose pid is in the pidfile.
  auto* stop = app.add_flag_callback(
      "-s", [signal_to_send] { *signal_to_send = SIGINT; },
      "stop the running daemon (SIGINT to the pid in the pidfile)");
  auto* kill = app.add_flag_callback(
      "-k", [signal_to_send] { *signal_to_send = SIGTERM; },
      "stop the running daemon with SIGTERM");
  auto* reload = app.add_flag_callback(
      "-r", [signal_to_send] { *signal_to_send = SIGHUP; },
      "make the running daemon reload its config (SIGHUP)");
  stop->excludes(kill)->excludes(reload);
  kill->excludes(reload);
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
    if (*print_keys) {
      std::cout << ticker::keys_table();
      return 0;
    }
    if (*print_version) {
      std::cout << "pgqpp ticker " << PGQPP_VERSION << "\n";
      return 0;
    }
    if (!config_file->empty()) options->config_file = *config_file;
    if (!databases->empty()) {
      std::string list;
      for (const auto& d : *databases) list += (list.empty() ? "" : ",") + d;
      options->overrides["database_list"] = list;
    }
    try {
      if (*signal_to_send != 0)
        return ticker::signal_running(ticker::effective_config(*options).pidfile, *signal_to_send);
      ticker::Daemon daemon(*options);
      return daemon.run();
    } catch (const ticker::ConfigError& e) {
      std::fprintf(stderr, "pgqpp ticker: %s\n", e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pgqpp ticker: %s\n", e.what());
      return 1;
    }
  };
}

}  // namespace pgqpp::cli
