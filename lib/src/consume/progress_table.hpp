// SPDX-License-Identifier: PostgreSQL
// The exactly-once consumer's record in the target database: per queue and
// consumer, the last batch applied there and the retries it decided.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "consume/batch_source.hpp"

namespace pgqpp {
class Connection;
class Transaction;
}  // namespace pgqpp

namespace pgqpp::detail {

class ProgressTable {
 public:
  /// Throws usage_error when `name` is not a plain (schema.)name.
  ProgressTable(const std::string& name, std::string queue, std::string consumer);

  /// Creates the table if missing and this consumer's row if missing.
  void ensure(Connection& target) const;
  /// Locks this consumer's row for the transaction and returns the last
  /// batch applied (nullopt if none). The lock also keeps a second copy of
  /// the consumer from applying the same batch concurrently.
  std::optional<std::int64_t> lock(Transaction& tx) const;
  /// The retries recorded with the last batch.
  std::vector<RetryTag> retries(Transaction& tx) const;
  /// Records `batch` (and its retries) as applied.
  void record(Transaction& tx, const BatchInfo& batch, std::span<const RetryTag> retries) const;

 private:
  std::string table_;  // quoted
  std::string queue_, consumer_;
};

}  // namespace pgqpp::detail
