// SPDX-License-Identifier: PostgreSQL
// Existence checks of the subcommands (see pgq_lookup.hpp). They go
// through pgq.get_queue_info / get_consumer_info, which pgq_reader may call,
// rather than the tables.
#include "pgq_lookup.hpp"

#include "common.hpp"
#include "escape_text.hpp"
#include "txid_horizon.hpp"

namespace pgqpp::cli {

void require_pgq(Connection& db) {
  auto rows =
      db.exec("select current_database(), to_regprocedure('pgq.get_queue_info(text)') is not null");
  if (rows.value(0, 1) != "t")
    throw Failure("database " + std::string(rows.value(0, 0)) +
                  " has no PgQ (no schema pgq); install it first: pgqpp install");
}

void require_txids_past_ticks(Connection& db) {
  auto rows = db.exec(ticker::kTxidHorizonSql);
  std::optional<std::int64_t> tick_xmax;
  if (auto v = rows.get(0, 0)) tick_xmax = std::stoll(std::string(*v));
  const std::int64_t now_xmax = std::stoll(std::string(rows.value(0, 1)));
  const std::string database(db.exec("select current_database()").value(0, 0));
  if (auto problem = ticker::txid_horizon_problem(escape_controls(database), tick_xmax, now_xmax))
    throw Failure(*problem);
}

void require_queue(Connection& db, const std::string& queue) {
  require_pgq(db);
  if (db.exec("select 1 from pgq.get_queue_info($1)", {queue}).size() == 0) {
    std::string dbname(db.exec("select current_database()").value(0, 0));
    const std::string name = escape_controls(queue);
    throw Failure("queue " + name + " does not exist in database " + escape_controls(dbname) +
                  " (create it: pgqpp create-queue " + name + "; pgqpp status lists the queues)");
  }
}

void require_consumer(Connection& db, const std::string& queue, const std::string& consumer) {
  require_queue(db, queue);
  if (db.exec("select 1 from pgq.get_consumer_info($1, $2)", {queue, consumer}).size() == 0) {
    const std::string q = escape_controls(queue), c = escape_controls(consumer);
    throw Failure("consumer " + c + " is not registered on queue " + q +
                  " (register it: pgqpp register " + q + " " + c + "; pgqpp status " + q +
                  " lists its consumers)");
  }
}

std::vector<std::string> consumers_of(Connection& db, const std::string& queue) {
  auto rows =
      db.exec("select consumer_name from pgq.get_consumer_info($1, null) order by 1", {queue});
  std::vector<std::string> names;
  for (std::size_t i = 0; i < rows.size(); ++i) names.emplace_back(rows.value(i, 0));
  return names;
}

}  // namespace pgqpp::cli
