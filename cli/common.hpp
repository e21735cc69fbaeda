// SPDX-License-Identifier: PostgreSQL
// What every database subcommand of `pgqpp` shares: the connection option,
// the error convention and the exit codes.
//
// Exit codes: 0 success, 1 runtime failure (server unreachable, unknown
// queue, rejected statement), 2 usage (bad flags or arguments). Every error
// is one line on stderr, "pgqpp CMD: what went wrong (what to do)".
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

/// Thrown by a subcommand for a usage mistake found after parsing (for
/// example a config key that does not exist); run_guarded maps it to exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown for a runtime failure the subcommand has already worded (for
/// example "queue q1 does not exist"); run_guarded maps it to exit 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The connection settings of a subcommand: `--dsn`, or else the standard
/// libpq environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, ...).
struct ConnectOptions {
  std::string dsn;
};

/// Adds `--dsn` to `app`, filling `options`.
void add_connect_options(CLI::App& app, ConnectOptions& options);

/// Opens the connection `options` describe. A server that cannot be reached
/// throws pgqpp::connection_lost, which run_guarded words for the user.
Connection connect(const ConnectOptions& options);

/// Runs `body` and turns whatever it throws into one line on stderr and an
/// exit code: UsageError → 2; Failure, pgqpp::error and anything else → 1.
/// `command` names the subcommand in the message ("pgqpp status: ...").
int run_guarded(const std::string& command, const std::function<int()>& body);

/// True when standard output is a terminal (and colour, progress lines and
/// in-place refresh make sense); false for pipes and files.
bool stdout_is_terminal();

}  // namespace pgqpp::cli
