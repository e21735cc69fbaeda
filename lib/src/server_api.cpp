// SPDX-License-Identifier: PostgreSQL
#include "server_api.hpp"

#include "pg/conn.hpp"
#include "queue_sql.hpp"

namespace pgqpp::detail {

bool has_pgqpp_api(PgConn& conn) {
  PgResult r = conn.exec(sql::has_pgqpp_api);
  return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

}  // namespace pgqpp::detail
