// SPDX-License-Identifier: PostgreSQL
// A job's run of failures: see failure_run.hpp.
#include "failure_run.hpp"

#include <algorithm>

namespace pgqpp::ticker {

bool FailureRun::failed(Clock::time_point now, const std::string& message, Clock::duration quiet) {
  ++failures_;
  bool log = failures_ == 1 || message != logged_message_ || now - logged_at_ >= quiet;
  if (log) {
    logged_message_ = message;
    logged_at_ = now;
  }
  return log;
}

long long FailureRun::succeeded() {
  long long ended = failures_;
  failures_ = 0;
  logged_message_.clear();
  return ended;
}

FailureRun::Clock::duration FailureRun::next_try(Clock::duration period) const {
  if (failures_ == 0) return period;
  // 1 s, 2 s, 4 s, ... 30 s: the shift is bounded before it could overflow.
  auto backoff = kFirstBackoff * (1LL << std::min<long long>(failures_ - 1, 5));
  Clock::duration wait = std::min<Clock::duration>(backoff, kMaxBackoff);
  return std::max(period, wait);
}

std::string with_count(const std::string& message, long long failures) {
  if (failures <= 1) return message;
  return message + " (" + std::to_string(failures) + " failures in a row)";
}

}  // namespace pgqpp::ticker
