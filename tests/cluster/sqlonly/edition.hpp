// SPDX-License-Identifier: PostgreSQL
// The SQL-only edition of the build (docs/managed.md) for the cases of
// sqlonly/: where its file is, and installing it into a database with
// psql -f as the cluster's superuser (the install by an owner that is no
// superuser has its own test, integration/sqlonly_install_ticker).
#pragma once

#include <string>

namespace pgqpp_cluster {

/// The newest pgqpp-sqlonly--<version>.sql of the build directory (not an
/// update, pgqpp-sqlonly--OLD--NEW.sql); throws when the build has none.
std::string sqlonly_edition_file();

/// Creates PgQ's roles where missing (a database administrator's one-time
/// step on a managed service) and runs the edition's file with psql -f in
/// the database of `conninfo`; throws when it fails.
void install_sqlonly_edition(const std::string& conninfo);

}  // namespace pgqpp_cluster
