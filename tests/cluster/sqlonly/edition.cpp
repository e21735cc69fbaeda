// SPDX-License-Identifier: PostgreSQL
#include "edition.hpp"

#include <stdexcept>

#include "../database_test.hpp"
#include "../process.hpp"

namespace pgqpp_cluster {

std::string sqlonly_edition_file() {
  const std::string file = command_line_output(
      "ls '" + cluster_env("PGQPP_BUILD_DIR") +
      "'/pgqpp-sqlonly--*.sql 2>/dev/null | grep -v -- '--.*--' | sort -V | tail -1");
  if (file.empty()) throw std::runtime_error("no pgqpp-sqlonly--*.sql in the build");
  return file;
}

void install_sqlonly_edition(const std::string& conninfo) {
  pgqpp::Connection c(conninfo);
  // Roles are cluster-wide: another case may have created them already.
  c.exec(
      "do $$ begin"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then"
      "  create role pgq_reader; end if;"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then"
      "  create role pgq_writer; end if;"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then"
      "  create role pgq_admin in role pgq_reader, pgq_writer; end if; end $$");
  const std::string file = sqlonly_edition_file();
  if (run_command("psql -X -q -v ON_ERROR_STOP=1 -d " + shell_quote(conninfo) + " -f " +
                  shell_quote(file) + " >/dev/null") != 0)
    throw std::runtime_error("installing " + file + " failed");
}

}  // namespace pgqpp_cluster
