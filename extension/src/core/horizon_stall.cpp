// SPDX-License-Identifier: PostgreSQL
// Whether VACUUM's horizon stands still: see horizon_stall.hpp.
#include "core/horizon_stall.hpp"

namespace pgqpp::ext::core {

bool HorizonStall::stalled(std::uint64_t horizon, bool passed_row, int writes) {
  if (passed_row) {
    seen_ = 0;
    return false;
  }
  if (seen_ == 0 || horizon != horizon_) {
    horizon_ = horizon;
    seen_ = 0;
  }
  if (seen_ < writes) ++seen_;
  return seen_ >= writes;
}

}  // namespace pgqpp::ext::core
