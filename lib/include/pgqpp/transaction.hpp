// SPDX-License-Identifier: PostgreSQL
// A transaction on a Connection.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>

#include "pgqpp/param.hpp"
#include "pgqpp/rows.hpp"

namespace pgqpp {

class Connection;

/// An open transaction: BEGIN in the constructor, COMMIT in commit(), and
/// ROLLBACK in the destructor if neither commit() nor rollback() ran first.
/// Every statement on the connection runs inside it meanwhile, whether it
/// is sent through the Transaction or through the Connection. Not movable:
/// it lives in one scope.
class Transaction {
 public:
  /// Begins a transaction. Throws usage_error when the connection already
  /// has one open.
  explicit Transaction(Connection& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  /// Rolls back unless already ended; never throws.
  ~Transaction();

  /// Runs a statement inside the transaction; see Connection::exec.
  Rows exec(std::string_view sql, std::initializer_list<Param> params = {});
  /// As above, with the parameters in a span.
  Rows exec(std::string_view sql, std::span<const Param> params);

  /// Commits. Throws sql_error when the commit fails (the transaction is
  /// then rolled back) and usage_error when it already ended.
  void commit();
  /// Rolls back. Throws usage_error when it already ended.
  void rollback();
  /// True until commit() or rollback().
  bool open() const noexcept { return open_; }
  /// The connection the transaction runs on.
  Connection& connection() noexcept { return db_; }

 private:
  void end(const char* sql);

  Connection& db_;
  bool open_ = true;
};

}  // namespace pgqpp
