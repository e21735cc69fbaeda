// SPDX-License-Identifier: PostgreSQL
// Transaction snapshots as PgQ stores them in pgq.tick.tick_snapshot
// (txid_snapshot text form "xmin:xmax:xip1,xip2,..."), and the visibility
// rule that decides which events a batch holds. Pure C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgqpp::ext::core {

using Txid = std::uint64_t;

struct Snapshot {
  Txid xmin = 0;
  Txid xmax = 0;
  std::vector<Txid> xip;  // in progress at snapshot time, sorted ascending

  /// True if a transaction with this id had committed (or aborted) when the
  /// snapshot was taken. Ids at or above xmax are never visible: since
  /// PostgreSQL 14 a running transaction may be absent from xip when its id
  /// is at or above xmax.
  bool sees(Txid txid) const;
};

/// Parses the text form of a txid_snapshot; nullopt when malformed.
std::optional<Snapshot> parse_snapshot(std::string_view text);

}  // namespace pgqpp::ext::core
