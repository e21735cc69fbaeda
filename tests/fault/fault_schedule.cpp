// SPDX-License-Identifier: PostgreSQL
#include "fault_schedule.hpp"

#include <stdexcept>
#include <utility>

#include "rng.hpp"

namespace pgqpp::fault {

std::vector<PlannedFault> make_schedule(const ScheduleSpec& spec) {
  if (spec.targets.empty()) throw std::runtime_error("no target to kill");
  Rng rng(spec.seed, 1);
  auto pick = [&rng](std::size_t n) {
    return static_cast<std::size_t>(rng.between(0, static_cast<std::int64_t>(n) - 1));
  };
  // The first round: every target once, in a seeded order (Fisher-Yates).
  std::vector<std::string> first_round = spec.targets;
  for (std::size_t i = first_round.size(); i > 1; --i)
    std::swap(first_round[i - 1], first_round[pick(i)]);
  std::int64_t restart_at = rng.between(spec.total_ms * 4 / 10, spec.total_ms * 6 / 10);
  bool restarted = false;
  std::size_t kills = 0;
  std::vector<PlannedFault> out;
  for (std::int64_t t = rng.between(1000, 3000); t < spec.total_ms - 3000;) {
    PlannedFault f;
    f.at_ms = t;
    if (!restarted && t >= restart_at) {
      f.down_ms = rng.between(300, 2000);
      restarted = true;
    } else {
      f.target =
          kills < first_round.size() ? first_round[kills] : spec.targets[pick(spec.targets.size())];
      f.down_ms = rng.between(100, spec.max_down_ms);
      ++kills;
    }
    out.push_back(f);
    t += f.down_ms + rng.between(spec.min_gap_ms, spec.max_gap_ms);
  }
  if (!restarted) throw std::runtime_error("the run is too short for the server restart");
  return out;
}

}  // namespace pgqpp::fault
