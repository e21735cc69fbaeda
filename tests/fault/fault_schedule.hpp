// SPDX-License-Identifier: PostgreSQL
// The seeded schedule of faults for one run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pgqpp::fault {

/// One planned fault: SIGKILL of `target` (started again after `down_ms`),
/// or, when `target` is empty, an immediate shutdown of PostgreSQL (started
/// again after `down_ms`). `at_ms` counts from the start of production.
struct PlannedFault {
  std::int64_t at_ms = 0;
  std::string target;
  std::int64_t down_ms = 0;
};

/// Limits of a schedule.
struct ScheduleSpec {
  std::uint64_t seed = 0;
  std::vector<std::string> targets;                   ///< processes that may be killed
  std::int64_t total_ms = 0;                          ///< length of production
  std::int64_t min_gap_ms = 2000, max_gap_ms = 6000;  ///< between faults
  std::int64_t max_down_ms = 1500;                    ///< longest pause before a restart
};

/// The faults, in time order: kills every min..max gap, the first round
/// taking every target once in a seeded order; one server restart between
/// 40 % and 60 % of the run; nothing in its last 3 s. The same spec gives
/// the same schedule on every machine. Throws std::runtime_error when there
/// are no targets or the run is too short for the restart.
std::vector<PlannedFault> make_schedule(const ScheduleSpec& spec);

}  // namespace pgqpp::fault
