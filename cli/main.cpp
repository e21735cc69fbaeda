// `pgqpp`: one binary with git-style subcommands. Exit codes: 0 success,
// 1 runtime failure, 2 usage error.
#include <cstdio>
#include <vector>

#include "commands.hpp"

using namespace pgqpp::cli;

int main(int argc, char** argv) {
  const std::vector<Command> commands = {
      {"ticker", "Run the ticker and maintenance daemon for every database with PgQ (pgqd's drop-in)",
       setup_ticker},
      {"tail", "Print a queue's events as they arrive (temporary consumer, or --consumer)", setup_tail},
      {"produce", "Insert events from standard input (lines or JSON lines), in bulk", setup_produce},
      {"demo", "Start a throwaway PostgreSQL with pgqpp, run a producer and two consumers, show the numbers",
       setup_demo},
  };
  CLI::App app{"pgqpp: the PgQ-compatible queue inside PostgreSQL"};
  app.set_version_flag("--version", PGQPP_VERSION);
  app.require_subcommand(1);
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
    std::fprintf(stderr, "pgqpp: %s (see pgqpp --help)\n", e.what());
    return 2;
  }
  return run ? run() : 2;
}
