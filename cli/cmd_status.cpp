// SPDX-License-Identifier: PostgreSQL
// `pgqpp status [QUEUE]`: every queue and consumer at a glance, as a table
// or JSON, once or refreshed (--watch), or as a monitoring check (--check:
// the problems, exit 1 when there are any).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include <pgqpp/error.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "pgq_lookup.hpp"
#include "status_query.hpp"
#include "status_render.hpp"
#include "watch_loop.hpp"

namespace pgqpp::cli {

namespace {

struct StatusArgs {
  ConnectOptions conn;
  std::string queue;
  bool json = false;
  bool check = false;
  double watch = 0;  // seconds between refreshes; 0: no --watch
  double lag_threshold = default_lag_threshold;
};

constexpr double default_watch_seconds = 2;

// A number of seconds: > 0, or >= 0 with `zero_ok`. CLI11's own range
// checks print the whole range of double in their message.
CLI::Validator seconds(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          const double v = std::stod(text, &used);
          if (used == text.size() && (v > 0 || (zero_ok && v == 0)) && v < 1e9) return "";
        } catch (const std::exception&) {
        }
        return "'" + text + "' is not a number of seconds " + (zero_ok ? ">= 0" : "> 0");
      },
      "");
}

// "2s", "0.5s": the --watch interval as the user gave it.
std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", s);
  return buf;
}

// Colour on a terminal only, and never with NO_COLOR set (no-color.org).
bool use_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return stdout_is_terminal() && !(no_colour && *no_colour);
}

StatusSnapshot snapshot(Connection& db, const StatusArgs& args) {
  const std::optional<std::string> queue =
      args.queue.empty() ? std::nullopt : std::optional(args.queue);
  if (queue)
    require_queue(db, *queue);
  else
    require_pgq(db);
  require_txids_past_ticks(db);
  return read_status(db, queue, args.lag_threshold);
}

int check(Connection& db, const StatusArgs& args) {
  const auto s = snapshot(db, args);
  if (args.json) {
    std::cout << status_json(s).dump(2) << "\n";
  } else if (s.problems.empty()) {
    std::cout << "ok: " << s.queues.size() << " queues, " << s.consumers.size()
              << " consumers, none lagging over " << args.lag_threshold << "s\n";
  } else {
    for (const auto& p : s.problems) std::cout << p << "\n";
  }
  return s.problems.empty() ? exit_ok : exit_failure;
}

// The watch loop keeps going through a lost connection: the frame says so
// and the next round reconnects. Anything else (e.g. the queue dropped)
// ends the loop with the usual one-line error.
int watch(const StatusArgs& args) {
  const bool terminal = stdout_is_terminal();
  const bool colour = use_colour();
  std::optional<Connection> db(connect(args.conn));
  auto frame = [&]() -> std::string {
    try {
      if (!db) db.emplace(connect(args.conn));
      const auto s = snapshot(*db, args);
      if (args.json) return status_json(s).dump() + "\n";
      std::string text = status_table(s, colour);
      if (terminal)
        text += "\nrefreshed every " + seconds_text(args.watch) + "; q or Ctrl-C quits\n";
      return text;
    } catch (const connection_lost& e) {
      db.reset();
      std::cerr << "pgqpp status: lost the database connection: " << e.what() << " (retrying)\n";
      return terminal ? "connection lost; retrying\n" : "";
    }
  };
  // JSON is one document per line, never redrawn: it is for programs.
  return watch_loop(args.watch, terminal && !args.json ? WatchMode::in_place : WatchMode::snapshots,
                    frame);
}

int status(const StatusArgs& args) {
  if (args.check && args.watch > 0) throw UsageError("--check and --watch cannot be combined");
  if (args.watch > 0) return watch(args);
  auto db = connect(args.conn);
  if (args.check) return check(db, args);
  const auto s = snapshot(db, args);
  if (args.json)
    std::cout << status_json(s).dump(2) << "\n";
  else
    std::cout << status_table(s, use_colour());
  return exit_ok;
}

}  // namespace

/// `pgqpp status [QUEUE]`: pgq.get_queue_info and pgq.get_consumer_info as
/// a table (colour on a terminal unless NO_COLOR) or JSON, once, refreshed
/// every SECONDS (--watch), or as a check that exits 1 on problems.
std::function<int()> setup_status(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "show only this queue and its consumers");
  app.add_flag("--json", args->json,
               "print JSON (shape: docs/cli.md); one line per snapshot with --watch");
  app.add_option("--watch", args->watch, "refresh every SECONDS (default 2) until q or Ctrl-C")
      ->expected(0, 1)
      ->type_name("[SECONDS]")
      ->check(seconds(false));
  app.add_option("--lag-threshold", args->lag_threshold,
                 "a consumer lags when its lag exceeds SECONDS while it is behind (default 60)")
      ->type_name("SECONDS")
      ->check(seconds(true));
  app.add_flag("--check", args->check,
               "print the problems only; exit 1 if there are any, 0 if none");
  app.footer(
      "Examples:\n"
      "  pgqpp status\n"
      "  pgqpp status orders --watch 5\n"
      "  pgqpp status --json | jq '.consumers[] | select(.lagging)'\n"
      "  pgqpp status --check --lag-threshold 300 || alert\n\n"
      "Problems: a consumer lagging over the threshold while behind its queue's newest\n"
      "tick; a queue whose newest tick is older than its idle period plus the threshold\n"
      "(ticker not running). --check exits 0 without problems, 1 with (or on failure).");
  auto watch_option = app.get_option("--watch");
  return [args, watch_option] {
    return run_guarded("status", [&] {
      if (watch_option->count() > 0 && args->watch <= 0) args->watch = default_watch_seconds;
      return status(*args);
    });
  };
}

}  // namespace pgqpp::cli
