// SPDX-License-Identifier: PostgreSQL
// RAII for libpq's results and buffers: nothing libpq allocates outlives its
// owner, and no raw pointer leaves lib/src.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace pgqpp::detail {

struct PgResultFree {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
/// A result owned until it goes out of scope.
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

struct PgMemFree {
  void operator()(char* p) const noexcept { PQfreemem(p); }
};
/// A buffer libpq allocated (a COPY row).
using PgBuffer = std::unique_ptr<char, PgMemFree>;

}  // namespace pgqpp::detail
