// SPDX-License-Identifier: PostgreSQL
// Which databases `pgqpp web` serves: the --dsn's own (the default), the
// ones named with --database, or with --all-databases every database of the
// server that has PgQ, found the way the ticker finds them
// (ticker/src/database_list.hpp). Each served database has its sampler; a
// request names one with ?db=NAME (an action with "db" in its body) and
// gets only one of these: the server never connects to a name taken from a
// request.
#pragma once

#include <memory>
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
/// skipped with a line on stderr. Throws when `base` cannot list them.
std::vector<std::string> databases_with_pgq(const ConnectOptions& base,
                                            std::chrono::milliseconds timeout);

/// The served database `db` names, `all.front()` (the default) when `given`
/// is false; nullptr when `db` is not served.
ServedDatabase* pick_database(std::vector<ServedDatabase>& all, bool given, const std::string& db);

}  // namespace pgqpp::cli::web
