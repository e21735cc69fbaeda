// SPDX-License-Identifier: PostgreSQL
// What a Rows holds: one libpq result.
#pragma once

#include "pg/result.hpp"

namespace pgqpp::detail {

struct RowsData {
  PgResult result;
};

}  // namespace pgqpp::detail
