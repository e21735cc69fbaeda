// SPDX-License-Identifier: PostgreSQL
// Which databases of a server the ticker looks at, and `pgqpp web
// --all-databases` serves: the one statement both run, so that they find
// the same ones. Each then keeps those with PgQ installed.
#pragma once

namespace pgqpp::ticker {

/// The names of every database that takes connections and is no template,
/// in name order (one column, datname). Runs in any database of the server.
inline constexpr const char* kDatabaseListSql =
    "select datname from pg_catalog.pg_database"
    " where datallowconn and not datistemplate order by 1";

}  // namespace pgqpp::ticker
