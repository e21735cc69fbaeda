// SPDX-License-Identifier: PostgreSQL
// `pgqpp install`: creates the extension pgqpp (or pgq, for an
// EXTENSION_NAME=pgq build) in a database. Idempotent: a
// database that already has it is left alone and its version reported. A
// server without pgqpp's files, or a database whose schema pgq belongs to
// something else (PgQ 3.5), is a one-line failure saying what to do, as is
// a database whose transaction ids are behind the ticks in pgq.tick (a dump
// restored into a cluster with lower ones: see txid_horizon.hpp).
// A build named pgq ships cooperative consumers as their own extension
// pgq_coop (requires pgq), as PgQ does: install creates it too.
//
// `pgqpp install --sql-only` installs the SQL-only edition instead
// (docs/managed.md): the plain SQL compiled into this binary, run as one
// transaction by the connecting user, who needs no superuser (a database
// owner on a managed service); on a database with an older edition it
// runs the compiled-in update from that version (sqlonly_updates.hpp).
#include <libpq-fe.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "extension_name.hpp"
#include "pgq_lookup.hpp"
#include "sqlonly_updates.hpp"

namespace pgqpp::cli {

// The SQL-only edition's script, embedded at build time (cmake/EmbedText.cmake).
extern const char sqlonly_sql[];

namespace {

// Who owns an existing schema pgq: "extension pgq 3.5", "no extension", or
// "" when there is no such schema.
std::string schema_pgq_owner(Connection& db) {
  auto rows = db.exec(
      "select coalesce((select 'extension ' || e.extname || ' ' || e.extversion"
      "                   from pg_depend d join pg_extension e on e.oid = d.refobjid"
      "                  where d.classid = 'pg_namespace'::regclass and d.objid = n.oid"
      "                    and d.refclassid = 'pg_extension'::regclass and d.deptype = 'e'),"
      "                'no extension')"
      "  from pg_namespace n where n.nspname = 'pgq'");
  return rows.size() ? std::string(rows.value(0, 0)) : "";
}

// In a build named pgq: CREATE EXTENSION pgq_coop beside pgq, unless there.
void install_coop(Connection& db, const std::string& database) {
  if (std::string(extension_name) != "pgq") return;  // pgqpp holds schema pgq_coop itself
  auto installed = db.exec("select extversion from pg_extension where extname = 'pgq_coop'");
  if (installed.size()) {
    std::cout << "pgq_coop " << installed.value(0, 0) << " is already installed in database "
              << database << "\n";
    return;
  }
  const std::string ours = "like '" + std::string(extension_comment_prefix) + "%'";
  if (!db.exec("select 1 from pg_available_extensions where name = 'pgq_coop' and comment " + ours)
           .size())
    throw Failure(
        "the server has no pgqpp pgq_coop extension files; install them on the database server "
        "(make install of this EXTENSION_NAME=pgq build, as root) and run pgqpp install again");
  if (db.exec("select to_regnamespace('pgq_coop') is not null").value(0, 0) == "t")
    throw Failure("database " + database +
                  " already has a schema pgq_coop that is not an extension; drop it first");
  db.exec("create extension pgq_coop");
  auto version = db.exec("select extversion from pg_extension where extname = 'pgq_coop'");
  std::cout << "installed pgq_coop " << version.value(0, 0) << " in database " << database << "\n";
}

// Runs a script of many statements (the simple query protocol, one
// implicit transaction unless the script has its own BEGIN/COMMIT).
void run_script(const ConnectOptions& conn, const char* sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> pg(PQconnectdb(conn.dsn.c_str()), &PQfinish);
  if (PQstatus(pg.get()) != CONNECTION_OK)
    throw Failure(std::string("cannot connect: ") + PQerrorMessage(pg.get()));
  PQsetNoticeProcessor(
      pg.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(pg.get(), sql), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK && PQresultStatus(res.get()) != PGRES_TUPLES_OK)
    throw Failure(std::string("the SQL-only install failed (nothing was installed): ") +
                  PQresultErrorMessage(res.get()));
}

// Updates the SQL-only edition `version` of `database` to this build's with
// the embedded script from that version, in one transaction.
int update_sql_only(const ConnectOptions& conn, const std::string& database,
                    const std::string& version) {
  std::string known;
  for (const SqlOnlyUpdate& u : sqlonly_updates) {
    if (version == u.from) {
      run_script(conn, u.sql);
      std::cout << "updated pgqpp " << version << " (SQL-only edition) to " << PGQPP_SQLONLY_VERSION
                << " in database " << database << "\n";
      return exit_ok;
    }
    known += (known.empty() ? "" : ", ") + std::string(u.from);
  }
  throw Failure("database " + database + " has the SQL-only edition " + version + "; this pgqpp (" +
                PGQPP_SQLONLY_VERSION + ") updates only " + (known.empty() ? "none" : known) +
                ": use the pgqpp of that version or newer");
}

// The SQL-only edition: installed once, updated from an older edition; a
// database with the extension or PgQ 3.5 is left alone.
int install_sql_only(const ConnectOptions& conn) {
  auto db = connect(conn);
  const std::string database(db.exec("select current_database()").value(0, 0));
  // Not to_regprocedure(): before PostgreSQL 16 it fails when schema pgq is missing.
  auto installed = db.exec(
      "select exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
      " where n.nspname = 'pgq' and p.proname = 'sqlonly_version')");
  if (installed.value(0, 0) == std::string("t")) {
    installed = db.exec("select pgq.sqlonly_version()");
    require_txids_past_ticks(db);
    const std::string version(installed.value(0, 0));
    if (version == PGQPP_SQLONLY_VERSION) {
      std::cout << "pgqpp " << version << " (SQL-only edition) is already installed in database "
                << database << "\n";
      return exit_ok;
    }
    return update_sql_only(conn, database, version);
  }
  const std::string owner = schema_pgq_owner(db);
  if (!owner.empty())
    throw Failure("database " + database + " already has a schema pgq (" + owner +
                  "); the SQL-only edition needs that schema: drop it first, or keep using "
                  "what is there");
  run_script(conn, sqlonly_sql);
  std::cout << "installed pgqpp " << PGQPP_SQLONLY_VERSION << " (SQL-only edition) in database "
            << database << "\n";
  return exit_ok;
}

int install(const ConnectOptions& conn) {
  auto db = connect(conn);
  const std::string name = extension_name;
  const std::string database(db.exec("select current_database()").value(0, 0));
  // Ours when its comment is pgqpp's: pgqpp named pgq and PgQ 3.5 share the
  // extension name pgq.
  const std::string ours = "like '" + std::string(extension_comment_prefix) + "%'";
  auto installed = db.exec(
      "select extversion from pg_extension e where extname = $1"
      " and obj_description(e.oid, 'pg_extension') " +
          ours,
      {name});
  if (installed.size()) {
    // Ticks restored from a cluster further on strand every new event.
    require_txids_past_ticks(db);
    std::cout << name << " " << installed.value(0, 0) << " is already installed in database "
              << database << "\n";
    install_coop(db, database);
    return exit_ok;
  }
  auto available = db.exec(
      "select default_version from pg_available_extensions"
      " where name = $1 and comment " +
          ours,
      {name});
  if (!available.size() || !available.get(0, 0))
    throw Failure(
        "the server has no pgqpp extension files; install them on the database server "
        "(make install, as root) and run pgqpp install again");
  const std::string owner = schema_pgq_owner(db);
  if (!owner.empty())
    throw Failure("database " + database + " already has a schema pgq (" + owner +
                  "); pgqpp needs that schema: drop it first, or keep using what is there");
  db.exec("create extension if not exists " + name);
  auto version = db.exec("select extversion from pg_extension where extname = $1", {name});
  std::cout << "installed " << name << " " << version.value(0, 0) << " in database " << database
            << "\n";
  install_coop(db, database);
  return exit_ok;
}

}  // namespace

/// `pgqpp install`: CREATE EXTENSION pgqpp in the database --dsn (or the
/// environment) names, unless it is there already; either way it says which
/// version the database has. A build named pgq also creates extension
/// pgq_coop. Needs a superuser (the extension loads C code); --sql-only
/// installs the SQL-only edition as the connecting user instead, or
/// updates an older one in place.
std::function<int()> setup_install(CLI::App& app) {
  auto conn = std::make_shared<ConnectOptions>();
  auto sql_only = std::make_shared<bool>(false);
  add_connect_options(app, *conn);
  app.add_flag("--sql-only", *sql_only,
               "Install the SQL-only edition (plain SQL and PL/pgSQL, no C library) as the "
               "connecting user, for managed services: no superuser needed; an older edition "
               "is updated in place (docs/managed.md)");
  app.footer(
      "Examples:\n"
      "  pgqpp install --dsn 'dbname=app'\n"
      "  PGDATABASE=app pgqpp install\n"
      "  pgqpp install --sql-only --dsn 'host=db.example.com dbname=app user=app_owner'\n\n"
      "Runs CREATE EXTENSION pgqpp (schema pgq, with pgq_coop); needs a superuser. A build\n"
      "made with EXTENSION_NAME=pgq creates extensions pgq and pgq_coop instead. With\n"
      "--sql-only it runs the SQL-only edition compiled into this binary (also installed as\n"
      "share/pgqpp/pgqpp-sqlonly--VERSION.sql for psql -f) as the connecting user; on a\n"
      "database with an older edition, its update to this version (also installed as\n"
      "share/pgqpp/pgqpp-sqlonly--OLD--VERSION.sql).");
  return [conn, sql_only] {
    return run_guarded("install",
                       [&] { return *sql_only ? install_sql_only(*conn) : install(*conn); });
  };
}

}  // namespace pgqpp::cli
