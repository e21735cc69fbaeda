// SPDX-License-Identifier: PostgreSQL
// `pgqpp web`'s HTTP server: the embedded page, the JSON API (/api/status,
// /api/series, /api/queue/NAME, /api/actions, /api/databases; ?db=NAME
// picks one of the served databases), the live stream (/api/stream,
// server-sent events), the actions (POST /api/action/NAME, with
// --allow-actions), the token check and the security headers. docs/web.md
// describes the endpoints and the rules.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common.hpp"
#include "listen_address.hpp"

namespace pgqpp::cli::web {

/// What `pgqpp web` was given.
struct WebSettings {
  ConnectOptions conn;
  std::vector<std::string> databases;  ///< --database NAME...: serve these (else --dsn's own)
  bool all_databases = false;          ///< --all-databases: every one with PgQ
  double check_period = 60;            ///< with all_databases: look again every so many seconds
  ListenAddress listen{"127.0.0.1", 8080};
  std::string token;           ///< "" when no --token-file: then no request needs one
  bool allow_actions = false;  ///< --allow-actions (then `token` is never "")
  double lag_threshold = 60;
  std::size_t history = 600;  ///< samples kept, one a second
  int event_limit = 50;       ///< events on a queue page
};

/// Serves until SIGINT or SIGTERM; returns the exit code. Prints one line
/// "pgqpp web: serving http://HOST:PORT/" once it listens. Throws Failure
/// when the address cannot be bound.
int serve(const WebSettings& settings);

}  // namespace pgqpp::cli::web
