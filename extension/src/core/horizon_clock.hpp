// SPDX-License-Identifier: PostgreSQL
// How long VACUUM's horizon has been held, in time: which transaction ids
// were the next to be assigned at which moments, so that a horizon (an xid)
// can be dated. The position cell (position_cell.hpp) engages only when the
// horizon has been held for a while: on a busy server the horizon is always
// a few milliseconds behind, and a consumer must not leave its
// pgq.subscription row for that (tools that read the table directly would
// see its position stand still).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pgqpp::ext::core {

/// A bounded record of (next xid, time) samples, at most one per `spacing`.
class HorizonClock {
 public:
  /// Keeps at most `capacity` samples, at least `spacing_us` apart.
  HorizonClock(std::size_t capacity, std::int64_t spacing_us);

  /// Records that `next_xid` was the next xid to be assigned at `now_us`
  /// (ignored when the last sample is younger than the spacing, or when time
  /// or xids went backwards).
  void sample(std::uint64_t next_xid, std::int64_t now_us);

  /// How long the horizon `horizon_xid` has been held at least: xid
  /// `horizon_xid` was assigned before the oldest sample whose next xid was
  /// past it, so the oldest snapshot or transaction that holds the horizon
  /// is that old at least; nothing when no sample is
  /// past it (the horizon is newer than the newest sample).
  std::optional<std::int64_t> held_for(std::uint64_t horizon_xid, std::int64_t now_us) const;

 private:
  struct Sample {
    std::uint64_t next_xid;
    std::int64_t at_us;
  };
  std::vector<Sample> ring_;
  std::size_t start_ = 0;  // oldest sample, once the ring is full
  std::size_t capacity_;
  std::int64_t spacing_us_;
};

}  // namespace pgqpp::ext::core
