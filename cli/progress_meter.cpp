// SPDX-License-Identifier: PostgreSQL
// ProgressMeter (see progress_meter.hpp).
#include "progress_meter.hpp"

#include <unistd.h>

#include <cstdio>

#include "number_format.hpp"

namespace pgqpp::cli {

ProgressMeter::ProgressMeter()
    : enabled_(isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      next_draw_(start_ + std::chrono::seconds(1)) {}

void ProgressMeter::update(long long count) {
  if (!enabled_) return;
  auto now = Clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(250);
  std::fprintf(stderr, "\r\033[K%s events, %s events/s", group_digits(count).c_str(),
               rate(count, elapsed()).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressMeter::clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

double ProgressMeter::elapsed() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

}  // namespace pgqpp::cli
