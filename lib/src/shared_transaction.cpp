// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/shared_transaction.hpp"

#include "pgqpp/transaction.hpp"

namespace pgqpp {

Rows SharedTransaction::exec(std::string_view sql, std::initializer_list<Param> params) {
  std::lock_guard lock(mutex_);
  return tx_.exec(sql, params);
}

Rows SharedTransaction::exec(std::string_view sql, std::span<const Param> params) {
  std::lock_guard lock(mutex_);
  return tx_.exec(sql, params);
}

}  // namespace pgqpp
