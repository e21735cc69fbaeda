// SPDX-License-Identifier: PostgreSQL
// The served databases (databases.hpp).
#include "databases.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <memory>

#include "database_list.hpp"
#include "escape_text.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli::web {

namespace {

// A value for a key=value connect string, quoted as libpq wants.
std::string conn_value(const std::string& v) {
  std::string out = "'";
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A connection like the sampler's: connecting and every statement limited.
Connection limited(const ConnectOptions& conn, std::chrono::milliseconds timeout) {
  Connection db(conn.dsn, timeout);
  db.set_query_timeout(timeout);
  db.exec("select set_config('statement_timeout', $1, false)", {std::to_string(timeout.count())});
  return db;
}

}  // namespace

ConnectOptions with_database(const ConnectOptions& base, const std::string& dbname) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
      PQconninfoParse(base.dsn.c_str(), &error), &PQconninfoFree);
  if (!options) {
    const std::string why = error ? error : "out of memory";
    PQfreemem(error);
    throw UsageError("--dsn does not parse: " + why);
  }
  std::string dsn;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o)
    if (o->val != nullptr && std::string(o->keyword) != "dbname")
      dsn += std::string(o->keyword) + "=" + conn_value(o->val) + " ";
  return {dsn + "dbname=" + conn_value(dbname)};
}

std::vector<std::string> databases_with_pgq(const ConnectOptions& base,
                                            std::chrono::milliseconds timeout) {
  Connection lister = limited(base, timeout);
  const std::string own(lister.exec("select current_database()").value(0, 0));
  auto rows = lister.exec(ticker::kDatabaseListSql);
  std::vector<std::string> found;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string name(rows.value(i, 0));
    try {
      Connection db = limited(with_database(base, name), timeout);
      require_pgq(db);
    } catch (const Failure&) {
      continue;  // no PgQ there
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pgqpp web: skipping database %s: %s\n", escape_controls(name).c_str(),
                   e.what());
      continue;
    }
    if (name == own)
      found.insert(found.begin(), name);
    else
      found.push_back(name);
  }
  return found;
}

ServedDatabase* pick_database(std::vector<ServedDatabase>& all, bool given, const std::string& db) {
  if (!given) return &all.front();
  for (auto& d : all)
    if (!db.empty() && d.label() == db) return &d;
  return nullptr;
}

}  // namespace pgqpp::cli::web
