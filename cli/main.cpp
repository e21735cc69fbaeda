// SPDX-License-Identifier: PostgreSQL
// `pgqpp`: one binary with git-style subcommands. Exit codes: 0 success,
// 1 runtime failure, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"

using namespace pgqpp::cli;

int main(int argc, char** argv) {
  const std::vector<Command> commands = {
      {"install", "Create the extension pgqpp in a database (idempotent)", setup_install},
      {"migrate",
       "Turn a PgQ 3.5 or SQL-only edition database into a pgqpp one in place (--to-pgq: back)",
       setup_migrate},
      {"create-queue", "Create a queue, optionally with settings", setup_create_queue},
      {"drop-queue", "Drop a queue (refuses while consumers are registered, unless --force)",
       setup_drop_queue},
      {"config", "Show a queue's settings, or change them", setup_config},
      {"register", "Register a consumer on a queue", setup_register},
      {"unregister", "Unregister a consumer from a queue", setup_unregister},
      {"consumer-config", "Show a consumer's settings (max_batch_events), or change them",
       setup_consumer_config},
      {"retry", "Move due retry events back into their queue now", setup_retry},
      {"dead-letters", "List, replay or purge a consumer's dead letters", setup_dead_letters},
      {"status", "Queues and consumers at a glance: table, JSON, watch, or a monitoring check",
       setup_status},
      {"ticker",
       "Run the ticker and maintenance daemon for every database with PgQ (pgqd's drop-in)",
       setup_ticker},
      {"tail", "Print a queue's events as they arrive (temporary consumer, or --consumer)",
       setup_tail},
      {"produce", "Insert events from standard input (lines or JSON lines), in bulk",
       setup_produce},
      {"demo",
       "Start a throwaway PostgreSQL with pgqpp, run a producer and two consumers, show the "
       "numbers",
       setup_demo},
      {"web", "Serve a live console in the browser: queues, consumers, charts (docs/web.md)",
       setup_web},
  };
  // The name is fixed (not argv[0]) so that help texts do not depend on the path.
  CLI::App app{"pgqpp: the PgQ-compatible queue inside PostgreSQL", "pgqpp"};
  app.set_version_flag("--version", PGQPP_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Run 'pgqpp COMMAND --help' for a command's options and examples, e.g.\n"
      "  pgqpp status --help\n\n"
      "Exit codes: 0 success, 1 failure, 2 usage error. See docs/cli.md.");
  // A fixed help layout whatever the terminal: docs/cli.md holds the help
  // texts verbatim and scripts/cli-docs.py --check compares them.
  app.get_formatter()->column_width(34);
  std::function<int()> run;
  for (const auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    auto runner = c.setup(*sub);
    sub->callback([&run, runner] { run = runner; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Name the subcommand the mistake is in, and point at its own help.
    const auto parsed = app.get_subcommands();
    const bool known = std::any_of(commands.begin(), commands.end(), [&](const Command& c) {
      return argc > 1 && std::string(argv[1]) == c.name;
    });
    if (parsed.empty() && argc > 1 && argv[1][0] != '-' && !known) {
      std::fprintf(stderr, "pgqpp: unknown subcommand '%s' (see pgqpp --help)\n", argv[1]);
      return 2;
    }
    const std::string where = parsed.empty() ? "pgqpp" : "pgqpp " + parsed.front()->get_name();
    std::fprintf(stderr, "%s: %s (see %s --help)\n", where.c_str(), e.what(), where.c_str());
    return 2;
  }
  return run ? run() : 2;
}
