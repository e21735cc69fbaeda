// SPDX-License-Identifier: PostgreSQL
// Which databases `pgqpp web` serves: the --dsn's own (the default), the
// ones named with --database, or with --all-databases every database of the
// server that has PgQ, found the way the ticker finds them
// (ticker/src/database_list.hpp), and looked for again every check period.
// Each served database has its sampler; a request names one with ?db=NAME
// (an action with "db" in its body) and gets only one of these: the server
// never connects to a name taken from a request.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common.hpp"
#include "sampler.hpp"

namespace pgqpp::cli::web {

/// One served database.
struct ServedDatabase {
  std::string name;     ///< "" when serving only the --dsn's database: then the sampler learns it
  ConnectOptions conn;  ///< how to connect to it
  std::unique_ptr<Sampler> sampler;
  /// Its name: `name`, or the one the sampler read ("" before it could).
  std::string label() const { return name.empty() ? sampler->database() : name; }
};

/// `base` (a --dsn: key=value pairs or a URI, or "" for libpq's
/// environment) with its database replaced by `dbname`, as key=value pairs.
/// Throws UsageError when `base` does not parse.
ConnectOptions with_database(const ConnectOptions& base, const std::string& dbname);

/// The databases with PgQ installed among those the ticker would look at,
/// in name order, listed through `base`; the one `base` connects to comes
/// first when it is one of them. A database that refuses the connection is
/// skipped, with a line on stderr unless `reported` has its name (it is
/// added; one found again is taken out). Throws when `base` cannot list them.
std::vector<std::string> databases_with_pgq(const ConnectOptions& base,
                                            std::chrono::milliseconds timeout,
                                            std::set<std::string>& reported);

using DatabasePtr = std::shared_ptr<ServedDatabase>;

/// The served databases, the default first; shared by the HTTP workers,
/// changed by update() while they serve (a stream keeps its database's
/// sampler alive until it ends).
class ServedDatabases {
 public:
  /// Each database of `list` (name and conn set) with a sampler of
  /// `sampler` settings (their conn replaced by the database's) started.
  ServedDatabases(std::vector<ServedDatabase> list, SamplerSettings sampler);
  ~ServedDatabases() { stop(); }

  /// The served database `db` names, the default (the first) when `given`
  /// is false; nullptr when `db` is not served.
  DatabasePtr pick(bool given, const std::string& db) const;
  /// All of them, the default first.
  std::vector<DatabasePtr> all() const;
  /// Serves the databases `names` (in that order; the connection settings
  /// `base` with each one's dbname): keeps those already served, starts the
  /// new ones, stops and drops those no longer named. An empty `names`
  /// changes nothing. Prints a line for each database added or dropped.
  void update(const ConnectOptions& base, const std::vector<std::string>& names);
  /// Stops every sampler (their streams end).
  void stop();

 private:
  DatabasePtr start(std::string name, ConnectOptions conn) const;

  SamplerSettings sampler_;
  mutable std::mutex mutex_;
  std::vector<DatabasePtr> list_;
};

}  // namespace pgqpp::cli::web
