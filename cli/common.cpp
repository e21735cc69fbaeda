// SPDX-License-Identifier: PostgreSQL
// The connection option, the error convention and the terminal check shared
// by the database subcommands (see common.hpp).
#include "common.hpp"

#include <unistd.h>

#include <cstdio>

#include <pgqpp/error.hpp>

namespace pgqpp::cli {

void add_connect_options(CLI::App& app, ConnectOptions& options) {
  app.add_option("--dsn", options.dsn,
                 "libpq connection string or URI (default: the PGHOST, PGPORT, PGDATABASE, "
                 "PGUSER ... environment variables)");
}

Connection connect(const ConnectOptions& options) {
  return Connection(options.dsn, std::chrono::seconds(10));
}

namespace {

// The server's message can span lines (DETAIL, context); the convention is
// one line, so newlines become "; ".
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += "; ";  // libpq indents its continuation lines with a tab
    while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
  }
  return out;
}

void report(const std::string& command, const std::string& text) {
  std::fprintf(stderr, "pgqpp %s: %s\n", command.c_str(), one_line(text).c_str());
}

}  // namespace

int run_guarded(const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    report(command, std::string(e.what()) + " (see pgqpp " + command + " --help)");
    return exit_usage;
  } catch (const Failure& e) {
    report(command, e.what());
    return exit_failure;
  } catch (const connection_lost& e) {
    report(command, std::string("cannot reach the database: ") + e.what() +
                        " (check --dsn or PGHOST/PGPORT/PGDATABASE)");
    return exit_failure;
  } catch (const error& e) {
    std::string text = e.what();
    if (!e.hint().empty()) text += " (" + e.hint() + ")";
    report(command, text);
    return exit_failure;
  } catch (const std::exception& e) {
    report(command, e.what());
    return exit_failure;
  }
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace pgqpp::cli
