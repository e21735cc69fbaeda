// SPDX-License-Identifier: PostgreSQL
// The served databases (databases.hpp).
#include "databases.hpp"

#include <libpq-fe.h>

#include <algorithm>
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
                                            std::chrono::milliseconds timeout,
                                            std::set<std::string>& reported) {
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
      reported.erase(name);
      continue;  // no PgQ there
    } catch (const std::exception& e) {
      if (!reported.insert(name).second) continue;
      std::fprintf(stderr, "pgqpp web: skipping database %s: %s\n", escape_controls(name).c_str(),
                   e.what());
      continue;
    }
    reported.erase(name);
    if (name == own)
      found.insert(found.begin(), name);
    else
      found.push_back(name);
  }
  return found;
}

ServedDatabases::ServedDatabases(std::vector<ServedDatabase> list, SamplerSettings sampler)
    : sampler_(std::move(sampler)) {
  for (auto& d : list) list_.push_back(start(d.name, d.conn));
}

DatabasePtr ServedDatabases::start(std::string name, ConnectOptions conn) const {
  SamplerSettings s = sampler_;
  s.conn = conn;
  auto d = std::make_shared<ServedDatabase>();
  d->name = std::move(name);
  d->conn = std::move(conn);
  d->sampler = std::make_unique<Sampler>(s);
  return d;
}

DatabasePtr ServedDatabases::pick(bool given, const std::string& db) const {
  std::lock_guard lock(mutex_);
  if (list_.empty()) return nullptr;
  if (!given) return list_.front();
  for (const auto& d : list_)
    if (!db.empty() && d->label() == db) return d;
  return nullptr;
}

std::vector<DatabasePtr> ServedDatabases::all() const {
  std::lock_guard lock(mutex_);
  return list_;
}

void ServedDatabases::update(const ConnectOptions& base, const std::vector<std::string>& names) {
  if (names.empty()) return;
  std::vector<DatabasePtr> dropped;
  {
    std::lock_guard lock(mutex_);
    std::vector<DatabasePtr> next;
    for (const auto& name : names) {
      DatabasePtr d;
      for (const auto& old : list_)
        if (old->name == name) d = old;
      if (!d) {
        d = start(name, with_database(base, name));
        std::printf("pgqpp web: serving database %s too\n", escape_controls(name).c_str());
      }
      next.push_back(d);
    }
    for (const auto& old : list_)
      if (std::find(next.begin(), next.end(), old) == next.end()) {
        std::printf("pgqpp web: database %s is gone (or has no PgQ): no longer served\n",
                    escape_controls(old->name).c_str());
        dropped.push_back(old);
      }
    list_ = std::move(next);
  }
  std::fflush(stdout);
  // Outside the lock: a sampler stops within its round's time limit.
  for (const auto& d : dropped) d->sampler->stop();
}

void ServedDatabases::stop() {
  for (const auto& d : all()) d->sampler->stop();
}

}  // namespace pgqpp::cli::web
