// SPDX-License-Identifier: PostgreSQL
// One transaction written by several worker threads.
#pragma once

#include <initializer_list>
#include <mutex>
#include <span>
#include <string_view>

#include "pgqpp/param.hpp"
#include "pgqpp/rows.hpp"

namespace pgqpp {

class Transaction;

/// A Transaction that the worker threads of a keyed exactly-once consumer
/// share (ExactlyOnceConsumer::run_keyed): each exec() runs alone, under a
/// lock, so statements of different workers never interleave on the one
/// connection, and everything they write commits, or rolls back, together
/// with the batch's progress record. The handlers' own work (computation,
/// calls to other services) runs in parallel; only the statements queue up.
/// A statement that fails aborts the whole transaction, as on one thread.
class SharedTransaction {
 public:
  /// Shares `tx` (which outlives this object).
  explicit SharedTransaction(Transaction& tx) noexcept : tx_(tx) {}
  SharedTransaction(const SharedTransaction&) = delete;
  SharedTransaction& operator=(const SharedTransaction&) = delete;

  /// Runs a statement in the transaction, alone; see Connection::exec.
  Rows exec(std::string_view sql, std::initializer_list<Param> params = {});
  /// As above, with the parameters in a span.
  Rows exec(std::string_view sql, std::span<const Param> params);

 private:
  Transaction& tx_;
  std::mutex mutex_;
};

}  // namespace pgqpp
