// SPDX-License-Identifier: PostgreSQL
// Whether VACUUM's horizon stands still: see horizon_stall.hpp.
#include "core/horizon_stall.hpp"

namespace pgqpp::ext::core {

bool HorizonStall::stalled(std::uint64_t horizon, bool passed_row) {
  if (passed_row) {
    seen_ = 0;
    return false;
  }
  if (seen_ == 0 || horizon != horizon_) {
    horizon_ = horizon;
    seen_ = 0;
  }
  if (seen_ < writes_) ++seen_;
  return seen_ >= writes_;
}

}  // namespace pgqpp::ext::core
