// SPDX-License-Identifier: PostgreSQL
// `pgqpp dead-letters ACTION QUEUE CONSUMER [EVENT_ID]`: a consumer's dead
// letters (events it gave up on: pgq.event_dead, or retried past the queue's
// max_retries). `list` shows them (a table, or JSON lines with --json);
// `replay` delivers them again to that consumer in a following batch;
// `purge` drops them. replay and purge take one EVENT_ID, or --all.
#include <iostream>
#include <memory>

#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "format/text_table.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

struct DeadLetterArgs {
  ConnectOptions conn;
  std::string action;
  std::string queue;
  std::string consumer;
  std::int64_t event_id = 0;
  bool all = false;
  bool json = false;
};

// One JSON object per dead letter, built by the server (its JSON escaping).
constexpr const char* list_json_sql =
    "select json_build_object('id', ev_id, 'time', ev_time, 'txid', ev_txid, 'retry', ev_retry,"
    " 'type', ev_type, 'data', ev_data, 'extra1', ev_extra1, 'extra2', ev_extra2,"
    " 'extra3', ev_extra3, 'extra4', ev_extra4, 'dead_time', dead_time,"
    " 'dead_reason', dead_reason)::text"
    " from pgq.dead_letters($1, $2)";

constexpr const char* list_sql =
    "select ev_id, to_char(dead_time, 'YYYY-MM-DD HH24:MI:SS'), coalesce(ev_retry, 0),"
    " coalesce(ev_type, ''), coalesce(dead_reason, ''),"
    " coalesce(left(ev_data, 40) || case when length(ev_data) > 40 then '...' else '' end, '')"
    " from pgq.dead_letters($1, $2)";

int list(Connection& db, const DeadLetterArgs& args) {
  const Param params[] = {Param(args.queue), Param(args.consumer)};
  if (args.json) {
    Rows rows = db.exec(list_json_sql, params);
    for (std::size_t i = 0; i < rows.size(); ++i) std::cout << rows.value(i, 0) << "\n";
    return exit_ok;
  }
  Rows rows = db.exec(list_sql, params);
  if (rows.size() == 0) {
    std::cout << "no dead letters for consumer " << args.consumer << " on queue " << args.queue
              << "\n";
    return exit_ok;
  }
  TextTable table({{"ev_id", true},
                   {"dead since", false},
                   {"retries", true},
                   {"type", false},
                   {"reason", false},
                   {"data", false}});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<Cell> cells;
    for (int c = 0; c < 6; ++c) cells.push_back({std::string(rows.value(i, c))});
    table.add_row(std::move(cells));
  }
  std::cout << table.render(stdout_is_terminal());
  return exit_ok;
}

// replay or purge: one event, or every one of the consumer's with --all.
int change(Connection& db, const DeadLetterArgs& args) {
  if (args.all == (args.event_id != 0))
    throw UsageError(args.action + " needs one EVENT_ID or --all");
  const std::string fn =
      args.action == "replay" ? "pgq.dead_letter_replay" : "pgq.dead_letter_purge";
  const Param id = args.all ? Param(nullptr) : Param(args.event_id);
  const Param params[] = {Param(args.queue), Param(args.consumer), id};
  Transaction tx(db);
  const std::string n(tx.exec("select " + fn + "($1, $2, $3)", params).value(0, 0));
  tx.commit();
  std::cout << (args.action == "replay" ? "replayed " : "purged ") << n << " dead letter"
            << (n == "1" ? "" : "s") << " of consumer " << args.consumer << " on queue "
            << args.queue << "\n";
  if (!args.all && n == "0")
    throw Failure("event " + std::to_string(args.event_id) + " is not a dead letter of consumer " +
                  args.consumer + " (see pgqpp dead-letters list)");
  return exit_ok;
}

int dead_letters(const DeadLetterArgs& args) {
  auto db = connect(args.conn);
  require_consumer(db, args.queue, args.consumer);
  if (db.exec("select to_regclass('pgq.dead_letter') is null").value(0, 0) == "t")
    throw Failure(
        "this server's PgQ has no dead letters (pgqpp 1.2 or later: ALTER EXTENSION "
        "pgqpp UPDATE)");
  if (args.action == "list") {
    if (args.all || args.event_id != 0) throw UsageError("list takes no EVENT_ID or --all");
    return list(db, args);
  }
  if (args.json) throw UsageError("--json applies to list only");
  return change(db, args);
}

}  // namespace

/// `pgqpp dead-letters list|replay|purge QUEUE CONSUMER [EVENT_ID] [--all]`.
std::function<int()> setup_dead_letters(CLI::App& app) {
  auto args = std::make_shared<DeadLetterArgs>();
  add_connect_options(app, args->conn);
  app.add_option("ACTION", args->action, "list, replay or purge")
      ->required()
      ->check(CLI::IsMember({"list", "replay", "purge"}));
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "name of the consumer")->required();
  app.add_option("EVENT_ID", args->event_id, "the dead letter to replay or purge")
      ->check(CLI::PositiveNumber);
  app.add_flag("--all", args->all, "replay or purge every dead letter of the consumer");
  app.add_flag("--json", args->json,
               "list as JSON lines (every event field, dead_time, dead_reason)");
  app.footer(
      "Examples:\n"
      "  pgqpp dead-letters list orders shipping\n"
      "  pgqpp dead-letters replay orders shipping 4711\n"
      "  pgqpp dead-letters purge orders shipping --all\n\n"
      "An event goes to a consumer's dead letters when the consumer gives up on it\n"
      "(pgq.event_dead, Tag::dead in libpgqpp) or retries it more often than the queue's\n"
      "max_retries (pgqpp config QUEUE max_retries=N). replay delivers it again to that\n"
      "consumer only, in a following batch; purge drops it. Other consumers never see either.");
  return [args] { return run_guarded("dead-letters", [&] { return dead_letters(*args); }); };
}

}  // namespace pgqpp::cli
