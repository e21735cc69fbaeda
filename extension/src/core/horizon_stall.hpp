// SPDX-License-Identifier: PostgreSQL
// Whether VACUUM's horizon stands still behind a consumer's writes: the
// position cell (position_cell.hpp) engages only then. On a busy server the
// horizon is always a few milliseconds behind the newest writes, but it
// moves between them; a consumer must not leave its pgq.subscription row
// for that (tools that read the table directly would see its position
// stand still). A snapshot or transaction held open pins the horizon to
// one value: after a few writes that found it there, each further UPDATE
// would only add a version that stays until the hold ends.
#pragma once

#include <cstdint>

namespace pgqpp::ext::core {

/// Counts consecutive position writes that found the horizon at the same
/// xid, behind the row version they replace.
class HorizonStall {
 public:
  /// Notes a write that found the horizon at `horizon` and, in
  /// `passed_row`, whether it had passed the xmin of the row version the
  /// write replaces. Returns whether the horizon has stalled: at least
  /// `writes` writes, this one included, found it unpassed at this value
  /// (0 or 1: this write alone).
  bool stalled(std::uint64_t horizon, bool passed_row, int writes);

 private:
  std::uint64_t horizon_ = 0;
  int seen_ = 0;
};

}  // namespace pgqpp::ext::core
