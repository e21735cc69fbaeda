// SPDX-License-Identifier: PostgreSQL
// The pidfile: who holds it, and pgqd's control flags that signal the daemon
// named there (-s stop with SIGINT, -k stop with SIGTERM, -r reload with
// SIGHUP).
#pragma once

#include <optional>
#include <string>

namespace pgqpp::ticker {

/// The pid in `pidfile` when that process runs; nothing otherwise (no file,
/// no pid in it, or a stale pid).
std::optional<long> running_pid(const std::string& pidfile);

/// Sends `sig` to the daemon holding `pidfile`. Returns the exit code (0
/// sent; 1 not running; 2 no pidfile configured), with one line on stderr
/// when it is not 0.
int signal_running(const std::string& pidfile, int sig);

}  // namespace pgqpp::ticker
