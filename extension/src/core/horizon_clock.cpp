// SPDX-License-Identifier: PostgreSQL
// Dating VACUUM's horizon: see horizon_clock.hpp.
#include "core/horizon_clock.hpp"

namespace pgqpp::ext::core {

HorizonClock::HorizonClock(std::size_t capacity, std::int64_t spacing_us)
    : capacity_(capacity ? capacity : 1), spacing_us_(spacing_us) {
  ring_.reserve(capacity_);
}

void HorizonClock::sample(std::uint64_t next_xid, std::int64_t now_us) {
  if (!ring_.empty()) {
    const Sample& last = ring_[(start_ + ring_.size() - 1) % ring_.size()];
    if (now_us - last.at_us < spacing_us_ || next_xid < last.next_xid) return;
  }
  if (ring_.size() < capacity_) {
    ring_.push_back({next_xid, now_us});
  } else {
    ring_[start_] = {next_xid, now_us};
    start_ = (start_ + 1) % capacity_;
  }
}

std::optional<std::int64_t> HorizonClock::held_for(std::uint64_t horizon_xid,
                                                   std::int64_t now_us) const {
  // Samples are in xid order: the first, from the oldest, that had not
  // assigned the horizon's xid yet dates it.
  for (std::size_t i = 0; i < ring_.size(); ++i) {
    const Sample& s = ring_[(start_ + i) % ring_.size()];
    if (s.next_xid > horizon_xid) return now_us - s.at_us;
  }
  return std::nullopt;
}

}  // namespace pgqpp::ext::core
