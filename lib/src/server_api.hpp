// SPDX-License-Identifier: PostgreSQL
// What the server's pgq schema offers beyond PgQ 3.5.
#pragma once

namespace pgqpp::detail {

class PgConn;

/// True when the pgq schema is pgqpp's (bulk insert, tick notifications),
/// false for PgQ 3.5.
bool has_pgqpp_api(PgConn& conn);

}  // namespace pgqpp::detail
