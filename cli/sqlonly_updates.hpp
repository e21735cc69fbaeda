// SPDX-License-Identifier: PostgreSQL
// The updates of older SQL-only editions to this one, compiled into the
// tool (cli/CMakeLists.txt embeds pgqpp-sqlonly--FROM--VERSION.sql for each
// version of extension/sql-only/editions.txt): `pgqpp install --sql-only`
// runs the one from the installed version.
#pragma once

#include <vector>

namespace pgqpp::cli {

/// One update script: from edition `from` to this build's version.
struct SqlOnlyUpdate {
  const char* from;  ///< the edition version it updates, e.g. "1.4"
  const char* sql;   ///< the whole script (BEGIN ... COMMIT)
};

/// Every update this build has, oldest edition first.
extern const std::vector<SqlOnlyUpdate> sqlonly_updates;

}  // namespace pgqpp::cli
