// SPDX-License-Identifier: PostgreSQL
// `pgqpp migrate`: a database running Debian's PgQ 3.5 (extension pgq), or
// pgqpp's SQL-only edition (docs/managed.md), becomes a pgqpp database in
// place (PgQ 3.5: and back with --to-pgq), while producers keep running. The SQL (checks, plan,
// locks, swap) lives in cli/migrate/*.sql; this file loads it into the session, refuses with its
// first reason, prints the plan for --dry-run, and otherwise runs the swap
// in one transaction, trying again when its locks are not granted within
// the lock timeout (producers then waited that long, and no longer), and
// drops the old extension's functions in a second one.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pgqpp/error.hpp>
#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "migrate_sql.hpp"

namespace pgqpp::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct MigrateOptions {
  ConnectOptions conn;
  bool dry_run = false;
  bool to_pgq = false;
  bool discard_pgqpp_data = false;
  bool verbose = false;
};

// How long the swap may wait for one lock (producers wait behind it that
// long at most), and how often it tries before giving up.
constexpr const char* lock_timeout = "200ms";
constexpr int lock_attempts = 50;
constexpr auto pause_between_attempts = std::chrono::milliseconds(300);

// The statements of cli/migrate/*.sql: split at lines holding only ";".
std::vector<std::string> migrate_statements() {
  std::vector<std::string> out;
  const std::string sql = migrate_sql;
  std::size_t start = 0;
  while (start < sql.size()) {
    std::size_t end = sql.find("\n;\n", start);
    if (end == std::string::npos) end = sql.size();
    const std::string statement = sql.substr(start, end - start);
    if (statement.find_first_not_of(" \n") != std::string::npos) out.push_back(statement);
    start = end + 3;
  }
  return out;
}

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The old extension's functions go once the statements that waited on the
// swap (and may be running them) are done, in a transaction of their own:
// a consumer blocked inside PgQ's next_batch then finishes it normally.
void drop_old(Connection& db, const std::string& from, const std::string& pids,
              const std::string& starts) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline &&
         db.exec("select pg_temp.migrate_still_running($1::int[], $2::timestamptz[]) > 0",
                 {pids, starts})
                 .value(0, 0) == "t")
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (int attempt = 1;; ++attempt) {
    try {
      Transaction tx(db);
      tx.exec(std::string("set local lock_timeout = '") + lock_timeout + "'");
      tx.exec("select pg_temp.migrate_drop_old($1)", {from});
      tx.commit();
      return;
    } catch (const sql_error& e) {
      if (e.sqlstate() != "55P03" || attempt >= lock_attempts) throw;
      std::this_thread::sleep_for(pause_between_attempts);
    }
  }
}

int migrate(const MigrateOptions& o) {
  auto db = connect(o.conn);
  db.exec("set client_min_messages = warning");
  for (const auto& statement : migrate_statements()) db.exec(statement);
  // Towards pgqpp: from PgQ 3.5 or from the SQL-only edition ("sqlonly",
  // whose objects the SQL notes by oid, as it has no extension).
  const std::string from =
      o.to_pgq ? "pgqpp" : std::string(db.exec("select pg_temp.migrate_source()").value(0, 0));
  const std::string to = o.to_pgq ? "pgq" : "pgqpp";
  const std::string discard = o.discard_pgqpp_data ? "true" : "false";
  // A migration interrupted after its swap left the old extension's
  // functions behind: drop them now.
  for (const auto& ext : {from, to}) {
    if (o.dry_run) break;
    auto left = db.exec("select pg_temp.migrate_drop_old($1)", {ext});
    if (left.get(0, 0)) std::cout << "finished an earlier migration: " << left.value(0, 0) << "\n";
  }
  if (from == "sqlonly") db.exec("select pg_temp.migrate_note_sqlonly()");
  auto refusals =
      db.exec("select * from pg_temp.migrate_refusals($1, $2, $3)", {from, to, discard});
  if (refusals.size()) throw Failure(std::string(refusals.value(0, 0)));
  if (o.dry_run) {
    auto plan = db.exec("select * from pg_temp.migrate_plan($1, $2, $3)", {from, to, discard});
    for (std::size_t i = 0; i < plan.size(); ++i) std::cout << plan.value(i, 0) << "\n";
    return exit_ok;
  }
  const std::string database(db.exec("select current_database()").value(0, 0));
  const std::string found(db.exec("select pg_temp.migrate_found($1)", {from}).value(0, 0));
  for (int attempt = 1;; ++attempt) {
    const auto started = Clock::now();
    try {
      Transaction tx(db);
      tx.exec(std::string("set local lock_timeout = '") + lock_timeout + "'");
      tx.exec("set local statement_timeout = 0");
      // Towards pgqpp nothing that producers wait on yet: the renamed
      // schema and the new extension are this transaction's own.
      // Back to PgQ 3.5 while consumers' positions are in cells,
      // migrate_prepare takes the locks itself (the positions leave their
      // cells under them), and writers wait from there.
      const bool locks_early =
          to == "pgq" && tx.exec("select pg_temp.migrate_cells_in_use('pgq')").value(0, 0) == "t";
      const auto preparing = Clock::now();
      auto prepared =
          tx.exec("select * from pg_temp.migrate_prepare($1, $2, $3)", {from, to, discard});
      const auto locking = locks_early ? preparing : Clock::now();
      tx.exec("select pg_temp.migrate_lock('pgq_migrating')");
      auto swapped = tx.exec("select * from pg_temp.migrate_swap($1, $2, $3)", {from, to, discard});
      auto waiting = tx.exec("select pids::text, starts::text from pg_temp.migrate_waiting()");
      tx.commit();
      const auto blocked = ms_since(locking);
      drop_old(db, from, std::string(waiting.value(0, 0)), std::string(waiting.value(0, 1)));
      const auto done = ms_since(started);
      if (o.verbose) {
        for (std::size_t i = 0; i < prepared.size(); ++i)
          std::cout << "  prepare " << prepared.value(i, 0) << "\n";
        for (std::size_t i = 0; i < swapped.size(); ++i)
          std::cout << "  swap " << swapped.value(i, 0) << "\n";
      }
      const std::string version(
          db.exec("select extversion from pg_extension where extname = $1", {to}).value(0, 0));
      std::cout << "migrated database " << database << " from " << found << " to "
                << (to == "pgq" ? "PgQ " : "pgqpp ") << version << " in " << done
                << " ms (writers blocked " << blocked << " ms, attempt " << attempt << ")\n";
      return exit_ok;
    } catch (const sql_error& e) {
      if (e.sqlstate() != "55P03" || attempt >= lock_attempts) throw;
      // A lock was not granted in time: everything rolled back; producers
      // waited lock_timeout at most. Let them through, then try again.
      std::this_thread::sleep_for(pause_between_attempts);
    }
  }
}

}  // namespace

/// `pgqpp migrate`: PgQ 3.5 or the SQL-only edition to pgqpp in place
/// (--to-pgq: pgqpp back to PgQ 3.5), or with
/// --dry-run the plan. One line on stderr and exit 1 when the database has
/// something the swap cannot carry over.
std::function<int()> setup_migrate(CLI::App& app) {
  auto o = std::make_shared<MigrateOptions>();
  add_connect_options(app, o->conn);
  app.add_flag("--dry-run", o->dry_run, "print what it would do, change nothing");
  app.add_flag("--to-pgq", o->to_pgq,
               "the way back: pgqpp to PgQ 3.5 (needs its files on the server)");
  app.add_flag("--discard-pgqpp-data", o->discard_pgqpp_data,
               "with --to-pgq: drop the rows PgQ 3.5 has no place for (dead letters, delayed "
               "events, queue and consumer settings)")
      ->needs(app.get_option("--to-pgq"));
  app.add_flag("-v,--verbose", o->verbose, "print each step of the swap");
  app.footer(
      "Examples:\n"
      "  pgqpp migrate --dsn 'dbname=app' --dry-run\n"
      "  pgqpp migrate --dsn 'dbname=app'\n"
      "  pgqpp migrate --dsn 'dbname=app' --to-pgq\n\n"
      "Moves PgQ 3.5 (extension pgq) or pgqpp's SQL-only edition (docs/managed.md) to\n"
      "the extension pgqpp. One transaction whose time does not depend on the number\n"
      "of events; producers wait on its locks meanwhile. Needs a superuser. See\n"
      "docs/migration.md.");
  return [o] { return run_guarded("migrate", [&] { return migrate(*o); }); };
}

}  // namespace pgqpp::cli
